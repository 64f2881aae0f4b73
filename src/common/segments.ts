// Segments are VXLAN (a VNI) or VLAN (a VLAN id on a physical network). Every table that keys
// segments keys them by one 32-bit segment id: a VXLAN segment's id is its VNI (< 2^24); a VLAN
// segment's id is at or above 2^24 (docs/dataplane.md, "VLAN segments"). Like vxlan.ts, each
// check returns a problem sentence or undefined.
import { VNI_MAX } from './vxlan.js';

export const VLAN_MIN = 1;
export const VLAN_MAX = 4094; // 0 means "priority tag only", 4095 is reserved (IEEE 802.1Q)
/** Segment ids from here up are VLAN segments. */
export const VLAN_SEGMENT_BASE = VNI_MAX + 1;
/** The 802.1Q tag: what a VLAN segment's frames add on the uplink. */
export const VLAN_TAG_BYTES = 4;

export function vlanProblem(vlan: number): string | undefined {
  if (Number.isInteger(vlan) && vlan >= VLAN_MIN && vlan <= VLAN_MAX) return undefined;
  return `VLAN ${vlan} is not in ${VLAN_MIN}..${VLAN_MAX}`;
}

/** Physical network names as Neutron's ML2 takes them (network_vlan_ranges, bridge mappings). */
const PHYSNET_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function physnetProblem(name: string): string | undefined {
  return PHYSNET_RE.test(name) ? undefined : `physical network ${JSON.stringify(name)}: letters, digits, '.', '_', '-' (1-64)`;
}

export function isVlanSegment(id: number): boolean {
  return id >= VLAN_SEGMENT_BASE;
}

/** `physnet1:100-199` (a range tenants' networks get VLANs from) or `physnet1` (provider networks only). */
export interface VlanRange { physnet: string; range?: [number, number] }

export function parseVlanRange(text: string): VlanRange | string {
  const m = /^([^:]+)(?::(\d+)-(\d+))?$/.exec(text);
  if (!m) return `${JSON.stringify(text)}: expected PHYSNET or PHYSNET:A-B`;
  const bad = physnetProblem(m[1]!);
  if (bad) return bad;
  if (m[2] === undefined) return { physnet: m[1]! };
  const a = Number(m[2]), b = Number(m[3]);
  const range = vlanProblem(a) ?? vlanProblem(b) ?? (a > b ? `${a}-${b} is empty` : undefined);
  return range ? `${JSON.stringify(text)}: ${range}` : { physnet: m[1]!, range: [a, b] };
}
