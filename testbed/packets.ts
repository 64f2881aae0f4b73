// Frame builders for packet tests and benchmarks: every header explicit, checksums computed, so that a test
// can state the exact bytes it expects back from a program.
import { parseIpv4, parseMac } from '../src/common/address.js';

export function csum16(buf: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1]! << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

export function eth(dst: string, src: string, type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  parseMac(dst).copy(h, 0);
  parseMac(src).copy(h, 6);
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, payload]);
}

export interface Ipv4Opts {
  src: string;
  dst: string;
  proto: number;
  tos?: number;
  ttl?: number;
  df?: boolean;
  id?: number;
  fragOffset?: number;
  moreFragments?: boolean;
  options?: Buffer; // multiple of 4 bytes
}

export function ipv4(o: Ipv4Opts, payload: Buffer): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20 + opts.length);
  h[0] = 0x40 | ((20 + opts.length) / 4);
  h[1] = o.tos ?? 0;
  h.writeUInt16BE(h.length + payload.length, 2);
  h.writeUInt16BE(o.id ?? 0x1234, 4);
  h.writeUInt16BE((o.df ? 0x4000 : 0) | (o.moreFragments ? 0x2000 : 0) | (o.fragOffset ?? 0), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  h.writeUInt32BE(parseIpv4(o.src), 12);
  h.writeUInt32BE(parseIpv4(o.dst), 16);
  opts.copy(h, 20);
  h.writeUInt16BE(csum16(h), 10);
  return Buffer.concat([h, payload]);
}

export function ipv6(src: string, dst: string, nextHeader: number, payload: Buffer, trafficClass = 0): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE((6 << 28) | (trafficClass << 20), 0);
  h.writeUInt16BE(payload.length, 4);
  h[6] = nextHeader;
  h[7] = 64;
  Buffer.from(src.replace(/:/g, ''), 'hex').copy(h, 8);
  Buffer.from(dst.replace(/:/g, ''), 'hex').copy(h, 24);
  return Buffer.concat([h, payload]);
}

/** UDP with checksum 0 (allowed over IPv4), as VXLAN senders do by default. */
export function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function vxlan(vni: number, inner: Buffer, flags = 0x08): Buffer {
  const h = Buffer.alloc(8);
  h[0] = flags;
  h.writeUInt32BE(vni << 8, 4);
  return Buffer.concat([h, inner]);
}

export function icmpEcho(seq: number, size = 56): Buffer {
  const b = Buffer.alloc(8 + size, 0xab);
  b[0] = 8;
  b[1] = 0;
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(0x4242, 4);
  b.writeUInt16BE(seq, 6);
  b.writeUInt16BE(csum16(b), 2);
  return b;
}

export function arpRequest(srcMac: string, srcIp: string, targetIp: string): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16BE(1, 0);
  b.writeUInt16BE(0x0800, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(1, 6);
  parseMac(srcMac).copy(b, 8);
  b.writeUInt32BE(parseIpv4(srcIp), 14);
  b.writeUInt32BE(parseIpv4(targetIp), 24);
  return eth('ff:ff:ff:ff:ff:ff', srcMac, 0x0806, b);
}

/** An Ethernet frame carrying IPv4/ICMP echo (tos and DF selectable). */
export function pingFrame(o: { dstMac: string; srcMac: string; src: string; dst: string; tos?: number; df?: boolean; size?: number }): Buffer {
  return eth(o.dstMac, o.srcMac, 0x0800, ipv4({ src: o.src, dst: o.dst, proto: 1, tos: o.tos, df: o.df }, icmpEcho(1, o.size)));
}

/** The 50-byte VXLAN outer headers + inner frame, as a remote VTEP would send it. */
export function vxlanFrame(o: {
  dstMac: string; srcMac: string; src: string; dst: string; vni: number; inner: Buffer;
  tos?: number; ttl?: number; flags?: number; sport?: number; options?: Buffer; moreFragments?: boolean;
}): Buffer {
  return eth(o.dstMac, o.srcMac, 0x0800, ipv4(
    { src: o.src, dst: o.dst, proto: 17, tos: o.tos, ttl: o.ttl, options: o.options, moreFragments: o.moreFragments },
    udp(o.sport ?? 50000, 4789, vxlan(o.vni, o.inner, o.flags)),
  ));
}

/** Parsed outer headers of an encapsulated frame, for assertions. */
export function parseVxlan(b: Buffer): {
  dstMac: string; srcMac: string; tos: number; ttl: number; ipId: number; df: boolean; src: string; dst: string;
  ipChecksumOk: boolean; totalLength: number; sport: number; dport: number; udpLength: number; udpChecksum: number;
  flags: number; vni: number; inner: Buffer;
} {
  const mac = (o: number): string => [...b.subarray(o, o + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
  const ip4 = (o: number): string => [...b.subarray(o, o + 4)].join('.');
  return {
    dstMac: mac(0), srcMac: mac(6), tos: b[15]!, ttl: b[22]!, ipId: b.readUInt16BE(18), df: (b.readUInt16BE(20) & 0x4000) !== 0,
    src: ip4(26), dst: ip4(30), ipChecksumOk: csum16(b.subarray(14, 34)) === 0, totalLength: b.readUInt16BE(16),
    sport: b.readUInt16BE(34), dport: b.readUInt16BE(36), udpLength: b.readUInt16BE(38), udpChecksum: b.readUInt16BE(40),
    flags: b[42]!, vni: b.readUInt32BE(46) >>> 8, inner: b.subarray(50),
  };
}
