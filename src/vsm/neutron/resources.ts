// Networks, subnets and ports as Neutron presents them, on top of the VSM's model. Objects made
// here are keyed by UUID and carry origin 'neutron'; only those are visible through this API
// (what was made on the VSM directly is not OpenStack's, and `vxvem sync` removes it). Every
// request is one model change: validated completely, then committed, or refused with nothing written.
import { randomBytes, randomUUID } from 'node:crypto';
import { AddressError, normalizeMac, parseCidr, parseIpv4 } from '../../common/address.js';
import { derived } from '../indexes.js';
import { VsmError, type PortObj, type SegmentObj, type SubnetObj, type VsmState } from '../objects.js';
import { keepingTrunk, subportNetworks, trunkDetails } from '../trunks.js';
import { createPort, createSegment, createSubnet, deletePort, deleteSegment, deleteSubnet, type Commit } from '../rules.js';
import { NETWORK_ATTRS, PORT_ATTRS, SUBNET_ATTRS, checkBody } from './attrs.js';
import { badRequest, conflict, fromVsmError, notFound } from './errors.js';
import { checkGateway, checkPools, cidrRange, defaultGateway, defaultPools, firstFree, inPools, type Pool } from './ipam.js';
import { checkMtu, DEFAULT_RANGES, mtuMax, profileOf, providerView, segmentFor, type SegmentRanges } from './segments.js';
import { addressPairs, checkPairsNeedSecurity, checkSecurityGroups, portSecurityEnabled, securityView } from './port-security.js';

export type Kind = 'networks' | 'subnets' | 'ports';
type View = Record<string, unknown>;
interface FixedIp { subnet_id: string; ip_address: string }

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);

function stamp(prev: Record<string, unknown> | undefined, changes: Record<string, unknown>): Record<string, unknown> {
  const t = now();
  return { ...(prev ?? { created_at: t, revision_number: 0 }), ...changes, updated_at: t, revision_number: Number(prev?.revision_number ?? 0) + 1 };
}

/** A subnet's change is its network's too (Neutron raises the network's revision_number). */
function bumpNetwork(s: VsmState, network: string): void {
  const seg = s.segments[network];
  if (seg?.neutron) s.segments[network] = { ...seg, neutron: stamp(seg.neutron, {}) };
}

function project(obj: Record<string, unknown>, prev?: Record<string, unknown>): string {
  return str(obj.project_id, str(obj.tenant_id, str(prev?.project_id)));
}

export class NeutronResources {
  constructor(private readonly vsm: Commit, private readonly ranges: SegmentRanges = DEFAULT_RANGES) {}

  private get s(): VsmState {
    return this.vsm.state();
  }

  private async commit(fn: (s: VsmState) => void, touches: { networks?: string[]; hosts?: string[] }): Promise<void> {
    try {
      await this.vsm.change(fn, touches);
    } catch (e) {
      throw e instanceof VsmError ? fromVsmError(e) : e;
    }
  }

  // ---- views ------------------------------------------------------------------------------

  networkView(seg: SegmentObj): View {
    const n = seg.neutron ?? {};
    return {
      id: seg.name, name: str(n.name), tenant_id: str(n.project_id), project_id: str(n.project_id),
      admin_state_up: n.admin_state_up ?? true, status: 'ACTIVE',
      subnets: Object.values(this.s.subnets).filter((x) => x.network === seg.name).map((x) => x.name),
      shared: n.shared ?? false, mtu: n.mtu ?? mtuMax(seg), port_security_enabled: n.port_security_enabled ?? true,
      ...providerView(seg), 'n1kv:profile': profileOf(seg),
      'router:external': false, availability_zone_hints: [], availability_zones: [], description: str(n.description), tags: n.tags ?? [],
      created_at: n.created_at, updated_at: n.updated_at, revision_number: n.revision_number,
    };
  }

  subnetView(x: SubnetObj): View {
    const n = x.neutron ?? {};
    return {
      id: x.name, name: str(n.name), network_id: x.network, tenant_id: str(n.project_id), project_id: str(n.project_id),
      ip_version: 4, cidr: x.cidr, gateway_ip: x.gateway ?? null, allocation_pools: n.allocation_pools ?? [],
      enable_dhcp: n.enable_dhcp ?? true, dns_nameservers: n.dns_nameservers ?? [], host_routes: n.host_routes ?? [],
      description: str(n.description), subnetpool_id: null, ipv6_ra_mode: null, ipv6_address_mode: null, service_types: [], tags: n.tags ?? [],
      created_at: n.created_at, updated_at: n.updated_at, revision_number: n.revision_number,
    };
  }

