// A network's segment as Neutron's provider extension describes it (ML2's vxlan and vlan type
// drivers): what a create asks for, checked and allocated from the VSM's ranges; the provider
// attributes a network shows; its MTU bounds; and the N1KV network profiles, one per segment
// type the VSM offers, that networks belong to.
import { VLAN_MAX, VLAN_MIN, vlanProblem, type VlanRange } from '../../common/vlan.js';
import { VNI_MAX, VNI_MIN, VXLAN_OVERHEAD, vniProblem } from '../../common/vxlan.js';
import type { SegmentObj, VsmState } from '../objects.js';
import { badRequest, conflict, NeutronError } from './errors.js';

/** Where tenants' segments come from: `--vni-range` and `--vlan-range` (repeatable). */
export interface SegmentRanges {
  vni: [number, number];
  vlans: VlanRange[];
}

export const DEFAULT_RANGES: SegmentRanges = { vni: [5000, VNI_MAX], vlans: [] };

/** Neutron's global_physnet_mtu: what the uplinks are taken to carry. */
const PHYSNET_MTU = 1500;

/** The largest MTU a network of this type can have: VXLAN loses its encapsulation; a VLAN's tag rides outside the MTU. */
export function mtuMax(seg: Pick<SegmentObj, 'mode'>): number {
  return seg.mode === 'vlan' ? PHYSNET_MTU : PHYSNET_MTU - VXLAN_OVERHEAD;
}

/** The segment a network create asks for: the model's createSegment() arguments (vni 0: a VLAN segment's id is the model's to assign). */
export type SegmentSpec = Pick<SegmentObj, 'vni' | 'mode' | 'group' | 'physnet' | 'vlan'>;

const noNetwork = (): NeutronError => new NeutronError(503, 'NoNetworkAvailable', 'Unable to create the network. No tenant network is available for allocation.');
const invalid = (why: string): NeutronError => badRequest(`Invalid input for operation: ${why}`, 'InvalidInput');

function vxlanSegment(s: VsmState, b: Record<string, unknown>, r: SegmentRanges): SegmentSpec {
  if (b['provider:physical_network']) throw invalid('provider:physical_network is not allowed for vxlan networks.');
  const mode = typeof b['vxvem.mode'] === 'string' ? b['vxvem.mode'] : 'unicast';
  if (mode !== 'unicast' && mode !== 'multicast') throw badRequest(`Invalid input for vxvem.mode: '${mode}' is not unicast or multicast.`, 'InvalidInput');
  const group = typeof b['vxvem.group'] === 'string' ? b['vxvem.group'] : undefined;
  const used = new Set(Object.values(s.segments).map((x) => x.vni));
  if (b['provider:segmentation_id'] !== undefined) {
    const vni = Number(b['provider:segmentation_id']);
    if (vniProblem(vni)) throw invalid(`segmentation_id ${vni} out of range (${VNI_MIN} through ${VNI_MAX}).`);
    if (used.has(vni)) throw conflict('TunnelIdInUse', `Unable to create the network. The tunnel ID ${vni} is in use.`);
    return { vni, mode, ...(group ? { group } : {}) };
  }
  for (let v = r.vni[0]; v <= r.vni[1]; v++) if (!used.has(v)) return { vni: v, mode, ...(group ? { group } : {}) };
  throw noNetwork();
}

