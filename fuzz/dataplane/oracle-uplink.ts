// docs/dataplane.md "Network to VM" and "Security" as checks of one run of the programs that take
// frames from the network: from_uplink (TC), xdp_uplink and from_tunnel (after the kernel's
// decapsulation). What is not ours passes untouched; what is ours but wrong is one counted drop
// that learned nothing; what is delivered went to a local port, never back out (split horizon).
import { MacKind } from '../../src/maps/layout.js';
import {
  FLOOD, Judge, LEARNED, MOVES, RX_PACKETS, TC_ACT_OK, TC_ACT_REDIRECT, TC_ACT_SHOT, TX_PACKETS, XDP_DROP, XDP_PASS, XDP_REDIRECT,
  isMulticast, macEntry, macKey, macText, type Frame, type Run, type World,
} from './judge.js';

/** Where the outer headers put the frame: addresses, VNI, flags and the inner frame's offset. */
interface Outer {
  saddr: number;
  daddr: number;
  vni: number;
  /** Offset of the inner Ethernet header. */
  inner: number;
}

export function judgeUplink(w: World, f: Frame, r: Run): Judge {
  const j = new Judge(f, r);
  const d = f.data;
  const o = tcOurs(w, d);
  if (!o) {
    j.check(r.verdict === TC_ACT_OK, `verdict ${r.verdict} for a frame that is not VXLAN for us (want TC_ACT_OK)`);
    j.unchanged();
    j.noDrop();
    j.counters(undefined, {});
    j.quiet = true;
    return j;
  }
  if (!j.check(r.verdict === TC_ACT_SHOT || r.verdict === TC_ACT_REDIRECT, `verdict ${r.verdict} for VXLAN that is ours`)) return j;
  if (d.length < o.inner + 14) return expectDrop(j, 0, 'truncated');
  if (!(d[o.inner - 8]! & 0x08)) return expectDrop(j, 0, 'vxlan_flags');
  const bad = validation(w, o, d);
  if (bad) return expectDrop(j, bad.vni, bad.reason);
  const ecn = ecnAction(d[15]!, d, o.inner);
  if (ecn === 'drop') return expectDrop(j, o.vni, 'ecn_error');
  return delivered(j, w, o, { neighbourFrom: macText(d, 6), decapped: () => applyEcn(d.subarray(o.inner), ecn), flood: TC_ACT_SHOT, redirect: TC_ACT_REDIRECT });
}

export function judgeXdp(w: World, f: Frame, r: Run): Judge {
  const j = new Judge(f, r);
  const d = f.data;
  const pass = (why: string): Judge => {
    j.check(r.verdict === XDP_PASS, `verdict ${r.verdict} for ${why} (want XDP_PASS: TC does it)`);
    j.unchanged();
    j.noDrop();
    j.counters(undefined, {});
    j.quiet = true;
    return j;
  };
  // Only IPv4 without options, UDP to 4789, not a fragment, to a local VTEP's address.
  if (d.length < 64 || d.readUInt16BE(12) !== 0x0800 || d[14] !== 0x45 || d[23] !== 17 || d.readUInt16BE(36) !== 4789 || (d.readUInt16BE(20) & 0x3fff)) return pass('a frame XDP does not take');
  const o: Outer = { saddr: d.readUInt32BE(26), daddr: d.readUInt32BE(30), vni: d.readUIntBE(46, 3), inner: 50 };
  if (!w.sc.isLocalVtep(o.daddr)) return pass('a frame not to our VTEP');
  if (!j.check(r.verdict === XDP_DROP || r.verdict === XDP_PASS || r.verdict === XDP_REDIRECT, `verdict ${r.verdict}`)) return j;
  if (!(d[42]! & 0x08)) return expectDrop(j, 0, 'vxlan_flags', XDP_DROP);
  const bad = validation(w, o, d);
  if (bad) return expectDrop(j, bad.vni, bad.reason, XDP_DROP);
  if ((d[15]! & 3) === 3 || (d[15]! & 3) === 1) return pass('outer CE or ECT(1) (RFC 6040 rewrite)');
  if (isMulticast(d, 50)) return pass('a flood');
  const dst = w.mac(o.vni, d.subarray(50, 56));
  if (!dst) return pass('unknown unicast (a flood)');
  if (dst.kind === MacKind.Remote) return expectDrop(j, o.vni, 'split_horizon', XDP_DROP);
  return delivered(j, w, o, { neighbourFrom: macText(d, 6), decapped: () => d.subarray(50), flood: -1, redirect: XDP_REDIRECT, drop: XDP_DROP });
}

export function judgeTunnel(w: World, f: Frame, r: Run): Judge {
  const j = new Judge(f, r);
  const d = f.data;
  const k = f.key!;
  if (!j.check(r.verdict === TC_ACT_SHOT || r.verdict === TC_ACT_REDIRECT, `verdict ${r.verdict} (want TC_ACT_SHOT or TC_ACT_REDIRECT)`)) return j;
  j.check(r.out.equals(d), 'from_tunnel rewrote the frame');
  if (k.flags) return expectDrop(j, 0, 'decap_failed'); // no IPv4 tunnel key: nothing to check it against
  if (!w.sc.isLocalVtep(k.local) && !w.sc.isJoinedGroup(k.local)) return expectDrop(j, 0, 'not_local_vtep');
  const o: Outer = { saddr: k.remote, daddr: k.local, vni: k.vni, inner: 0 };
  const bad = validation(w, o, d);
  if (bad) return expectDrop(j, bad.vni, bad.reason);
  return delivered(j, w, o, { decapped: () => d, flood: TC_ACT_SHOT, redirect: TC_ACT_REDIRECT });
}

