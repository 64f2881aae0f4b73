// The security rules of docs/dataplane.md ("Security") through BPF_PROG_TEST_RUN: which outer
// sources a segment trusts, port security (MAC, IPv4, ARP sender), the per-port MAC limit,
// static entries out of the LRU's reach, storm control, and one bucket for unknown VNIs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseIpv4, parseMac } from '../src/common/address.js';
import { portSecurityState } from '../src/agent/port-security.js';
import { portSecurityFrom } from '../src/agent/security-config.js';
import { MacKind, PORT_F_PEER } from '../src/maps/layout.js';
import {
  LOCAL_VTEP, MCAST_VNI, PacketFixture, REMOTE_VM, STATIC_VM, TC_ACT_REDIRECT, TC_ACT_SHOT, UNICAST_VNI, VM1, VM2, VM3,
  XDP_DROP, XDP_REDIRECT, openPort,
} from '../testbed/packet-fixture.js';
import { arpRequest, eth, ipv4, ipv6, pingFrame, udp, vxlanFrame } from '../testbed/packets.js';
import { ensureBpf } from './helpers/bpf.js';

ensureBpf();
let fx: PacketFixture;
beforeAll(() => {
  fx = new PacketFixture('sec');
});
afterAll(() => fx?.close());
beforeEach(() => fx.configure());

const OUTER_SRC_MAC = '02:00:00:00:aa:66';
const inner = (src = REMOTE_VM, dst = VM1) => pingFrame({ dstMac: dst, srcMac: src, src: '198.51.100.2', dst: '198.51.100.1' });
const encap = (o: Partial<Parameters<typeof vxlanFrame>[0]> = {}) => vxlanFrame({
  dstMac: fx.uplinkMac, srcMac: OUTER_SRC_MAC, src: '192.0.2.2', dst: LOCAL_VTEP, vni: UNICAST_VNI, inner: inner(), ...o,
});
const localVm1 = () => fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: VM1 }, { kind: MacKind.Local, flags: 0, ifindex: fx.port.p1, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });
const nextHop = (addr: string) => fx.dp.maps.neigh.get({ ifindex: fx.uplink, addr });

