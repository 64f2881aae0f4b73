// VSM replicas on a real etcd cluster (3 members on loopback), in this process: one cluster
// identity, changes made on any replica seen by all at the same revision, concurrent changes
// each whole, Neutron allocations that do not collide, a VEM resuming on another replica with
// a delta, the leader handing over, and quorum loss refusing writes until quorum returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AdminClient, VemClient, VsmCallError } from '../proto/clients.js';
import { applyDelta } from '../proto/delta.js';
import type { HostUpdate, HostView } from '../proto/index.js';
import { NeutronApi } from '../src/vsm/neutron/http.js';
import { startReplica, type Replica } from '../src/vsm/replica.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO } from './helpers/bpf.js';
import { EtcdCluster } from './helpers/etcd-cluster.js';
import { freePort } from './helpers/free-port.js';
import { VsmProcess } from './helpers/vsm-process.js';
import { until } from './helpers/until.js';

const dir = mkdtempSync(join(tmpdir(), 'vxvem-vsm-etcd-'));
const sock = (name: string) => `unix:${join(dir, `${name}.sock`)}`;
let etcd: EtcdCluster;
const replicas = new Map<string, Replica>();
const logs = new Map<string, string[]>();

async function start(name: string): Promise<Replica> {
  logs.set(name, []);
  const r = await startReplica({ store: etcd.url, name, listen: sock(name), log: (l) => logs.get(name)!.push(l) });
  replicas.set(name, r);
  return r;
}

/** The first update of a watch on `addr` for `host` from `revision` (of the store `vsmId`, when given). */
function firstUpdate(addr: string, host: string, revision: string, vsmId?: string): Promise<HostUpdate> {
  const c = new VemClient(addr);
  return new Promise<HostUpdate>((resolve, reject) => {
    const stop = c.watch(host, revision, (u) => { stop(); c.close(); resolve(u); }, (e) => e && reject(e), vsmId === undefined ? {} : { vsmId });
  });
}

const vteps = (address: string) => [{ interface: 'up0', address, prefixLength: 24, gateway: '' }];

beforeAll(async () => {
  etcd = await EtcdCluster.start(3);
  await start('a');
  await start('b');
}, 60_000);

