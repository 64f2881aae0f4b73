// The VSM over real gRPC on a unix socket: admin CRUD with gRPC status codes, the per-host
// watch (snapshot, then a view only when that host's needs change), persistence across restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AdminClient, VemClient, VsmCallError } from '../proto/clients.js';
import { applyDelta } from '../proto/delta.js';
import type { HostUpdate, HostView } from '../proto/index.js';
import { VsmServer } from '../src/vsm/server.js';
import { FileStore } from '../src/vsm/store.js';

const dir = mkdtempSync(join(tmpdir(), 'vxvem-vsm-'));
const addr = `unix:${join(dir, 'vsm.sock')}`;
let vsm: VsmServer;
let admin: AdminClient;
let vem: VemClient;

beforeAll(async () => {
  vsm = new VsmServer(new FileStore(join(dir, 'data')));
  await vsm.listen(addr);
  admin = new AdminClient(addr);
  vem = new VemClient(addr);
});
afterAll(async () => {
  admin?.close();
  vem?.close();
  await vsm?.close();
  rmSync(dir, { recursive: true, force: true });
});

const vteps = (...a: string[]) => a.map((address, i) => ({ interface: `up${i}`, address, prefixLength: 24, gateway: '' }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('admin service', () => {
  it('creates and lists networks; errors carry gRPC codes and one clear line', async () => {
    await admin.createNetwork({ name: 'web', vni: 5000, mode: 'unicast' });
    await admin.createNetwork({ name: 'mc', vni: 6000, mode: 'multicast', group: '239.1.1.1' });
    expect((await admin.listNetworks()).map((n) => [n.name, n.vni, n.mode, n.group, n.origin])).toEqual([
      ['web', 5000, 'unicast', '', 'vsm'], ['mc', 6000, 'multicast', '239.1.1.1', 'vsm'],
    ]);
    const dup = await admin.createNetwork({ name: 'x', vni: 5000 }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(VsmCallError);
    expect((dup as VsmCallError).code).toBe(grpc.status.ALREADY_EXISTS);
    expect((dup as VsmCallError).message).toBe('VNI 5000 is used by network web');
    const bad = (await admin.createNetwork({ name: 'y', vni: 0 }).catch((e: unknown) => e)) as VsmCallError;
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('ports create dynamic profiles; the segmentation guard names them', async () => {
    await admin.createPort({ name: 'p1', network: 'web', host: 'h1', mac: '02:00:00:00:00:01' });
    expect(await admin.listProfiles()).toEqual([{ name: 'dyn-default-web', policy: 'default', network: 'web', ports: ['p1'] }]);
    const err = (await admin.setFeature('segmentation', false).catch((e: unknown) => e)) as VsmCallError;
    expect(err.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(err.message).toMatch(/dyn-default-web \(p1\)/);
  });
});

describe('VEM stream', () => {
  it('a registered host gets a snapshot, then a view when its needs change, and nothing otherwise', async () => {
    await vem.register({ host: 'h1', vteps: vteps('192.0.2.11'), uplinkMtu: 1550, version: 'test' });
    await vem.register({ host: 'h2', vteps: vteps('192.0.2.12'), uplinkMtu: 1550, version: 'test' });
    const views: HostView[] = [];
    const updates: HostUpdate[] = [];
    // The VEM side: a snapshot, then deltas applied to it.
    const stop = vem.watch('h1', '0', (u) => {
      updates.push(u);
      views.push(u.snapshot ?? applyDelta(views[views.length - 1]!, u.delta!));
    }, () => undefined);
    await sleep(200);
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ segments: [{ vni: 5000, mode: 'unicast', designatedVtep: '192.0.2.11', floodList: [] }], ports: [{ interface: 'tapp1', vni: 5000, mac: '02:00:00:00:00:01' }] });
    // A port of h2 in the same segment: h1's flood list and static MACs change.
    await admin.createPort({ name: 'p2', network: 'web', host: 'h2', mac: '02:00:00:00:00:02' });
    for (let i = 0; i < 500 && views.length < 2; i++) await sleep(10);
    expect(views[1]).toMatchObject({ segments: [{ vni: 5000, floodList: ['192.0.2.12'] }], staticMacs: [{ vni: 5000, mac: '02:00:00:00:00:02', vtep: '192.0.2.12' }] });
    // ...carried as a delta holding only what changed.
    expect(updates[0]!.snapshot).toBeDefined();
    expect(updates[1]!.delta).toMatchObject({ baseRevision: views[0]!.revision, upsertPorts: [], removePorts: [], upsertStaticMacs: [{ mac: '02:00:00:00:00:02' }] });
    // A change that h1 does not need (a policy) sends it nothing.
    await admin.createPolicy({ name: 'strict', portSecurity: true });
    await sleep(200);
    expect(views).toHaveLength(2);
    stop();
  });

  it('a VEM that reconnects with the last revision it got resumes with a delta; an unknown one gets a snapshot', async () => {
    const first = await new Promise<HostUpdate>((r) => { const stop = vem.watch('h1', '0', (u) => { stop(); r(u); }, () => undefined); });
    const rev = first.snapshot!.revision;
    const resumed = await new Promise<HostUpdate>((r) => { const stop = vem.watch('h1', rev, (u) => { stop(); r(u); }, () => undefined); });
    expect(resumed.delta).toMatchObject({ baseRevision: rev, upsertSegments: [], upsertPorts: [] });
    const stale = await new Promise<HostUpdate>((r) => { const stop = vem.watch('h1', '1', (u) => { stop(); r(u); }, () => undefined); });
    expect(stale.snapshot).toBeDefined();
  });

  it('reports: liveness, applied revision and learned MACs appear in the host list', async () => {
    await vem.report({ host: 'h1', appliedRevision: '7', learned: [{ vni: 5000, mac: '02:00:00:00:00:99', vtep: '192.0.2.12', interface: '' }] });
    const h1 = (await admin.listHosts()).find((h) => h.name === 'h1')!;
    expect(h1).toMatchObject({ appliedRevision: '7', learned: [{ vni: 5000, mac: '02:00:00:00:00:99', vtep: '192.0.2.12' }] });
    expect(Number(h1.lastReportMs)).toBeGreaterThan(Date.now() - 5000);
    const err = (await vem.report({ host: 'ghost', appliedRevision: '0', learned: [] }).catch((e: unknown) => e)) as VsmCallError;
    expect(err.code).toBe(grpc.status.NOT_FOUND);
  });

  it('watching an unregistered host is refused', async () => {
    const err = await new Promise<Error | undefined>((r) => vem.watch('nobody', '0', () => undefined, r));
    expect((err as VsmCallError).code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('hosts list their VTEPs, liveness and designated VTEPs', async () => {
    const hosts = await admin.listHosts();
    expect(hosts.find((h) => h.name === 'h2')).toMatchObject({ connected: false, designated: { 5000: '192.0.2.12' } });
  });
});

describe('persistence', () => {
  it('state survives a VSM restart (snapshot + journal of changes)', async () => {
    const again = new VsmServer(new FileStore(join(dir, 'data')));
    expect(again.snapshot).toEqual(vsm.snapshot);
    expect(Object.keys(again.snapshot.ports)).toEqual(['p1', 'p2']);
  });

  it('deletes are journaled, a torn last line is ignored, compaction folds the journal', async () => {
    const { appendFileSync } = await import('node:fs');
    const d = join(dir, 'data2');
    const store = new FileStore(d, 3);
    const s0 = store.load();
    const { update, createSegment, deleteSegment } = await import('../src/vsm/rules.js');
    let s = s0;
    for (const [i, f] of [
      (x: typeof s) => createSegment(x, { name: 'a', vni: 1, mode: 'unicast' }),
      (x: typeof s) => createSegment(x, { name: 'b', vni: 2, mode: 'unicast' }),
      (x: typeof s) => deleteSegment(x, 'a'),
    ].entries()) {
      const next = update(s, f);
      store.save(next, i === 0 ? undefined : s);
      s = next;
    }
    appendFileSync(join(d, 'journal.jsonl'), '{"revision": 99, "set": {"segm');
    const reopened = new FileStore(d, 3);
    expect(reopened.load()).toEqual(s);
    // Changes after the crash are kept (the torn line was folded away, not written after).
    const after = update(s, (x) => createSegment(x, { name: 'z', vni: 99, mode: 'unicast' }));
    reopened.save(after, s);
    expect(new FileStore(d).load()).toEqual(after);
    s = after;
    // Past compactEvery lines the next save writes a snapshot and empties the journal.
    for (let i = 0; i < 4; i++) {
      const next = update(s, (x) => createSegment(x, { name: `c${i}`, vni: 10 + i, mode: 'unicast' }));
      reopened.save(next, s);
      s = next;
    }
    expect(new FileStore(d).load()).toEqual(s);
  });
});
