// The cap on per-VNI metric series (`vxvem vem --metrics-max-vnis`): at most `max` VNIs get
// series of their own, the others are summed under vni="other". A host with more segments than
// Prometheus should store, or a sender spraying VXLAN frames for random VNIs (each one a drop
// key), then costs a fixed number of series.
import type { DhcpTotals, DropTotal, MacClass, MacCount, SegmentTotals } from '../maps/totals.js';

/** The label of the VNIs summed together beyond the cap. */
export const OTHER_VNI = 'other';

export class VniCap {
  /** Bound VNIs with series of their own: kept while they exist, so their counters never jump. */
  private readonly kept = new Set<number>();
  /** VNIs seen only in drops (not bound here), in the room the bound ones leave; may change. */
  private extra = new Set<number>();
  private everything = true;

  constructor(readonly max: number) {}

  /**
   * Chooses the VNIs with their own series from those present now: `bound` (with counters or
   * MAC entries) first, lowest VNI first, then VNIs that only have drops. VNI 0 (drops whose VNI
   * is not known) is always its own and does not count.
   */
  select(bound: Iterable<number>, dropOnly: Iterable<number>): void {
    const b = new Set(bound);
    b.delete(0);
    for (const v of this.kept) if (!b.has(v)) this.kept.delete(v);
    const waiting = [...b].filter((v) => !this.kept.has(v)).sort((x, y) => x - y);
    for (const v of waiting.slice(0, Math.max(0, this.max - this.kept.size))) this.kept.add(v);
    const room = this.max - this.kept.size;
    const d = [...new Set(dropOnly)].filter((v) => v !== 0 && !b.has(v));
    // Sorted only when some must wait: a spray of unknown VNIs can leave 65,536 drop keys.
    this.extra = new Set(d.length <= room ? d : room > 0 ? d.sort((x, y) => x - y).slice(0, room) : []);
    this.everything = this.kept.size === b.size && this.extra.size === d.length;
  }

  /** Whether every VNI present has its own series (nothing is summed). */
  get uncapped(): boolean {
    return this.everything;
  }

  /** The `vni` label of a VNI's samples. */
  label(vni: number): string {
    return this.everything || vni === 0 || this.kept.has(vni) || this.extra.has(vni) ? String(vni) : OTHER_VNI;
  }
}

/** A reading of the dataplane with its `vni` labels chosen. */
export interface LabelledReading {
  counters: [vni: string, totals: SegmentTotals][];
  drops: { vni: string; reason: number; packets: number }[];
  macs: { vni: string; kind: MacClass; entries: number }[];
}

/** Labels a reading through `cap` (after cap.select): only "other" ever sums several VNIs. */
export function labelReading(cap: VniCap, counters: Map<number, SegmentTotals>, drops: DropTotal[], macs: MacCount[]): LabelledReading {
  const out: LabelledReading = { counters: [], drops: [], macs: [] };
  let other: SegmentTotals | undefined;
  for (const [vni, t] of counters) {
    const l = cap.label(vni);
    if (l !== OTHER_VNI) out.counters.push([l, t]);
    else if (!other) other = { ...t };
    else for (const k of Object.keys(t) as (keyof SegmentTotals)[]) other[k] += t[k];
  }
  if (other) out.counters.push([OTHER_VNI, other]);
  const otherDrops = new Map<number, number>();
  for (const d of drops) {
    const l = cap.label(d.vni);
    if (l !== OTHER_VNI) out.drops.push({ vni: l, reason: d.reason, packets: d.packets });
    else otherDrops.set(d.reason, (otherDrops.get(d.reason) ?? 0) + d.packets);
  }
  for (const [reason, packets] of otherDrops) out.drops.push({ vni: OTHER_VNI, reason, packets });
  const otherMacs = new Map<MacClass, number>();
  for (const m of macs) {
    const l = cap.label(m.vni);
    if (l !== OTHER_VNI) out.macs.push({ vni: l, kind: m.kind, entries: m.entries });
    else otherMacs.set(m.kind, (otherMacs.get(m.kind) ?? 0) + m.entries);
  }
  for (const [kind, entries] of otherMacs) out.macs.push({ vni: OTHER_VNI, kind, entries });
  return out;
}

/** DHCP replies per VNI labelled through `cap` (after cap.select), the capped ones summed as "other". */
export function labelDhcp(cap: VniCap, totals: Map<number, DhcpTotals>): [vni: string, totals: DhcpTotals][] {
  const out: [string, DhcpTotals][] = [];
  let other: DhcpTotals | undefined;
  for (const [vni, t] of totals) {
    const l = cap.label(vni);
    if (l !== OTHER_VNI) out.push([l, t]);
    else if (!other) other = { ...t };
    else for (const k of Object.keys(t) as (keyof DhcpTotals)[]) other[k] += t[k];
  }
  if (other) out.push([OTHER_VNI, other]);
  return out;
}
