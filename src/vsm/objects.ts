// The VSM's configuration model: the objects it holds and the error its rules throw. The rules
// live in rules.ts, the indexes derived from a state in indexes.ts. No BPF, no I/O here.

export class VsmError extends Error {
  override readonly name = 'VsmError';
  constructor(readonly code: 'invalid' | 'not_found' | 'conflict' | 'in_use', message: string) {
    super(message);
  }
}

export type Origin = 'vsm' | 'neutron';

/**
 * What Neutron says about an object beyond the VSM's own rules (its display name, project,
 * allocation pools, fixed IPs, timestamps...): kept and returned as given, never interpreted here.
 * Objects made through Neutron are keyed by their UUID.
 */
export type NeutronAttrs = Record<string, unknown>;

export interface SegmentObj {
  name: string;
  /** The segment id: a VXLAN segment's VNI; for a VLAN segment an id >= 2^24 the VSM assigned (the agent maps it to its own, common/vlan.ts). */
  vni: number;
  /** How the segment floods: head-end replication, a multicast group, or one tagged copy on the physical network. */
  mode: 'unicast' | 'multicast' | 'vlan';
  group?: string;
  /** mode 'vlan': the physical network and the VLAN id on it. */
  physnet?: string;
  vlan?: number;
  origin: Origin;
  neutron?: NeutronAttrs;
}

export interface SubnetObj {
  name: string;
  network: string;
  cidr: string;     // A.B.C.D/LEN, the network address
  gateway?: string; // inside the CIDR
  origin: Origin;
  neutron?: NeutronAttrs;
}

export interface PolicyObj {
  name: string;
  portSecurity: boolean;
  /** Broadcast, multicast and unknown-unicast frames per second each port may send; absent or 0: no limit. */
  stormPps?: number;
}

/** Another (MAC, IPv4 source) a port may send from: Neutron's allowed address pair. */
export interface AddressPair {
  /** A.B.C.D or A.B.C.D/LEN. */
  address: string;
  /** Absent: the port's own MAC. */
  mac?: string;
}

export interface PortObj {
  name: string;
  network: string;
  host: string;
  mac: string;
  policy: string;
  /** The host interface the port is plugged into (OpenStack: tap + first 11 chars of the id). */
  interface: string;
  origin: Origin;
  neutron?: NeutronAttrs;
  /** IPv4 addresses the port sends from (Neutron's fixed_ips); with allowedPairs, what port security lets through. */
  addresses?: string[];
  allowedPairs?: AddressPair[];
  /** false: no port security for this port (Neutron's port_security_enabled), whatever its policy says. */
  portSecurity?: boolean;
  /** The port is the parent of a VLAN trunk (Neutron's trunk extension, trunks.ts). */
  trunk?: TrunkObj;
  /** The port is a trunk's subport: it has no interface of its own and goes where its parent goes. */
  subportOf?: { parent: string; vlan: number };
}

/** A trunk, kept on its parent port: frames the VM tags with `vlan` belong to the subport's network. */
export interface TrunkObj {
  id: string;
  subports: { port: string; vlan: number }[];
  neutron?: NeutronAttrs;
}

export interface VtepObj {
  address: string;
  prefixLength: number;
  gateway?: string;
  interface: string;
}

export interface HostObj {
  name: string;
  vteps: VtepObj[];
  /** As the VEM registered them. */
  uplinkMtu?: number;
  /** The physical networks the host has an uplink for (VLAN segments can be bound there only). */
  physnets?: string[];
  version?: string;
}

/** A project's Neutron quota limits that differ from the defaults (resource -> limit, -1 = none). */
export interface QuotaObj {
  project: string;
  limits: Record<string, number>;
}

export interface VsmState {
  /**
   * The store's identity (a cluster id), made once when the store is created and never changed:
   * VEMs remember it and refuse a store that is not the one they follow (src/vsm/identity.ts).
   * '' until the store assigns one.
   */
  id: string;
  revision: number;
  segmentation: boolean;
  segments: Record<string, SegmentObj>;
  subnets: Record<string, SubnetObj>;
  policies: Record<string, PolicyObj>;
  ports: Record<string, PortObj>;
  hosts: Record<string, HostObj>;
  /** Keyed by project id (Neutron's quotas API). */
  quotas: Record<string, QuotaObj>;
}

export const DEFAULT_POLICY = 'default';

export function emptyState(): VsmState {
  return { id: '', revision: 0, segmentation: true, segments: {}, subnets: {}, policies: { [DEFAULT_POLICY]: { name: DEFAULT_POLICY, portSecurity: true } }, ports: {}, hosts: {}, quotas: {} };
}
