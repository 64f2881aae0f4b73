// VLAN rules every side checks the same way (VEM config, and the VSM when it gains VLAN
// networks): the VLAN id range, physical network names, and the segment ids the dataplane keys
// VLAN segments by (bpf/vxvem_shared.h, VXVEM_SEG_VLAN).

export const VLAN_MIN = 1;
/** 0 (priority tag) and 4095 are reserved by 802.1Q. */
export const VLAN_MAX = 4094;
/** Physical networks (uplinks carrying VLAN segments) per host; mirrors VXVEM_MAX_PHYSNETS. */
export const MAX_PHYSNETS_PER_HOST = 16;
/** Bit 24 of a segment id: a VLAN segment. VXLAN segments' ids are their VNIs (< 2^24). */
export const SEG_VLAN_BIT = 0x1000000;

export function vlanProblem(vid: number): string | undefined {
  if (Number.isInteger(vid) && vid >= VLAN_MIN && vid <= VLAN_MAX) return undefined;
  return `VLAN ${vid} is not in ${VLAN_MIN}..${VLAN_MAX} (0 and 4095 are reserved)`;
}

/** Neutron's physical network names: letters, digits, '-', '_', '.', at most 64 characters. */
export function physnetNameProblem(name: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name) ? undefined : `${JSON.stringify(name)} is not a physical network name (letters, digits, '-', '_', '.')`;
}

/**
 * The slot (1..MAX_PHYSNETS_PER_HOST) of each physical network: its place among the names in
 * sorted order, so that the same set of names gives the same slots, and so the same segment
 * ids, on every start.
 */
export function physnetSlots(names: Iterable<string>): Map<string, number> {
  return new Map([...names].sort().map((n, i) => [n, i + 1]));
}

/** The segment id of VLAN `vid` on the physical network in `slot`. */
export function vlanSegmentId(slot: number, vid: number): number {
  return SEG_VLAN_BIT + slot * 4096 + vid;
}

export function isVlanSegment(id: number): boolean {
  return id >= SEG_VLAN_BIT;
}

/** The (slot, VLAN id) of a VLAN segment id. */
export function vlanOfSegment(id: number): { slot: number; vid: number } {
  return { slot: Math.floor((id - SEG_VLAN_BIT) / 4096), vid: id % 4096 };
}

/** `physnet1:100-199` (a range tenants' networks get VLANs from) or `physnet1` (provider networks only). */
export interface VlanRange { physnet: string; range?: [number, number] }

/** `--vlan-range` as Neutron's network_vlan_ranges has it; a problem sentence when it is not. */
export function parseVlanRange(text: string): VlanRange | string {
  const m = /^([^:]+)(?::(\d+)-(\d+))?$/.exec(text);
  if (!m) return `${JSON.stringify(text)}: expected PHYSNET or PHYSNET:A-B`;
  const bad = physnetNameProblem(m[1]!);
  if (bad) return bad;
  if (m[2] === undefined) return { physnet: m[1]! };
  const a = Number(m[2]), b = Number(m[3]);
  const range = vlanProblem(a) ?? vlanProblem(b) ?? (a > b ? `${a}-${b} is empty` : undefined);
  return range ? `${JSON.stringify(text)}: ${range}` : { physnet: m[1]!, range: [a, b] };
}