/** from_uplink rule 1: IPv4/UDP/4789 to a local VTEP or a joined group, not a fragment. */
function tcOurs(w: World, d: Buffer): Outer | undefined {
  if (d.length < 34 || d.readUInt16BE(12) !== 0x0800 || d[14]! >> 4 !== 4 || d[23] !== 17 || (d.readUInt16BE(20) & 0x3fff)) return undefined;
  const ihl = (d[14]! & 0x0f) * 4;
  if (ihl < 20 || d.length < 14 + ihl + 8 || d.readUInt16BE(14 + ihl + 2) !== 4789) return undefined;
  const daddr = d.readUInt32BE(30);
  if (!w.sc.isLocalVtep(daddr) && !w.sc.isJoinedGroup(daddr)) return undefined;
  const inner = 14 + ihl + 16;
  return { saddr: d.readUInt32BE(26), daddr, vni: d.length >= inner ? d.readUIntBE(inner - 4, 3) : 0, inner };
}

/** Rule 2 and "Security", in order: a VNI bound here, not our own source, a source the segment trusts, a unicast inner source. */
function validation(w: World, o: Outer, d: Buffer): { vni: number; reason: string } | undefined {
  if (!w.sc.segments.has(o.vni)) return { vni: 0, reason: 'unknown_vni' };
  if (w.sc.isLocalVtep(o.saddr)) return { vni: o.vni, reason: 'own_vtep_source' };
  if (w.sc.trust(o.vni, o.saddr) === 'unknown') return { vni: o.vni, reason: 'unknown_vtep' };
  if (isMulticast(d, o.inner + 6)) return { vni: o.vni, reason: 'inner_malformed' };
  return undefined;
}

/** A validation drop: verdict `shot`, that one reason, and nothing learned or counted. */
function expectDrop(j: Judge, vni: number, reason: string, shot = TC_ACT_SHOT): Judge {
  j.check(j.r.verdict === shot, `want a ${reason} drop, got verdict ${j.r.verdict}`);
  j.oneDrop(vni, reason);
  j.counters(undefined, {});
  j.quiet = true;
  return j;
}

interface Delivery {
  /** The outer source MAC a peer's frame teaches (absent: the path learns no next hop). */
  neighbourFrom?: string;
  /** The frame a local port must get. */
  decapped: () => Buffer;
  /** The verdict of a frame flooded by clones (-1: the path never floods). */
  flood: number;
  redirect: number;
  drop?: number;
}

