// Cost of one Prometheus scrape of a VEM agent: N segments with per-CPU counters, drops, and a
// MAC table of M entries, rendered by VemMetrics exactly as /metrics serves it.
// `npx tsx bench/metrics-scrape.ts [SEGMENTS] [MACS]` (defaults 4000 and 40,000).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VemMetrics } from '../src/agent/metrics.js';
import { Dataplane } from '../src/maps/dataplane.js';
import { MacKind } from '../src/maps/layout.js';
import { REPO } from './lib.js';

const segments = Number(process.argv[2] ?? 4000);
const macs = Number(process.argv[3] ?? 40_000);
const instance = `bench-scrape-${process.pid}`;
const dp = Dataplane.open({ instance, macTableSize: Math.max(Math.ceil(macs * 1.25), 1024) });
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
try {
  const m = dp.maps;
  const c = 123_456_789n;
  for (let i = 0; i < segments; i++) {
    m.counters.putAll(10_000 + i, { rxPackets: c, rxBytes: c * 100n, txPackets: c, txBytes: c * 90n, floodPackets: 7n, learned: 3n, moves: 1n });
    if (i % 10 === 0) m.drops.putAll({ vni: 10_000 + i, reason: 3 }, 5n);
  }
  const hex = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
  m.macs.putBatch((function* () {
    for (let i = 0; i < macs; i++) {
      yield [{ vni: 10_000 + (i % segments), mac: `02:00:${hex(i >> 16)}:${hex(i >> 8)}:${hex(i)}:01` },
        { kind: i % 4 ? MacKind.Remote : MacKind.Local, flags: 0, ifindex: 0, vtep: '192.0.2.9', lastSeenNs: 0n }] as const;
    }
  })());
  const metrics = new VemMetrics(m, { mode: 'file', instance, version: 'bench', vsmConnected: () => false, revision: () => 1, lastSyncMs: () => Date.now() });
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    bytes = (await metrics.scrape()).length;
    times.push(performance.now() - t0);
  }
  const r = { segments, macs, scrapes: times.length, firstMs: +times[0]!.toFixed(1), p50Ms: +pct(times.slice(1), 0.5).toFixed(1), p99Ms: +pct(times.slice(1), 0.99).toFixed(1), bytes };
  console.log(JSON.stringify(r));
  writeFileSync(join(REPO, 'bench', 'results', `metrics-scrape-${segments}x${macs}.json`), JSON.stringify(r, null, 2) + '\n');
} finally {
  dp.close();
  Dataplane.removePins(instance);
}
