// Network-to-VM program (bpf/from-uplink.bpf.c) through BPF_PROG_TEST_RUN: what is ours, the
// validation drops, learning rules, decapsulation bytes, RFC 6040 ECN and delivery.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventType, MacKind } from '../src/maps/layout.js';
import {
  GROUP, LOCAL_VTEP, MCAST_VNI, PacketFixture, REMOTE_VM, STATIC_VM, TC_ACT_OK, TC_ACT_REDIRECT, TC_ACT_SHOT,
  UNICAST_VNI, VM1, XDP_DROP, XDP_PASS, XDP_REDIRECT,
} from '../testbed/packet-fixture.js';
import { csum16, eth, ipv4, pingFrame, udp, vxlanFrame } from '../testbed/packets.js';
import { ensureBpf } from './helpers/bpf.js';

ensureBpf();
let fx: PacketFixture;
beforeAll(() => {
  fx = new PacketFixture('uplink');
});
afterAll(() => fx?.close());
beforeEach(() => fx.configure());

const OUTER_SRC_MAC = '02:00:00:00:aa:02';
const inner = (dst = VM1, src = REMOTE_VM, tos = 0) => pingFrame({ dstMac: dst, srcMac: src, src: '198.51.100.2', dst: '198.51.100.1', tos });
const encap = (o: Partial<Parameters<typeof vxlanFrame>[0]> = {}) => vxlanFrame({
  dstMac: fx.uplinkMac, srcMac: OUTER_SRC_MAC, src: '192.0.2.2', dst: LOCAL_VTEP, vni: UNICAST_VNI, inner: inner(), ...o,
});
const localVm1 = () => fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: VM1 }, { kind: MacKind.Local, flags: 0, ifindex: fx.port.p1, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });

describe('what belongs to the kernel', () => {
  it.each([
    ['non-IP', () => eth(fx.uplinkMac, OUTER_SRC_MAC, 0x0806, Buffer.alloc(46))],
    ['IPv4 TCP', () => eth(fx.uplinkMac, OUTER_SRC_MAC, 0x0800, ipv4({ src: '192.0.2.2', dst: LOCAL_VTEP, proto: 6 }, Buffer.alloc(40)))],
    ['UDP to another port', () => eth(fx.uplinkMac, OUTER_SRC_MAC, 0x0800, ipv4({ src: '192.0.2.2', dst: LOCAL_VTEP, proto: 17 }, udp(4000, 53, Buffer.alloc(40))))],
    ['VXLAN to an address that is not a local VTEP', () => encap({ dst: '192.0.2.9' })],
    ['VXLAN to a group not joined', () => encap({ dst: '239.1.9.9' })],
    ['an outer fragment', () => encap({ moreFragments: true })],
    ['an 802.1Q-tagged outer frame', () => {
      const e = encap();
      return Buffer.concat([e.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x64]), e.subarray(12)]);
    }],
  ])('%s passes untouched, counted nowhere', (_name, build) => {
    const frame = build();
    const r = fx.run('from_uplink', frame, fx.uplink);
    expect(r.retval).toBe(TC_ACT_OK);
    expect(r.data.equals(frame)).toBe(true);
    expect(fx.drops()).toEqual({});
  });
});

describe('validation: ours, but wrong, is a counted drop', () => {
  it('the I flag clear', () => {
    expect(fx.run('from_uplink', encap({ flags: 0x00 }), fx.uplink).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ '0/vxlan_flags': 1 });
  });

  it('reserved flag bits are ignored (RFC 7348)', () => {
    localVm1();
    expect(fx.run('from_uplink', encap({ flags: 0x0c }), fx.uplink).retval).toBe(TC_ACT_REDIRECT);
  });

  it('a VNI not bound on this host (counted under VNI 0: the sender picks the VNI)', () => {
    expect(fx.run('from_uplink', encap({ vni: 4242 }), fx.uplink).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ '0/unknown_vni': 1 });
  });

  it('our own VTEP as the source (multicast echo)', () => {
    expect(fx.run('from_uplink', encap({ src: LOCAL_VTEP, dst: GROUP, vni: MCAST_VNI }), fx.uplink).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${MCAST_VNI}/own_vtep_source`]: 1 });
  });

  it('truncated after the UDP header', () => {
    const full = encap();
    const cut = full.subarray(0, 14 + 20 + 8 + 4);
    expect(fx.run('from_uplink', cut, fx.uplink).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ '0/truncated': 1 });
  });

  it('a multicast inner source MAC', () => {
    expect(fx.run('from_uplink', encap({ inner: inner(VM1, '01:00:5e:00:00:05') }), fx.uplink).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/inner_malformed`]: 1 });
  });
});

