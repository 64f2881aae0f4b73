// Batch-installs N MAC entries (default 1,000,000) into the VEM's MAC table through the typed
// wrapper and prints entries/s. Not a test: run with `npx tsx bench/mac-install.ts [N]`.
import { Dataplane } from '../src/maps/dataplane.js';
import { MacKind, type MacEntry, type MacKey } from '../src/maps/layout.js';

const total = Number(process.argv[2] ?? 1_000_000);
const instance = `bench-macs-${process.pid}`;

function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}

function* rows(): Generator<readonly [MacKey, MacEntry]> {
  for (let i = 0; i < total; i++) {
    const key = { vni: 5000 + (i & 0xff), mac: `02:${hex2(i >> 24)}:${hex2(i >> 16)}:${hex2(i >> 8)}:${hex2(i)}:01` };
    const entry = { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: `192.0.2.${1 + (i % 250)}`, lastSeenNs: 0n };
    yield [key, entry] as const;
  }
}

// LRU maps evict before they are strictly full (per-CPU free lists): leave 25% headroom.
const dp = Dataplane.open({ instance, macTableSize: Math.ceil(total * 1.25) });
try {
  const t0 = process.hrtime.bigint();
  const written = dp.maps.macs.putBatch(rows());
  const t1 = process.hrtime.bigint();
  let present = 0;
  for (const _ of dp.maps.macs.keys()) present++;
  const secs = Number(t1 - t0) / 1e9;
  const result = { entries: written, present, seconds: +secs.toFixed(3), entriesPerSecond: Math.round(written / secs) };
  console.log(JSON.stringify(result));
  console.log(`installed ${written} MAC entries in ${secs.toFixed(3)} s: ${result.entriesPerSecond.toLocaleString('en-US')} entries/s (${present} present after)`);
} finally {
  dp.close();
  Dataplane.removePins(instance);
}
