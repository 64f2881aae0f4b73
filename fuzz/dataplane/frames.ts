// Frames for the dataplane fuzzer: valid ones of every kind the programs read (IPv4 TCP, UDP,
// ICMP, DHCP, fragments, options; ARP; IPv6; tagged; other EtherTypes; too big for the uplink;
// VXLAN to our VTEP, to the group, from peers, our own address, the underlay, strangers, with
// every VNI the host knows and some it does not), and random bytes. mutate.ts then breaks them.
// (Choices are tables and switches, not closures: a million frames per program must be cheap.)
import { parseIpv4, parseMac } from '../../src/common/address.js';
import { arpRequest, csum16, eth, icmpEcho, ipv4, ipv6, udp, vxlanFrame } from '../../testbed/packets.js';
import type { Rng } from '../rng.js';
import {
  FAR_VTEP, GROUP, LOCAL_VTEP, MAC_POOL, MC_VTEP, MCAST_VNI, ORPHAN_VNI, REMOTE_FAR, REMOTE_MC, REMOTE_VM, STATIC_VM, UNICAST_VNI, VM1, VM2, VM3,
} from './scenario.js';

/** A generated frame: its bytes, what it was made as, and the offset of its (outer) IPv4/IPv6 header. */
export interface Made {
  data: Buffer;
  label: string;
  /** Offsets of the IP headers in `data` (outer first), for the mutators. */
  ipAt: number[];
}

const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const V6_SRC = '20010db8000000000000000000000001';
const V6_DST = '20010db8000000000000000000000002';

