// The fuzzers of fuzz/ at CI size (one fixed seed): the control plane fed 300 messages, every
// dataplane program 20,000 frames, no finding allowed. Then the oracles shown to catch what they
// are for (a fuzzer that judges nothing would pass too), and what fuzzing found, as table tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AdminClient, VemClient, VsmCallError } from '../proto/clients.js';
import type { LearnedMacMsg } from '../proto/index.js';
import { parseIpv4, parseMac } from '../src/common/address.js';
import { MacKind } from '../src/maps/layout.js';
import { NeutronApi } from '../src/vsm/neutron/http.js';
import { VsmServer } from '../src/vsm/server.js';
import { FileStore } from '../src/vsm/store.js';
import { GROUP, LOCAL_VTEP, MCAST_VNI, PacketFixture, REMOTE_VM, TC_ACT_REDIRECT, TC_ACT_SHOT, UNICAST_VNI, VM1, VM2 } from '../testbed/packet-fixture.js';
import { eth, ipv4, pingFrame, udp, vxlan, vxlanFrame } from '../testbed/packets.js';
import { fuzzControlPlane } from '../fuzz/control-plane.js';
import { fuzzDataplane } from '../fuzz/dataplane.js';
import { PROGRAMS, type Judge, type MacView, type Run, type World } from '../fuzz/dataplane/judge.js';
import { judgePort } from '../fuzz/dataplane/oracle-port.js';
import { judgeUplink, judgeXdp } from '../fuzz/dataplane/oracle-uplink.js';
import { Scenario } from '../fuzz/dataplane/scenario.js';
import { ensureBpf } from './helpers/bpf.js';

ensureBpf();
const SEED = 20261127;

describe('the fuzzers, CI-sized', () => {
  it('control plane: 300 messages; every malformed one refused with a clear error, nothing crashed, no refusal changed the state', async () => {
    const r = await fuzzControlPlane({ messages: 300, seed: SEED });
    expect(r.findings.lines()).toEqual([]);
    expect(r.malformed).toBeGreaterThan(150);
    expect(r.refused).toBe(r.malformed);
    expect(r.restarts).toBe(0);
  }, 120_000);

  it('dataplane: 20,000 frames through each program; no finding, and every verdict and security drop reached', async () => {
    const r = await fuzzDataplane({ frames: 20_000, seed: SEED, programs: PROGRAMS });
    expect(r.findings.lines()).toEqual([]);
    for (const p of PROGRAMS) expect(r.stats[p].frames, p).toBe(20_000);
    const labels = (p: (typeof PROGRAMS)[number], h: 'verdicts' | 'drops') => r.stats[p][h].entries().map(([k]) => k);
    expect(labels('from_port', 'verdicts')).toEqual(expect.arrayContaining(['TC_ACT_OK', 'TC_ACT_SHOT', 'TC_ACT_REDIRECT']));
    expect(labels('from_uplink', 'verdicts')).toEqual(expect.arrayContaining(['TC_ACT_OK', 'TC_ACT_SHOT', 'TC_ACT_SHOT (flooded by clones)', 'TC_ACT_REDIRECT']));
    expect(labels('xdp_uplink', 'verdicts')).toEqual(expect.arrayContaining(['XDP_DROP', 'XDP_PASS', 'XDP_REDIRECT']));
    expect(labels('from_tunnel', 'verdicts')).toEqual(expect.arrayContaining(['TC_ACT_SHOT', 'TC_ACT_REDIRECT']));
    expect(labels('from_port', 'drops')).toEqual(expect.arrayContaining(['5000/spoofed_source', '5000/mac_limit', '5000/static_mac_conflict', '0/unknown_vni', '5000/mtu_icmp_sent']));
    for (const p of ['from_uplink', 'xdp_uplink', 'from_tunnel'] as const) {
      expect(labels(p, 'drops'), p).toEqual(expect.arrayContaining(['5000/unknown_vtep', '6000/unknown_vtep', '0/unknown_vni', '5000/own_vtep_source', '5000/split_horizon']));
    }
  }, 180_000);
});

