// docs/dataplane.md "VM to network" and "Security" as checks of one from_port run: what must be
// dropped before anything is learned, what may be learned and counted, and what a frame that
// leaves may look like (switched unchanged, encapsulated, or an ICMP too-big back to its VM).
import { parseIpv4 } from '../../src/common/address.js';
import { CFG_F_UDP_CSUM, MAC_F_PEER, MacKind } from '../../src/maps/layout.js';
import {
  FLOOD, Judge, LEARNED, MOVES, RX_BYTES, RX_PACKETS, TC_ACT_OK, TC_ACT_REDIRECT, TC_ACT_SHOT, TX_PACKETS, isMulticast, macEntry, macKey,
  type Frame, type Run, type World,
} from './judge.js';
import { checkEncap, checkTooBig, oversize, sourceAllowed } from './port-rules.js';
import { GROUP, LOCAL_VTEP, type PortModel } from './scenario.js';

/** Drops that happen before the source is learned: the frame may change nothing but its drop counter. */
const BEFORE_LEARNING = new Set(['unknown_vni', 'inner_malformed', 'spoofed_source', 'static_mac_conflict', 'mac_limit']);
/** Drops after learning (rule 3 comes before rules 4-8): the source's entry and tx counters may move. */
const AFTER_LEARNING = new Set(['hairpin', 'storm', 'mtu_non_ip', 'mtu_icmp_sent', 'mtu_exceeded', 'icmp_ratelimit', 'no_vtep', 'no_neighbor', 'encap_failed', 'truncated', 'redirect_failed']);