function randomMac(rng: Rng, unicast: boolean): string {
  const b = rng.bytes(6);
  if (unicast) b[0] = (b[0]! & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function randomIpv4(rng: Rng): string {
  return [rng.below(256), rng.below(256), rng.below(256), rng.below(256)].join('.');
}

/** Source MACs: the secure port's own ones, neighbours', a static one, a pool, anything. */
const SRC_MACS = [[5, VM1], [2, VM3], [3, VM2], [1, REMOTE_VM], [1, STATIC_VM], [4, 'pool'], [2, 'random'], [1, '01:00:5e:00:00:05'], [0.5, BROADCAST]] as const;
const DST_MACS = [
  [2, VM1], [3, VM2], [1, VM3], [3, REMOTE_VM], [1, REMOTE_FAR], [1, REMOTE_MC], [1, STATIC_VM], [2, 'pool'], [3, BROADCAST],
  [1, '33:33:00:00:00:01'], [1, '01:00:5e:01:01:01'], [1, 'random'],
] as const;

function macFrom(rng: Rng, table: readonly (readonly [number, string])[]): string {
  const m = rng.weighted(table);
  return m === 'pool' ? rng.pick(MAC_POOL) : m === 'random' ? randomMac(rng, true) : m;
}

export const srcMac = (rng: Rng): string => macFrom(rng, SRC_MACS);
export const dstMac = (rng: Rng): string => macFrom(rng, DST_MACS);

/** IPv4 sources: the secure port's address, its pair prefixes, a neighbour's, none, anything. */
function srcIp(rng: Rng): string {
  switch (rng.weighted([[4, 0], [2, 1], [2, 2], [2, 3], [1, 4], [1, 5]])) {
    case 0: return '198.51.100.1';
    case 1: return `198.51.100.${rng.int(64, 127)}`;
    case 2: return `198.51.100.${rng.int(128, 255)}`;
    case 3: return '198.51.100.2';
    case 4: return '0.0.0.0';
    default: return randomIpv4(rng);
  }
}

function tcp(rng: Rng, payload: number): Buffer {
  const h = Buffer.alloc(20 + payload);
  h.writeUInt16BE(rng.int(1, 65535), 0);
  h.writeUInt16BE(rng.pick([22, 80, 443, rng.int(1, 65535)]), 2);
  h.writeUInt32BE(rng.u32(), 4);
  h[12] = 5 << 4;
  h[13] = rng.pick([0x02, 0x10, 0x18, 0x11]);
  return h;
}

const KINDS = [
  [6, 'icmp'], [5, 'udp'], [5, 'tcp'], [2, 'dhcp'], [4, 'arp'], [3, 'ipv6'], [1, 'icmp6-error'], [2, 'tagged'], [1, 'ethertype'],
  [3, 'big-v4'], [1, 'big-icmp-error'], [2, 'big-v6'], [1, 'big-other'], [1, 'fragment'], [1, 'options'],
] as const;

interface V4 { tos: number; df?: boolean; options?: Buffer; frag?: boolean; from?: string }

function v4(rng: Rng, proto: number, payload: Buffer, o: V4): Buffer {
  return ipv4({
    src: o.from ?? srcIp(rng), dst: rng.pick(['198.51.100.2', '198.51.100.1', '198.51.100.9', randomIpv4(rng)]), proto, tos: o.tos, df: o.df,
    options: o.options, moreFragments: o.frag && rng.chance(0.5), fragOffset: o.frag ? rng.below(0x2000) : 0, id: rng.below(65536),
  }, payload);
}

/** A frame as a VM sends it (also the inner frame of VXLAN). */
export function vmFrame(rng: Rng, src = srcMac(rng), dst = dstMac(rng)): Made {
  const tos = rng.chance(0.5) ? rng.below(256) : rng.below(4);
  const t = { tos };
  const big = rng.int(1380, 1560); // around the 1450 bytes an inner IP packet may have on a 1500 uplink
  const kind = rng.weighted(KINDS);
  const ip = { label: kind, ipAt: [14] };
  switch (kind) {
    case 'icmp': return { ...ip, data: eth(dst, src, 0x0800, v4(rng, 1, icmpEcho(rng.below(65536), rng.int(0, 64)), t)) };
    case 'udp': return { ...ip, data: eth(dst, src, 0x0800, v4(rng, 17, udp(rng.int(1, 65535), rng.pick([53, 4789, 67, 123, rng.int(1, 65535)]), rng.bytes(rng.int(0, 64))), t)) };
    case 'tcp': return { ...ip, data: eth(dst, src, 0x0800, v4(rng, 6, tcp(rng, rng.int(0, 64)), t)) };
    case 'dhcp': return { ...ip, data: eth(BROADCAST, src, 0x0800, v4(rng, 17, udp(68, rng.pick([67, 67, 53]), Buffer.alloc(240)), { tos, from: rng.chance(0.7) ? '0.0.0.0' : srcIp(rng) })) };
    case 'arp': {
      const f = arpRequest(rng.chance(0.8) ? src : srcMac(rng), rng.chance(0.7) ? srcIp(rng) : '0.0.0.0', '198.51.100.9');
      parseMac(src).copy(f, 6); // the Ethernet source, maybe not the sender
      if (rng.chance(0.3)) parseMac(dst).copy(f, 0);
      if (rng.chance(0.2)) f.writeUInt16BE(2, 20); // a reply
      return { data: f, label: kind, ipAt: [] };
    }
    case 'ipv6': return { ...ip, data: eth(dst, src, 0x86dd, ipv6(V6_SRC, V6_DST, rng.pick([17, 6, 58]), rng.bytes(rng.int(8, 64)), tos)) };
    case 'icmp6-error': return { ...ip, data: eth(dst, src, 0x86dd, ipv6(V6_SRC, V6_DST, 58, Buffer.concat([Buffer.from([rng.below(128), 0]), Buffer.alloc(big)]), tos)) };
    case 'tagged': {
      const inner = vmFrame(rng, src, dst);
      const d = Buffer.concat([inner.data.subarray(0, 12), Buffer.from([0x81, 0x00, rng.below(16), rng.below(256)]), inner.data.subarray(12)]);
      return { data: d, label: `tagged ${inner.label}`, ipAt: inner.ipAt.map((x) => x + 4) };
    }
    case 'ethertype': return { data: eth(dst, src, rng.pick([0x88b5, 0x88cc, 0x8100, 0x0842, rng.below(65536)]), rng.bytes(rng.int(0, 80))), label: kind, ipAt: [] };
    case 'big-v4': return { ...ip, data: eth(dst, src, 0x0800, v4(rng, rng.pick([1, 6, 17]), rng.bytes(big), { tos, df: rng.chance(0.6) })) };
    case 'big-icmp-error': return { ...ip, data: eth(dst, src, 0x0800, v4(rng, 1, Buffer.concat([Buffer.from([rng.pick([3, 4, 5, 11, 12]), 0]), Buffer.alloc(big)]), { tos, df: true })) };
    case 'big-v6': return { ...ip, data: eth(dst, src, 0x86dd, ipv6(V6_SRC, V6_DST, rng.pick([17, 6, 58]), rng.bytes(big), tos)) };
    case 'big-other': return { data: eth(dst, src, rng.pick([0x0806, 0x88b5]), rng.bytes(big)), label: kind, ipAt: [] };
    case 'fragment': return { ...ip, data: eth(dst, src, 0x0800, v4(rng, rng.pick([6, 17, 1]), rng.bytes(rng.int(8, 64)), { tos, frag: true })) };
    case 'options': return { ...ip, data: eth(dst, src, 0x0800, v4(rng, rng.pick([6, 17, 1]), rng.bytes(rng.int(8, 64)), { tos, options: Buffer.concat([Buffer.from([1, 1, 1, rng.below(2)]), rng.bytes(4 * rng.below(3))]) })) };
  }
}

/** Outer sources: the segments' peers, our own VTEP, the underlay, outside it, anything. */
function outerSrc(rng: Rng): string {
  switch (rng.weighted([[6, 0], [1, 1], [3, 2], [1, 3], [1, 4]])) {
    case 0: return rng.chance(0.5) ? '192.0.2.2' : '192.0.2.3';
    case 1: return LOCAL_VTEP;
    case 2: return rng.chance(0.5) ? MC_VTEP : `192.0.2.${rng.int(4, 254)}`;
    case 3: return rng.chance(0.5) ? FAR_VTEP : '198.51.100.50';
    default: return randomIpv4(rng);
  }
}

function outerVni(rng: Rng): number {
  switch (rng.weighted([[6, 0], [4, 1], [1, 2], [1, 3]])) {
    case 0: return UNICAST_VNI;
    case 1: return MCAST_VNI;
    case 2: return ORPHAN_VNI;
    default: return rng.below(0x1000000);
  }
}

function outerDst(rng: Rng, other: string): string {
  switch (rng.weighted([[8, 0], [3, 1], [1, 2], [1, 3]])) {
    case 0: return LOCAL_VTEP;
    case 1: return GROUP;
    case 2: return other;
    default: return randomIpv4(rng);
  }
}

/** VXLAN as a remote VTEP (or anyone) sends it to the uplink. */
export function vxlanToUs(rng: Rng, uplinkMac: string): Made {
  const dst = outerDst(rng, '239.1.9.9');
  const vni = outerVni(rng);
  // Frames for the multicast segment flood: mostly broadcast inside.
  const innerDst = vni === MCAST_VNI && rng.chance(0.5) ? BROADCAST : dstMac(rng);
  const innerSrc = rng.chance(0.85) ? rng.pick([REMOTE_VM, REMOTE_MC, ...MAC_POOL]) : srcMac(rng);
  const inner = vmFrame(rng, innerSrc, innerDst);
  const options = rng.chance(0.08) ? Buffer.concat([Buffer.from([1, 1, 1, 0]), Buffer.alloc(4 * rng.below(3), 1)]) : undefined;
  const data = vxlanFrame({
    dstMac: rng.chance(0.9) ? uplinkMac : dstMac(rng), srcMac: rng.pick(['02:00:00:00:aa:02', '02:00:00:00:aa:03', randomMac(rng, true)]),
    src: outerSrc(rng), dst, vni: 0, inner: inner.data, tos: rng.below(256), ttl: rng.int(1, 255),
    flags: rng.weighted([[10, 0x08], [1, 0x0c], [1, 0x00], [1, rng.below(256)]]), sport: rng.int(1, 65535), options,
    moreFragments: rng.chance(0.03),
  });
  const outerIp = 14 + 20 + (options?.length ?? 0);
  data.writeUIntBE(vni, outerIp + 12, 3); // written here: packets.ts's vxlan() takes VNIs below 2^23 only
  return { data, label: `vxlan ${inner.label}`, ipAt: [14, ...inner.ipAt.map((x) => x + outerIp + 16)] };
}

/** What else arrives on an uplink: the host's own traffic, UDP to other ports, ARP. */
export function uplinkOther(rng: Rng, uplinkMac: string): Made {
  if (rng.chance(0.5)) {
    const m = vmFrame(rng);
    return { ...m, label: `host ${m.label}` };
  }
  const d = eth(uplinkMac, '02:00:00:00:aa:02', 0x0800, ipv4({ src: outerSrc(rng), dst: rng.chance(0.5) ? LOCAL_VTEP : GROUP, proto: rng.pick([17, 6, 1]) },
    udp(rng.int(1, 65535), rng.pick([4790, 8472, 53, 4789]), rng.bytes(rng.int(0, 80)))));
  return { data: d, label: 'udp to the host', ipAt: [14] };
}

/** Random bytes, sometimes behind a plausible Ethernet/IPv4 start so that more of them get past the first checks. */
export function randomFrame(rng: Rng, uplinkMac: string): Made {
  const len = rng.chance(0.9) ? rng.int(14, 160) : rng.int(14, 1600);
  const data = rng.bytes(len);
  if (rng.chance(0.5) && len >= 34) {
    parseMac(rng.chance(0.5) ? uplinkMac : dstMac(rng)).copy(data, 0);
    data.writeUInt16BE(rng.pick([0x0800, 0x0806, 0x86dd]), 12);
    if (data.readUInt16BE(12) === 0x0800) {
      data[14] = 0x45;
      if (rng.chance(0.5)) data.writeUInt32BE(parseIpv4(LOCAL_VTEP), 30);
      if (rng.chance(0.5)) data[23] = 17;
      if (rng.chance(0.3) && len >= 38) data.writeUInt16BE(4789, 36);
      data.writeUInt16BE(0, 24);
      data.writeUInt16BE(csum16(data.subarray(14, 34)), 24);
    }
  }
  return { data, label: 'random', ipAt: [14] };
}

/** The (remote, local, VNI) a kernel decapsulation would leave on a frame for from_tunnel. */
export interface TunnelKey {
  remote: number;
  local: number;
  vni: number;
  /** 1: no key at all; 2: an IPv6 key. */
  flags: number;
}

export function tunnelKey(rng: Rng): TunnelKey {
  return { remote: parseIpv4(outerSrc(rng)), local: parseIpv4(outerDst(rng, '192.0.2.9')), vni: outerVni(rng), flags: rng.weighted([[48, 0], [1, 1], [1, 2]]) };
}