describe('decapsulation and delivery', () => {
  it('a known local destination gets exactly the inner frame, redirected', () => {
    localVm1();
    const r = fx.run('from_uplink', encap(), fx.uplink);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.equals(inner())).toBe(true);
    expect(fx.counters(UNICAST_VNI)).toMatchObject({ rxPackets: 1n, rxBytes: BigInt(inner().length), floodPackets: 0n });
  });

  it('outer IPv4 options are skipped correctly', () => {
    localVm1();
    const r = fx.run('from_uplink', encap({ options: Buffer.from([1, 1, 1, 0]) }), fx.uplink);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.equals(inner())).toBe(true);
  });

  it('unknown destination floods to every local port of the segment (2 copies)', () => {
    const r = fx.run('from_uplink', encap({ inner: inner('02:de:ad:be:ef:01') }), fx.uplink);
    expect(r.retval).toBe(TC_ACT_SHOT); // the original is consumed: every port got a clone
    expect(fx.counters(UNICAST_VNI)).toMatchObject({ rxPackets: 1n, floodPackets: 2n });
    expect(fx.drops()).toEqual({});
  });

  it('a group frame of a joined multicast segment is ours', () => {
    const r = fx.run('from_uplink', encap({ dst: GROUP, vni: MCAST_VNI, inner: inner('ff:ff:ff:ff:ff:ff') }), fx.uplink);
    expect(r.retval).toBe(TC_ACT_SHOT);
    expect(fx.counters(MCAST_VNI)).toMatchObject({ rxPackets: 1n, floodPackets: 1n });
  });

  it('a destination known to be remote is never sent back to the network (split horizon)', () => {
    fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: VM1 }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: '192.0.2.3', lastSeenNs: process.hrtime.bigint() });
    expect(fx.run('from_uplink', encap(), fx.uplink).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/split_horizon`]: 1 });
  });

  it('a segment without local ports: counted drop', () => {
    fx.dp.maps.segPorts.delete(UNICAST_VNI);
    expect(fx.run('from_uplink', encap({ inner: inner('ff:ff:ff:ff:ff:ff') }), fx.uplink).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/no_local_port`]: 1 });
  });
});

describe('learning from the network', () => {
  it('learns inner source MAC -> outer source IP, and the sender as a neighbour', async () => {
    localVm1();
    fx.dp.maps.neigh.delete({ ifindex: fx.uplink, addr: '192.0.2.2' });
    fx.run('from_uplink', encap(), fx.uplink);
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: REMOTE_VM })).toMatchObject({ kind: MacKind.Remote, vtep: '192.0.2.2', flags: 0 });
    expect(fx.dp.maps.neigh.get({ ifindex: fx.uplink, addr: '192.0.2.2' })?.mac).toBe(OUTER_SRC_MAC);
    const ev = await fx.takeEvents(1);
    expect(ev[0]).toMatchObject({ type: EventType.Learn, vni: UNICAST_VNI, mac: REMOTE_VM, kind: MacKind.Remote, vtep: '192.0.2.2' });
  });

  it('a MAC seen from another VTEP moves: updated, counted, reported', async () => {
    localVm1();
    fx.run('from_uplink', encap(), fx.uplink);
    fx.run('from_uplink', encap({ src: '192.0.2.3' }), fx.uplink);
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: REMOTE_VM })?.vtep).toBe('192.0.2.3');
    expect(fx.counters(UNICAST_VNI)).toMatchObject({ learned: 1n, moves: 1n });
    const ev = await fx.takeEvents(2);
    expect(ev[1]).toMatchObject({ type: EventType.Move, oldVtep: '192.0.2.2', vtep: '192.0.2.3' });
  });

  it('never overrides a static entry (the frame is still delivered)', () => {
    localVm1();
    const r = fx.run('from_uplink', encap({ inner: inner(VM1, STATIC_VM) }), fx.uplink);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(fx.dp.maps.staticMacs.get({ vni: UNICAST_VNI, mac: STATIC_VM })).toMatchObject({ vtep: '192.0.2.3', flags: 1 });
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: STATIC_VM })).toBeUndefined();
  });

  it('never overrides a local entry', () => {
    localVm1();
    fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: REMOTE_VM }, { kind: MacKind.Local, flags: 0, ifindex: fx.port.p2, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });
    fx.run('from_uplink', encap(), fx.uplink);
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: REMOTE_VM })).toMatchObject({ kind: MacKind.Local, ifindex: fx.port.p2 });
  });
});