const groupMac = (g: number): string => `01:00:5e:${[(g >>> 16) & 0x7f, (g >>> 8) & 0xff, g & 0xff].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;

export function judgePort(w: World, f: Frame, r: Run): Judge {
  const j = new Judge(f, r);
  const d = f.data;
  const port = w.sc.ports.get(f.ifindex);
  if (!port) {
    // Rule 1: not a port of ours.
    j.check(r.verdict === TC_ACT_OK, `verdict ${r.verdict} for a frame of an interface that is not a port (want TC_ACT_OK)`);
    j.unchanged();
    j.noDrop();
    j.counters(undefined, {});
    j.quiet = true;
    return j;
  }
  const seg = w.sc.segments.get(port.vni);
  if (!seg) {
    j.check(r.verdict === TC_ACT_SHOT, `verdict ${r.verdict} for a port of a VNI not bound here`);
    j.oneDrop(0, 'unknown_vni');
    j.counters(undefined, {});
    j.quiet = true;
    return j;
  }
  if (!j.check(r.verdict === TC_ACT_SHOT || r.verdict === TC_ACT_REDIRECT, `verdict ${r.verdict} (want TC_ACT_SHOT or TC_ACT_REDIRECT)`)) return j;

  const vni = port.vni;
  const drop = j.theDrop();
  const flooded = j.delta(vni, FLOOD) > 0n || j.failedCopies > 0n;
  const targets = BigInt(seg.ports.filter((p) => p !== port.ifindex).length);
  j.check(j.failedCopies <= targets, `${j.failedCopies} local flood copies failed, the segment has ${targets} other port(s)`);
  j.check(!drop || drop.vni === vni, `drop counted under VNI ${drop?.vni}, the port's is ${vni}`);
  j.check(!drop || BEFORE_LEARNING.has(drop.reason) || AFTER_LEARNING.has(drop.reason), `from_port counted reason ${drop?.reason}`);
  // Every frame that vanished is counted: a SHOT without a drop is a flood whose copies were all clones.
  j.check(r.verdict !== TC_ACT_SHOT || drop !== undefined || flooded, 'TC_ACT_SHOT with no drop counted and no flood copy sent or counted');

  // Rules 2-3 and "Security": checks that come before learning, in the documented order.
  const expected = preLearnDrop(w, port, d);
  if (expected) {
    j.check(r.verdict === TC_ACT_SHOT && drop?.reason === expected, `want a ${expected} drop, got verdict ${r.verdict} / ${drop?.reason ?? 'no drop'}`);
    j.counters(undefined, {});
    j.quiet = true;
    return j;
  }
  // After learning, inner_malformed means an IP header too short to encapsulate (rule 5).
  j.check(!drop || !BEFORE_LEARNING.has(drop.reason) || (drop.reason === 'inner_malformed' && shortIpHeader(d)),
    `dropped as ${drop?.reason}, which the rules do not call for here`);

  // Learned (rule 3): the source entry, the ports' learned-MAC counts, this segment's counters.
  const srcKey = macKey(vni, d, 6);
  const before = w.mac(vni, d.subarray(6, 12));
  const movedFrom = before?.kind === MacKind.Local && !before.static ? before.ifindex : -1;
  j.allow('vx_macs', (c) => {
    if (!c.key.equals(srcKey) || !c.after) return 'a MAC entry other than the frame\'s source changed, or one was removed';
    const e = macEntry(c.after);
    return e.kind === MacKind.Local && e.ifindex === port.ifindex && e.flags === (port.peer ? MAC_F_PEER : 0) && e.vtep === 0
      ? undefined : `source learned as ${JSON.stringify(e)}, want local on ${port.name}`;
  }, srcKey);
  j.allow('vx_port_state', (c) => {
    const ifindex = c.key.readUInt32LE(0);
    if (ifindex !== port.ifindex && ifindex !== movedFrom) return `port state of ifindex ${ifindex} changed`;
    const macs = c.after?.readUInt32LE(4) ?? 0;
    const max = w.sc.ports.get(ifindex)?.maxMacs ?? 0;
    return max && macs > max ? `port ${ifindex} holds ${macs} learned MACs, its limit is ${max}` : undefined;
  }, u32(port.ifindex), ...(movedFrom > 0 ? [u32(movedFrom)] : []));
  j.allow('vx_ports', (c) => (c.key.readUInt32LE(0) === port.ifindex && c.before && c.after && c.before.subarray(16).equals(c.after.subarray(16)) && c.before.subarray(0, 8).equals(c.after.subarray(0, 8))
    ? undefined : 'a port entry changed beyond the ingress port\'s ICMP rate-limit time'), u32(port.ifindex));
  j.counters(vni, { [RX_PACKETS]: 0n, [RX_BYTES]: 0n, [TX_PACKETS]: 1n, [LEARNED]: 1n, [MOVES]: 1n });
  j.check(j.delta(vni, TX_PACKETS) === 1n, 'a frame past learning not counted as tx');

  // Rule 4: where it goes.
  const dstBefore = d.subarray(0, 6).equals(d.subarray(6, 12)) ? { kind: MacKind.Local, ifindex: port.ifindex, vtep: 0, flags: 0, static: false } : w.mac(vni, d.subarray(0, 6));
  const unicast = !isMulticast(d, 0);
  const cfg = w.sc.config;
  if (unicast && dstBefore?.kind === MacKind.Local) {
    if (dstBefore.ifindex === port.ifindex) {
      j.check(drop?.reason === 'hairpin', `destination on the ingress port: want a hairpin drop, got ${r.verdict} / ${drop?.reason ?? 'no drop'}`);
      return j;
    }
    j.check(!drop && r.verdict === TC_ACT_REDIRECT && r.out.equals(d), 'a known local destination is switched unchanged');
    j.check(w.sc.ports.get(dstBefore.ifindex)?.vni === vni, `switched to ifindex ${dstBefore.ifindex}, not a port of segment ${vni}`);
    return j;
  }
  const remote = unicast && dstBefore?.kind === MacKind.Remote;
  j.check(remote || !drop || drop.reason !== 'hairpin', 'a hairpin drop for a destination that is not local');
  j.check(!remote || !flooded, 'a known remote destination was flooded');
  j.check(flooded || !j.failedCopies, 'redirect_failed for a frame that was not flooded');
  j.check(drop?.reason !== 'storm' || (!remote && port.stormPps > 0), 'a storm drop for known unicast, or on a port without a storm rate');
  if (drop && /^mtu_(non_ip|exceeded)$|^icmp_ratelimit$/.test(drop.reason)) j.check(oversize(d) || f.gsoSize !== undefined, `${drop.reason} for a frame that fits`);
  if (r.verdict !== TC_ACT_REDIRECT) return j;

  // What left: an ICMP too-big back to the VM, the frame itself to the kernel's vxlan device, or VXLAN.
  if (drop?.reason === 'mtu_icmp_sent') {
    checkTooBig(j, d, r.out, f.gsoSize !== undefined);
    return j;
  }
  // A head-end copy that could not be sent costs only itself: for a next hop not resolved, or
  // (test runs only) a GSO skb without a GSO type, which the uplink cannot take.
  const lostCopy = drop?.reason === 'no_neighbor' && !remote && seg.mode === 'unicast'
    && (f.gsoSize !== undefined || seg.flood.some((a) => w.neighbour(parseIpv4(a)) === undefined));
  j.check(!drop || lostCopy, `a redirected frame counted a drop (${drop?.reason})`);
  if (r.out.equals(d)) {
    const noDf = d.readUInt16BE(12) === 0x0800 && d.length >= 34 && (d.readUInt16BE(20) & 0x4000) === 0;
    j.check(cfg.tunnelIfindex !== 0 && ((cfg.flags & CFG_F_UDP_CSUM) !== 0 || (noDf && (oversize(d) || f.gsoSize !== undefined))),
      'frame left unencapsulated without a reason for the kernel device');
    return j;
  }
  const dsts = new Map<number, string>();
  const nextHopMac = (a: number): string => w.neighbour(a) ?? '00:00:00:00:00:00'; // unresolved: the kernel's neighbour queue fills it
  if (remote) dsts.set(dstBefore!.vtep, nextHopMac(dstBefore!.vtep));
  else if (seg.mode === 'multicast') dsts.set(parseIpv4(GROUP), groupMac(parseIpv4(GROUP)));
  else if (seg.flood.length) dsts.set(parseIpv4(seg.flood.at(-1)!), nextHopMac(parseIpv4(seg.flood.at(-1)!)));
  checkEncap(j, { out: r.out, inner: d, vni, cfg, vtep: parseIpv4(LOCAL_VTEP), vtepMac: w.sc.uplinkMac, dsts });
  return j;
}

/** The drop rules 2-3 call for before learning, in the program's documented order; undefined: none. */
function preLearnDrop(w: World, port: PortModel, d: Buffer): string | undefined {
  if (isMulticast(d, 6)) return 'inner_malformed';
  if (port.secure && !sourceAllowed(port.secure, d)) return 'spoofed_source';
  const src = w.mac(port.vni, d.subarray(6, 12));
  if (src?.static) return 'static_mac_conflict';
  const mine = src?.kind === MacKind.Local && src.ifindex === port.ifindex;
  if (!mine && port.maxMacs && w.portMacs(port.ifindex) >= port.maxMacs) return 'mac_limit';
  return undefined;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}

/** An IPv4 or IPv6 frame too short for its IP header. */
function shortIpHeader(d: Buffer): boolean {
  const type = d.readUInt16BE(12);
  return (type === 0x0800 && d.length < 34) || (type === 0x86dd && d.length < 54);
}