  portView(p: PortObj): View {
    const n = p.neutron ?? {};
    return {
      id: p.name, name: str(n.name), network_id: p.network, tenant_id: str(n.project_id), project_id: str(n.project_id),
      mac_address: p.mac, fixed_ips: n.fixed_ips ?? [], admin_state_up: n.admin_state_up ?? true,
      device_id: str(n.device_id), device_owner: str(n.device_owner), // status and binding:vif_*: core.ts (runtime state)
      security_groups: [], ...securityView(p, this.s.policies[p.policy]?.portSecurity ?? true),
      'binding:host_id': p.host, 'binding:profile': n['binding:profile'] ?? {},
      'binding:vnic_type': 'normal', 'n1kv:profile': p.policy,
      extra_dhcp_opts: [], description: str(n.description), tags: n.tags ?? [],
      created_at: n.created_at, updated_at: n.updated_at, revision_number: n.revision_number, 'vxvem.interface': p.interface,
      ...(p.trunk ? { trunk_details: trunkDetails(this.s, p) } : {}),
    };
  }

  private table(kind: Kind): Record<string, SegmentObj | SubnetObj | PortObj> {
    return kind === 'networks' ? this.s.segments : kind === 'subnets' ? this.s.subnets : this.s.ports;
  }

  private view(kind: Kind, o: SegmentObj | SubnetObj | PortObj): View {
    return kind === 'networks' ? this.networkView(o as SegmentObj) : kind === 'subnets' ? this.subnetView(o as SubnetObj) : this.portView(o as PortObj);
  }

  /** The VSM's policies as N1KV policy profiles (their id is the policy's name). */
  policyProfiles(): View[] {
    return Object.values(this.s.policies).map((p) => ({ id: p.name, name: p.name, port_security: p.portSecurity }));
  }

  list(kind: Kind): View[] {
    return Object.values(this.table(kind)).filter((o) => o.origin === 'neutron').map((o) => this.view(kind, o));
  }

  show(kind: Kind, id: string): View {
    return this.view(kind, this.find(kind, id));
  }

  private find(kind: Kind, id: string): SegmentObj | SubnetObj | PortObj {
    const o = this.table(kind)[id];
    if (!o || o.origin !== 'neutron') {
      const what = { networks: 'Network', subnets: 'Subnet', ports: 'Port' }[kind];
      throw notFound(`${what}NotFound`, `${what} ${id} could not be found.`);
    }
    return o;
  }

  // ---- networks ---------------------------------------------------------------------------

  async createNetwork(body: unknown): Promise<View> {
    const b = checkBody(body, 'network', NETWORK_ATTRS, 'create');
    if (b['router:external'] === true) throw badRequest('Invalid input for operation: external networks are not supported.', 'InvalidInput');
    const spec = segmentFor(this.s, b, this.ranges);
    checkMtu(b.mtu, spec);
    const id = randomUUID();
    const attrs = stamp(undefined, {
      name: str(b.name), description: str(b.description), project_id: project(b), admin_state_up: b.admin_state_up ?? true,
      shared: b.shared ?? false, ...(b.mtu !== undefined ? { mtu: Number(b.mtu) } : {}), tags: b.tags ?? [],
      ...(b.port_security_enabled !== undefined ? { port_security_enabled: b.port_security_enabled } : {}),
    });
    await this.commit((s) => createSegment(s, { name: id, ...spec, origin: 'neutron', neutron: attrs }), { networks: [id] });
    return this.show('networks', id);
  }

  async updateNetwork(id: string, body: unknown): Promise<View> {
    const b = checkBody(body, 'network', NETWORK_ATTRS, 'update');
    const seg = this.find('networks', id) as SegmentObj;
    if (b['router:external'] === true) throw badRequest('Invalid input for operation: external networks are not supported.', 'InvalidInput');
    checkMtu(b.mtu, seg);
    const changes = Object.fromEntries(Object.entries(b).filter(([k]) => k !== 'router:external').map(([k, v]) => [k, k === 'mtu' ? Number(v) : v]));
    await this.commit((s) => void (s.segments[id] = { ...seg, neutron: stamp(seg.neutron, changes) }), { networks: [id] });
    return this.show('networks', id);
  }