// RFC 6040 decapsulation, the table of vxlan_bridge_1d.sh (outer ECN x inner ECN).
describe('ECN on decapsulation', () => {
  const cases: [number, number, number | 'drop'][] = [
    [0, 0, 0], [0, 1, 1], [0, 2, 2], [0, 3, 3],
    [1, 0, 0], [1, 1, 1], [1, 2, 1], [1, 3, 3],
    [2, 0, 0], [2, 1, 1], [2, 2, 2], [2, 3, 3],
    [3, 0, 'drop'], [3, 1, 3], [3, 2, 3], [3, 3, 3],
  ];
  it.each(cases)('outer %i, inner %i -> %s', (outer, innerEcn, want) => {
    localVm1();
    const innerFrame = inner(VM1, REMOTE_VM, 0xb8 | innerEcn);
    const r = fx.run('from_uplink', encap({ tos: outer, inner: innerFrame }), fx.uplink);
    if (want === 'drop') {
      expect(r.retval).toBe(TC_ACT_SHOT);
      expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/ecn_error`]: 1 });
      return;
    }
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data[15]).toBe(0xb8 | want); // DSCP kept, ECN as RFC 6040 says
    expect(csum16(r.data.subarray(14, 34))).toBe(0); // inner IPv4 checksum still valid
    expect(r.data.subarray(16).equals(innerFrame.subarray(16)) || want !== innerEcn).toBe(true);
  });
});

// The optional XDP program: fast path for known local unicast, early drops, the rest to TC.
describe('XDP on the uplink', () => {
  it('decapsulates a frame for a known local MAC and redirects it; learns the sender', () => {
    localVm1();
    const r = fx.runXdp(encap());
    expect(r.retval).toBe(XDP_REDIRECT);
    expect(r.data.equals(inner())).toBe(true);
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: REMOTE_VM })).toMatchObject({ kind: MacKind.Remote, vtep: '192.0.2.2' });
    expect(fx.counters(UNICAST_VNI).rxPackets).toBe(1n);
  });

  it.each([
    ['unknown unicast (flooding needs clones)', () => encap({ inner: inner('02:de:ad:be:ef:01') })],
    ['broadcast', () => encap({ inner: inner('ff:ff:ff:ff:ff:ff') })],
    ['outer CE (RFC 6040 rewrite)', () => encap({ tos: 3 })],
    ['IP options', () => encap({ options: Buffer.from([1, 1, 1, 0]) })],
    ['group traffic', () => encap({ dst: GROUP, vni: MCAST_VNI })],
    ['not VXLAN', () => eth(fx.uplinkMac, OUTER_SRC_MAC, 0x0800, ipv4({ src: '192.0.2.2', dst: LOCAL_VTEP, proto: 6 }, Buffer.alloc(40)))],
  ])('%s goes to the TC program untouched', (_n, build) => {
    localVm1();
    const f = build();
    const r = fx.runXdp(f);
    expect(r.retval).toBe(XDP_PASS);
    expect(r.data.equals(f)).toBe(true);
    expect(fx.drops()).toEqual({});
  });

  it.each([
    ['I flag clear', () => encap({ flags: 0 }), '0/vxlan_flags'],
    ['unknown VNI', () => encap({ vni: 4242 }), '0/unknown_vni'],
    ['own VTEP as source', () => encap({ src: LOCAL_VTEP }), `${UNICAST_VNI}/own_vtep_source`],
  ])('%s is dropped before an skb exists, and counted', (_n, build, key) => {
    expect(fx.runXdp(build()).retval).toBe(XDP_DROP);
    expect(fx.drops()).toEqual({ [key]: 1 });
  });
});
