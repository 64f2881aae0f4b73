// Desired dataplane state: what the maps should hold, computed from a configuration (file
// or VSM) and the live interfaces. Pure: no map access here, so it is easy to test.
import { prefixToNetmask, sameSubnet } from '../common/address.js';
import {
  CFG_F_TOS_INHERIT, CFG_F_UDP_CSUM, FloodMode, MAC_F_STATIC, MacKind, PORT_F_DHCP, PORT_F_PEER, PORT_F_TRUNK,
  type DhcpLease, type MacEntry, type MacKey, type PeerKey, type Segment, type TrustKey, type Vtep, type VxvemConfig,
} from '../maps/layout.js';
import type { VemConfig } from './config.js';
import { VXLAN_OVERHEAD, dhcpLease } from './dhcp-options.js';
import { portSecurityState, segmentPeers, trustedUnderlay, type PortAddrEntry } from './port-security.js';
import { SECURITY_DEFAULTS } from './security-config.js';
import { TUNNEL_DEVICE } from './tunnel-device.js';
import { physnetSlots } from '../common/vlan.js';
import type { LinkInfo } from './links.js';

export class DesiredStateError extends Error {
  override readonly name = 'DesiredStateError';
}

export interface DesiredVtep extends Vtep {
  slot: number;
  interface: string;
  xdp: boolean;
}

export interface DesiredPort {
  ifindex: number;
  interface: string;
  vni: number;
  /** PORT_F_* (a veth port gets PORT_F_PEER; port security PORT_F_SECURE, PORT_F_IP_LOCK). */
  flags: number;
  mac: string;
  maxMacs: number;
  ipv4: string;
  stormPps: number;
  /** The allowed sources of a secure port with addresses (vx_port_addrs). */
  addrs: PortAddrEntry[];
  /** Trunk subports: VLAN id -> segment id. */
  trunk: Map<number, number>;
}

/** A physical network's uplink, in its slot (vx_physnets). */
export interface DesiredPhysnet {
  slot: number;
  name: string;
  interface: string;
  ifindex: number;
}

export interface DesiredState {
  config: Omit<VxvemConfig, 'version'>;
  vteps: DesiredVtep[];
  segments: Map<number, Segment>;
  ports: Map<number, DesiredPort>;
  /** VNI -> local port ifindexes (only segments with ports). */
  segPorts: Map<number, number[]>;
  /** Segment id -> trunk parents with a subport in it. */
  segTrunks: Map<number, number[]>;
  physnets: DesiredPhysnet[];
  /** VNI -> remote designated VTEPs (unicast-only segments). */
  flood: Map<number, string[]>;
  /** Groups to join: group -> the uplink interface (of the segment's VTEP) to join it on. */
  groups: Map<string, string>;
  staticMacs: { key: MacKey; entry: MacEntry }[];
  /** (VNI, remote VTEP) pairs the segments trust. */
  peers: PeerKey[];
  /** Underlay prefixes multicast segments trust. */
  trusted: TrustKey[];
  /** Port ifindex -> its DHCP answers (ports with PORT_F_DHCP). */
  dhcp: Map<number, DhcpLease>;
  /** Port interfaces the configuration names that do not exist (yet). */
  missingPorts: string[];
}

/** ICMP too-big replies: at most one per port every 100 ms. */
const ICMP_RATE_NS = 100_000_000n;

/**
 * Slots keep their address across reloads (a segment's designated slot must not shift under
 * traffic): an address already in a slot stays there, new ones take the lowest free slot.
 */
export function assignSlots(addresses: string[], current: Map<number, string>): Map<string, number> {
  const out = new Map<string, number>();
  const used = new Set<number>();
  for (const [slot, addr] of current) {
    if (addresses.includes(addr)) {
      out.set(addr, slot);
      used.add(slot);
    }
  }
  for (const a of addresses) {
    if (out.has(a)) continue;
    let s = 1;
    while (used.has(s)) s++;
    out.set(a, s);
    used.add(s);
  }
  return out;
}