  async deleteNetwork(id: string): Promise<void> {
    this.find('networks', id);
    if (this.portsOf(id).length) throw conflict('NetworkInUse', `Unable to complete operation on network ${id}. There are one or more ports still in use on the network.`);
    // As in Neutron, the network's subnets go with it.
    const subnets = Object.values(this.s.subnets).filter((x) => x.network === id).map((x) => x.name);
    await this.commit((s) => {
      for (const x of subnets) deleteSubnet(s, x);
      deleteSegment(s, id);
    }, { networks: [id] });
  }

  // ---- subnets ----------------------------------------------------------------------------

  async createSubnet(body: unknown): Promise<View> {
    const b = checkBody(body, 'subnet', SUBNET_ATTRS, 'create');
    const network = str(b.network_id);
    if (!network) throw badRequest("Failed to parse request. Required attribute 'network_id' not specified", 'InvalidInput');
    this.find('networks', network);
    if (b.ip_version !== undefined && Number(b.ip_version) !== 4) throw badRequest(`Invalid input for ip_version. Reason: only IPv4 (4) is supported, got ${String(b.ip_version)}.`, 'InvalidInput');
    const cidr = str(b.cidr);
    if (!cidr) throw badRequest("Failed to parse request. Required attribute 'cidr' not specified", 'InvalidInput');
    if (Object.values(this.s.subnets).some((x) => x.network === network && overlaps(x.cidr, cidr))) {
      throw badRequest(`Invalid input for operation: Requested subnet with cidr: ${cidr} for network: ${network} overlaps with another subnet.`, 'InvalidInput');
    }
    const gateway = b.gateway_ip === null ? null : str(b.gateway_ip) || (validCidr(cidr) ? defaultGateway(cidr) : '');
    checkGateway(gateway);
    const pools = validCidr(cidr) ? (b.allocation_pools !== undefined ? checkPools(cidr, gateway, b.allocation_pools as unknown[]) : defaultPools(cidr, gateway)) : [];
    const id = randomUUID();
    const attrs = stamp(undefined, {
      name: str(b.name), description: str(b.description), project_id: project(b), allocation_pools: pools,
      enable_dhcp: b.enable_dhcp ?? true, dns_nameservers: b.dns_nameservers ?? [], host_routes: b.host_routes ?? [], tags: b.tags ?? [],
    });
    // The network's hosts are told: their ports' DHCP answers come from its subnets.
    await this.commit((s) => {
      createSubnet(s, { name: id, network, cidr, ...(gateway ? { gateway } : {}), origin: 'neutron', neutron: attrs });
      bumpNetwork(s, network);
    }, { networks: [network] });
    return this.show('subnets', id);
  }

  async updateSubnet(id: string, body: unknown): Promise<View> {
    const b = checkBody(body, 'subnet', SUBNET_ATTRS, 'update');
    const x = this.find('subnets', id) as SubnetObj;
    const gateway = b.gateway_ip === undefined ? x.gateway ?? null : (b.gateway_ip as string | null);
    checkGateway(gateway);
    const pools = b.allocation_pools !== undefined ? checkPools(x.cidr, gateway, b.allocation_pools as unknown[]) : (x.neutron?.allocation_pools as Pool[] | undefined) ?? [];
    if (gateway && inPools(pools, gateway)) throw badRequest(`Gateway ip ${gateway} conflicts with allocation pool.`, 'GatewayConflictWithAllocationPools');
    const { gateway_ip: _g, allocation_pools: _p, ...rest } = b;
    await this.commit((s) => {
      deleteSubnet(s, id);
      createSubnet(s, { name: id, network: x.network, cidr: x.cidr, ...(gateway ? { gateway } : {}), origin: 'neutron', neutron: stamp(x.neutron, { ...rest, allocation_pools: pools }) });
      bumpNetwork(s, x.network);
    }, { networks: [x.network] });
    return this.show('subnets', id);
  }

  async deleteSubnet(id: string): Promise<void> {
    const x = this.find('subnets', id) as SubnetObj;
    const user = this.portsOf(x.network).find((p) => ((p.neutron?.fixed_ips as FixedIp[] | undefined) ?? []).some((f) => f.subnet_id === id));
    if (user) throw conflict('SubnetInUse', `Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`);
    await this.commit((s) => {
      deleteSubnet(s, id);
      bumpNetwork(s, x.network);
    }, { networks: [x.network] });
  }

  // ---- ports ------------------------------------------------------------------------------

