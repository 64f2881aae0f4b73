// Indexes derived from a committed state (ports per network, designated VTEPs, flood lists),
// computed once per state object and, for the common change, from the state it was made from.
import { parseIpv4 } from '../common/address.js';
import type { HostObj, PortObj, SegmentObj, VsmState } from './objects.js';

/** Indexes over one committed state, computed once per state object (states are immutable). */
interface Derived {
  designated: Map<string, Map<number, string>>;
  portsByNetwork: Map<string, PortObj[]>;
  /** Host -> (VNI -> number of its ports in that segment). */
  vnisByHost: Map<string, Map<number, number>>;
  segmentByVni: Map<number, SegmentObj>;
  /**
   * VNI -> a token replaced whenever any host's designated VTEP for that VNI changes: with the
   * segment object and the network's port list (both replaced, never edited), it tells the
   * host views which of their per-segment parts may have changed (views.ts).
   */
  designationToken: Map<number, object>;
  /**
   * Network -> a token replaced whenever one of its subnets changes (the DHCP fields of its
   * ports' view entries come from them); absent: the network has had no subnet change here.
   */
  subnetToken: Map<string, object>;
}

const derivedCache = new WeakMap<VsmState, Derived>();

/** The committed state a draft was copied from (its indexes are already built). */
const bases = new WeakMap<VsmState, VsmState>();

/** Records that `draft` is a copy of `base` (update() in rules.ts), so its indexes can start from base's. */
export function markDraft(draft: VsmState, base: VsmState): void {
  bases.set(draft, base);
}

export function baseOf(s: VsmState): VsmState | undefined {
  return bases.get(s);
}

/*
 * The designated VTEP of each (host, segment with a port on that host): spread over the host's
 * VTEPs by VNI order, so each VTEP takes a fair share of the segments' flood traffic; a VTEP
 * that goes away hands its segments to the others.
 */
function designate(h: HostObj | undefined, vnis: Map<number, number> | undefined): Map<number, string> {
  if (!h) return new Map();
  const sorted = [...(vnis?.keys() ?? [])].sort((a, b) => a - b);
  const addrs = h.vteps.map((v) => v.address).sort((a, b) => parseIpv4(a) - parseIpv4(b));
  return new Map(sorted.map((vni, i) => [vni, addrs[i % addrs.length]!]));
}

export function derived(s: VsmState): Derived {
  let d = derivedCache.get(s);
  if (d) return d;
  const base = bases.get(s);
  const prev = base && derivedCache.get(base);
  d = prev && onlyPortsChanged(base!, s) ? deriveFromPorts(base!, prev, s) : deriveAll(s);
  derivedCache.set(s, d);
  return d;
}

function onlyPortsChanged(a: VsmState, b: VsmState): boolean {
  return a.segmentation === b.segmentation && sameEntries(a.segments, b.segments) && sameEntries(a.hosts, b.hosts);
}

function sameEntries(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

function deriveAll(s: VsmState): Derived {
  const portsByNetwork = new Map<string, PortObj[]>();
  const vnisByHost = new Map<string, Map<number, number>>();
  for (const p of Object.values(s.ports)) {
    const seg = s.segments[p.network];
    if (!seg) continue;
    (portsByNetwork.get(p.network) ?? portsByNetwork.set(p.network, []).get(p.network)!).push(p);
    const vnis = vnisByHost.get(p.host) ?? vnisByHost.set(p.host, new Map()).get(p.host)!;
    vnis.set(seg.vni, (vnis.get(seg.vni) ?? 0) + 1);
  }
  const designated = new Map(Object.values(s.hosts).map((h) => [h.name, designate(h, vnisByHost.get(h.name))]));
  const segmentByVni = new Map(Object.values(s.segments).map((x) => [x.vni, x]));
  const subnetToken = new Map(Object.values(s.subnets).map((x) => [x.network, {}]));
  return { designated, portsByNetwork, vnisByHost, segmentByVni, designationToken: new Map([...segmentByVni.keys()].map((v) => [v, {}])), subnetToken };
}

/**
 * The common change (ports added or removed, nothing else): the indexes of the state it was
 * made from, adjusted for the ports that differ, instead of a pass over every port.
 */
function deriveFromPorts(a: VsmState, prev: Derived, b: VsmState): Derived {
  const changed: string[] = [];
  for (const k of changedKeys(a.ports, b.ports)) changed.push(k);
  const portsByNetwork = new Map(prev.portsByNetwork);
  const vnisByHost = new Map(prev.vnisByHost);
  const hosts = new Set<string>();
  const touch = (p: PortObj | undefined, delta: number): void => {
    const seg = p && b.segments[p.network];
    if (!p || !seg) return;
    hosts.add(p.host);
    const list = (portsByNetwork.get(p.network) ?? []).filter((x) => x.name !== p.name);
    if (delta > 0) list.push(p);
    portsByNetwork.set(p.network, list);
    const vnis = new Map(vnisByHost.get(p.host) ?? []);
    const n = (vnis.get(seg.vni) ?? 0) + delta;
    if (n > 0) vnis.set(seg.vni, n);
    else vnis.delete(seg.vni);
    vnisByHost.set(p.host, vnis);
  };
  for (const k of changed) {
    touch(a.ports[k], -1);
    touch(b.ports[k], +1);
  }
  const designated = new Map(prev.designated);
  let designationToken = prev.designationToken;
  for (const h of hosts) {
    if (!b.hosts[h]) continue;
    const before = prev.designated.get(h) ?? new Map<number, string>();
    const after = designate(b.hosts[h], vnisByHost.get(h));
    designated.set(h, after);
    for (const vni of new Set([...before.keys(), ...after.keys()])) {
      if (before.get(vni) === after.get(vni)) continue;
      if (designationToken === prev.designationToken) designationToken = new Map(designationToken);
      designationToken.set(vni, {});
    }
  }
  let subnetToken = prev.subnetToken;
  for (const k of changedKeys(a.subnets, b.subnets)) {
    if (subnetToken === prev.subnetToken) subnetToken = new Map(subnetToken);
    for (const x of [a.subnets[k], b.subnets[k]]) if (x) subnetToken.set(x.network, {});
  }
  return { designated, portsByNetwork, vnisByHost, segmentByVni: prev.segmentByVni, designationToken, subnetToken };
}

/** Keys whose entry differs between two shallow copies of one table (added, removed, replaced). */
export function* changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): Generator<string> {
  for (const k in b) if (a[k] !== b[k]) yield k;
  for (const k in a) if (!(k in b)) yield k;
}

export function designatedVteps(s: VsmState): Map<string, Map<number, string>> {
  return derived(s).designated;
}

/** Unicast-only flood list of `vni` seen from `host`: every other host's designated VTEP. */
export function floodList(s: VsmState, host: string, vni: number): string[] {
  const d = derived(s);
  const seg = d.segmentByVni.get(vni);
  const hosts = new Set((seg ? d.portsByNetwork.get(seg.name) ?? [] : []).map((p) => p.host));
  hosts.delete(host);
  const out = [...hosts].map((h) => d.designated.get(h)?.get(vni)).filter((v): v is string => v !== undefined);
  return [...new Set(out)].sort((a, b) => parseIpv4(a) - parseIpv4(b));
}
