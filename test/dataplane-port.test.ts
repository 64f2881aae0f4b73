// VM-to-network program (bpf/from-port.bpf.c) through BPF_PROG_TEST_RUN: verdict, exact
// output bytes, map state and counters for every rule of docs/dataplane.md "VM to network".
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CFG_F_UDP_CSUM, MacKind, EventType, MAC_F_PEER, PORT_F_PEER } from '../src/maps/layout.js';
import {
  BASE_CONFIG, GROUP, LOCAL_VTEP, MCAST_VNI, NH2_MAC, NH3_MAC, PacketFixture, REMOTE_VM, STATIC_VM, openPort,
  TC_ACT_OK, TC_ACT_REDIRECT, TC_ACT_SHOT, UNICAST_VNI, VM1, VM2, VM3,
} from '../testbed/packet-fixture.js';
import { arpRequest, csum16, eth, ipv4, ipv6, parseVxlan, pingFrame, udp } from '../testbed/packets.js';
import { ensureBpf } from './helpers/bpf.js';

ensureBpf();
let fx: PacketFixture;
beforeAll(() => {
  fx = new PacketFixture('port');
});
afterAll(() => fx?.close());
beforeEach(() => fx.configure());

const remoteTo = (dst = REMOTE_VM, tos = 0, extra: Partial<Parameters<typeof pingFrame>[0]> = {}) =>
  pingFrame({ dstMac: dst, srcMac: VM1, src: '198.51.100.1', dst: '198.51.100.2', tos, ...extra });

function learnRemote(mac: string, vtep: string): void {
  fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep, lastSeenNs: process.hrtime.bigint() });
}

describe('port ownership and learning', () => {
  it('leaves frames of an interface that is not a port untouched', () => {
    const frame = remoteTo();
    const r = fx.run('from_port', frame, fx.uplink);
    expect(r.retval).toBe(TC_ACT_OK);
    expect(r.data.equals(frame)).toBe(true);
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: VM1 })).toBeUndefined();
  });

  it('learns the source MAC on the ingress port and reports the learn once', async () => {
    fx.run('from_port', remoteTo(VM2), fx.port.p1);
    fx.run('from_port', remoteTo(VM2), fx.port.p1);
    const e = fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: VM1 });
    expect(e).toMatchObject({ kind: MacKind.Local, flags: 0, ifindex: fx.port.p1 });
    expect(fx.counters(UNICAST_VNI)).toMatchObject({ learned: 1n, moves: 0n, txPackets: 2n });
    const events = await fx.takeEvents(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: EventType.Learn, vni: UNICAST_VNI, mac: VM1, kind: MacKind.Local, ifindex: fx.port.p1 });
  });

  it('a MAC learnt on a veth port is marked for peer delivery', async () => {
    fx.dp.maps.ports.put(fx.port.p1, openPort(UNICAST_VNI, { flags: PORT_F_PEER }));
    fx.run('from_port', remoteTo(VM2), fx.port.p1);
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: VM1 })).toMatchObject({ kind: MacKind.Local, flags: MAC_F_PEER });
    expect(await fx.takeEvents(1)).toHaveLength(1); // drained: the next test counts its own
  });

  it('a MAC that moves to another local port is updated, counted and reported as a move', async () => {
    fx.run('from_port', remoteTo(), fx.port.p1);
    fx.run('from_port', remoteTo(), fx.port.p2);
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: VM1 })?.ifindex).toBe(fx.port.p2);
    expect(fx.counters(UNICAST_VNI)).toMatchObject({ learned: 1n, moves: 1n });
    const events = await fx.takeEvents(2);
    expect(events.map((e) => e.type)).toEqual([EventType.Learn, EventType.Move]);
    expect(events[1]).toMatchObject({ oldIfindex: fx.port.p1, ifindex: fx.port.p2 });
  });

  it('a source MAC that is static elsewhere is dropped and counted, the static entry kept', () => {
    const frame = pingFrame({ dstMac: VM2, srcMac: STATIC_VM, src: '198.51.100.9', dst: '198.51.100.2' });
    expect(fx.run('from_port', frame, fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.dp.maps.staticMacs.get({ vni: UNICAST_VNI, mac: STATIC_VM })).toMatchObject({ kind: MacKind.Remote, vtep: '192.0.2.3', flags: 1 });
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: STATIC_VM })).toBeUndefined(); // never learned into the LRU table
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/static_mac_conflict`]: 1 });
  });

  it('a multicast source MAC is malformed: dropped and counted, nothing learned', () => {
    const frame = pingFrame({ dstMac: VM2, srcMac: '01:00:5e:00:00:01', src: '198.51.100.9', dst: '198.51.100.2' });
    expect(fx.run('from_port', frame, fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/inner_malformed`]: 1 });
    expect([...fx.dp.maps.macs.keys()]).toHaveLength(0);
  });

  it('a port bound to a VNI without a segment drops with unknown_vni, counted in the one bucket of VNI 0', () => {
    fx.dp.maps.ports.put(fx.port.p1, openPort(7777));
    expect(fx.run('from_port', remoteTo(), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ '0/unknown_vni': 1 });
  });
});

