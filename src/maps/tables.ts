// The VEM's maps, typed. One place names each map and its codecs; everything else in the
// agent and the CLI goes through these wrappers.
import { formatIpv4, parseIpv4 } from '../common/address.js';
import { U32, U64, type Codec } from './codec.js';
import {
  configCodec, dhcpCountersCodec, dhcpLeaseCodec, dropKeyCodec, floodListCodec, macEntryCodec, macKeyCodec, neighEntryCodec, neighKeyCodec,
  peerKeyCodec, physnetCodec, portAddrKeyCodec, portCodec, portFastCodec, trunkKeyCodec, portListCodec, portStateCodec, segCountersCodec, segmentCodec,
  trustKeyCodec, vtepCodec,
  type DhcpCounters, type DhcpLease, type DropKey, type FloodList, type MacEntry, type MacKey, type NeighEntry, type NeighKey, type PeerKey, type Physnet, type Port, type PortFast,
  type PortAddrKey, type PortList, type PortState, type SegCounters, type Segment, type TrunkKey, type TrustKey, type Vtep, type VxvemConfig,
} from './layout.js';
import { PerCpuMap, TypedMap } from './typed-map.js';

/** The maps every entry program shares, by their names in bpf/lib/maps.h. */
export const MAP_NAMES = [
  'vx_config', 'vx_macs', 'vx_segments', 'vx_ports', 'vx_vteps', 'vx_neigh', 'vx_flood',
  'vx_seg_ports', 'vx_groups', 'vx_counters', 'vx_seg_stats', 'vx_drops', 'vx_events', 'vx_events_lost', 'vx_static_macs',
  'vx_port_state', 'vx_port_addrs', 'vx_peers', 'vx_trusted', 'vx_dhcp', 'vx_dhcp_counters', 'vx_port_fast', 'vx_peer_segs',
] as const;
/** The maps of VLAN segments and trunks (bpf/lib/vlan.h, trunk.h), kept apart so that MapName's users are not widened. */
export const VLAN_MAP_NAMES = ['vx_physnets', 'vx_uplink_physnet', 'vx_trunk_in', 'vx_trunk_out', 'vx_seg_trunks'] as const;
export const ALL_MAP_NAMES = [...MAP_NAMES, ...VLAN_MAP_NAMES] as const;
export type MapName = (typeof MAP_NAMES)[number];
export type AnyMapName = (typeof ALL_MAP_NAMES)[number];

/** Group address (network order) as a key; its value counts the segments using it. */
const groupKeyCodec: Codec<string> = {
  cName: '__u32',
  size: 4,
  encode(v, into, base = 0) {
    const b = into ?? Buffer.alloc(4);
    b.writeUInt32BE(parseIpv4(v), base);
    return b;
  },
  decode: (b, base = 0) => formatIpv4(b.readUInt32BE(base)),
};

export interface DataplaneMaps {
  config: TypedMap<number, VxvemConfig>;
  /** Learned entries (LRU). */
  macs: TypedMap<MacKey, MacEntry>;
  /** Configured entries: a plain hash, out of the LRU's reach. */
  staticMacs: TypedMap<MacKey, MacEntry>;
  segments: TypedMap<number, Segment>;
  ports: TypedMap<number, Port>;
  /** Each port's entry and its segment's in one value: the port program's fast path. */
  portFast: TypedMap<number, PortFast>;
  portState: TypedMap<number, PortState>;
  /** Allowed sources of secure ports; value PORT_ADDR_F_*. */
  portAddrs: TypedMap<PortAddrKey, number>;
  /** (VNI, remote VTEP) pairs the segments trust. */
  peers: TypedMap<PeerKey, number>;
  /** The same pairs with their segment's entry: the uplink programs' fast path. */
  peerSegs: TypedMap<PeerKey, Segment>;
  /** Trusted underlay prefixes (multicast segments). */
  trusted: TypedMap<TrustKey, number>;
  vteps: TypedMap<number, Vtep>;
  neigh: TypedMap<NeighKey, NeighEntry>;
  flood: TypedMap<number, FloodList>;
  segPorts: TypedMap<number, PortList>;
  groups: TypedMap<string, number>;
  /** Physical networks by slot 1..VXVEM_MAX_PHYSNETS: their uplinks. */
  physnets: TypedMap<number, Physnet>;
  /** Uplink ifindex -> physical network slot. */
  uplinkPhysnet: TypedMap<number, number>;
  /** (trunk parent, VLAN id) -> subport segment id. */
  trunkIn: TypedMap<TrunkKey, number>;
  /** (trunk parent, segment id) -> VLAN id towards the VM. */
  trunkOut: TypedMap<TrunkKey, number>;
  /** Segment id -> trunk parents with a subport in it. */
  segTrunks: TypedMap<number, PortList>;
  /** VNI -> counters of a segment without a stats slot. */
  counters: PerCpuMap<number, SegCounters>;
  /** Stats slot -> counters of the segment whose value names that slot (segment.statsSlot). */
  segStats: PerCpuMap<number, SegCounters>;
  drops: PerCpuMap<DropKey, bigint>;
  /** The ring buffer's fd (read through events.ts). */
  eventsFd: number;
  /** Slot 0: events the programs dropped because the ring buffer was full. */
  eventsLost: TypedMap<number, bigint>;
  /** Port ifindex -> what the port's DHCP client is answered (ports with PORT_F_DHCP). */
  dhcp: TypedMap<number, DhcpLease>;
  /** VNI -> DHCP replies sent. */
  dhcpCounters: PerCpuMap<number, DhcpCounters>;
}

