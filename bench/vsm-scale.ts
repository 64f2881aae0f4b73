// VSM scale: H simulated hosts (one gRPC watch stream each, over a unix socket), S segments,
// P ports. Reports the time until every host has its first full view, and the time from a
// port add (admin RPC) to the last affected host receiving its new view, p50/p99.
//
//   npx tsx bench/vsm-scale.ts [hosts segments ports adds] [--store embedded|etcd] [--replicas 1|2]
//
// Defaults: 1000 4000 100000 50, the embedded store. With --store etcd, a 3-member etcd cluster
// on loopback holds the state (seeded in batches), and the port adds go through replica `a`
// (in this process); with --replicas 2 (the default for etcd) the hosts follow replica `b`, a
// `vxvem vsm` process of its own, so an add travels a's commit, etcd and b's watch to them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, VemClient } from '../proto/clients.js';
import { EtcdStore } from '../src/vsm/etcd-store.js';
import { emptyState, type VsmState } from '../src/vsm/objects.js';
import { startReplica, type Replica } from '../src/vsm/replica.js';
import { createPort, createSegment, registerHost, update } from '../src/vsm/rules.js';
import { VsmServer } from '../src/vsm/server.js';
import { FileStore } from '../src/vsm/store.js';
import { EtcdCluster } from '../test/helpers/etcd-cluster.js';
import { VsmProcess } from '../test/helpers/vsm-process.js';
import { median, writeResults } from './lib.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? undefined : argv.splice(i, 2)[1];
};
const STORE = flag('store') ?? 'embedded';
const REPLICAS = Number(flag('replicas') ?? (STORE === 'etcd' ? 2 : 1));
if (STORE !== 'embedded' && STORE !== 'etcd') throw new Error('--store embedded|etcd');
const [H, S, P, ADDS] = (argv.length ? argv : ['1000', '4000', '100000', '50']).map(Number) as [number, number, number, number];
const dir = mkdtempSync(join(tmpdir(), 'vxvem-scale-'));
const sock = (name: string) => `unix:${join(dir, `${name}.sock`)}`;
const vtepOf = (h: number) => `192.0.${2 + (h >> 8)}.${h & 255}`; // addresses only live inside the VSM here
const mac = (n: number) => `02:${[(n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255, 1].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;

/** A VSM holding `state`, and where the admin calls and the hosts' streams go. */
interface Setup {
  admin: string;
  vems: string;
  /** The state the adds are made on (to know which hosts an add concerns). */
  state(): VsmState;
  timings: Record<string, number>;
  close(): Promise<void>;
}

async function embedded(state: VsmState): Promise<Setup> {
  const store = new FileStore(join(dir, 'data'));
  const t0 = performance.now();
  store.save(state);
  const saveMs = performance.now() - t0;
  const vsm = new VsmServer(store);
  await vsm.listen(sock('vsm'));
  return { admin: sock('vsm'), vems: sock('vsm'), state: () => vsm.snapshot, timings: { saveMs }, close: () => vsm.close() };
}

async function etcd(state: VsmState): Promise<Setup> {
  const cluster = await EtcdCluster.start(3);
  const seeder = new EtcdStore(cluster.url, 'bench');
  await seeder.open();
  const t0 = performance.now();
  await seeder.seed(state);
  const seedMs = performance.now() - t0;
  await seeder.close();
  const t1 = performance.now();
  const a: Replica = await startReplica({ store: cluster.url, name: 'a', listen: sock('a'), log: () => undefined });
  const loadMs = performance.now() - t1;
  const b = new VsmProcess();
  if (REPLICAS > 1) await b.start(['--store', cluster.url, '--name', 'b', '--listen', sock('b'), '--metrics', 'off']);
  return {
    admin: sock('a'), vems: sock(REPLICAS > 1 ? 'b' : 'a'), state: () => a.vsm.snapshot,
    timings: { seedMs, replicaLoadMs: loadMs },
    close: async () => {
      await b.stop();
      await a.close();
      await cluster.destroy();
    },
  };
}

async function main(): Promise<void> {
  // Build the configuration in one transaction (the admin path is measured below).
  const t0 = performance.now();
  const state = update(emptyState(), (s) => {
    for (let h = 0; h < H; h++) registerHost(s, { name: `h${h}`, vteps: [{ address: vtepOf(h), prefixLength: 16, interface: 'up0' }] });
    for (let i = 0; i < S; i++) createSegment(s, { name: `seg${i}`, vni: 1000 + i, mode: 'unicast' });
    for (let p = 0; p < P; p++) createPort(s, { name: `p${p}`, network: `seg${p % S}`, host: `h${(p * 7919) % H}`, mac: mac(p), interface: `tap${p}` });
  });
  const buildMs = performance.now() - t0;
  const setup = STORE === 'etcd' ? await etcd(state) : await embedded(state);

  const clients: VemClient[] = [];
  const lastView = new Map<string, number>(); // host -> time of its last view
  const firstView: number[] = [];
  const t1 = performance.now();
  await Promise.all(Array.from({ length: H }, (_, h) => new Promise<void>((resolve) => {
    const c = new VemClient(setup.vems);
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

  const admin = new AdminClient(setup.admin);
  const lat: number[] = [];
  const acks: number[] = []; // the admin RPC's own time: the change committed (fsync, or etcd's quorum)
  for (let i = 0; i < ADDS; i++) {
    const seg = (i * 31) % S;
    const host = `h${(i * 104729) % H}`;
    const affected = new Set([host, ...Object.values(setup.state().ports).filter((p) => p.network === `seg${seg}`).map((p) => p.host)]);
    const start = performance.now();
    await admin.createPort({ name: `new${i}`, network: `seg${seg}`, host, mac: mac(P + i), interface: `tapn${i}` });
    acks.push(performance.now() - start);
    // Wait until every affected host got a view after `start`.
    for (;;) {
      if ([...affected].every((h) => (lastView.get(h) ?? 0) >= start)) break;
      await new Promise((r) => setImmediate(r));
      if (performance.now() - start > 30_000) throw new Error('a view never arrived');
    }
    lat.push(Math.max(...[...affected].map((h) => lastView.get(h)!)) - start);
  }
  lat.sort((a, b) => a - b);
  acks.sort((a, b) => a - b);
  const result = {
    store: STORE, ...(STORE === 'etcd' ? { etcdMembers: 3, replicas: REPLICAS } : {}),
    hosts: H, segments: S, ports: P, adds: ADDS, buildMs: Math.round(buildMs),
    ...Object.fromEntries(Object.entries(setup.timings).map(([k, v]) => [k, Math.round(v)])),
    firstViewAllHostsMs: Math.round(snapshotAllMs), firstViewP50Ms: Math.round(median(firstView)),
    addAckP50Ms: +median(acks).toFixed(1), addAckP99Ms: +acks[Math.floor(acks.length * 0.99)]!.toFixed(1),
    addToLastAffectedP50Ms: +median(lat).toFixed(1), addToLastAffectedP99Ms: +lat[Math.floor(lat.length * 0.99)]!.toFixed(1),
  };
  console.log(JSON.stringify(result, null, 2));
  const where = STORE === 'etcd' ? `etcd (3 members on loopback), adds through replica a, hosts on replica ${REPLICAS > 1 ? 'b' : 'a'}` : 'embedded (state.json + journal)';
  const name = STORE === 'etcd' ? `vsm-scale-etcd${REPLICAS > 1 ? '' : '-1replica'}` : 'vsm-scale';
  writeResults(name, result, `# VSM scale: ${where}\n\n| hosts | segments | ports | first view, all hosts | add acknowledged p50 | p99 | add -> last affected VEM p50 | p99 |\n`
    + `|---|---|---|---|---|---|---|---|\n| ${H} | ${S} | ${P} | ${result.firstViewAllHostsMs} ms | ${result.addAckP50Ms} ms | ${result.addAckP99Ms} ms | ${result.addToLastAffectedP50Ms} ms | ${result.addToLastAffectedP99Ms} ms |\n`);
  admin.close();
  for (const c of clients) c.close();
  await setup.close();
}

main().finally(() => rmSync(dir, { recursive: true, force: true }));