afterAll(async () => {
  for (const r of replicas.values()) await r.close().catch(() => undefined);
  await etcd?.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('replicas on one etcd cluster', () => {
  it('share one cluster identity; a change made on one is on the other, at the same revision', async () => {
    const [a, b] = [replicas.get('a')!, replicas.get('b')!];
    expect(a.clusterId).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.clusterId).toBe(a.clusterId);
    // The cluster id is the store's identity (the one VEMs remember) on every replica.
    expect([a.vsm.snapshot.id, b.vsm.snapshot.id]).toEqual([a.clusterId, a.clusterId]);
    const admin = new AdminClient(sock('a'));
    await admin.createNetwork({ name: 'web', vni: 5000 });
    admin.close();
    await until('b has web', () => b.vsm.snapshot.segments.web?.vni, (v) => v === 5000);
    expect(b.vsm.snapshot.revision).toBe(a.vsm.snapshot.revision);
    expect(b.vsm.snapshot).toEqual(a.vsm.snapshot);
  });

  it('concurrent changes on both replicas: each whole, none lost; of two that conflict, one wins and the other is refused', async () => {
    const [ca, cb] = [new AdminClient(sock('a')), new AdminClient(sock('b'))];
    const made = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 ? ca : cb).createPort({ name: `c${i}`, network: 'web', host: 'h1', mac: `02:00:00:00:10:${(i + 16).toString(16)}` })));
    expect(made.filter((r) => r.status === 'rejected')).toEqual([]);
    const dup = await Promise.allSettled([ca.createNetwork({ name: 'dup', vni: 7001 }), cb.createNetwork({ name: 'dup', vni: 7002 })]);
    expect(dup.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(((dup.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as VsmCallError).code).toBe(grpc.status.ALREADY_EXISTS);
    const [a, b] = [replicas.get('a')!, replicas.get('b')!];
    await until('same revision', () => b.vsm.snapshot.revision, (v) => v === a.vsm.snapshot.revision);
    expect(Object.keys(b.vsm.snapshot.ports).filter((p) => p.startsWith('c')).length).toBe(20);
    expect(b.vsm.snapshot).toEqual(a.vsm.snapshot);
    ca.close();
    cb.close();
  });

  it('Neutron on two replicas at once: every network gets its own VNI (a request that lost the race is run again whole)', async () => {
    const apis = await Promise.all(['a', 'b'].map(async (n) => {
      const api = new NeutronApi(replicas.get(n)!.vsm.commit, { vniRange: [9000, 9100] });
      const server = await api.listen('127.0.0.1', 0);
      return { api, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
    }));
    const posts = await Promise.all(Array.from({ length: 10 }, (_, i) => fetch(`${apis[i % 2]!.base}/v2.0/networks`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ network: { name: `n${i}` } }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { network: Record<string, unknown> } }))));
    expect(posts.map((p) => p.status)).toEqual(Array(10).fill(201));
    const vnis = posts.map((p) => p.body.network['provider:segmentation_id'] as number);
    expect(new Set(vnis).size).toBe(10);
    for (const { api } of apis) api.close();
  });

  it('a VEM that followed replica a resumes on replica b with a delta from the revision it had', async () => {
    const vem = new VemClient(sock('a'));
    const id = replicas.get('a')!.clusterId;
    expect((await vem.register({ host: 'h1', vteps: vteps('192.0.2.1'), uplinkMtu: 1550, version: 'test' })).vsmId).toBe(id);
    const first = await firstUpdate(sock('a'), 'h1', '0');
    expect(first.vsmId).toBe(id);
    const had: HostView = first.snapshot!;
    expect(had.ports.length).toBeGreaterThan(0);
    // Meanwhile: the host registers again (as a VEM does on reconnecting) and a port of another host joins web.
    await vem.register({ host: 'h1', vteps: vteps('192.0.2.1'), uplinkMtu: 1550, version: 'test' });
    await vem.register({ host: 'h2', vteps: vteps('192.0.2.2'), uplinkMtu: 1550, version: 'test' });
    const admin = new AdminClient(sock('a'));
    await admin.createPort({ name: 'x2', network: 'web', host: 'h2', mac: '02:00:00:00:20:02' });
    const b = replicas.get('b')!;
    await until('b has x2', () => b.vsm.snapshot.ports.x2?.host, (v) => v === 'h2');
    const resumed = await firstUpdate(sock('b'), 'h1', had.revision, id);
    expect(resumed.vsmId).toBe(id); // the same store as a's: the VEM applies it
    expect(resumed.snapshot).toBeUndefined();
    expect(resumed.delta!.baseRevision).toBe(had.revision);
    expect(resumed.delta!.upsertStaticMacs.map((m) => m.mac)).toEqual(['02:00:00:00:20:02']);
    const fresh = (await firstUpdate(sock('b'), 'h1', '0')).snapshot!;
    expect(applyDelta(had, resumed.delta!)).toEqual({ ...fresh, partial: undefined }); // a whole update: `partial` is only a part's
    // The same revision of another store: a snapshot (its VEM judges it by its identity).
    expect((await firstUpdate(sock('b'), 'h1', had.revision, '00000000-0000-4000-8000-000000000000')).snapshot).toBeDefined();
    // A revision this cluster never made: a snapshot.
    expect((await firstUpdate(sock('b'), 'h1', String(Number(fresh.revision) + 1000))).snapshot).toBeDefined();
    admin.close();
    vem.close();
  });

  it('one leader; a name in use is refused; when the leader stops another takes over', async () => {
    const admin = new AdminClient(`${sock('a')},${sock('b')}`);
    const status = await admin.clusterStatus();
    expect(status.store).toBe(etcd.url);
    expect(status.clusterId).toBe(replicas.get('a')!.clusterId);
    expect(status.replicas.map((r) => [r.name, r.address])).toEqual([['a', sock('a')], ['b', sock('b')]]);
    expect(status.replicas.filter((r) => r.role === 'leader').length).toBe(1);
    await expect(startReplica({ store: etcd.url, name: 'a', listen: sock('a2'), log: () => undefined })).rejects.toThrow(`replica a is already running (at ${sock('a')}): give this one another --name`);
    const leader = status.replicas.find((r) => r.role === 'leader')!.name;
    const other = leader === 'a' ? 'b' : 'a';
    await replicas.get(leader)!.close();
    replicas.delete(leader);
    await until('other leads', () => replicas.get(other)!.leader(), (v) => v);
    const after = await admin.clusterStatus(); // the client moves on to the replica that is left
    expect(after.replicas.map((r) => [r.name, r.role])).toEqual([[other, 'leader']]);
    await start(leader); // back, as a follower
    expect(replicas.get(leader)!.leader()).toBe(false);
    admin.close();
  });

  it('etcd without quorum: changes are refused with one clear line, reads go on; writes work again when quorum returns', async () => {
    const admin = new AdminClient(`${sock('a')},${sock('b')}`);
    const before = replicas.get('a')!.vsm.snapshot.revision;
    await etcd.kill(1);
    await etcd.kill(2);
    const err = (await admin.createNetwork({ name: 'late', vni: 7100 }).catch((e: unknown) => e)) as VsmCallError;
    expect(err).toBeInstanceOf(VsmCallError);
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    // The refusal of a live replica is the answer: the client did not go on to the next replica.
    expect(err.message).toMatch(new RegExp(`^change refused, the state stays at revision ${before}: etcd \\(etcd://[^)]+\\) has no quorum, or no member answers \\(`));
    expect((await admin.listNetworks()).map((n) => n.name)).toContain('web');
    await Promise.all([etcd.startMember(1), etcd.startMember(2)]);
    await until('writes again', () => admin.createNetwork({ name: 'late', vni: 7100 }).then(() => 'ok', (e: Error) => e.message), (v) => v === 'ok', 15_000);
    for (const r of replicas.values()) await until('every replica has it', () => r.vsm.snapshot.segments.late?.vni, (v) => v === 7100);
    admin.close();
  }, 40_000);
});