/** Wraps the fds of the shared maps; each wrapper checks its sizes against the kernel's map. */
export function wrapMaps(fd: (name: AnyMapName) => number): DataplaneMaps {
  return {
    config: new TypedMap('vx_config', fd('vx_config'), U32, configCodec),
    macs: new TypedMap('vx_macs', fd('vx_macs'), macKeyCodec, macEntryCodec),
    staticMacs: new TypedMap('vx_static_macs', fd('vx_static_macs'), macKeyCodec, macEntryCodec),
    segments: new TypedMap('vx_segments', fd('vx_segments'), U32, segmentCodec),
    ports: new TypedMap('vx_ports', fd('vx_ports'), U32, portCodec),
    portFast: new TypedMap('vx_port_fast', fd('vx_port_fast'), U32, portFastCodec),
    portState: new TypedMap('vx_port_state', fd('vx_port_state'), U32, portStateCodec),
    portAddrs: new TypedMap('vx_port_addrs', fd('vx_port_addrs'), portAddrKeyCodec, U32),
    peers: new TypedMap('vx_peers', fd('vx_peers'), peerKeyCodec, U32),
    peerSegs: new TypedMap('vx_peer_segs', fd('vx_peer_segs'), peerKeyCodec, segmentCodec),
    trusted: new TypedMap('vx_trusted', fd('vx_trusted'), trustKeyCodec, U32),
    vteps: new TypedMap('vx_vteps', fd('vx_vteps'), U32, vtepCodec),
    neigh: new TypedMap('vx_neigh', fd('vx_neigh'), neighKeyCodec, neighEntryCodec),
    flood: new TypedMap('vx_flood', fd('vx_flood'), U32, floodListCodec),
    segPorts: new TypedMap('vx_seg_ports', fd('vx_seg_ports'), U32, portListCodec),
    groups: new TypedMap('vx_groups', fd('vx_groups'), groupKeyCodec, U32),
    physnets: new TypedMap('vx_physnets', fd('vx_physnets'), U32, physnetCodec),
    uplinkPhysnet: new TypedMap('vx_uplink_physnet', fd('vx_uplink_physnet'), U32, U32),
    trunkIn: new TypedMap('vx_trunk_in', fd('vx_trunk_in'), trunkKeyCodec, U32),
    trunkOut: new TypedMap('vx_trunk_out', fd('vx_trunk_out'), trunkKeyCodec, U32),
    segTrunks: new TypedMap('vx_seg_trunks', fd('vx_seg_trunks'), U32, portListCodec),
    counters: new PerCpuMap('vx_counters', fd('vx_counters'), U32, segCountersCodec),
    segStats: new PerCpuMap('vx_seg_stats', fd('vx_seg_stats'), U32, segCountersCodec),
    drops: new PerCpuMap('vx_drops', fd('vx_drops'), dropKeyCodec, U64),
    eventsFd: fd('vx_events'),
    eventsLost: new TypedMap('vx_events_lost', fd('vx_events_lost'), U32, U64),
    dhcp: new TypedMap('vx_dhcp', fd('vx_dhcp'), U32, dhcpLeaseCodec),
    dhcpCounters: new PerCpuMap('vx_dhcp_counters', fd('vx_dhcp_counters'), U32, dhcpCountersCodec),
  };
}

/** Sums per-CPU counter structs field by field. */
export function sumCounters(perCpu: SegCounters[]): SegCounters {
  const total: SegCounters = { rxPackets: 0n, rxBytes: 0n, txPackets: 0n, txBytes: 0n, floodPackets: 0n, learned: 0n, moves: 0n };
  for (const c of perCpu) for (const k of Object.keys(total) as (keyof SegCounters)[]) total[k] += c[k];
  return total;
}