function vlanSegment(s: VsmState, b: Record<string, unknown>, r: SegmentRanges): SegmentSpec {
  if (b['vxvem.mode'] !== undefined || b['vxvem.group'] !== undefined) throw invalid('vxvem.mode and vxvem.group are for vxlan networks.');
  const asked = b['provider:physical_network'];
  const idAsked = b['provider:segmentation_id'];
  const inUse = (physnet: string): Set<number> =>
    new Set(Object.values(s.segments).filter((x) => x.mode === 'vlan' && x.physnet === physnet).map((x) => x.vlan!));
  if (typeof asked === 'string' && asked !== '') {
    const range = r.vlans.find((x) => x.physnet === asked);
    if (!range) throw invalid(`physical_network '${asked}' unknown for VLAN provider network.`);
    const used = inUse(asked);
    if (idAsked !== undefined) {
      const vlan = Number(idAsked);
      if (vlanProblem(vlan)) throw invalid(`segmentation_id out of range (${VLAN_MIN} through ${VLAN_MAX}).`);
      if (used.has(vlan)) throw conflict('VlanIdInUse', `Unable to create the network. The VLAN ${vlan} on physical network ${asked} is in use.`);
      return { vni: 0, mode: 'vlan', physnet: asked, vlan };
    }
    if (range.range) for (let v = range.range[0]; v <= range.range[1]; v++) if (!used.has(v)) return { vni: 0, mode: 'vlan', physnet: asked, vlan: v };
    throw noNetwork();
  }
  if (idAsked !== undefined) throw invalid('segmentation_id requires physical_network for VLAN provider network.');
  // A tenant VLAN: the first free id of the first physical network with a range.
  for (const x of r.vlans) {
    if (!x.range) continue;
    const used = inUse(x.physnet);
    for (let v = x.range[0]; v <= x.range[1]; v++) if (!used.has(v)) return { vni: 0, mode: 'vlan', physnet: x.physnet, vlan: v };
  }
  throw noNetwork();
}

/** The segment a network create's provider attributes ask for (validated, allocated); refused as Neutron refuses it. */
export function segmentFor(s: VsmState, b: Record<string, unknown>, r: SegmentRanges): SegmentSpec {
  const type = b['provider:network_type'] ?? 'vxlan';
  if (type === 'vxlan') return vxlanSegment(s, b, r);
  if (type === 'vlan' && r.vlans.length) return vlanSegment(s, b, r); // no --vlan-range: no VLAN type driver
  throw invalid(`network_type value '${String(type)}' not supported.`);
}

/** The provider attributes a network shows. */
export function providerView(seg: SegmentObj): Record<string, unknown> {
  return seg.mode === 'vlan'
    ? { 'provider:network_type': 'vlan', 'provider:physical_network': seg.physnet, 'provider:segmentation_id': seg.vlan, 'vxvem.mode': 'vlan', 'vxvem.group': null }
    : { 'provider:network_type': 'vxlan', 'provider:physical_network': null, 'provider:segmentation_id': seg.vni, 'vxvem.mode': seg.mode, 'vxvem.group': seg.group ?? null };
}

/** The id of the network profile a segment belongs to. */
export function profileOf(seg: SegmentObj): string {
  return seg.mode === 'vlan' ? `vlan-${seg.physnet!}` : 'vxlan-default';
}

/**
 * The N1KV network profiles: one for VXLAN (the tenants' default type), one per physical network
 * VLANs come from, and one for trunks; each with the range the VSM allocates from.
 */
export function networkProfiles(r: SegmentRanges): Record<string, unknown>[] {
  return [
    { id: 'vxlan-default', name: 'vxlan-default', segment_type: 'vxlan', sub_type: 'native_vxlan', segment_range: `${r.vni[0]}-${r.vni[1]}`, multicast_ip_range: '239.0.0.0-239.255.255.255', physical_network: null },
    ...r.vlans.map((x) => ({
      id: `vlan-${x.physnet}`, name: `vlan-${x.physnet}`, segment_type: 'vlan', sub_type: null,
      segment_range: x.range ? `${x.range[0]}-${x.range[1]}` : '', multicast_ip_range: null, physical_network: x.physnet,
    })),
    { id: 'trunk-default', name: 'trunk-default', segment_type: 'trunk', sub_type: 'vlan', segment_range: `${VLAN_MIN}-${VLAN_MAX}`, multicast_ip_range: null, physical_network: null },
  ];
}

/** A network's MTU as asked, within what its segment carries (Neutron's messages). */
export function checkMtu(v: unknown, seg: Pick<SegmentObj, 'mode'>): void {
  if (v === undefined) return;
  const mtu = Number(v);
  const max = mtuMax(seg);
  if (mtu > max) throw invalid(`Requested MTU is too big, maximum is ${max}.`);
  if (mtu < 68) throw invalid(`Requested MTU ${mtu} is below the IPv4 minimum of 68.`); // RFC 791
}
