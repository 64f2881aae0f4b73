// DHCP client messages and the parsing of replies, for the packet tests of the VEM's DHCP
// answers (docs/dataplane.md, "DHCP"): every field explicit, so that a test can break one.
import { formatIpv4, parseIpv4, parseMac } from '../src/common/address.js';
import { csum16, eth, ipv4 } from './packets.js';

export const DHCP_TYPE = { discover: 1, offer: 2, request: 3, decline: 4, ack: 5, nak: 6, release: 7, inform: 8 } as const;
const MAGIC = 0x63825363;

export interface DhcpRequestOpts {
  /** Ethernet source and, unless `chaddr` says otherwise, the client hardware address. */
  mac: string;
  chaddr?: string;
  /** Option 53; undefined: no message type option (plain BOOTP). */
  type?: number;
  xid?: number;
  ciaddr?: string;
  /** Option 50. */
  requested?: string;
  /** Option 54. */
  server?: string;
  broadcast?: boolean;
  /** IP source (0.0.0.0 unless renewing). */
  src?: string;
  dst?: string;
  /** Raw options placed after the ones above, before END. */
  extra?: Buffer;
  /** Leave out END. */
  noEnd?: boolean;
  op?: number;
  cookie?: number;
}

/** The UDP payload: BOOTP fixed part, cookie, options. */
export function bootpRequest(o: DhcpRequestOpts): Buffer {
  const b = Buffer.alloc(240);
  b[0] = o.op ?? 1;
  b[1] = 1;
  b[2] = 6;
  b.writeUInt32BE(o.xid ?? 0x1d2c3b4a, 4);
  b.writeUInt16BE(o.broadcast ? 0x8000 : 0, 10);
  b.writeUInt32BE(parseIpv4(o.ciaddr ?? '0.0.0.0'), 12);
  parseMac(o.chaddr ?? o.mac).copy(b, 28);
  b.writeUInt32BE(o.cookie ?? MAGIC, 236);
  const opts: number[] = [];
  if (o.type !== undefined) opts.push(53, 1, o.type);
  const addr = (code: number, a: string): void => {
    const v = parseIpv4(a);
    opts.push(code, 4, v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  };
  if (o.requested) addr(50, o.requested);
  if (o.server) addr(54, o.server);
  opts.push(55, 4, 1, 3, 6, 26); // parameter request list, as clients send one
  const tail = Buffer.concat([Buffer.from(opts), o.extra ?? Buffer.alloc(0), Buffer.from(o.noEnd ? [] : [255])]);
  return Buffer.concat([b, tail]);
}

/** UDP with a valid checksum over the pseudo header. */
export function udpWithChecksum(src: string, dst: string, sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  const seg = Buffer.concat([h, payload]);
  seg.writeUInt16BE(udpChecksum(src, dst, seg) || 0xffff, 6);
  return seg;
}

/** The UDP checksum of `seg` (its checksum field taken as zero is the caller's business). */
export function udpChecksum(src: string, dst: string, seg: Buffer): number {
  const ph = Buffer.alloc(12);
  ph.writeUInt32BE(parseIpv4(src), 0);
  ph.writeUInt32BE(parseIpv4(dst), 4);
  ph[9] = 17;
  ph.writeUInt16BE(seg.length, 10);
  return csum16(Buffer.concat([ph, seg]));
}

/** A client's frame to the servers (UDP 68 to 67), broadcast unless `dstMac` is given. */
export function dhcpFrame(o: DhcpRequestOpts & { dstMac?: string; ip?: { moreFragments?: boolean; options?: Buffer } }): Buffer {
  const src = o.src ?? '0.0.0.0';
  const dst = o.dst ?? '255.255.255.255';
  return eth(o.dstMac ?? 'ff:ff:ff:ff:ff:ff', o.mac, 0x0800,
    ipv4({ src, dst, proto: 17, ...o.ip }, udpWithChecksum(src, dst, 68, 67, bootpRequest(o))));
}

export interface DhcpReply {
  dstMac: string;
  srcMac: string;
  src: string;
  dst: string;
  ipChecksumOk: boolean;
  sport: number;
  dport: number;
  udpLength: number;
  udpChecksumOk: boolean;
  op: number;
  xid: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  chaddr: string;
  cookie: number;
  /** The options field as sent. */
  options: Buffer;
  /** Option 53. */
  type: number | undefined;
}

/** A reply frame from the dataplane, parsed (IPv4 header of 20 bytes). */
export function parseDhcpReply(b: Buffer): DhcpReply {
  const mac = (o: number): string => [...b.subarray(o, o + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
  const ip4 = (o: number): string => formatIpv4(b.readUInt32BE(o));
  const udpLength = b.readUInt16BE(38);
  const seg = b.subarray(34, 34 + udpLength);
  const options = b.subarray(34 + 8 + 240, 34 + udpLength);
  return {
    dstMac: mac(0), srcMac: mac(6), src: ip4(26), dst: ip4(30), ipChecksumOk: csum16(b.subarray(14, 34)) === 0,
    sport: b.readUInt16BE(34), dport: b.readUInt16BE(36), udpLength,
    udpChecksumOk: b.readUInt16BE(40) !== 0 && udpChecksum(ip4(26), ip4(30), seg) === 0,
    op: b[42]!, xid: b.readUInt32BE(46), flags: b.readUInt16BE(52), ciaddr: ip4(54), yiaddr: ip4(58), siaddr: ip4(62), chaddr: mac(70),
    cookie: b.readUInt32BE(42 + 236), options, type: options[0] === 53 ? options[2] : undefined,
  };
}