describe('vxvem vsm --store: replica processes', () => {
  const run = promisify(execFile);
  const vxvem = (...args: string[]) => run('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { encoding: 'utf8' });
  const procs = { p1: new VsmProcess(), p2: new VsmProcess() };
  let one: EtcdCluster;
  const neutron: Record<string, number> = {};

  beforeAll(async () => {
    one = await EtcdCluster.start(1);
    for (const [n, v] of Object.entries(procs)) {
      neutron[n] = await freePort();
      await v.start(['--store', one.url, '--name', n, '--listen', sock(n), '--metrics', 'off', '--neutron', String(neutron[n]), '--sync-interval', '1']);
    }
  }, 60_000);

  afterAll(async () => {
    for (const v of Object.values(procs)) await v.stop();
    await one?.destroy();
  });

  it('usage: --store with --data, or --name without --store, is exit 2', async () => {
    for (const args of [['--store', one.url, '--data', dir], ['--name', 'x', '--data', dir]]) {
      const r = await vxvem('vsm', ...args).then(() => 0, (e: { code: number }) => e.code);
      expect(r).toBe(2);
    }
  });

  it('Neutron on either replica; the periodic sync runs on the leader only; cluster status names both', async () => {
    const post = await fetch(`http://127.0.0.1:${neutron.p2}/v2.0/networks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ network: { name: 'n1' } }) });
    expect(post.status).toBe(201);
    const id = ((await post.json()) as { network: { id: string } }).network.id;
    await until('p1 serves it', async () => (await fetch(`http://127.0.0.1:${neutron.p1}/v2.0/networks/${id}`)).status, (v) => v === 200);
    await vxvem('net', 'create', 'legacy', '--vni', '6100', '--vsm', `${sock('p2')},${sock('p1')}`);
    const list = () => vxvem('net', 'list', '--json', '--vsm', sock('p1')).then((r) => (JSON.parse(r.stdout) as { name: string }[]).map((n) => n.name));
    await until('the sync removed legacy', list, (v) => !v.includes('legacy') && v.includes(id), 10_000);
    const st = JSON.parse((await vxvem('cluster', 'status', '--json', '--vsm', `${sock('p1')},${sock('p2')}`)).stdout) as
      { store: string; clusterId: string; replicas: { name: string; address: string; role: string; revision: number; reachable: boolean }[] };
    expect(st.store).toBe(one.url);
    expect(st.clusterId).toMatch(/^[0-9a-f-]{36}$/);
    expect(st.replicas.map((r) => [r.name, r.address, r.role, r.reachable])).toEqual([['p1', sock('p1'), 'leader', true], ['p2', sock('p2'), 'follower', true]]);
    expect(st.replicas[0]!.revision).toBeGreaterThan(0);
    expect(procs.p1.log).toMatch(/audit: sync removed network legacy \(origin vsm\)/);
    expect(procs.p2.log).not.toMatch(/sync: /);
    const text = (await vxvem('cluster', 'status', '--vsm', sock('p2'))).stdout.split('\n');
    expect(text[0]).toBe(`store: ${one.url}  cluster: ${st.clusterId}`);
    expect(text[1]).toMatch(/^NAME\s+ADDRESS\s+ROLE\s+REVISION$/);
    expect(text[2]).toMatch(/^p1\s+unix:\S+p1\.sock\s+leader\s+\d+$/);
  }, 30_000);
});