describe('what fuzzing found in the services', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vxvem-fuzz-found-'));
  const addr = `unix:${join(dir, 'vsm.sock')}`;
  let vsm: VsmServer;
  let api: NeutronApi;
  let base = '';
  let vem: VemClient;
  let admin: AdminClient;
  beforeAll(async () => {
    vsm = new VsmServer(new FileStore(join(dir, 'data')));
    await vsm.listen(addr);
    api = new NeutronApi(vsm.commit);
    base = `http://127.0.0.1:${((await api.listen('127.0.0.1', 0)).address() as { port: number }).port}`;
    vem = new VemClient(addr);
    admin = new AdminClient(addr);
    await vem.register({ host: 'h1', vteps: [{ interface: 'up0', address: '192.0.2.11', prefixLength: 24, gateway: '' }], uplinkMtu: 1550, version: 't' });
  });
  afterAll(async () => {
    vem?.close();
    admin?.close();
    api?.close();
    await vsm?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e as VsmCallError).code);
  const revision = async () => Number((await admin.clusterStatus()).replicas[0]!.revision);

  it.each([
    [33, grpc.status.INVALID_ARGUMENT], [255, grpc.status.INVALID_ARGUMENT], [4294967295, grpc.status.INVALID_ARGUMENT], [32, undefined], [0, undefined],
  ])('Register: a VTEP prefix length of %i', async (prefixLength, code) => {
    const before = await revision();
    expect(await refusal(vem.register({ host: 'h2', vteps: [{ interface: 'up0', address: '192.0.2.12', prefixLength, gateway: '' }], uplinkMtu: 1550, version: 't' }))).toBe(code);
    expect(await revision()).toBe(code ? before : before + 1);
  });

  const learned = (m: Partial<LearnedMacMsg>): LearnedMacMsg => ({ vni: 5000, mac: '02:00:00:00:00:09', vtep: '192.0.2.2', interface: '', ...m });
  it.each([
    ['a VNI out of range', learned({ vni: 0 }), grpc.status.INVALID_ARGUMENT],
    ['not a MAC', learned({ mac: 'zz:zz:zz:zz:zz:zz' }), grpc.status.INVALID_ARGUMENT],
    ['not an IPv4 VTEP', learned({ vtep: '1.2.3' }), grpc.status.INVALID_ARGUMENT],
    ['an interface name of 300 characters', learned({ interface: 'x'.repeat(300) }), grpc.status.INVALID_ARGUMENT],
    ['a remote entry, as the agent reports it', learned({}), undefined],
    ['a local entry, as the agent reports it', learned({ vtep: '0.0.0.0', interface: 'ifindex 7' }), undefined],
  ])('Report: a learned entry with %s', async (_n, entry, code) => {
    expect(await refusal(vem.report({ host: 'h1', appliedRevision: '1', learned: [entry] }))).toBe(code);
    const shown = (await admin.listHosts()).find((h) => h.name === 'h1')!.learned;
    expect(shown.some((m) => m.mac === entry.mac && m.vni === entry.vni && m.vtep === entry.vtep && m.interface === entry.interface)).toBe(code === undefined);
  });

  it.each([['1.2.3'], ['x'], ['256.1.1.1'], ['1.2.3.4.5']])('Neutron: a subnet gateway_ip of %j is a 400, created or updated', async (gateway) => {
    const call = async (method: string, path: string, body: unknown) => {
      const r = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as { NeutronError?: { type: string }; network?: { id: string }; subnet?: { id: string } } };
    };
    const net = (await call('POST', '/v2.0/networks', { network: { name: `g${gateway}` } })).body.network!.id;
    const before = await revision();
    const made = await call('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '203.0.113.0/24', gateway_ip: gateway } });
    expect([made.status, made.body.NeutronError?.type]).toEqual([400, 'InvalidInput']);
    expect(await revision()).toBe(before);
    const sub = (await call('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '203.0.113.0/24' } })).body.subnet!.id;
    const changed = await call('PUT', `/v2.0/subnets/${sub}`, { subnet: { gateway_ip: gateway } });
    expect([changed.status, changed.body.NeutronError?.type]).toEqual([400, 'InvalidInput']);
  });
});

describe('the dataplane: the oracles, and what fuzzing found', () => {
  let fx: PacketFixture;
  let sc: Scenario;
  beforeAll(() => {
    fx = new PacketFixture('fzfound');
    sc = new Scenario(fx);
  });
  afterAll(() => fx?.close());

  const ip = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  const world = (macs: Record<string, Partial<MacView>> = {}): World => ({
    sc, portMacs: () => 0, neighbour: (a) => sc.neighbours.get(ip(a)),
    mac: (vni, m) => {
      const e = macs[`${vni}/${[...m.subarray(0, 6)].map((x) => x.toString(16).padStart(2, '0')).join(':')}`];
      return e && { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: 0, static: false, ...e };
    },
  });
  const run = (verdict: number, out: Buffer, drops: [number, number][] = [], counters: [number, bigint[]][] = []): Run => ({
    verdict, out, drops: drops.map(([vni, reason]) => ({ vni, reason, n: 1n })), counters: new Map(counters),
  });
  const tx = (vni: number): [number, bigint[]] => [vni, [0n, 0n, 1n, 60n, 0n, 0n, 0n]];
  const frame = (data: Buffer, ifindex: number) => ({ program: 'from_port' as const, index: 0, data, ifindex, label: 'hand-made' });
  const ping = (src: string, dst = REMOTE_VM) => pingFrame({ dstMac: dst, srcMac: src, src: '198.51.100.1', dst: '198.51.100.2' });
  const toUs = (src: string, vni = UNICAST_VNI, inner = ping(REMOTE_VM, VM1)) => vxlanFrame({ dstMac: fx.uplinkMac, srcMac: '02:00:00:00:aa:02', src, dst: LOCAL_VTEP, vni, inner });
  const remoteAt2 = { [`${UNICAST_VNI}/${REMOTE_VM}`]: { vtep: parseIpv4('192.0.2.2') } };

  it.each<[string, () => Judge, RegExp | undefined]>([
    ['a spoofed frame that leaves the secure port', () => judgePort(world(remoteAt2), frame(ping(VM2), fx.port.p1), run(TC_ACT_REDIRECT, ping(VM2), [], [tx(UNICAST_VNI)])), /want a spoofed_source drop/],
    ['the same frame dropped as spoofed, nothing else counted', () => judgePort(world(remoteAt2), frame(ping(VM2), fx.port.p1), run(TC_ACT_SHOT, Buffer.alloc(0), [[UNICAST_VNI, 22]])), undefined],
    ['a frame of an interface that is not a port, dropped', () => judgePort(world(), frame(ping(VM1), fx.uplink), run(TC_ACT_SHOT, ping(VM1), [[0, 3]])), /not a port/],
    ['encapsulated under another VNI', () => {
      const inner = ping(VM2);
      const out = Buffer.concat([eth('02:00:00:00:aa:02', fx.uplinkMac, 0x0800, ipv4({ src: LOCAL_VTEP, dst: '192.0.2.2', proto: 17 }, udp(50000, 4789, vxlan(4242, Buffer.alloc(0)))))]);
      return judgePort(world(remoteAt2), frame(inner, fx.port.p2), run(TC_ACT_REDIRECT, Buffer.concat([out, inner]), [], [tx(UNICAST_VNI)]));
    }, /VXLAN VNI 4242/],
    ['VXLAN from a source the segment does not name, delivered', () => judgeUplink(world({ [`${UNICAST_VNI}/${VM1}`]: { kind: MacKind.Local, ifindex: fx.port.p1 } }),
      { ...frame(toUs('192.0.2.66'), fx.uplink), program: 'from_uplink' }, run(TC_ACT_REDIRECT, ping(REMOTE_VM, VM1), [], [[UNICAST_VNI, [1n, 98n, 0n, 0n, 0n, 1n, 0n]]])), /unknown_vtep/],
    ['a remote destination flooded back to the ports (split horizon)', () => judgeUplink(world({ [`${UNICAST_VNI}/${VM1}`]: { vtep: parseIpv4('192.0.2.3') } }),
      { ...frame(toUs('192.0.2.2'), fx.uplink), program: 'from_uplink' }, run(TC_ACT_SHOT, Buffer.alloc(0), [], [[UNICAST_VNI, [1n, 98n, 0n, 0n, 2n, 1n, 0n]]])), /split_horizon/],
    ['an XDP drop counted under two reasons', () => judgeXdp(world(), { ...frame(toUs('192.0.2.66'), fx.uplink), program: 'xdp_uplink' }, run(1, Buffer.alloc(0), [[UNICAST_VNI, 21], [UNICAST_VNI, 16]])), /exactly one reason|expected one drop/],
  ])('%s', (_n, judge, problem) => {
    const j = judge();
    if (problem) expect(j.problems.join('\n')).toMatch(problem);
    else expect(j.problems).toEqual([]);
  });

  it('a frame may change only the keys its rules name', () => {
    const j = judgePort(world(remoteAt2), frame(ping(VM2), fx.port.p2), run(TC_ACT_REDIRECT, ping(VM2), [], [tx(UNICAST_VNI)]));
    const other = Buffer.alloc(12);
    other.writeUInt32LE(UNICAST_VNI, 0);
    parseMac(VM1).copy(other, 4);
    expect(j.judgeChange('vx_macs', { key: other, after: Buffer.alloc(24) })).toMatch(/other than the frame's source/);
    expect(j.judgeChange('vx_peers', { key: Buffer.alloc(8), after: Buffer.alloc(4) })).toMatch(/may change nothing there/);
  });

  // Every local copy of a flood failed (the segment's one port is down): each copy is counted as
  // redirect_failed; the frame is not counted a second time as no_local_port (it was, before).
  it.each([
    ['from_uplink, broadcast', 'p3', MCAST_VNI, 'ff:ff:ff:ff:ff:ff', { [`${MCAST_VNI}/redirect_failed`]: 1 }],
    ['from_uplink, unknown unicast', 'p3', MCAST_VNI, '02:de:ad:be:ef:01', { [`${MCAST_VNI}/redirect_failed`]: 1 }],
    ['from_uplink, broadcast, the port up', undefined, MCAST_VNI, 'ff:ff:ff:ff:ff:ff', {}],
    ['from_uplink, two ports, both down', 'p1,p2', UNICAST_VNI, 'ff:ff:ff:ff:ff:ff', { [`${UNICAST_VNI}/redirect_failed`]: 2 }],
  ])('%s', (_n, down, vni, dst, drops) => {
    fx.configure();
    for (const p of down?.split(',') ?? []) fx.ns.ip('link', 'set', p, 'down');
    try {
      const src = vni === MCAST_VNI ? '192.0.2.77' : '192.0.2.2';
      const f = vxlanFrame({ dstMac: fx.uplinkMac, srcMac: '02:00:00:00:aa:02', src, dst: vni === MCAST_VNI ? GROUP : LOCAL_VTEP, vni, inner: ping(REMOTE_VM, dst) });
      expect(fx.run('from_uplink', f, fx.uplink).retval).toBe(TC_ACT_SHOT);
      expect(fx.drops()).toEqual(drops);
      expect(fx.counters(vni).rxPackets).toBe(1n);
    } finally {
      for (const p of down?.split(',') ?? []) fx.ns.ip('link', 'set', p, 'up');
    }
  });
});