export function desiredFromConfig(cfg: VemConfig, links: Map<string, LinkInfo>, currentSlots: Map<number, string>): DesiredState {
  const slots = assignSlots(cfg.vteps.map((v) => v.address), currentSlots);
  const vteps = cfg.vteps.map((v): DesiredVtep => {
    const link = links.get(v.interface);
    if (!link) throw new DesiredStateError(`VTEP interface ${v.interface} does not exist`);
    if (!link.addresses.some((a) => a.address === v.address && a.prefixLength === v.prefixLength)) {
      throw new DesiredStateError(`VTEP address ${v.address}/${v.prefixLength} is not configured on ${v.interface}`);
    }
    if (v.gateway && !sameSubnet(v.gateway, v.address, prefixToNetmask(v.prefixLength))) {
      throw new DesiredStateError(`gateway ${v.gateway} is not in the subnet of VTEP ${v.address}/${v.prefixLength}`);
    }
    return {
      slot: slots.get(v.address)!, interface: v.interface, xdp: v.xdp,
      addr: v.address, gateway: v.gateway ?? '0.0.0.0', netmask: prefixToNetmask(v.prefixLength),
      ifindex: link.ifindex, mac: link.mac, mtu: link.mtu, flags: 0,
    };
  });

  const physnets = [...physnetSlots(Object.keys(cfg.physicalNetworks ?? {}))].map(([name, slot]): DesiredPhysnet => {
    const dev = cfg.physicalNetworks![name]!;
    const link = links.get(dev);
    if (!link) throw new DesiredStateError(`uplink ${dev} of physical network ${name} does not exist`);
    return { slot, name, interface: dev, ifindex: link.ifindex };
  });

  const segments = new Map<number, Segment>();
  const flood = new Map<number, string[]>();
  for (const s of cfg.segments) {
    if (s.mode === 'vlan') {
      segments.set(s.vni, { vni: s.vni, mode: FloodMode.Vlan, vtepSlot: 0, group: '0.0.0.0', statsSlot: 0 });
      continue;
    }
    const vtepSlot = slots.get(s.vtep ?? cfg.vteps[0]!.address)!;
    segments.set(s.vni, { vni: s.vni, mode: s.mode === 'multicast' ? FloodMode.Multicast : FloodMode.Unicast, vtepSlot, group: s.group ?? '0.0.0.0', statsSlot: 0 });
    if (s.mode === 'unicast') flood.set(s.vni, s.floodList);
  }

  const ports = new Map<number, DesiredPort>();
  const dhcp = new Map<number, DhcpLease>();
  const segPorts = new Map<number, number[]>();
  const segTrunks = new Map<number, number[]>();
  const missingPorts: string[] = [];
  for (const p of cfg.ports) {
    const link = links.get(p.interface);
    if (!link) {
      missingPorts.push(p.interface);
      continue;
    }
    const sec = portSecurityState(p, link.ifindex);
    const trunk = new Map((p.trunk ?? []).map((t) => [t.vid, t.segment]));
    if (p.dhcp && p.mac) {
      // The MTU a guest is told, unless set: what the segment's uplink carries after VXLAN's 50
      // bytes; a VLAN segment's whole uplink MTU (the tag rides outside it).
      const vlan = cfg.segments.find((x) => x.vni === p.vni)?.vlan;
      const uplinkMtu = vlan
        ? links.get(cfg.physicalNetworks![vlan.physicalNetwork]!)?.mtu ?? 1500
        : (vteps.find((v) => v.slot === segments.get(p.vni)?.vtepSlot)?.mtu ?? 1500) - VXLAN_OVERHEAD;
      dhcp.set(link.ifindex, dhcpLease(p.mac, p.dhcp, p.dhcp.mtu ?? uplinkMtu));
    }
    ports.set(link.ifindex, {
      ifindex: link.ifindex, interface: p.interface, vni: p.vni,
      flags: (link.kind === 'veth' ? PORT_F_PEER : 0) | sec.flags | (trunk.size ? PORT_F_TRUNK : 0) | (dhcp.has(link.ifindex) ? PORT_F_DHCP : 0),
      mac: sec.mac, maxMacs: cfg.maxMacsPerPort ?? SECURITY_DEFAULTS.maxMacsPerPort, ipv4: sec.ipv4, stormPps: p.stormPps, addrs: sec.addrs, trunk,
    });
    segPorts.set(p.vni, [...(segPorts.get(p.vni) ?? []), link.ifindex]);
    for (const seg of trunk.values()) segTrunks.set(seg, [...(segTrunks.get(seg) ?? []), link.ifindex]);
  }

  const groups = new Map<string, string>();
  for (const s of cfg.segments) {
    if (s.mode !== 'multicast' || !segPorts.has(s.vni)) continue; // join only with a local port
    const vtep = cfg.vteps.find((v) => v.address === (s.vtep ?? cfg.vteps[0]!.address))!;
    groups.set(s.group!, vtep.interface);
  }

  return {
    config: {
      flags: (cfg.tos === 'inherit' ? CFG_F_TOS_INHERIT : 0) | (cfg.udpChecksum ? CFG_F_UDP_CSUM : 0),
      ttl: cfg.ttl,
      tos: cfg.tos === 'inherit' ? 0 : cfg.tos,
      srcPortMin: cfg.srcPortRange[0],
      srcPortMax: cfg.srcPortRange[1],
      tunnelIfindex: links.get(TUNNEL_DEVICE)?.ifindex ?? 0,
      icmpRateNs: ICMP_RATE_NS,
    },
    vteps,
    segments,
    ports,
    segPorts,
    segTrunks,
    physnets,
    flood,
    groups,
    // A static MAC of a VLAN segment has VTEP 0.0.0.0: behind the physical network's uplink.
    staticMacs: cfg.staticMacs.map((m) => ({
      key: { vni: m.vni, mac: m.mac },
      entry: { kind: MacKind.Remote, flags: MAC_F_STATIC, ifindex: 0, vtep: m.vtep, lastSeenNs: 0n },
    })),
    peers: segmentPeers(cfg),
    trusted: trustedUnderlay(cfg),
    dhcp,
    missingPorts,
  };
}
