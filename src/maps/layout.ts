// TypeScript views of every struct in bpf/vxvem_shared.h. Offsets are written out so that a
// reader can compare them with the header; test/layout.test.ts compares them with BTF.
import { MAX_VTEPS_PER_HOST } from '../common/vxlan.js';
import { StructCodec, bytes, countedArray, ipv4, mac, nested, u16, u32, u64, u8 } from './codec.js';

export const VXVEM_MAX_VTEPS = MAX_VTEPS_PER_HOST;
export const VXVEM_MAX_FLOOD = 128;
export const VXVEM_MAX_SEG_PORTS = 64;
export const VXVEM_MAX_PHYSNETS = 16;
/** Bit 24 of a segment id marks a VLAN segment (VXVEM_SEG_VLAN_BIT); src/common/vlan.ts builds the ids. */
export const VXVEM_SEG_VLAN_BIT = 0x1000000;

export enum MacKind {
  Local = 1,
  Remote = 2,
}
export const MAC_F_STATIC = 0x1;
export const MAC_F_PEER = 0x2;
export const MAC_F_TRUNK = 0x4;
export const PORT_F_PEER = 0x1;
export const PORT_F_SECURE = 0x2;
export const PORT_F_IP_LOCK = 0x4;
export const PORT_F_TRUNK = 0x8;
export const PORT_F_DHCP = 0x10;
export const PORT_ADDR_MAC_BITS = 96;
export const PORT_ADDR_F_MAC = 0x1;
export const PORT_ADDR_F_ADDR = 0x2;

export enum FloodMode {
  Unicast = 1,
  Multicast = 2,
  /** A VLAN segment: one tagged copy on its physical network's uplink. */
  Vlan = 3,
}

export const CFG_F_TOS_INHERIT = 0x1;
export const CFG_F_UDP_CSUM = 0x2;

export enum EventType {
  Learn = 1,
  Move = 2,
  NeighMiss = 3,
}

export interface VxvemConfig {
  version: number;
  flags: number;
  ttl: number;
  tos: number;
  srcPortMin: number;
  srcPortMax: number;
  tunnelIfindex: number;
  icmpRateNs: bigint;
}
export const configCodec = new StructCodec<VxvemConfig>('vxvem_config', 32, {
  version: u32(0),
  flags: u32(4),
  ttl: u8(8),
  tos: u8(9),
  srcPortMin: u16(10),
  srcPortMax: u16(12),
  tunnelIfindex: u32(16),
  icmpRateNs: u64(24),
});

export interface MacKey {
  vni: number;
  mac: string;
}
export const macKeyCodec = new StructCodec<MacKey>('mac_key', 12, { vni: u32(0), mac: mac(4) });

export interface MacEntry {
  kind: MacKind;
  flags: number;
  ifindex: number;
  vtep: string;
  lastSeenNs: bigint;
}
export const macEntryCodec = new StructCodec<MacEntry>('mac_entry', 24, {
  kind: u8(0),
  flags: u8(1),
  ifindex: u32(4),
  vtep: ipv4(8),
  lastSeenNs: u64(16),
});

export interface Segment {
  vni: number;
  mode: FloodMode;
  vtepSlot: number;
  group: string;
  /** Its counters' index in vx_seg_stats, handed out by reconcile (stats-slots.ts); 0: counted by VNI. */
  statsSlot: number;
}
export const segmentCodec = new StructCodec<Segment>('segment', 16, {
  vni: u32(0),
  mode: u8(4),
  vtepSlot: u8(5),
  group: ipv4(8),
  statsSlot: u32(12),
});

export interface Port {
  vni: number;
  flags: number;
  icmpLastNs: bigint;
  /** PORT_F_SECURE: the port's own MAC ('00:00:00:00:00:00' otherwise). */
  mac: string;
  /** Learned MACs allowed on the port; 0 = no limit. */
  maxMacs: number;
  /** PORT_F_IP_LOCK: the port's first address, checked before any lookup ('0.0.0.0': none). */
  ipv4: string;
  /** Broadcast, multicast and unknown-unicast frames per second; 0 = no limit. */
  stormPps: number;
}
export const portCodec = new StructCodec<Port>('port', 32, {
  vni: u32(0),
  flags: u32(4),
  icmpLastNs: u64(8),
  mac: mac(16),
  maxMacs: u16(22),
  ipv4: ipv4(24),
  stormPps: u32(28),
});

/**
 * The fast-path record of a port (vx_port_fast): its vx_ports entry and its segment's entry in
 * one value, written by the agent with both; `port.icmpLastNs` is the record's own rate limit.
 */
export interface PortFast {
  port: Port;
  seg: Segment;
}
export const portFastCodec = new StructCodec<PortFast>('port_fast', 48, { port: nested(0, portCodec), seg: nested(32, segmentCodec) });

/** The security fields of a port that has none (no source checks, no limits). */
export const PORT_OPEN: Pick<Port, 'mac' | 'maxMacs' | 'ipv4' | 'stormPps'> = { mac: '00:00:00:00:00:00', maxMacs: 0, ipv4: '0.0.0.0', stormPps: 0 };

/** What the programs keep per port; `lock` stands for the struct bpf_spin_lock (the kernel never copies it). */
export interface PortState {
  lock: number;
  macs: number;
  stormTokens: bigint;
  stormLastNs: bigint;
}
export const portStateCodec = new StructCodec<PortState>('port_state', 24, {
  lock: u32(0),
  macs: u32(4),
  stormTokens: u64(8),
  stormLastNs: u64(16),
});

