// The VLAN keys of the VEM's configuration: physical networks (an uplink each), segment
// references (a VNI, or a VLAN id on a physical network) and trunk subports. Every segment is
// known inside the agent by its segment id (src/common/vlan.ts): a VXLAN segment's is its VNI, a
// VLAN segment's is built from its physical network's slot and its VLAN id, so ports, static
// MACs and counters keep one numeric key whatever the segment's type.
import { MAX_PHYSNETS_PER_HOST, isVlanSegment, physnetNameProblem, physnetSlots, vlanOfSegment, vlanProblem, vlanSegmentId } from '../common/vlan.js';
import { VNI_MAX, interfaceNameProblem } from '../common/vxlan.js';
import { VXVEM_MAX_SEG_PORTS } from '../maps/layout.js';
import { ConfigError, array, int, obeying, object, str, type Json } from './config-values.js';

/** A trunk subport: frames the VM tags `vid` belong to `segment` (a segment id). */
export interface TrunkConfig {
  vid: number;
  segment: number;
}

/** What a VLAN segment is, beside its segment id. */
export interface VlanSegmentRef {
  physicalNetwork: string;
  vid: number;
}

export const VLAN_FILE_OBJECTS = {
  trunk: { keys: ['vlan', 'vni', 'segment'], required: ['vlan'] },
  segmentRef: { keys: ['vni', 'vlan', 'physicalNetwork'], required: [] },
} as const;

export const VLAN_RANGES = { vlan: [1, 4094] } as const;

export function vlanId(v: Json, key: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) obeying(v, key, vlanProblem(v));
  return int(v, key, ...VLAN_RANGES.vlan);
}

/** `physicalNetworks`: name -> uplink interface; one interface carries one physical network. */
export function parsePhysicalNetworks(v: Json, key = 'physicalNetworks'): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(key, 'must be an object of NAME: INTERFACE');
  const entries = Object.entries(v as Record<string, Json>);
  if (entries.length > MAX_PHYSNETS_PER_HOST) throw new ConfigError(key, `a host has at most ${MAX_PHYSNETS_PER_HOST} physical networks`);
  const out: Record<string, string> = {};
  const byInterface = new Map<string, string>();
  for (const [name, dev] of entries) {
    obeying(name, `${key}.${name}`, physnetNameProblem(name));
    const ifname = str(dev, `${key}.${name}`);
    obeying(ifname, `${key}.${name}`, interfaceNameProblem(ifname));
    const other = byInterface.get(ifname);
    if (other) throw new ConfigError(`${key}.${name}`, `${ifname} is already the uplink of ${other} (an interface carries one physical network)`);
    byInterface.set(ifname, name);
    out[name] = ifname;
  }
  return out;
}

/** Resolves segment references against the configuration's physical networks. */
export class SegmentIds {
  readonly slots: Map<string, number>;

  constructor(readonly physicalNetworks: Record<string, string>) {
    this.slots = physnetSlots(Object.keys(physicalNetworks));
  }

  /** A VLAN segment's id; `key` names the physicalNetwork key in errors. */
  vlan(vid: number, physnet: Json, key: string): number {
    let name: string;
    if (physnet === undefined) {
      if (this.slots.size !== 1) throw new ConfigError(key, this.slots.size ? 'is required: the host has several physical networks' : 'no physicalNetworks are configured');
      name = [...this.slots.keys()][0]!;
    } else {
      name = str(physnet, key);
    }
    const slot = this.slots.get(name);
    if (slot === undefined) throw new ConfigError(key, `unknown physical network ${JSON.stringify(name)} (not in physicalNetworks)`);
    return vlanSegmentId(slot, vid);
  }

  /** `{ "vni": N }` or `{ "vlan": N, "physicalNetwork": P }` inside object `o` at `key`. */
  ref(o: Record<string, Json>, key: string): number {
    if (o.vni !== undefined && o.vlan !== undefined) throw new ConfigError(`${key}.vlan`, 'a segment is a vni or a vlan, not both');
    if (o.vlan !== undefined) return this.vlan(vlanId(o.vlan, `${key}.vlan`), o.physicalNetwork, `${key}.physicalNetwork`);
    if (o.physicalNetwork !== undefined) throw new ConfigError(`${key}.physicalNetwork`, 'only with vlan');
    if (o.vni === undefined) throw new ConfigError(`${key}.vni`, 'is required (or vlan with physicalNetwork)');
    return int(o.vni, `${key}.vni`, 1, VNI_MAX);
  }

  /** What an operator calls the segment: `VNI 5000`, `VLAN 100 on physnet1`. */
  name(id: number): string {
    if (!isVlanSegment(id)) return `VNI ${id}`;
    const { slot, vid } = vlanOfSegment(id);
    const physnet = [...this.slots].find(([, s]) => s === slot)?.[0] ?? `physical network ${slot}`;
    return `VLAN ${vid} on ${physnet}`;
  }

  /** The VLAN segment's physical network and VLAN id, undefined for a VXLAN segment. */
  vlanRef(id: number): VlanSegmentRef | undefined {
    if (!isVlanSegment(id)) return undefined;
    const { slot, vid } = vlanOfSegment(id);
    return { physicalNetwork: [...this.slots].find(([, s]) => s === slot)![0], vid };
  }
}

/** `ports[i].trunk`: `[{ "vlan": 10, "vni": 5001 }, { "vlan": 20, "segment": { "vlan": 100, "physicalNetwork": "physnet1" } }]`. */
export function parseTrunk(v: Json, key: string, ids: SegmentIds): TrunkConfig[] {
  const list = array(v, key);
  if (list.length > VXVEM_MAX_SEG_PORTS) throw new ConfigError(key, `at most ${VXVEM_MAX_SEG_PORTS} subports`);
  return list.map((x, i) => {
    const k = `${key}[${i}]`;
    const o = object(x, k, VLAN_FILE_OBJECTS.trunk);
    const vid = vlanId(o.vlan, `${k}.vlan`);
    if (o.vni !== undefined && o.segment !== undefined) throw new ConfigError(`${k}.segment`, 'a subport names a vni or a segment, not both');
    if (o.segment !== undefined) return { vid, segment: ids.ref(object(o.segment, `${k}.segment`, VLAN_FILE_OBJECTS.segmentRef), `${k}.segment`) };
    if (o.vni === undefined) throw new ConfigError(`${k}.vni`, 'is required (or segment)');
    return { vid, segment: int(o.vni, `${k}.vni`, 1, VNI_MAX) };
  });
}

/** Trunk rules across the configuration: subports of existing segments, one tag and one segment per subport. */
export function checkTrunk(trunk: TrunkConfig[], portSegment: number, key: string, segments: Set<number>, ids: SegmentIds): void {
  const tags = new Set<number>();
  const segs = new Set<number>([portSegment]);
  trunk.forEach((t, j) => {
    const k = `${key}[${j}]`;
    if (tags.has(t.vid)) throw new ConfigError(`${k}.vlan`, `VLAN ${t.vid} is used twice on the port`);
    tags.add(t.vid);
    if (!segments.has(t.segment)) throw new ConfigError(k, `${ids.name(t.segment)} is not a configured segment`);
    if (segs.has(t.segment)) throw new ConfigError(k, `${ids.name(t.segment)} is already the port's or another subport's segment`);
    segs.add(t.segment);
  });
}
