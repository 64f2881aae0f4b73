// The VSM's rules, pure: every change is validated completely and applied to a copy, so a
// refused change leaves nothing half-written. No BPF, no I/O here.
import { inCidr, parseCidr, parseIpv4, type Cidr } from '../common/address.js';
import { SEG_VLAN_BIT, physnetNameProblem, vlanProblem } from '../common/vlan.js';
import { MAX_VTEPS_PER_HOST, groupProblem, tapName, vniProblem } from '../common/vxlan.js';
import { baseOf, derived, markDraft } from './indexes.js';
import { DEFAULT_POLICY, VsmError, type HostObj, type Origin, type PolicyObj, type PortObj, type SegmentObj, type SubnetObj, type VsmState } from './objects.js';
import { checkPortInterface, checkPortSources, checkStormPps, checkUnicastMac } from './port-security.js';

/** How the VSM's services change its state (VsmServer.commit). */
export interface Commit {
  state(): VsmState;
  /**
   * Applies a change atomically, persists it, tells the VEMs concerned; rejects with VsmError on a
   * rule, StaleStateError when another replica changed the state first (run the request again).
   */
  change(fn: (s: VsmState) => void, touches?: { networks?: string[]; hosts?: string[] }): Promise<void>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

function checkName(kind: string, name: string): void {
  if (!NAME_RE.test(name)) throw new VsmError('invalid', `${kind} name ${JSON.stringify(name)}: letters, digits, '.', '_', '-' (1-63)`);
}

function checkGroup(g: string): void {
  const problem = groupProblem(g);
  if (problem) throw new VsmError('invalid', problem);
}

/**
 * Applies `change` to a copy; the revision moves only when the change succeeded. The copy is
 * shallow per table: the functions below replace objects and never edit one in place, so the
 * untouched objects can be shared between the old state and the new one.
 */
export function update(state: VsmState, change: (s: VsmState) => void): VsmState {
  const next: VsmState = {
    ...state,
    segments: { ...state.segments },
    subnets: { ...state.subnets },
    policies: { ...state.policies },
    ports: { ...state.ports },
    hosts: { ...state.hosts },
  };
  markDraft(next, state);
  change(next);
  next.revision = state.revision + 1;
  return next;
}

/** A VLAN segment (vni 0 asks for the next free segment id) or a VXLAN one. */
export function createSegment(s: VsmState, seg: Omit<SegmentObj, 'origin'> & { origin?: Origin }): void {
  checkName('network', seg.name);
  if (!s.segmentation) throw new VsmError('conflict', 'the segmentation feature is disabled: enable it first');
  if (s.segments[seg.name]) throw new VsmError('conflict', `network ${seg.name} exists`);
  if (seg.mode === 'vlan') {
    createVlanSegment(s, seg);
    return;
  }
  const vniBad = vniProblem(seg.vni);
  if (vniBad) throw new VsmError('invalid', vniBad);
  const clash = Object.values(s.segments).find((x) => x.vni === seg.vni);
  if (clash) throw new VsmError('conflict', `VNI ${seg.vni} is used by network ${clash.name}`);
  if (seg.mode === 'multicast') {
    if (!seg.group) throw new VsmError('invalid', 'multicast mode needs a group');
    checkGroup(seg.group);
  } else if (seg.mode !== 'unicast') {
    throw new VsmError('invalid', `mode ${JSON.stringify(seg.mode)}: unicast, multicast or vlan`);
  } else if (seg.group) {
    throw new VsmError('invalid', 'a group is only valid in multicast mode');
  }
  s.segments[seg.name] = { name: seg.name, vni: seg.vni, mode: seg.mode, ...(seg.group ? { group: seg.group } : {}), origin: seg.origin ?? 'vsm', ...(seg.neutron ? { neutron: seg.neutron } : {}) };
}

function createVlanSegment(s: VsmState, seg: Omit<SegmentObj, 'origin'> & { origin?: Origin }): void {
  const bad = physnetNameProblem(seg.physnet ?? '') ?? vlanProblem(seg.vlan ?? 0);
  if (bad) throw new VsmError('invalid', bad);
  if (seg.group) throw new VsmError('invalid', 'a group is only valid in multicast mode');
  const clash = Object.values(s.segments).find((x) => x.mode === 'vlan' && x.physnet === seg.physnet && x.vlan === seg.vlan);
  if (clash) throw new VsmError('conflict', `VLAN ${seg.vlan} on physical network ${seg.physnet} is used by network ${clash.name}`);
  const used = new Set(Object.values(s.segments).map((x) => x.vni));
  let id = SEG_VLAN_BIT;
  while (used.has(id)) id++;
  s.segments[seg.name] = {
    name: seg.name, vni: id, mode: 'vlan', physnet: seg.physnet!, vlan: seg.vlan!, origin: seg.origin ?? 'vsm', ...(seg.neutron ? { neutron: seg.neutron } : {}),
  };
}

export function deleteSegment(s: VsmState, name: string): void {
  if (!s.segments[name]) throw new VsmError('not_found', `no network ${name}`);
  const users = Object.values(s.ports).filter((p) => p.network === name).map((p) => p.name);
  if (users.length) throw new VsmError('in_use', `network ${name} has ports: ${users.join(', ')}`);
  const subnets = Object.values(s.subnets).filter((x) => x.network === name).map((x) => x.name);
  if (subnets.length) throw new VsmError('in_use', `network ${name} has subnets: ${subnets.join(', ')}`);
  delete s.segments[name];
}

export function createSubnet(s: VsmState, n: Omit<SubnetObj, 'origin'> & { origin?: Origin }): void {
  checkName('subnet', n.name);
  if (s.subnets[n.name]) throw new VsmError('conflict', `subnet ${n.name} exists`);
  if (!s.segments[n.network]) throw new VsmError('not_found', `no network ${n.network}`);
  let cidr: Cidr;
  try {
    cidr = parseCidr(n.cidr);
  } catch {
    throw new VsmError('invalid', `CIDR ${JSON.stringify(n.cidr)}: expected A.B.C.D/LEN`);
  }
  if (parseIpv4(cidr.address) !== cidr.network) throw new VsmError('invalid', `CIDR ${n.cidr} has host bits set`);
  if (n.gateway) {
    try {
      parseIpv4(n.gateway);
    } catch {
      throw new VsmError('invalid', `gateway ${JSON.stringify(n.gateway)} is not an IPv4 address`);
    }
    if (!inCidr(cidr, n.gateway)) throw new VsmError('invalid', `gateway ${n.gateway} is outside ${n.cidr}`);
  }
  const overlap = Object.values(s.subnets).find((x) => x.network === n.network && x.cidr === n.cidr);
  if (overlap) throw new VsmError('conflict', `${n.cidr} is already subnet ${overlap.name} of ${n.network}`);
  s.subnets[n.name] = { name: n.name, network: n.network, cidr: n.cidr, ...(n.gateway ? { gateway: n.gateway } : {}), origin: n.origin ?? 'vsm', ...(n.neutron ? { neutron: n.neutron } : {}) };
}

export function deleteSubnet(s: VsmState, name: string): void {
  if (!s.subnets[name]) throw new VsmError('not_found', `no subnet ${name}`);
  delete s.subnets[name];
}

export function createPolicy(s: VsmState, p: PolicyObj): void {
  checkName('policy', p.name);
  if (s.policies[p.name]) throw new VsmError('conflict', `policy ${p.name} exists`);
  checkStormPps(p.stormPps);
  s.policies[p.name] = { name: p.name, portSecurity: p.portSecurity, ...(p.stormPps ? { stormPps: p.stormPps } : {}) };
}

export function deletePolicy(s: VsmState, name: string): void {
  if (!s.policies[name]) throw new VsmError('not_found', `no policy ${name}`);
  if (name === DEFAULT_POLICY) throw new VsmError('conflict', 'the default policy cannot be deleted');
  const users = Object.values(s.ports).filter((p) => p.policy === name).map((p) => p.name);
  if (users.length) throw new VsmError('in_use', `policy ${name} is used by ports: ${users.join(', ')}`);
  delete s.policies[name];
}

/** A port with host '' is not bound to a host yet (Neutron creates ports before Nova binds them). */
type OptionalPortFields = 'origin' | 'policy' | 'interface' | 'neutron' | 'addresses' | 'allowedPairs' | 'portSecurity';
export function createPort(s: VsmState, p: Omit<PortObj, OptionalPortFields> & Partial<Pick<PortObj, OptionalPortFields>>): void {
  checkName('port', p.name);
  if (s.ports[p.name]) throw new VsmError('conflict', `port ${p.name} exists`);
  if (!s.segments[p.network]) throw new VsmError('not_found', `no network ${p.network}`);
  if (p.host !== '') checkName('host', p.host);
  const policy = p.policy ?? DEFAULT_POLICY;
  if (!s.policies[policy]) throw new VsmError('not_found', `no policy ${policy}`);
  const mac = checkUnicastMac(p.mac);
  const macs = macIndex(s, p.network);
  const clash = macs.get(`${p.network}/${mac}`);
  if (clash) throw new VsmError('conflict', `MAC ${mac} is used by port ${clash} on ${p.network}`);
  const iface = p.interface ?? tapName(p.name);
  checkPortInterface(s, p.host, iface);
  const sources = checkPortSources(p.addresses, p.allowedPairs);
  s.ports[p.name] = {
    name: p.name, network: p.network, host: p.host, mac, policy, interface: iface, origin: p.origin ?? 'vsm', ...(p.neutron ? { neutron: p.neutron } : {}),
    ...(sources.addresses.length ? { addresses: sources.addresses } : {}),
    ...(sources.allowedPairs.length ? { allowedPairs: sources.allowedPairs } : {}),
    ...(p.portSecurity === false ? { portSecurity: false } : {}),
  };
  macs.set(`${p.network}/${mac}`, p.name);
}

/**
 * (network, MAC) -> port for a draft under change. Built from the ports of the base state's
 * networks on demand (one network at a time), then kept up to date by createPort/deletePort.
 */
const macIndexes = new WeakMap<VsmState, Map<string, string>>();
function macIndex(s: VsmState, network: string): Map<string, string> {
  let m = macIndexes.get(s);
  if (!m) macIndexes.set(s, (m = new Map()));
  const seen = `${network}/`;
  if (!m.has(seen)) {
    m.set(seen, '');
    const base = baseOf(s);
    const ports = base ? derived(base).portsByNetwork.get(network) ?? [] : Object.values(s.ports).filter((x) => x.network === network);
    for (const x of ports) if (s.ports[x.name] === x) m.set(`${network}/${x.mac}`, x.name);
  }
  return m;
}

export function deletePort(s: VsmState, name: string): void {
  const p = s.ports[name];
  if (!p) throw new VsmError('not_found', `no port ${name}`);
  if (p.trunk) throw new VsmError('in_use', `port ${name} is the parent of trunk ${p.trunk.id}: delete the trunk first`);
  if (p.subportOf) throw new VsmError('in_use', `port ${name} is a subport of ${p.subportOf.parent}'s trunk: remove it from the trunk first`);
  macIndexes.get(s)?.delete(`${p.network}/${p.mac}`);
  delete s.ports[name];
}

/** A VEM registering (or re-registering) its VTEPs. */
export function registerHost(s: VsmState, h: HostObj): void {
  checkName('host', h.name);
  if (h.vteps.length < 1 || h.vteps.length > MAX_VTEPS_PER_HOST) throw new VsmError('invalid', `host ${h.name}: 1 to ${MAX_VTEPS_PER_HOST} VTEPs`);
  const seen = new Set<string>();
  for (const v of h.vteps) {
    try {
      parseIpv4(v.address);
      if (v.gateway) parseIpv4(v.gateway);
    } catch {
      throw new VsmError('invalid', `host ${h.name}: bad VTEP ${JSON.stringify(v)}`);
    }
    if (!Number.isInteger(v.prefixLength) || v.prefixLength < 0 || v.prefixLength > 32) {
      throw new VsmError('invalid', `host ${h.name}: VTEP ${v.address} has prefix length ${v.prefixLength}, not 0..32`);
    }
    if (seen.has(v.address)) throw new VsmError('invalid', `host ${h.name}: VTEP ${v.address} twice`);
    seen.add(v.address);
  }
  for (const n of h.physnets ?? []) {
    const bad = physnetNameProblem(n);
    if (bad) throw new VsmError('invalid', `host ${h.name}: ${bad}`);
  }
  for (const other of Object.values(s.hosts)) {
    if (other.name === h.name) continue;
    const dup = other.vteps.find((v) => seen.has(v.address));
    if (dup) throw new VsmError('conflict', `VTEP ${dup.address} belongs to host ${other.name}`);
  }
  s.hosts[h.name] = structuredClone(h);
}

/**
 * Removes a host that is gone (its VTEPs become free for another host). Refused while ports are
 * bound to it: delete or move them first, as for a network's ports.
 */
export function deleteHost(s: VsmState, name: string): void {
  if (!s.hosts[name]) throw new VsmError('not_found', `no host ${name}`);
  const ports = Object.values(s.ports).filter((p) => p.host === name).map((p) => p.name);
  if (ports.length) {
    const more = ports.length > 10 ? ` and ${ports.length - 10} more` : '';
    throw new VsmError('in_use', `host ${name} has ports: ${ports.slice(0, 10).join(', ')}${more}`);
  }
  delete s.hosts[name];
}

/** Dynamic port profiles: one per (policy, segment) pair in use, shared by its ports. */
export function portProfiles(s: VsmState): { name: string; policy: string; network: string; ports: string[] }[] {
  const by = new Map<string, { name: string; policy: string; network: string; ports: string[] }>();
  for (const p of Object.values(s.ports)) {
    const key = `${p.policy}\u0000${p.network}`;
    const prof = by.get(key) ?? { name: `dyn-${p.policy}-${p.network}`, policy: p.policy, network: p.network, ports: [] };
    prof.ports.push(p.name);
    by.set(key, prof);
  }
  return [...by.values()].map((x) => ({ ...x, ports: x.ports.sort() })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Disabling segmentation: refused while a port uses a VXLAN port profile; then drops all segments. */
export function setSegmentation(s: VsmState, enabled: boolean): void {
  if (enabled) {
    s.segmentation = true;
    return;
  }
  const inUse = portProfiles(s);
  if (inUse.length) {
    throw new VsmError('in_use', `segmentation is in use by port profiles: ${inUse.map((p) => `${p.name} (${p.ports.join(', ')})`).join('; ')}`);
  }
  s.segmentation = false;
  s.segments = {};
  s.subnets = {};
}