/** An allowed source of a secure port (LPM key: PORT_ADDR_MAC_BITS + the address's prefix length). */
export interface PortAddrKey {
  prefixlen: number;
  ifindex: number;
  mac: string;
  addr: string;
}
export const portAddrKeyCodec = new StructCodec<PortAddrKey>('port_addr_key', 20, {
  prefixlen: u32(0),
  ifindex: u32(4),
  mac: mac(8),
  addr: ipv4(16),
});

export interface PeerKey {
  vni: number;
  addr: string;
}
export const peerKeyCodec = new StructCodec<PeerKey>('peer_key', 8, { vni: u32(0), addr: ipv4(4) });

export interface TrustKey {
  prefixlen: number;
  addr: string;
}
export const trustKeyCodec = new StructCodec<TrustKey>('trust_key', 8, { prefixlen: u32(0), addr: ipv4(4) });

export interface Vtep {
  addr: string;
  gateway: string;
  netmask: string;
  ifindex: number;
  mac: string;
  mtu: number;
  flags: number;
}
export const vtepCodec = new StructCodec<Vtep>('vtep', 28, {
  addr: ipv4(0),
  gateway: ipv4(4),
  netmask: ipv4(8),
  ifindex: u32(12),
  mac: mac(16),
  mtu: u16(22),
  flags: u32(24),
});

/** A physical network's slot: the uplink of its VLAN segments (ifindex 0: slot unused). */
export interface Physnet {
  ifindex: number;
  flags: number;
}
export const physnetCodec = new StructCodec<Physnet>('physnet', 8, { ifindex: u32(0), flags: u32(4) });

/** vx_trunk_in: (parent port, VLAN id); vx_trunk_out: (parent port, segment id). */
export interface TrunkKey {
  ifindex: number;
  id: number;
}
export const trunkKeyCodec = new StructCodec<TrunkKey>('trunk_key', 8, { ifindex: u32(0), id: u32(4) });

export interface NeighKey {
  ifindex: number;
  addr: string;
}
export const neighKeyCodec = new StructCodec<NeighKey>('neigh_key', 8, { ifindex: u32(0), addr: ipv4(4) });

export interface NeighEntry {
  mac: string;
  updatedNs: bigint;
}
export const neighEntryCodec = new StructCodec<NeighEntry>('neigh_entry', 16, { mac: mac(0), updatedNs: u64(8) });

export interface FloodList {
  vteps: string[];
}
export const floodListCodec = new StructCodec<FloodList>('flood_list', 8 + 4 * VXVEM_MAX_FLOOD, {
  vteps: countedArray(0, 8, VXVEM_MAX_FLOOD, 4, ipv4),
});

export interface PortList {
  ifindex: number[];
}
export const portListCodec = new StructCodec<PortList>('port_list', 8 + 4 * VXVEM_MAX_SEG_PORTS, {
  ifindex: countedArray(0, 8, VXVEM_MAX_SEG_PORTS, 4, u32),
});

export interface SegCounters {
  rxPackets: bigint;
  rxBytes: bigint;
  txPackets: bigint;
  txBytes: bigint;
  floodPackets: bigint;
  learned: bigint;
  moves: bigint;
}
export const segCountersCodec = new StructCodec<SegCounters>('seg_counters', 56, {
  rxPackets: u64(0),
  rxBytes: u64(8),
  txPackets: u64(16),
  txBytes: u64(24),
  floodPackets: u64(32),
  learned: u64(40),
  moves: u64(48),
});

export interface DropKey {
  vni: number;
  reason: number;
}
export const dropKeyCodec = new StructCodec<DropKey>('drop_key', 8, { vni: u32(0), reason: u32(4) });

export interface MacEvent {
  type: EventType;
  vni: number;
  mac: string;
  kind: MacKind;
  oldKind: number;
  ifindex: number;
  vtep: string;
  oldIfindex: number;
  oldVtep: string;
  tsNs: bigint;
}
export const macEventCodec = new StructCodec<MacEvent>('mac_event', 40, {
  type: u32(0),
  vni: u32(4),
  mac: mac(8),
  kind: u8(14),
  oldKind: u8(15),
  ifindex: u32(16),
  vtep: ipv4(20),
  oldIfindex: u32(24),
  oldVtep: ipv4(28),
  tsNs: u64(32),
});

export const VXVEM_DHCP_OPTS_LEN = 256;

/** A port's DHCP answers (vx_dhcp); `options` as sent in an OFFER or ACK (src/agent/dhcp-options.ts). */
export interface DhcpLease {
  mac: string;
  serverMac: string;
  yiaddr: string;
  server: string;
  options: Buffer;
}
export const dhcpLeaseCodec = new StructCodec<DhcpLease>('dhcp_lease', 20 + VXVEM_DHCP_OPTS_LEN, {
  mac: mac(0),
  serverMac: mac(6),
  yiaddr: ipv4(12),
  server: ipv4(16),
  options: bytes(20, VXVEM_DHCP_OPTS_LEN),
});

export interface DhcpCounters {
  offers: bigint;
  acks: bigint;
  naks: bigint;
}
export const dhcpCountersCodec = new StructCodec<DhcpCounters>('dhcp_counters', 24, { offers: u64(0), acks: u64(8), naks: u64(16) });

/** Every shared struct, for the layout test. */
export const ALL_STRUCTS = [
  configCodec, macKeyCodec, macEntryCodec, segmentCodec, portCodec, portFastCodec, vtepCodec, neighKeyCodec,
  neighEntryCodec, floodListCodec, portListCodec, segCountersCodec, dropKeyCodec, macEventCodec,
  portStateCodec, portAddrKeyCodec, peerKeyCodec, trustKeyCodec, physnetCodec, trunkKeyCodec, dhcpLeaseCodec, dhcpCountersCodec,
] as const;