/** Rules 3-4: learning from a trusted sender, then to a local port or every local port, never back. */
function delivered(j: Judge, w: World, o: Outer, how: Delivery): Judge {
  const d = j.f.data;
  const r = j.r;
  const src = d.subarray(o.inner + 6, o.inner + 12);
  const srcBefore = w.mac(o.vni, src);
  const srcKey = macKey(o.vni, src, 0);
  j.allow('vx_macs', (c) => {
    if (!c.key.equals(srcKey) || !c.after) return 'a MAC entry other than the inner source changed, or one was removed';
    if (srcBefore?.static || srcBefore?.kind === MacKind.Local) return `a ${srcBefore.static ? 'static' : 'local'} entry was overridden from the network`;
    const e = macEntry(c.after);
    return e.kind === MacKind.Remote && e.vtep === o.saddr && e.ifindex === 0 ? undefined : `inner source learned as ${JSON.stringify(e)}, want remote at the outer source`;
  }, srcKey);
  const peer = w.sc.trust(o.vni, o.saddr) === 'peer' && w.sc.inVtepSubnet(o.saddr);
  j.allow('vx_neigh', (c) => {
    if (!how.neighbourFrom || !peer) return 'a next hop was learned from a sender the segment does not name';
    const ok = c.key.readUInt32LE(0) === w.sc.uplink && c.key.readUInt32BE(4) === o.saddr && c.after && macText(c.after) === how.neighbourFrom;
    return ok ? undefined : 'a next hop other than the sender\'s, or not its MAC';
  }, neighKey(w.sc.uplink, o.saddr));
  const seg = w.sc.segments.get(o.vni)!;
  j.counters(o.vni, { [TX_PACKETS]: 0n, [RX_PACKETS]: 1n, [FLOOD]: BigInt(seg.ports.length), [LEARNED]: 1n, [MOVES]: 1n });
  const drop = j.theDrop();
  j.check(!drop || drop.vni === o.vni, `drop counted under VNI ${drop?.vni}, the frame's is ${o.vni}`);

  // Where it goes: the destination as the table has it once the source is learned.
  const dstMac = d.subarray(o.inner, o.inner + 6);
  const sameAsSrc = dstMac.equals(src);
  const dst = isMulticast(d, o.inner) ? undefined : sameAsSrc && !srcBefore ? { kind: MacKind.Remote, ifindex: 0 } : w.mac(o.vni, dstMac);
  if (dst?.kind === MacKind.Remote) {
    j.check(r.verdict === (how.drop ?? TC_ACT_SHOT) && drop?.reason === 'split_horizon', `a remote destination: want a split_horizon drop, got ${r.verdict} / ${drop?.reason ?? 'no drop'}`);
    return j;
  }
  if (drop?.reason === 'decap_failed' && r.verdict === (how.drop ?? TC_ACT_SHOT)) return j;
  if (dst) {
    j.check(!drop && r.verdict === how.redirect, `a known local destination: want redirect, got ${r.verdict} / ${drop?.reason ?? 'no drop'}`);
    j.check(w.sc.ports.get(dst.ifindex)?.vni === o.vni, `delivered to ifindex ${dst.ifindex}, not a port of segment ${o.vni} (split horizon: never the uplink)`);
    j.check(j.delta(o.vni, RX_PACKETS) === 1n, 'a delivered frame not counted as rx');
    if (r.verdict === how.redirect) sameDecap(j, how.decapped());
    return j;
  }
  if (!j.check(how.flood !== -1, 'flooded on a path that never floods')) return j;
  // One copy per local port, each sent or counted as redirect_failed; the frame itself is a drop only when there was nobody to send to.
  const ports = BigInt(seg.ports.length);
  const copies = j.delta(o.vni, FLOOD);
  j.check(copies + j.failedCopies === ports, `a flood to ${ports} local port(s): ${copies} sent, ${j.failedCopies} failed`);
  if (!ports) j.check(drop?.reason === 'no_local_port', `no local port: want no_local_port, got ${drop?.reason ?? 'no drop'}`);
  else j.check(!drop, `a flood to ${ports} local port(s) also counted ${drop?.reason} (each failed copy is already counted as redirect_failed)`);
  j.check(r.verdict === how.flood && j.delta(o.vni, RX_PACKETS) === 1n, `a flood: verdict ${r.verdict}, rx ${j.delta(o.vni, RX_PACKETS)}`);
  return j;
}

function neighKey(ifindex: number, addr: number): Buffer {
  const k = Buffer.alloc(8);
  k.writeUInt32LE(ifindex, 0);
  k.writeUInt32BE(addr, 4);
  return k;
}

type EcnAction = 'keep' | 'ce' | 'ect1' | 'drop';

/** Rule 5 (RFC 6040): what outer ECN does to the inner IP header at `inner`. */
function ecnAction(outerTos: number, d: Buffer, inner: number): EcnAction {
  const type = d.length >= inner + 14 ? d.readUInt16BE(inner + 12) : 0;
  if ((type !== 0x0800 && type !== 0x86dd) || d.length < inner + 16) return 'keep';
  const ds = type === 0x0800 ? d[inner + 15]! : ((d[inner + 14]! & 0x0f) << 4) | (d[inner + 15]! >> 4);
  const outer = outerTos & 3, innerEcn = ds & 3;
  if (outer === 3) return innerEcn === 0 ? 'drop' : innerEcn === 3 ? 'keep' : 'ce';
  return outer === 1 && innerEcn === 2 ? 'ect1' : 'keep';
}

/** The inner frame as a port must get it: ECN bits set as RFC 6040 says (the IPv4 checksum is checked apart). */
function applyEcn(inner: Buffer, act: EcnAction): Buffer {
  if (act === 'keep' || act === 'drop') return inner;
  const out = Buffer.from(inner);
  const ecn = act === 'ce' ? 3 : 1;
  if (out.readUInt16BE(12) === 0x0800) out[15] = (out[15]! & ~3) | ecn;
  else out[15] = (out[15]! & ~0x30) | (ecn << 4);
  return out;
}

/** The delivered frame is `want`; where ECN changed an IPv4 header, its checksum was updated so that the header sums as before. */
function sameDecap(j: Judge, want: Buffer): void {
  const out = j.r.out;
  const orig = j.f.data.subarray(j.f.data.length - want.length);
  if (!j.check(out.length === want.length, `delivered ${out.length} bytes, the inner frame has ${want.length}`)) return;
  const rewritten = want.length >= 34 && want.readUInt16BE(12) === 0x0800 && want[15] !== orig[15];
  const same = rewritten ? out.subarray(0, 24).equals(want.subarray(0, 24)) && out.subarray(26).equals(want.subarray(26)) : out.equals(want);
  j.check(same, 'the delivered frame is not the inner frame (with RFC 6040 ECN)');
  if (rewritten) j.check(headerSum(out) === headerSum(orig), 'the inner IPv4 checksum no longer matches its header after the ECN rewrite');
}

/** Ones' complement sum of an IPv4 header's 20 bytes at 14 (0 and 0xffff being one value). */
function headerSum(b: Buffer): number {
  let s = 0;
  for (let i = 14; i < 34; i += 2) s += b.readUInt16BE(i);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return s === 0xffff ? 0 : s;
}