describe('local switching', () => {
  it('a known local destination is redirected unchanged (no encapsulation)', () => {
    fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: VM2 }, { kind: MacKind.Local, flags: 0, ifindex: fx.port.p2, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });
    const frame = remoteTo(VM2);
    const r = fx.run('from_port', frame, fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.equals(frame)).toBe(true);
    expect(fx.counters(UNICAST_VNI).floodPackets).toBe(0n);
  });

  it('a destination on the ingress port itself is a hairpin: dropped and counted', () => {
    fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: VM2 }, { kind: MacKind.Local, flags: 0, ifindex: fx.port.p1, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });
    expect(fx.run('from_port', remoteTo(VM2), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/hairpin`]: 1 });
  });
});

describe('encapsulation to a known remote VTEP', () => {
  it('writes the exact 50-byte outer header and keeps the inner frame intact', () => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    const frame = remoteTo(REMOTE_VM, 0x14);
    const r = fx.run('from_port', frame, fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.length).toBe(frame.length + 50);
    const o = parseVxlan(r.data);
    expect(o).toMatchObject({
      dstMac: NH2_MAC, srcMac: fx.uplinkMac, tos: 0x14, ttl: 64, df: false, src: LOCAL_VTEP, dst: '192.0.2.2',
      ipChecksumOk: true, totalLength: frame.length + 36, dport: 4789, udpLength: frame.length + 16,
      udpChecksum: 0, flags: 0x08, vni: UNICAST_VNI,
    });
    expect(r.data.readUInt16BE(12)).toBe(0x0800);
    expect(o.sport).toBeGreaterThanOrEqual(49152);
    expect(o.inner.equals(frame)).toBe(true);
    expect(fx.counters(UNICAST_VNI)).toMatchObject({ txPackets: 1n, txBytes: BigInt(frame.length), floodPackets: 0n });
  });

  it('a static entry is used like a learned one', () => {
    const r = fx.run('from_port', remoteTo(STATIC_VM), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(parseVxlan(r.data)).toMatchObject({ dst: '192.0.2.3', dstMac: NH3_MAC });
  });

  it('ARP (non-IP) is encapsulated too, with outer DSCP 0', () => {
    const arp = arpRequest(VM1, '198.51.100.1', '198.51.100.2');
    const unicastArp = Buffer.from(arp);
    Buffer.from([2, 0, 0, 0, 2, 1]).copy(unicastArp, 0); // to REMOTE_VM
    learnRemote(REMOTE_VM, '192.0.2.2');
    const r = fx.run('from_port', unicastArp, fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    const o = parseVxlan(r.data);
    expect(o).toMatchObject({ dst: '192.0.2.2', tos: 0, ipChecksumOk: true, vni: UNICAST_VNI });
    expect(o.inner.equals(unicastArp)).toBe(true);
  });

  it('an 802.1Q-tagged frame from a VM is carried as it is (the tag stays inside)', () => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    const plain = remoteTo();
    const tagged = Buffer.concat([plain.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x64]), plain.subarray(12)]);
    const r = fx.run('from_port', tagged, fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(parseVxlan(r.data).inner.equals(tagged)).toBe(true);
  });

  it('the source port comes from the inner flow: same flow same port, in the configured range', () => {
    fx.configure({ ...BASE_CONFIG, srcPortMin: 50000, srcPortMax: 50015 });
    learnRemote(REMOTE_VM, '192.0.2.2');
    const ports = new Set<number>();
    for (let i = 0; i < 64; i++) {
      const f = eth(REMOTE_VM, VM1, 0x0800, ipv4({ src: '198.51.100.1', dst: '198.51.100.2', proto: 17 }, udp(1000 + i, 53, Buffer.alloc(16))));
      const a = parseVxlan(fx.run('from_port', f, fx.port.p1).data).sport;
      const b = parseVxlan(fx.run('from_port', f, fx.port.p1).data).sport;
      expect(a).toBe(b);
      expect(a).toBeGreaterThanOrEqual(50000);
      expect(a).toBeLessThanOrEqual(50015);
      ports.add(a);
    }
    expect(ports.size).toBeGreaterThan(4); // 64 flows spread over the 16 ports
  });

  it.each([1, 100, 255])('outer TTL follows the configuration (ttl %i)', (ttl) => {
    fx.configure({ ...BASE_CONFIG, ttl });
    learnRemote(REMOTE_VM, '192.0.2.2');
    expect(parseVxlan(fx.run('from_port', remoteTo(), fx.port.p1).data).ttl).toBe(ttl);
  });

  // RFC 6040 normal mode (the kernel's INET_ECN_encapsulate), TOS inherited: vxlan_bridge_1d.sh's table.
  it.each([
    [0x00, 0x00], [0x01, 0x01], [0x02, 0x02], [0x03, 0x02], [0x14, 0x14], [0xb8, 0xb8], [0xbb, 0xba],
  ])('inherit: inner TOS %i gives outer TOS %i', (inner, outer) => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    expect(parseVxlan(fx.run('from_port', remoteTo(REMOTE_VM, inner), fx.port.p1).data).tos).toBe(outer);
  });

  it.each([
    [0x00, 0x20], [0x01, 0x21], [0x02, 0x22], [0x03, 0x22], [0xb8, 0x20],
  ])('fixed tos 0x20: inner TOS %i gives outer TOS %i (DSCP fixed, ECN from inner)', (inner, outer) => {
    fx.configure({ ...BASE_CONFIG, flags: 0, tos: 0x20 });
    learnRemote(REMOTE_VM, '192.0.2.2');
    expect(parseVxlan(fx.run('from_port', remoteTo(REMOTE_VM, inner), fx.port.p1).data).tos).toBe(outer);
  });

  it('IPv6 inner: DSCP from the traffic class', () => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    const f = eth(REMOTE_VM, VM1, 0x86dd, ipv6('20010db8000000000000000000000001', '20010db8000000000000000000000002', 17, udp(1, 2, Buffer.alloc(8)), 0xb9));
    const o = parseVxlan(fx.run('from_port', f, fx.port.p1).data);
    expect(o.tos).toBe(0xb9);
    expect(o.inner.equals(f)).toBe(true);
  });

  it('an unresolved next hop: IP waits in the kernel neighbour queue, the agent is told', async () => {
    learnRemote(REMOTE_VM, '192.0.2.77');
    const r = fx.run('from_port', remoteTo(), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT); // bpf_redirect_neigh
    const ev = (await fx.takeEvents(2)).find((e) => e.type === EventType.NeighMiss);
    expect(ev).toMatchObject({ ifindex: fx.uplink, vtep: '192.0.2.77' });
  });

  it('an unresolved next hop for ARP is a counted drop', () => {
    learnRemote(REMOTE_VM, '192.0.2.77');
    const arp = arpRequest(VM1, '198.51.100.1', '198.51.100.2');
    Buffer.from([2, 0, 0, 0, 2, 1]).copy(arp, 0);
    expect(fx.run('from_port', arp, fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/no_neighbor`]: 1 });
  });

  it('a remote VTEP outside the subnet goes to the configured gateway', () => {
    const m = fx.dp.maps;
    m.vteps.put(1, { ...m.vteps.get(1)!, gateway: '192.0.2.254' });
    m.neigh.put({ ifindex: fx.uplink, addr: '192.0.2.254' }, { mac: '02:00:00:00:fe:fe', updatedNs: 0n });
    learnRemote(REMOTE_VM, '198.51.100.20');
    const o = parseVxlan(fx.run('from_port', remoteTo(), fx.port.p1).data);
    expect(o).toMatchObject({ dst: '198.51.100.20', dstMac: '02:00:00:00:fe:fe' });
  });

  it('without a gateway, a remote outside the subnet is ARPed for directly (proxy ARP)', () => {
    fx.dp.maps.neigh.put({ ifindex: fx.uplink, addr: '198.51.100.20' }, { mac: '02:00:00:00:fe:01', updatedNs: 0n });
    learnRemote(REMOTE_VM, '198.51.100.20');
    expect(parseVxlan(fx.run('from_port', remoteTo(), fx.port.p1).data).dstMac).toBe('02:00:00:00:fe:01');
  });

  it('a segment whose designated VTEP slot is empty drops with no_vtep', () => {
    fx.dp.maps.segments.put(UNICAST_VNI, { vni: UNICAST_VNI, mode: 1, vtepSlot: 3, group: '0.0.0.0', statsSlot: 0 });
    learnRemote(REMOTE_VM, '192.0.2.2');
    expect(fx.run('from_port', remoteTo(), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/no_vtep`]: 1 });
  });
});

describe('flooding', () => {
  it('unicast mode: broadcast goes to every other local port and every flood-list VTEP, once each', () => {
    const arp = arpRequest(VM1, '198.51.100.1', '198.51.100.2');
    const r = fx.run('from_port', arp, fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    // The original carries the last copy: to the last VTEP of the list.
    expect(parseVxlan(r.data)).toMatchObject({ dst: '192.0.2.3', dstMac: NH3_MAC, vni: UNICAST_VNI, ipChecksumOk: true });
    // 1 local clone (p2; never back to p1) + 2 remote copies.
    expect(fx.counters(UNICAST_VNI).floodPackets).toBe(3n);
    expect(fx.drops()).toEqual({});
  });

  it('unknown unicast floods like broadcast', () => {
    const r = fx.run('from_port', remoteTo('02:de:ad:be:ef:01'), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(fx.counters(UNICAST_VNI).floodPackets).toBe(3n);
  });

  it('an unresolved flood-list VTEP costs only its own copy (counted), never a duplicate', () => {
    fx.dp.maps.flood.put(UNICAST_VNI, { vteps: ['192.0.2.2', '198.51.100.1', '192.0.2.3'] });
    const arp = arpRequest(VM1, '198.51.100.1', '198.51.100.2');
    expect(fx.run('from_port', arp, fx.port.p1).retval).toBe(TC_ACT_REDIRECT);
    expect(fx.counters(UNICAST_VNI).floodPackets).toBe(3n); // p2 + .2 + .3
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/no_neighbor`]: 1 });
  });

  it('with an empty flood list only local ports get copies (the original is consumed)', () => {
    fx.dp.maps.flood.delete(UNICAST_VNI);
    expect(fx.run('from_port', arpRequest(VM1, '198.51.100.1', '198.51.100.2'), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.counters(UNICAST_VNI).floodPackets).toBe(1n);
    expect(fx.drops()).toEqual({});
  });

  it('multicast mode: one copy to the group, to its 01:00:5e MAC', () => {
    const arp = arpRequest(VM3, '198.51.100.3', '198.51.100.2');
    const r = fx.run('from_port', arp, fx.port.p3);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(parseVxlan(r.data)).toMatchObject({ dst: GROUP, dstMac: '01:00:5e:01:01:01', src: LOCAL_VTEP, vni: MCAST_VNI, ipChecksumOk: true });
    expect(fx.counters(MCAST_VNI).floodPackets).toBe(1n); // p3 is the only local port: no local copy
  });

  it('multicast mode: known unicast still goes straight to the VTEP', () => {
    fx.dp.maps.macs.put({ vni: MCAST_VNI, mac: REMOTE_VM }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: '192.0.2.2', lastSeenNs: process.hrtime.bigint() });
    const r = fx.run('from_port', pingFrame({ dstMac: REMOTE_VM, srcMac: VM3, src: '198.51.100.3', dst: '198.51.100.2' }), fx.port.p3);
    expect(parseVxlan(r.data)).toMatchObject({ dst: '192.0.2.2', dstMac: NH2_MAC, vni: MCAST_VNI });
  });
});

