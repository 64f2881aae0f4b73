// The rules of docs/dataplane.md that decide what may leave a port, restated from the document
// (not from the C): which sources a secure port may use, what a VXLAN header we write must hold,
// what an ICMP too-big reply looks like and when one may be sent.
import { csum16 } from '../../testbed/packets.js';
import { CFG_F_TOS_INHERIT, CFG_F_UDP_CSUM, type VxvemConfig } from '../../src/maps/layout.js';
import { macText, type Judge } from './judge.js';
import type { SecureModel } from './scenario.js';

/** The uplink's MTU in the fixture: an inner frame fits when its IP packet is at most 1450 bytes. */
export const UPLINK_MTU = 1500;
export const ENCAP_LEN = 50;

/** "Security": the source a secure port may send `d` from. */
export function sourceAllowed(sec: SecureModel, d: Buffer): boolean {
  const smac = macText(d, 6);
  const macOk = (m: string): boolean => m === sec.mac || (sec.ipLock && sec.sources.some((s) => s.mac === m && s.mac !== sec.mac));
  const addrOk = (m: string, addr: number): boolean => (!sec.ipLock
    ? m === sec.mac
    : sec.sources.some((s) => s.mac === m && ((addr & s.cidr.mask) >>> 0) === s.cidr.network));
  const type = d.readUInt16BE(12);
  if (type === 0x0800) {
    if (d.length < 30) return false;
    const saddr = d.readUInt32BE(26);
    if (saddr !== 0) return addrOk(smac, saddr);
    // A DHCP client's request from 0.0.0.0 claims nothing: UDP 68 to 67, after the header's IHL.
    const l4 = 14 + (d[14]! & 0x0f) * 4;
    return d[23] === 17 && d.length >= l4 + 4 && d.readUInt16BE(l4) === 68 && d.readUInt16BE(l4 + 2) === 67 && macOk(smac);
  }
  if (type === 0x0806) {
    if (d.length < 32) return false;
    if (d.readUInt16BE(14) !== 1 || d.readUInt16BE(16) !== 0x0800 || d[18] !== 6 || d[19] !== 4) return false;
    if (macText(d, 22) !== smac) return false;
    const spa = d.readUInt32BE(28);
    return spa === 0 ? macOk(smac) : addrOk(smac, spa);
  }
  if (type === 0x86dd) return macOk(smac);
  return false; // any other EtherType, a VLAN tag included
}

/** The frame's IP packet is larger than the uplink can carry after encapsulation. */
export function oversize(d: Buffer): boolean {
  return d.length - 14 + ENCAP_LEN > UPLINK_MTU;
}

/** The inner DS field the outer TOS derives from (0 for non-IP). */
function innerDs(d: Buffer): number {
  const type = d.readUInt16BE(12);
  if (type === 0x0800 && d.length >= 34) return d[15]!;
  if (type === 0x86dd && d.length >= 54) return ((d[14]! & 0x0f) << 4) | (d[15]! >> 4);
  return 0;
}

/** Rule 5: the outer TOS (DSCP inherited or fixed; ECN as RFC 6040, inner CE shows as ECT(0)). */
export function outerTos(cfg: VxvemConfig, d: Buffer): number {
  const inner = innerDs(d);
  const ecn = inner & 3;
  const tos = (cfg.flags & CFG_F_TOS_INHERIT ? inner : cfg.tos) & ~3;
  return tos | (ecn === 3 ? 2 : ecn);
}

/**
 * Rule 5: `out` is `inner` behind exactly the 50 bytes we write, to one of `dsts` (address ->
 * the outer destination MAC it must carry), for segment `vni`, from `vtepMac`/`vtep`.
 */
