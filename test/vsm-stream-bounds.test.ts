// Bounds and back-pressure of the VSM: updates in parts and lists in pages past gRPC's 4 MiB
// (a VSM process with 120,000 ports), one watch stream per host, size bounds of Register and
// Report, and a VEM that stops reading (a raw gRPC client that pauses its Watch) dropped past
// its queue bound while the VSM keeps answering, then resyncing from a snapshot. Also the rules
// these rest on: parts joined back, the identity verdicts of a VEM, pages of one revision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { AdminClient, VemClient, VsmCallError } from '../proto/clients.js';
import { PartsError, UpdateAssembler, splitUpdate } from '../proto/chunks.js';
import { protocol, type HostUpdate, type HostView, type LearnedMacMsg } from '../proto/index.js';
import { judge, type Remembered } from '../src/agent/vsm-identity.js';
import { emptyState, VsmError, type HostObj, type PortObj, type VsmState } from '../src/vsm/objects.js';
import { Pager } from '../src/vsm/paging.js';
import { FileStore } from '../src/vsm/store.js';
import { REPO } from './helpers/bpf.js';
import { VsmProcess } from './helpers/vsm-process.js';

const root = mkdtempSync(join(tmpdir(), 'vxvem-bounds-'));
const procs: VsmProcess[] = [];
const closers: (() => void)[] = [];
afterAll(async () => {
  closers.forEach((c) => c());
  for (const p of procs) await p.stop('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<V>(what: string, f: () => V, ok: (v: V) => boolean, ms = 20_000): Promise<V> {
  const end = Date.now() + ms;
  let v = f();
  while (!ok(v) && Date.now() < end) {
    await sleep(50);
    v = f();
  }
  if (!ok(v)) throw new Error(`${what}: still ${JSON.stringify(v)?.slice(0, 200)} after ${ms} ms`);
  return v;
}

const mac = (i: number): string => `02:00:${[24, 16, 8, 0].map((s) => ((i >>> s) & 255).toString(16).padStart(2, '0')).join(':')}`;
const vtep = (address: string) => ({ interface: 'up0', address, prefixLength: 24, gateway: '' });

/**
 * A store written directly (through the rules, 120,000 port creations would take minutes):
 * network `n` (VNI 5000); `hosts` hosts h0.. with `perHost` ports each; plus the given hosts
 * with one port each.
 */
function writeStore(dir: string, hosts: number, perHost: number, extra: string[]): void {
  const s: VsmState = { ...emptyState(), id: `test-store-${dir.slice(-6)}`, revision: 1 };
  s.segments = { n: { name: 'n', vni: 5000, mode: 'unicast', origin: 'vsm' } };
  const host = (name: string, address: string): HostObj => ({ name, vteps: [{ interface: 'up0', address, prefixLength: 24 }], uplinkMtu: 1550, version: 'test' });
  const port = (name: string, on: string, i: number): PortObj => ({ name, network: 'n', host: on, mac: mac(i), policy: 'default', interface: `t${i}`, origin: 'vsm' });
  let i = 0;
  for (let h = 0; h < hosts; h++) {
    s.hosts[`h${h}`] = host(`h${h}`, `192.0.2.${h + 1}`);
    for (let k = 0; k < perHost; k++, i++) s.ports[`p${i}`] = port(`p${i}`, `h${h}`, i);
  }
  extra.forEach((name, j) => {
    s.hosts[name] = host(name, `198.51.100.${j + 1}`);
    s.ports[`p${i}`] = port(`p${i}`, name, i);
    i++;
  });
  new FileStore(dir).save(s);
}

async function vsmOn(name: string): Promise<{ proc: VsmProcess; addr: string; data: string }> {
  const data = join(root, name, 'data');
  const addr = `unix:${join(root, name, 'vsm.sock')}`;
  const proc = new VsmProcess();
  procs.push(proc);
  return { proc, addr, data };
}

function clients(addr: string): { admin: AdminClient; vem: VemClient } {
  const admin = new AdminClient(addr);
  const vem = new VemClient(addr);
  closers.push(() => admin.close(), () => vem.close());
  return { admin, vem };
}

type RawVem = grpc.Client & { watch(req: object): grpc.ClientReadableStream<HostUpdate> };
/** A Vem client on a connection of its own (a stalled stream holds its connection's flow-control window). */
function rawVem(addr: string): RawVem {
  const c = new (protocol().Vem)(addr, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }) as unknown as RawVem;
  closers.push(() => c.close());
  return c;
}

describe('rules', () => {
  const view = (revision: string, vnis: number[], ports: string[], macs = 0): HostView => ({
    revision,
    segments: vnis.map((vni) => ({ vni, mode: 'unicast', group: '', designatedVtep: '192.0.2.1', floodList: ['192.0.2.2', '192.0.2.3'], physicalNetwork: '', vlan: 0 })),
    ports: ports.map((p) => ({ interface: p, vni: vnis[0]!, mac: '02:00:00:00:00:01' })),
    staticMacs: Array.from({ length: macs }, (_, i) => ({ vni: vnis[0]!, mac: mac(i), vtep: '192.0.2.9' })),
  });

  it('parts: a snapshot and a delta over the budget are split, all but the last partial, and join back whole', () => {
    const whole: HostUpdate = { snapshot: view('7', [1, 2, 3], ['a', 'b'], 60_000), vsmId: 'S' };
    const parts = splitUpdate(whole);
    expect(parts.length).toBe(3);
    expect(parts.map((p) => p.snapshot!.partial ?? false)).toEqual([true, true, false]);
    expect(parts.every((p) => p.vsmId === 'S' && p.snapshot!.revision === '7')).toBe(true);
    const a = new UpdateAssembler();
    expect(parts.slice(0, -1).map((p) => a.add(p))).toEqual([undefined, undefined]);
    expect(a.add(parts.at(-1)!)).toEqual({ snapshot: { ...whole.snapshot, partial: false }, vsmId: 'S' });

    const delta: HostUpdate = { delta: { baseRevision: '7', revision: '8', upsertSegments: [], removeSegments: [2], upsertPorts: [], removePorts: ['b'],
      upsertStaticMacs: view('8', [1], [], 30_000).staticMacs, removeStaticMacs: view('8', [1], [], 30_000).staticMacs } };
    const dparts = splitUpdate(delta);
    expect(dparts.length).toBe(3);
    const b = new UpdateAssembler();
    dparts.slice(0, -1).forEach((p) => b.add(p));
    expect(b.add(dparts.at(-1)!)).toEqual({ delta: { ...delta.delta, partial: false } });
    // A part of another update in the middle of one is refused (the VEM then resyncs).
    b.add(dparts[0]!);
    expect(() => b.add({ snapshot: view('9', [1], []) })).toThrow(PartsError);
    // Small updates are not split.
    expect(splitUpdate({ snapshot: view('1', [1], ['a']) })).toHaveLength(1);
  });

  it('a VEM applies a newer revision of its store always; another store or an older revision only when it removes nothing', () => {
    const had: Remembered = { vsmId: 'A', revision: 10, segments: [1, 2], ports: ['a'] };
    expect(judge(undefined, view('1', [], []), 'B', false)).toEqual({ apply: true, why: 'first view' });
    expect(judge(had, view('11', [], []), 'A', false)).toEqual({ apply: true, why: 'same store' });
    expect(judge(had, view('10', [1], []), 'A', false)).toEqual({ apply: true, why: 'same store' });
    expect(judge(had, view('9', [1], ['a']), 'A', false)).toEqual({ apply: false, why: 'older revision', segments: [2], ports: [] });
    expect(judge(had, view('50', [1, 2], []), 'B', false)).toEqual({ apply: false, why: 'another store', segments: [], ports: ['a'] });
    expect(judge(had, view('1', [1, 2, 3], ['a', 'b']), 'B', false)).toEqual({ apply: true, why: 'removes nothing' });
    expect(judge(had, view('1', [], []), 'B', true)).toEqual({ apply: true, why: 'adopted' });
  });

  it('pages: one revision\'s list, page after page, even when the list changes in between; a bad cursor is refused', () => {
    const pager = new Pager();
    const items = Array.from({ length: 10 }, (_, i) => ({ name: `x${i}` }));
    const first = pager.page({ limit: 4, cursor: '' }, () => [...items]);
    items.splice(0, 5); // the state changes between pages
    const second = pager.page({ limit: 4, cursor: first.next }, () => items);
    const third = pager.page({ limit: 4, cursor: second.next }, () => items);
    expect([...first.items, ...second.items, ...third.items].map((x) => x.name)).toEqual(Array.from({ length: 10 }, (_, i) => `x${i}`));
    expect(third.next).toBe('');
    expect(pager.page({ limit: 0, cursor: '' }, () => items)).toEqual({ items, next: '' });
    expect(() => pager.page({ limit: 4, cursor: first.next }, () => items)).not.toThrow(); // still open: a retried page
    expect(() => pager.page({ limit: 4, cursor: 'nonsense' }, () => items)).toThrow(VsmError);
  });
});

describe('120,000 ports: lists in pages, a snapshot in parts', () => {
  let v: Awaited<ReturnType<typeof vsmOn>>;
  let c: ReturnType<typeof clients>;
  beforeAll(async () => {
    v = await vsmOn('big');
    writeStore(v.data, 60, 2000, ['watcher']);
    await v.proc.start(['--listen', v.addr, '--data', v.data, '--metrics', 'off']);
    c = clients(v.addr);
  }, 120_000);

  it('`vxvem port list` shows every port (the list is about 12 MB, three times gRPC\'s message limit)', () => {
    const out = execFileSync('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'port', 'list', '--json', '--vsm', v.addr],
      { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    const ports = JSON.parse(out) as { name: string; host: string }[];
    expect(ports).toHaveLength(120_001);
    expect(new Set(ports.map((p) => p.name)).size).toBe(120_001);
    expect(ports.at(-1)).toMatchObject({ name: 'p120000', host: 'watcher' });
  }, 120_000);

  it('a host whose view is over 4 MiB gets its snapshot in parts and joins them whole', async () => {
    await c.vem.register({ host: 'watcher', vteps: [vtep('198.51.100.1')], uplinkMtu: 1550, version: 'test' });
    const parts: HostUpdate[] = [];
    const assembler = new UpdateAssembler();
    const whole = await new Promise<HostUpdate>((resolve, reject) => {
      const stop = c.vem.watch('watcher', '0', (u) => {
        parts.push(u);
        const w = assembler.add(u);
        if (w) {
          stop();
          resolve(w);
        }
      }, (err) => err && reject(err), { chunked: true });
    });
    expect(parts.length).toBeGreaterThan(4);
    expect(whole.snapshot!.staticMacs).toHaveLength(120_000);
    expect(whole.snapshot!.ports).toEqual([{ interface: 't120000', vni: 5000, mac: mac(120_000), portSecurity: true, addresses: [], allowedPairs: [], stormPps: 0, dhcpAddress: '', dhcpGateway: '', dhcpDns: [], dhcpMtu: 0, trunk: [] }]);
    expect(whole.vsmId).toBe(`test-store-${v.data.slice(-6)}`);
  }, 60_000);
});

describe('one VSM with a few hosts', () => {
  let v: Awaited<ReturnType<typeof vsmOn>>;
  let c: ReturnType<typeof clients>;
  beforeAll(async () => {
    v = await vsmOn('small');
    writeStore(v.data, 1, 5000, ['slow', 'solo']); // h0 with 5,000 ports; slow and solo with one each
    await v.proc.start(['--listen', v.addr, '--data', v.data, '--metrics', 'off']);
    c = clients(v.addr);
    for (const h of ['slow', 'solo']) await c.vem.register({ host: h, vteps: [vtep(h === 'slow' ? '198.51.100.1' : '198.51.100.2')], uplinkMtu: 1550, version: 'test' });
  }, 60_000);

  it('a second Watch of a host replaces the first, which ends ABORTED saying why', async () => {
    const firstEnd = new Promise<Error | undefined>((resolve) => {
      const firstUp = c.vem.watch('solo', '0', () => undefined, resolve);
      closers.push(firstUp);
    });
    await sleep(200);
    const second = await new Promise<HostUpdate>((resolve) => closers.push(c.vem.watch('solo', '0', resolve, () => undefined)));
    expect(second.snapshot).toBeDefined();
    const err = (await firstEnd) as VsmCallError;
    expect([err.code, err.message]).toEqual([grpc.status.ABORTED, 'replaced by a newer Watch of host solo (one stream per host)']);
    expect((await c.admin.listHosts()).find((h) => h.name === 'solo')!.connected).toBe(true);
  });

  it('an oversized Register or Report is refused with RESOURCE_EXHAUSTED and a message; what a VEM sends at most passes', async () => {
    const reg = (await c.vem.register({ host: 'solo', vteps: [vtep('198.51.100.2')], uplinkMtu: 1550, version: 'v'.repeat(100_000) }).catch((e: unknown) => e)) as VsmCallError;
    expect(reg.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(reg.message).toMatch(/^Register of host solo is 100\d{3} bytes, more than the 65536 a Register may carry$/);
    const learned = (n: number): LearnedMacMsg[] => Array.from({ length: n }, (_, i) => ({ vni: 5000, mac: mac(i), vtep: '198.51.100.200', interface: '' }));
    const rep = (await c.vem.report({ host: 'solo', appliedRevision: '1', learned: learned(40_000) }).catch((e: unknown) => e)) as VsmCallError;
    expect(rep.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(rep.message).toMatch(/^Report of host solo is \d+ bytes, more than the 1048576 a Report may carry: send the learned MACs over several reports$/);
    expect((await c.admin.listHosts()).find((h) => h.name === 'solo')!.learned).toEqual([]);
    await c.vem.report({ host: 'solo', appliedRevision: '1', learned: learned(10_000) }); // the follower's most per report
  });

  it('a VEM that stops reading is dropped past its queue bound while the VSM keeps answering; reading again, it resyncs from a snapshot', async () => {
    const raw = rawVem(v.addr);
    const got: HostUpdate[] = [];
    let failure: grpc.ServiceError | undefined;
    const stream = raw.watch({ host: 'slow', lastRevision: '0', vsmId: '', chunked: true });
    stream.on('data', (u: HostUpdate) => {
      got.push(u);
      if (got.length === 1) stream.pause(); // the snapshot, then nothing more is read
    });
    stream.on('error', (e: grpc.ServiceError) => (failure = e));
    await until('the snapshot', () => got.length, (n) => n === 1);
    const snapshotRevision = got[0]!.snapshot!.revision;
    // Each registration of h0 with another address changes the VTEP of its 5,000 MACs in slow's view.
    for (let i = 0; i < 400 && !v.proc.log.includes('host slow has not read its updates'); i++) {
      await c.vem.register({ host: 'h0', vteps: [vtep(i % 2 ? '192.0.2.1' : '192.0.2.101')], uplinkMtu: 1550, version: 'test' });
    }
    expect(v.proc.log).toMatch(/host slow has not read its updates \(\d+ entries queued, the bound is 250000\): its stream is dropped; it resyncs from a snapshot/);
    expect((await c.admin.listNetworks()).map((n) => n.name)).toEqual(['n']); // still answering
    expect((await c.admin.listHosts()).find((h) => h.name === 'slow')!.connected).toBe(false);

    stream.resume();
    await until('the stream ends', () => failure, (f) => f !== undefined);
    expect(failure!.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(failure!.details).toMatch(/^host slow has not read its updates/);
    const again = await new Promise<HostUpdate>((resolve) => {
      const s = raw.watch({ host: 'slow', lastRevision: snapshotRevision, vsmId: '', chunked: true });
      s.once('data', (u: HostUpdate) => {
        s.cancel();
        resolve(u);
      });
      s.on('error', () => undefined);
    });
    expect(again.snapshot).toBeDefined();
    expect(Number(again.snapshot!.revision)).toBeGreaterThan(Number(snapshotRevision));
    expect(again.snapshot!.staticMacs).toHaveLength(5001); // h0's and solo's
  }, 120_000);
});