  /** The network's ports, from the model's index (a scan of every port would not scale). */
  private portsOf(network: string): PortObj[] {
    return derived(this.s).portsByNetwork.get(network) ?? [];
  }

  private usedIps(subnet: string, except?: string): Set<string> {
    const used = new Set<string>();
    const network = this.s.subnets[subnet]?.network ?? '';
    for (const p of this.portsOf(network)) {
      if (p.name === except) continue;
      for (const f of (p.neutron?.fixed_ips as FixedIp[] | undefined) ?? []) if (f.subnet_id === subnet) used.add(f.ip_address);
    }
    return used;
  }

  /** The port's fixed IPs: as asked (checked), or one free address of the network's first subnet. */
  private fixedIps(network: string, asked: unknown, portId: string): FixedIp[] {
    const subnets = Object.values(this.s.subnets).filter((x) => x.network === network && x.origin === 'neutron');
    if (asked === undefined) {
      const first = subnets[0];
      if (!first) return [];
      return [{ subnet_id: first.name, ip_address: this.allocate(first, portId) }];
    }
    return (asked as unknown[]).map((raw) => {
      const f = raw as { subnet_id?: unknown; ip_address?: unknown };
      if (typeof f !== 'object' || f === null) throw badRequest('Invalid input for fixed_ips: each entry is an object.', 'InvalidInput');
      const ip = typeof f.ip_address === 'string' ? f.ip_address : undefined;
      const subnet = typeof f.subnet_id === 'string'
        ? subnets.find((x) => x.name === f.subnet_id)
        : ip ? subnets.find((x) => contains(x.cidr, ip)) : undefined;
      if (!subnet) throw badRequest(`Invalid input for fixed_ips: no subnet ${String(f.subnet_id ?? ip)} on network ${network}.`, 'InvalidInput');
      if (!ip) return { subnet_id: subnet.name, ip_address: this.allocate(subnet, portId) };
      if (!contains(subnet.cidr, ip)) throw badRequest(`IP address ${ip} is not a valid IP for the specified subnet.`, 'InvalidIpForSubnet');
      if (this.usedIps(subnet.name, portId).has(ip) || ip === subnet.gateway) throw conflict('IpAddressInUse', `Unable to complete operation for network ${network}. The IP address ${ip} is in use.`);
      return { subnet_id: subnet.name, ip_address: ip };
    });
  }

  private allocate(subnet: SubnetObj, portId: string): string {
    const ip = firstFree((subnet.neutron?.allocation_pools as Pool[] | undefined) ?? [], this.usedIps(subnet.name, portId));
    if (!ip) throw conflict('IpAddressGenerationFailure', `No more IP addresses available on network ${subnet.network}.`);
    return ip;
  }

  private policyOf(b: Record<string, unknown>, prev?: string): string {
    const profile = b['binding:profile'] as Record<string, unknown> | undefined;
    const asked = str(b['n1kv:profile'], str(profile?.n1kv_profile));
    if (!asked) return prev ?? 'default';
    if (!this.s.policies[asked]) throw notFound('PolicyProfileNotFound', `Policy Profile ${asked} could not be found.`);
    return asked;
  }