describe('VXLAN is taken only from VTEPs the segment trusts', () => {
  const cases: [string, () => Buffer, 'accept' | 'drop', boolean][] = [
    // name, frame, verdict, next hop learned from it
    ['unicast segment, a VTEP of its flood list', () => encap(), 'accept', true],
    ['unicast segment, a source named nowhere', () => encap({ src: '192.0.2.66' }), 'drop', false],
    ['unicast segment, a source in the trusted underlay is not enough', () => encap({ src: '192.0.2.77' }), 'drop', false],
    ['multicast segment, a source in the trusted underlay', () => encap({ src: '192.0.2.77', dst: '239.1.1.1', vni: MCAST_VNI, inner: inner(REMOTE_VM, 'ff:ff:ff:ff:ff:ff') }), 'accept', false],
    ['multicast segment, a source outside it', () => encap({ src: '198.51.100.50', dst: '239.1.1.1', vni: MCAST_VNI, inner: inner(REMOTE_VM, 'ff:ff:ff:ff:ff:ff') }), 'drop', false],
  ];

  it.each(cases)('%s', (_name, build, verdict, learnsNextHop) => {
    localVm1();
    const frame = build();
    const src = `${frame[26]}.${frame[27]}.${frame[28]}.${frame[29]}`;
    const vni = frame.readUInt32BE(46) >>> 8;
    fx.dp.maps.neigh.delete({ ifindex: fx.uplink, addr: src });
    const r = fx.run('from_uplink', frame, fx.uplink);
    if (verdict === 'drop') {
      expect(r.retval).toBe(TC_ACT_SHOT);
      expect(fx.drops()).toEqual({ [`${vni}/unknown_vtep`]: 1 });
      expect(fx.dp.maps.macs.get({ vni, mac: REMOTE_VM })).toBeUndefined(); // nothing learned
      expect(fx.counters(vni).rxPackets).toBe(0n);
    } else {
      expect(fx.drops()).toEqual({});
      expect(fx.dp.maps.macs.get({ vni, mac: REMOTE_VM })).toMatchObject({ kind: MacKind.Remote, vtep: src });
      expect(fx.counters(vni).rxPackets).toBe(1n);
    }
    expect(nextHop(src)?.mac).toBe(learnsNextHop ? OUTER_SRC_MAC : undefined);
  });

  it('a spoofed frame leaves the next hop of a real VTEP alone', () => {
    localVm1();
    const before = nextHop('192.0.2.2');
    // An unknown source cannot even reach the learning; a forged peer address can (the
    // underlay's own job), which is why only peers teach next hops at all.
    fx.run('from_uplink', encap({ src: '192.0.2.66', srcMac: '02:00:00:00:ee:ee' }), fx.uplink);
    expect(nextHop('192.0.2.2')).toEqual(before);
    expect(nextHop('192.0.2.66')).toBeUndefined();
  });

  it('a VTEP outside the underlay is trusted by a multicast segment once it is a peer (a static entry\'s VTEP)', () => {
    fx.dp.maps.peers.put({ vni: MCAST_VNI, addr: '198.51.100.50' }, 1);
    fx.dp.maps.segPorts.put(MCAST_VNI, { ifindex: [fx.port.p3] });
    const r = fx.run('from_uplink', encap({ src: '198.51.100.50', dst: '239.1.1.1', vni: MCAST_VNI, inner: inner(REMOTE_VM, 'ff:ff:ff:ff:ff:ff') }), fx.uplink);
    expect(r.retval).toBe(TC_ACT_SHOT); // flooded by clones
    expect(fx.drops()).toEqual({});
    expect(fx.counters(MCAST_VNI)).toMatchObject({ rxPackets: 1n, floodPackets: 1n });
  });

  it('XDP drops an unknown VTEP before an skb exists, and learns nothing', () => {
    localVm1();
    expect(fx.runXdp(encap({ src: '192.0.2.66' })).retval).toBe(XDP_DROP);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/unknown_vtep`]: 1 });
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: REMOTE_VM })).toBeUndefined();
    expect(fx.runXdp(encap()).retval).toBe(XDP_REDIRECT);
  });
});

describe('unknown VNIs are counted in one bucket', () => {
  it.each([['TC', 'tc'], ['XDP', 'xdp']] as const)('%s: 300 frames with 300 different VNIs make one series', (_n, path) => {
    for (let vni = 70000; vni < 70300; vni++) {
      const frame = encap({ vni });
      if (path === 'tc') expect(fx.run('from_uplink', frame, fx.uplink).retval).toBe(TC_ACT_SHOT);
      else expect(fx.runXdp(frame).retval).toBe(XDP_DROP);
    }
    expect(fx.drops()).toEqual({ '0/unknown_vni': 300 });
    expect([...fx.dp.maps.counters.keys()]).toEqual([]);
  });
});

/** p1 as a secure port, its sources as the agent computes them from a port's configuration. */
function secure(fields: Parameters<typeof portSecurityFrom>[0], extra: { maxMacs?: number; stormPps?: number } = {}): void {
  const sec = portSecurityState({ interface: 'vnet1', vni: UNICAST_VNI, ...portSecurityFrom(fields, 'ports[0]') }, fx.port.p1);
  for (const a of sec.addrs) fx.dp.maps.portAddrs.put(a.key, a.flags);
  fx.dp.maps.ports.put(fx.port.p1, openPort(UNICAST_VNI, { flags: sec.flags, mac: sec.mac, ipv4: sec.ipv4, ...extra }));
}

/** An ARP frame from `ethSrc` whose sender fields say `sha`/`spa`. */
function arp(ethSrc: string, sha: string, spa: string): Buffer {
  const f = arpRequest(ethSrc, spa, '198.51.100.9');
  parseMac(sha).copy(f, 14 + 8);
  f.writeUInt32BE(parseIpv4(spa), 14 + 14);
  return f;
}

const toRemote = (srcMac: string, src: string) => pingFrame({ dstMac: REMOTE_VM, srcMac, src, dst: '198.51.100.2' });
const dhcp = (srcMac: string, dport: number) => eth('ff:ff:ff:ff:ff:ff', srcMac, 0x0800, ipv4({ src: '0.0.0.0', dst: '255.255.255.255', proto: 17 }, udp(68, dport, Buffer.alloc(240))));
const v6 = (srcMac: string) => eth('33:33:00:00:00:01', srcMac, 0x86dd, ipv6('fe800000000000000000000000000001', 'ff020000000000000000000000000001', 58, Buffer.alloc(8)));
const tagged = (srcMac: string) => {
  const f = toRemote(srcMac, '198.51.100.1');
  return Buffer.concat([f.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x0a]), f.subarray(12)]);
};

describe('port security: a port sends only from its own sources', () => {
  // VM1 owns 198.51.100.1 and, by a pair without a MAC, 198.51.100.64/26; VM3 (another MAC of
  // the same VM, e.g. a VRRP address) may send from 198.51.100.128/25.
  const fields = {
    mac: VM1, addresses: ['198.51.100.1'],
    allowedPairs: [{ address: '198.51.100.64/26' }, { mac: VM3, address: '198.51.100.128/25' }],
  };
  const cases: [string, () => Buffer, 'pass' | 'spoofed'][] = [
    ['IPv4 from its MAC and first address', () => toRemote(VM1, '198.51.100.1'), 'pass'],
    ['IPv4 from its MAC, an address of its pair prefix', () => toRemote(VM1, '198.51.100.70'), 'pass'],
    ['IPv4 from its MAC, a neighbour\'s address', () => toRemote(VM1, '198.51.100.2'), 'spoofed'],
    ['IPv4 from the pair\'s MAC and prefix', () => toRemote(VM3, '198.51.100.130'), 'pass'],
    ['IPv4 from the pair\'s MAC, an address only the port\'s own MAC may use', () => toRemote(VM3, '198.51.100.1'), 'spoofed'],
    ['IPv4 from a neighbour\'s MAC (MAC theft)', () => toRemote(VM2, '198.51.100.1'), 'spoofed'],
    ['DHCP discover from 0.0.0.0 (UDP 68 to 67)', () => dhcp(VM1, 67), 'pass'],
    ['anything else from 0.0.0.0', () => dhcp(VM1, 53), 'spoofed'],
    ['ARP with its own sender fields', () => arp(VM1, VM1, '198.51.100.1'), 'pass'],
    ['ARP probe (sender address 0.0.0.0)', () => arp(VM1, VM1, '0.0.0.0'), 'pass'],
    ['ARP claiming a neighbour\'s address (ARP spoofing)', () => arp(VM1, VM1, '198.51.100.2'), 'spoofed'],
    ['ARP whose sender MAC is a neighbour\'s', () => arp(VM1, VM2, '198.51.100.1'), 'spoofed'],
    ['IPv6 from its MAC', () => v6(VM1), 'pass'],
    ['IPv6 from the pair\'s MAC', () => v6(VM3), 'pass'],
    ['IPv6 from a neighbour\'s MAC', () => v6(VM2), 'spoofed'],
    ['an 802.1Q-tagged frame (its inner source is unchecked)', () => tagged(VM1), 'spoofed'],
    ['another EtherType', () => eth('ff:ff:ff:ff:ff:ff', VM1, 0x88b5, Buffer.alloc(46)), 'spoofed'],
  ];

  it.each(cases)('%s', (_name, build, want) => {
    secure(fields);
    fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: REMOTE_VM }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: '192.0.2.2', lastSeenNs: process.hrtime.bigint() });
    const frame = build();
    const src = frame.subarray(6, 12);
    const r = fx.run('from_port', frame, fx.port.p1);
    const learned = fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: [...src].map((b) => b.toString(16).padStart(2, '0')).join(':') });
    if (want === 'pass') {
      expect(r.retval).toBe(TC_ACT_REDIRECT);
      expect(fx.drops()).toEqual({});
      expect(learned).toMatchObject({ kind: MacKind.Local, ifindex: fx.port.p1 });
    } else {
      expect(r.retval).toBe(TC_ACT_SHOT);
      expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/spoofed_source`]: 1 });
      expect(learned).toBeUndefined(); // a spoofed frame teaches the table nothing
      expect(fx.counters(UNICAST_VNI).txPackets).toBe(0n);
    }
  });

  it('a stolen MAC does not move: the owner\'s entry stays on its port', () => {
    fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: VM2 }, { kind: MacKind.Local, flags: 0, ifindex: fx.port.p2, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });
    secure(fields);
    expect(fx.run('from_port', toRemote(VM2, '198.51.100.2'), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: VM2 })).toMatchObject({ ifindex: fx.port.p2 });
    expect(fx.counters(UNICAST_VNI).moves).toBe(0n);
  });

  it('a port with a MAC and no addresses checks the MAC only', () => {
    secure({ mac: VM1 });
    fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: REMOTE_VM }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: '192.0.2.2', lastSeenNs: process.hrtime.bigint() });
    expect(fx.run('from_port', toRemote(VM1, '198.51.100.99'), fx.port.p1).retval).toBe(TC_ACT_REDIRECT);
    expect(fx.run('from_port', arp(VM1, VM2, '198.51.100.1'), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.run('from_port', toRemote(VM2, '198.51.100.1'), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/spoofed_source`]: 2 });
  });

  it('port security off: the same frames all pass (the policy or Neutron said so)', () => {
    fx.dp.maps.ports.put(fx.port.p1, openPort(UNICAST_VNI, { flags: PORT_F_PEER }));
    fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: REMOTE_VM }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: '192.0.2.2', lastSeenNs: process.hrtime.bigint() });
    for (const f of [toRemote(VM2, '198.51.100.2'), arp(VM1, VM2, '198.51.100.2')]) expect(fx.run('from_port', f, fx.port.p1).retval).toBe(TC_ACT_REDIRECT);
    expect(fx.drops()).toEqual({});
  });
});

const fromMac = (i: number) => `02:00:00:99:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
const portMacs = (ifindex: number) => fx.dp.maps.portState.get(ifindex)?.macs;

describe('the MAC table cannot be filled from a port', () => {
  it('a port learns at most its limit; the rest of its new MACs are dropped and counted', () => {
    fx.dp.maps.ports.put(fx.port.p1, openPort(UNICAST_VNI, { maxMacs: 4 }));
    const verdicts = Array.from({ length: 10 }, (_, i) => fx.run('from_port', toRemote(fromMac(i), '198.51.100.1'), fx.port.p1).retval);
    expect(verdicts.filter((v) => v === TC_ACT_SHOT)).toHaveLength(6);
    expect([...fx.dp.maps.macs.keys()].map((k) => k.mac).sort()).toEqual([0, 1, 2, 3].map(fromMac));
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/mac_limit`]: 6 });
    expect(portMacs(fx.port.p1)).toBe(4);
    // Known MACs keep sending at the limit.
    expect(fx.run('from_port', toRemote(fromMac(0), '198.51.100.1'), fx.port.p1).retval).not.toBe(TC_ACT_SHOT);
  });

  it('a MAC that moves to another port frees its slot on the first', () => {
    fx.dp.maps.ports.put(fx.port.p1, openPort(UNICAST_VNI, { maxMacs: 2 }));
    fx.dp.maps.ports.put(fx.port.p2, openPort(UNICAST_VNI, { maxMacs: 2 }));
    for (const i of [0, 1]) fx.run('from_port', toRemote(fromMac(i), '198.51.100.1'), fx.port.p1);
    fx.run('from_port', toRemote(fromMac(1), '198.51.100.1'), fx.port.p2);
    expect([portMacs(fx.port.p1), portMacs(fx.port.p2)]).toEqual([1, 1]);
    expect(fx.run('from_port', toRemote(fromMac(2), '198.51.100.1'), fx.port.p1).retval).not.toBe(TC_ACT_SHOT);
    expect(portMacs(fx.port.p1)).toBe(2);
  });

  it('static entries are never evicted, however many MACs the LRU table is made to take', () => {
    // No limit on the port: 6,000 new MACs into a 4,096-entry LRU table.
    for (let i = 0; i < 6000; i++) fx.run('from_port', toRemote(fromMac(i), '198.51.100.1'), fx.port.p1);
    expect([...fx.dp.maps.macs.keys()].length).toBeLessThanOrEqual(4096);
    expect(fx.dp.maps.staticMacs.get({ vni: UNICAST_VNI, mac: STATIC_VM })).toMatchObject({ vtep: '192.0.2.3' });
    const r = fx.run('from_port', pingFrame({ dstMac: STATIC_VM, srcMac: VM1, src: '198.51.100.1', dst: '198.51.100.3' }), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(`${r.data[30]}.${r.data[31]}.${r.data[32]}.${r.data[33]}`).toBe('192.0.2.3');
  }, 60_000);
});

describe('storm control', () => {
  const broadcast = () => arpRequest(VM1, '198.51.100.1', '198.51.100.9');

  it('flooded frames over the port\'s rate are dropped and counted; unicast and other ports are not held', () => {
    fx.dp.maps.ports.put(fx.port.p1, openPort(UNICAST_VNI, { stormPps: 1 }));
    const start = process.hrtime.bigint();
    const verdicts = Array.from({ length: 20 }, () => fx.run('from_port', broadcast(), fx.port.p1).retval);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const passed = verdicts.filter((v) => v !== TC_ACT_SHOT).length;
    // A full bucket holds one second's worth (1 frame); it refills at 1 frame per second.
    expect(verdicts[0]).not.toBe(TC_ACT_SHOT);
    expect(passed).toBeLessThanOrEqual(1 + Math.ceil(seconds));
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/storm`]: 20 - passed });
    fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: REMOTE_VM }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: '192.0.2.2', lastSeenNs: process.hrtime.bigint() });
    expect(fx.run('from_port', toRemote(VM1, '198.51.100.1'), fx.port.p1).retval).toBe(TC_ACT_REDIRECT); // known unicast
    expect(fx.run('from_port', arpRequest(VM2, '198.51.100.2', '198.51.100.9'), fx.port.p2).retval).not.toBe(TC_ACT_SHOT);
  });

  it('unknown unicast counts as flooding', () => {
    fx.dp.maps.ports.put(fx.port.p1, openPort(UNICAST_VNI, { stormPps: 1 }));
    const unknown = () => pingFrame({ dstMac: '02:de:ad:be:ef:01', srcMac: VM1, src: '198.51.100.1', dst: '198.51.100.77' });
    const verdicts = Array.from({ length: 5 }, () => fx.run('from_port', unknown(), fx.port.p1).retval);
    expect(verdicts.filter((v) => v === TC_ACT_SHOT).length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(fx.drops())).toEqual([`${UNICAST_VNI}/storm`]);
  });
});