describe('MTU', () => {
  // Uplink MTU 1500: an inner IP packet above 1450 bytes does not fit after 50 bytes of VXLAN.
  // An ICMP echo whose inner IPv4 packet is `ipTotal` bytes long.
  const big = (df: boolean, ipTotal = 1451) => remoteTo(REMOTE_VM, 0, { df, size: ipTotal - 28 });

  it('IPv4 with DF too large: ICMP frag-needed (MTU 1450) back to the VM, checksums valid', () => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    const frame = big(true);
    const r = fx.run('from_port', frame, fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    const d = r.data;
    expect(d.length).toBe(14 + 20 + 8 + 28);
    expect(d.subarray(0, 6).equals(frame.subarray(6, 12))).toBe(true); // to the VM's MAC
    expect(d[23]).toBe(1); // ICMP
    expect(d.subarray(26, 30).equals(frame.subarray(30, 34))).toBe(true); // from the original destination
    expect(d.subarray(30, 34).equals(frame.subarray(26, 30))).toBe(true); // to the VM
    expect(csum16(d.subarray(14, 34))).toBe(0);
    expect([d[34], d[35], d.readUInt16BE(40)]).toEqual([3, 4, 1450]);
    expect(csum16(d.subarray(34))).toBe(0);
    expect(d.subarray(42).equals(frame.subarray(14, 42))).toBe(true); // quotes the header + 8 bytes
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/mtu_icmp_sent`]: 1 });
  });

  it('a frame that fits exactly is encapsulated', () => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    const r = fx.run('from_port', big(true, 1450), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(parseVxlan(r.data).totalLength).toBe(1500);
  });

  it('IPv6 too large: ICMPv6 packet too big with a valid checksum', () => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    const f = eth(REMOTE_VM, VM1, 0x86dd, ipv6('20010db8000000000000000000000001', '20010db8000000000000000000000002', 17, udp(1, 2, Buffer.alloc(1452))));
    const r = fx.run('from_port', f, fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    const d = r.data;
    expect(d.length).toBe(14 + 40 + 8 + 48);
    expect([d[20], d[54], d.readUInt32BE(58)]).toEqual([58, 2, 1450]);
    const pseudo = Buffer.concat([d.subarray(22, 54), Buffer.from([0, 0, 0, 56, 0, 0, 0, 58])]);
    expect(csum16(Buffer.concat([pseudo, d.subarray(54)]))).toBe(0);
  });

  // A tap hands over TSO super-frames with gso_size set and gso_segs 0 (virtio_net_hdr_to_skb).
  it.each([
    { gsoSegs: 0, what: 'from a tap (gso_segs 0)' },
    { gsoSegs: 3, what: 'from a veth (gso_segs counted)' },
  ])('a GSO frame whose segments fit is never answered with frag-needed, $what', ({ gsoSegs }) => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    const r = fx.run('from_port', big(true, 3000), fx.port.p1, { gsoSize: 1300, gsoSegs });
    expect(fx.drops()[`${UNICAST_VNI}/mtu_icmp_sent`]).toBeUndefined();
    expect(r.data.length).not.toBe(14 + 20 + 8 + 28);
  });

  it('a GSO frame whose segments do not fit gets frag-needed, even with gso_segs 0', () => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    const r = fx.run('from_port', big(true, 3000), fx.port.p1, { gsoSize: 1430, gsoSegs: 0 });
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/mtu_icmp_sent`]: 1 });
  });

  it('a too-large ICMP error never triggers an ICMP reply', () => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    const body = Buffer.alloc(1472);
    body[0] = 3; // destination unreachable
    const f = eth(REMOTE_VM, VM1, 0x0800, ipv4({ src: '198.51.100.1', dst: '198.51.100.2', proto: 1, df: true }, body));
    expect(fx.run('from_port', f, fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/mtu_exceeded`]: 1 });
  });

  it('ICMP replies are rate-limited per port', () => {
    fx.configure({ ...BASE_CONFIG, icmpRateNs: 60_000_000_000n });
    learnRemote(REMOTE_VM, '192.0.2.2');
    expect(fx.run('from_port', big(true), fx.port.p1).retval).toBe(TC_ACT_REDIRECT);
    expect(fx.run('from_port', big(true), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/mtu_icmp_sent`]: 1, [`${UNICAST_VNI}/icmp_ratelimit`]: 1 });
  });

  it('IPv4 without DF too large: with no fragment device it is a counted drop', () => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    expect(fx.run('from_port', big(false), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/mtu_exceeded`]: 1 });
  });

  it('IPv4 without DF too large goes unencapsulated to the fragment device, with its tunnel key', () => {
    fx.configure({ ...BASE_CONFIG, tunnelIfindex: fx.port.p3 });
    learnRemote(REMOTE_VM, '192.0.2.2');
    const frame = big(false);
    const r = fx.run('from_port', frame, fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.equals(frame)).toBe(true); // not encapsulated: the device does it
    expect(fx.drops()).toEqual({});
  });

  it('udpChecksum: frames go unencapsulated to the kernel device, which checksums them', () => {
    fx.configure({ ...BASE_CONFIG, flags: BASE_CONFIG.flags | CFG_F_UDP_CSUM, tunnelIfindex: fx.port.p3 });
    learnRemote(REMOTE_VM, '192.0.2.2');
    const frame = remoteTo();
    const r = fx.run('from_port', frame, fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.equals(frame)).toBe(true);
  });

  it('udpChecksum without the kernel device is a counted drop, never a zero checksum', () => {
    fx.configure({ ...BASE_CONFIG, flags: BASE_CONFIG.flags | CFG_F_UDP_CSUM });
    learnRemote(REMOTE_VM, '192.0.2.2');
    expect(fx.run('from_port', remoteTo(), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/encap_failed`]: 1 });
  });

  it('oversize non-IP is dropped and counted', () => {
    learnRemote(REMOTE_VM, '192.0.2.2');
    const f = eth(REMOTE_VM, VM1, 0x88b5, Buffer.alloc(1460));
    expect(fx.run('from_port', f, fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/mtu_non_ip`]: 1 });
  });
});

describe('local flood copies that cannot be sent', () => {
  const arp = () => arpRequest(VM1, '198.51.100.1', '198.51.100.2');

  it('a port that is gone: its copy is counted as redirect_failed, the others still go', () => {
    fx.dp.maps.segPorts.put(UNICAST_VNI, { ifindex: [fx.port.p1, 999999, fx.port.p2] });
    expect(fx.run('from_port', arp(), fx.port.p1).retval).toBe(TC_ACT_REDIRECT);
    expect(fx.counters(UNICAST_VNI).floodPackets).toBe(3n);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/redirect_failed`]: 1 });
  });

  it('a port that is down: counted the same way', () => {
    fx.ns.ip('link', 'set', 'p2', 'down');
    try {
      expect(fx.run('from_port', arp(), fx.port.p1).retval).toBe(TC_ACT_REDIRECT);
      expect(fx.counters(UNICAST_VNI).floodPackets).toBe(2n);
      expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/redirect_failed`]: 1 });
    } finally {
      fx.ns.ip('link', 'set', 'p2', 'up');
    }
  });
});
