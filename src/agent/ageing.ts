// MAC ageing: learned entries (local and remote) whose last frame *from* the MAC is older than
// the ageing time are removed. Static entries never age. bpf_ktime_get_ns() and
// process.hrtime() read the same clock (CLOCK_MONOTONIC).
import { MAC_F_STATIC, type MacKey } from '../maps/layout.js';
import type { DataplaneMaps } from '../maps/tables.js';

export function ageOut(maps: DataplaneMaps, ageingSeconds: number, now = process.hrtime.bigint()): MacKey[] {
  const limit = BigInt(ageingSeconds) * 1_000_000_000n;
  const old: MacKey[] = [];
  for (const [k, e] of maps.macs.entries()) {
    if (e.flags & MAC_F_STATIC) continue;
    if (now - e.lastSeenNs > limit) old.push(k);
  }
  if (old.length) maps.macs.deleteBatch(old);
  return old;
}

/** Learned entries only, optionally of one segment (`clear mac address-table dynamic`). */
export function flushLearned(maps: DataplaneMaps, vni?: number): number {
  const keys: MacKey[] = [];
  for (const [k, e] of maps.macs.entries()) {
    if (e.flags & MAC_F_STATIC) continue;
    if (vni === undefined || k.vni === vni) keys.push(k);
  }
  return maps.macs.deleteBatch(keys);
}
