// MAC ageing: learned entries (local and remote) whose last frame *from* the MAC is older than
// the ageing time are removed. Static entries never age. bpf_ktime_get_ns() and
// process.hrtime() read the same clock (CLOCK_MONOTONIC). Each pass also corrects the ports'
// learned-MAC counts (port-macs.ts).
import { MAC_F_STATIC, type MacKey } from '../maps/layout.js';
import type { DataplaneMaps } from '../maps/tables.js';
import { PortMacTally } from './port-macs.js';

export function ageOut(maps: DataplaneMaps, ageingSeconds: number, now = process.hrtime.bigint()): MacKey[] {
  const limit = BigInt(ageingSeconds) * 1_000_000_000n;
  const old: MacKey[] = [];
  const kept = new PortMacTally();
  for (const [k, e] of maps.macs.entries()) {
    if (e.flags & MAC_F_STATIC) continue;
    if (now - e.lastSeenNs > limit) old.push(k);
    else kept.add(e);
  }
  if (old.length) maps.macs.deleteBatch(old);
  kept.write(maps);
  return old;
}

/** Learned entries only, optionally of one segment (`clear mac address-table dynamic`). */
export function flushLearned(maps: DataplaneMaps, vni?: number): number {
  const keys: MacKey[] = [];
  const kept = new PortMacTally();
  for (const [k, e] of maps.macs.entries()) {
    if (e.flags & MAC_F_STATIC) continue;
    if (vni === undefined || k.vni === vni) keys.push(k);
    else kept.add(e);
  }
  const n = maps.macs.deleteBatch(keys);
  kept.write(maps);
  return n;
}
