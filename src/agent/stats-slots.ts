// Which slot of vx_seg_stats each segment counts into (docs/dataplane.md, "Fast path"): the
// programs then index an array instead of hashing the VNI on every packet.
import type { Segment } from '../maps/layout.js';
import { sumCounters, type DataplaneMaps } from '../maps/tables.js';

/**
 * `want` with each segment's statsSlot. A segment keeps the slot its vx_segments value names
 * (counts survive agent restarts); a new one takes the lowest slot no value names, zeroed on every
 * CPU before any value names it. A slot freed by a segment removed in this pass is handed out in
 * a later one only: until the removal, packets of the old segment may still count into it. With
 * every slot taken, 0: the programs count that segment by VNI (vx_counters) as before.
 */
export function withStatsSlots(want: ReadonlyMap<number, Segment>, maps: DataplaneMaps): Map<number, Segment> {
  const capacity = maps.segStats.info.maxEntries;
  const current = new Map<number, number>();
  const taken = new Set<number>();
  for (const [vni, seg] of maps.segments.entries()) {
    if (seg.statsSlot > 0 && seg.statsSlot < capacity && !taken.has(seg.statsSlot)) {
      current.set(vni, seg.statsSlot);
      taken.add(seg.statsSlot);
    }
  }
  let next = 1;
  const out = new Map<number, Segment>();
  for (const [vni, seg] of want) {
    let slot = current.get(vni) ?? 0;
    if (!slot) {
      while (next < capacity && taken.has(next)) next++;
      if (next < capacity) {
        slot = next;
        taken.add(slot);
        maps.segStats.putAll(slot, sumCounters([])); // all CPUs zero
      }
    }
    out.set(vni, { ...seg, statsSlot: slot });
  }
  return out;
}
