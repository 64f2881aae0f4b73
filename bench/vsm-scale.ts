// VSM scale: H simulated hosts (one gRPC watch stream each, over a unix socket), S segments,
// P ports. Reports the time until every host has its first full view, and the time from a
// port add (admin RPC) to the last affected host receiving its new view, p50/p99.
//
//   npx tsx bench/vsm-scale.ts [hosts segments ports adds]    (default 1000 4000 100000 50)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, VemClient } from '../proto/clients.js';
import { createPort, createSegment, registerHost, update } from '../src/vsm/rules.js';
import { VsmServer } from '../src/vsm/server.js';
import { FileStore, type StateStore } from '../src/vsm/store.js';
import { median, writeResults } from './lib.js';

const [H, S, P, ADDS] = (process.argv.slice(2).length ? process.argv.slice(2) : ['1000', '4000', '100000', '50']).map(Number) as [number, number, number, number];
const dir = mkdtempSync(join(tmpdir(), 'vxvem-scale-'));
const addr = `unix:${join(dir, 'vsm.sock')}`;
const vtepOf = (h: number) => `192.0.${2 + (h >> 8)}.${h & 255}`; // addresses only live inside the VSM here
const mac = (n: number) => `02:${[(n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255, 1].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;

async function main(): Promise<void> {
  // Build the configuration in one transaction (the admin path is measured below).
  const store: StateStore = new FileStore(join(dir, 'data'));
  const t0 = performance.now();
  const state = update(store.load(), (s) => {
    for (let h = 0; h < H; h++) registerHost(s, { name: `h${h}`, vteps: [{ address: vtepOf(h), prefixLength: 16, interface: 'up0' }] });
    for (let i = 0; i < S; i++) createSegment(s, { name: `seg${i}`, vni: 1000 + i, mode: 'unicast' });
    for (let p = 0; p < P; p++) createPort(s, { name: `p${p}`, network: `seg${p % S}`, host: `h${(p * 7919) % H}`, mac: mac(p), interface: `tap${p}` });
  });
  store.save(state);
  const buildMs = performance.now() - t0;
  const vsm = new VsmServer(store);
  await vsm.listen(addr);

  const clients: VemClient[] = [];
  const lastView = new Map<string, number>(); // host -> time of its last view
  const firstView: number[] = [];
  const t1 = performance.now();
  await Promise.all(Array.from({ length: H }, (_, h) => new Promise<void>((resolve) => {
    const c = new VemClient(addr);
    clients.push(c);
    let first = true;
    c.watch(`h${h}`, '0', () => {
      lastView.set(`h${h}`, performance.now());
      if (first) {
        first = false;
        firstView.push(performance.now() - t1);
        resolve();
      }
    }, () => undefined);
  })));
  const snapshotAllMs = performance.now() - t1;

  const admin = new AdminClient(addr);
  const lat: number[] = [];
  for (let i = 0; i < ADDS; i++) {
    const seg = (i * 31) % S;
    const host = `h${(i * 104729) % H}`;
    const affected = new Set([host, ...Object.values(vsm.snapshot.ports).filter((p) => p.network === `seg${seg}`).map((p) => p.host)]);
    const start = performance.now();
    await admin.createPort({ name: `new${i}`, network: `seg${seg}`, host, mac: mac(P + i), interface: `tapn${i}` });
    // Wait until every affected host got a view after `start`.
    for (;;) {
      if ([...affected].every((h) => (lastView.get(h) ?? 0) >= start)) break;
      await new Promise((r) => setImmediate(r));
      if (performance.now() - start > 30_000) throw new Error('a view never arrived');
    }
    lat.push(Math.max(...[...affected].map((h) => lastView.get(h)!)) - start);
  }
  lat.sort((a, b) => a - b);
  const result = {
    hosts: H, segments: S, ports: P, adds: ADDS, buildMs: Math.round(buildMs),
    firstViewAllHostsMs: Math.round(snapshotAllMs), firstViewP50Ms: Math.round(median(firstView)),
    addToLastAffectedP50Ms: +median(lat).toFixed(1), addToLastAffectedP99Ms: +lat[Math.floor(lat.length * 0.99)]!.toFixed(1),
  };
  console.log(JSON.stringify(result, null, 2));
  writeResults('vsm-scale', result, `# VSM scale\n\n| hosts | segments | ports | first view, all hosts | add -> last affected VEM p50 | p99 |\n|---|---|---|---|---|---|\n| ${H} | ${S} | ${P} | ${result.firstViewAllHostsMs} ms | ${result.addToLastAffectedP50Ms} ms | ${result.addToLastAffectedP99Ms} ms |\n`);
  admin.close();
  for (const c of clients) c.close();
  await vsm.close();
}

main().finally(() => rmSync(dir, { recursive: true, force: true }));