export function checkEncap(j: Judge, o: { out: Buffer; inner: Buffer; vni: number; cfg: VxvemConfig; vtep: number; vtepMac: string; dsts: Map<number, string> }): void {
  const { out, inner, cfg } = o;
  if (!j.check(out.length === inner.length + ENCAP_LEN, `encapsulated frame of ${out.length} bytes for ${inner.length} inside`)) return;
  const bad: string[] = [];
  const want = (ok: boolean, what: string): void => void (ok || bad.push(what));
  const daddr = out.readUInt32BE(30);
  want(o.dsts.has(daddr), `outer destination ${ipText(daddr)} (allowed: ${[...o.dsts.keys()].map(ipText).join(', ') || 'none'})`);
  want(macText(out, 0) === (o.dsts.get(daddr) ?? macText(out, 0)), `outer destination MAC ${macText(out, 0)}, want ${o.dsts.get(daddr)}`);
  want(macText(out, 6) === o.vtepMac, `outer source MAC ${macText(out, 6)}`);
  want(out.readUInt16BE(12) === 0x0800 && out[14] === 0x45, 'outer EtherType/version/IHL');
  want(out[15] === outerTos(cfg, inner), `outer TOS ${out[15]}, want ${outerTos(cfg, inner)}`);
  want(out.readUInt16BE(16) === inner.length + 36, `outer total length ${out.readUInt16BE(16)}`);
  want(out.readUInt16BE(20) === 0, 'outer DF/fragment bits set');
  want(out[22] === cfg.ttl && out[23] === 17, `outer TTL ${out[22]} / protocol ${out[23]}`);
  want(csum16(out.subarray(14, 34)) === 0, 'outer IPv4 checksum');
  want(out.readUInt32BE(26) === o.vtep, `outer source ${ipText(out.readUInt32BE(26))}`);
  const sport = out.readUInt16BE(34);
  want(sport >= cfg.srcPortMin && sport <= cfg.srcPortMax, `UDP source port ${sport} outside ${cfg.srcPortMin}-${cfg.srcPortMax}`);
  want(out.readUInt16BE(36) === 4789 && out.readUInt16BE(38) === inner.length + 16, 'UDP port/length');
  want(out.readUInt16BE(40) === 0 || (cfg.flags & CFG_F_UDP_CSUM) !== 0, 'UDP checksum not 0');
  want(out[42] === 0x08 && out.readUIntBE(43, 3) === 0 && out[49] === 0, `VXLAN flags/reserved ${out.subarray(42, 50).toString('hex')}`);
  want(out.readUIntBE(46, 3) === o.vni, `VXLAN VNI ${out.readUIntBE(46, 3)}, want ${o.vni}`);
  want(out.subarray(ENCAP_LEN).equals(inner), 'inner frame altered');
  j.check(!bad.length, `encapsulation wrong: ${bad.join('; ')}`);
}

/** An ICMP error may never be answered with another (RFC 1122, RFC 4443). */
export function isIcmpError(d: Buffer): boolean {
  const type = d.readUInt16BE(12);
  if (type === 0x0800 && d.length >= 34 && d[23] === 1) {
    const l4 = 14 + (d[14]! & 0x0f) * 4;
    return d.length > l4 && [3, 4, 5, 11, 12].includes(d[l4]!);
  }
  return type === 0x86dd && d.length > 54 && d[20] === 58 && d[54]! < 128;
}

/** Rule 8: `out` is the ICMP frag-needed / ICMPv6 packet-too-big for `d`, back to its sender. */
export function checkTooBig(j: Judge, d: Buffer, out: Buffer, gso: boolean): void {
  const v6 = d.readUInt16BE(12) === 0x86dd;
  j.check(gso || oversize(d), `ICMP too-big for a frame that fits (${d.length} bytes)`);
  j.check(!isIcmpError(d), 'ICMP too-big in reply to an ICMP error');
  j.check(v6 || (d.readUInt16BE(20) & 0x4000) !== 0, 'ICMP frag-needed for IPv4 without DF');
  j.check(macText(out, 0) === macText(d, 6), 'ICMP reply not addressed to the sender\'s MAC');
  if (v6) {
    j.check(out.length === 110 && out[20] === 58 && out[54] === 2 && out.readUInt32BE(58) === UPLINK_MTU - ENCAP_LEN, 'ICMPv6 packet-too-big fields');
    const pseudo = Buffer.concat([out.subarray(22, 54), Buffer.from([0, 0, 0, 56, 0, 0, 0, 58])]);
    j.check(csum16(Buffer.concat([pseudo, out.subarray(54)])) === 0, 'ICMPv6 checksum');
  } else {
    j.check(out.length === 70 && out[23] === 1 && out[34] === 3 && out[35] === 4 && out.readUInt16BE(40) === UPLINK_MTU - ENCAP_LEN, 'ICMP frag-needed fields');
    j.check(csum16(out.subarray(14, 34)) === 0 && csum16(out.subarray(34)) === 0, 'ICMP frag-needed checksums');
  }
}

export function ipText(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}