  private freeMac(network: string): string {
    const used = new Set(this.portsOf(network).map((p) => p.mac));
    for (;;) {
      const mac = `fa:16:3e:${[...randomBytes(3)].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
      if (!used.has(mac)) return mac;
    }
  }

  private checkMac(network: string, mac: string, except?: string): string {
    let norm: string;
    try {
      norm = normalizeMac(mac);
    } catch (e) {
      if (!(e instanceof AddressError)) throw e;
      throw badRequest(`Invalid input for mac_address. Reason: '${mac}' is not a valid MAC address.`, 'InvalidInput');
    }
    if (this.portsOf(network).some((p) => p.mac === norm && p.name !== except)) {
      throw conflict('MacAddressInUse', `Unable to complete operation for network ${network}. The mac address ${norm} is in use.`);
    }
    return norm;
  }

  async createPort(body: unknown): Promise<View> {
    const b = checkBody(body, 'port', PORT_ATTRS, 'create');
    const network = str(b.network_id);
    if (!network) throw badRequest("Failed to parse request. Required attribute 'network_id' not specified", 'InvalidInput');
    this.find('networks', network);
    checkSecurityGroups(b.security_groups);
    const id = randomUUID();
    const mac = b.mac_address !== undefined ? this.checkMac(network, str(b.mac_address)) : this.freeMac(network);
    const policy = this.policyOf(b);
    const fixed = this.fixedIps(network, b.fixed_ips, id);
    const host = str(b['binding:host_id']);
    const allowedPairs = b.allowed_address_pairs !== undefined ? addressPairs(b.allowed_address_pairs as unknown[]) : [];
    const portSecurity = portSecurityEnabled(b.port_security_enabled, undefined, this.s.segments[network]?.neutron?.port_security_enabled);
    checkPairsNeedSecurity(portSecurity, allowedPairs);
    const attrs = stamp(undefined, {
      name: str(b.name), description: str(b.description), project_id: project(b), fixed_ips: fixed, device_id: str(b.device_id),
      device_owner: str(b.device_owner), admin_state_up: b.admin_state_up ?? true, 'binding:profile': b['binding:profile'] ?? {}, tags: b.tags ?? [],
    });
    const addresses = fixed.map((f) => f.ip_address);
    await this.commit((s) => createPort(s, { name: id, network, host, mac, policy, origin: 'neutron', neutron: attrs, addresses, allowedPairs, portSecurity }),
      { networks: [network], hosts: host ? [host] : [] });
    return this.show('ports', id);
  }

  async updatePort(id: string, body: unknown): Promise<View> {
    const b = checkBody(body, 'port', PORT_ATTRS, 'update');
    const p = this.find('ports', id) as PortObj;
    checkSecurityGroups(b.security_groups);
    const host = b['binding:host_id'] !== undefined ? str(b['binding:host_id']) : p.host;
    let mac = p.mac;
    if (b.mac_address !== undefined && str(b.mac_address).toLowerCase() !== p.mac) {
      if (p.host) throw conflict('PortBound', `Unable to complete operation on port ${id}, port is already bound, port type: tap, old_mac ${p.mac}, new_mac ${String(b.mac_address)}.`);
      mac = this.checkMac(p.network, str(b.mac_address), id);
    }
    const policy = this.policyOf(b, p.policy);
    const fixed = b.fixed_ips !== undefined ? this.fixedIps(p.network, b.fixed_ips, id) : p.neutron?.fixed_ips as FixedIp[] | undefined;
    const allowedPairs = b.allowed_address_pairs !== undefined ? addressPairs(b.allowed_address_pairs as unknown[]) : p.allowedPairs ?? [];
    const portSecurity = portSecurityEnabled(b.port_security_enabled, p.portSecurity !== false, undefined);
    checkPairsNeedSecurity(portSecurity, allowedPairs);
    const addresses = (fixed ?? []).map((f) => f.ip_address);
    const { mac_address: _m, fixed_ips: _f, 'binding:host_id': _h, 'n1kv:profile': _n, port_security_enabled: _s, allowed_address_pairs: _a, ...rest } = b;
    await this.commit((s) => keepingTrunk(s, id, () => {
      deletePort(s, id);
      createPort(s, {
        name: id, network: p.network, host, mac, policy, interface: p.interface, origin: 'neutron', neutron: stamp(p.neutron, { ...rest, fixed_ips: fixed }),
        addresses, allowedPairs, portSecurity,
      });
    }), { networks: [p.network, ...subportNetworks(this.s, p)], hosts: [p.host, host].filter(Boolean) });
    return this.show('ports', id);
  }

  async deletePort(id: string): Promise<void> {
    const p = this.find('ports', id) as PortObj;
    if (p.trunk) throw conflict('PortInUseAsTrunkParent', `Port ${id} is currently a parent port for trunk ${p.trunk.id}.`);
    if (p.subportOf) throw conflict('PortInUseAsSubPort', `Port ${id} is currently a subport for trunk ${this.s.ports[p.subportOf.parent]?.trunk?.id ?? '?'}.`);
    await this.commit((s) => deletePort(s, id), { networks: [p.network], hosts: p.host ? [p.host] : [] });
  }
}

function validCidr(cidr: string): boolean {
  try {
    parseCidr(cidr);
    return true;
  } catch {
    return false;
  }
}

function contains(cidr: string, ip: string): boolean {
  try {
    const { base, last } = cidrRange(cidr);
    const v = parseIpv4(ip);
    return v >= base && v <= last;
  } catch {
    return false;
  }
}

function overlaps(a: string, b: string): boolean {
  if (!validCidr(a) || !validCidr(b)) return false;
  const x = cidrRange(a);
  const y = cidrRange(b);
  return x.base <= y.last && y.base <= x.last;
}
