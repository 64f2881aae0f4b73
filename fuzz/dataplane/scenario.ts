// The host the dataplane fuzzer runs against, on top of the packet fixture's (testbed/): a secure
// port with address pairs and a MAC limit, an open veth port with a MAC limit and a storm rate,
// a port in the multicast segment, a port bound to a VNI without a segment, static, remote and
// unresolved entries, and three configurations the runs cycle through. The oracles read the
// rules' inputs from here rather than from the maps, so a program that rewrote them would show.
import { parseCidr, type Cidr } from '../../src/common/address.js';
import { portSecurityState } from '../../src/agent/port-security.js';
import { portSecurityFrom } from '../../src/agent/security-config.js';
import { CFG_F_TOS_INHERIT, CFG_F_UDP_CSUM, MAC_F_PEER, MacKind, PORT_F_PEER, type VxvemConfig } from '../../src/maps/layout.js';
import {
  BASE_CONFIG, GROUP, LOCAL_VTEP, MCAST_VNI, NH2_MAC, NH3_MAC, PEERS, REMOTE_VM, STATIC_VM, UNDERLAY, UNICAST_VNI, VM1, VM2, VM3,
  openPort, type PacketFixture,
} from '../../testbed/packet-fixture.js';
import { vethPair } from '../../testbed/netns.js';

export { GROUP, LOCAL_VTEP, MCAST_VNI, REMOTE_VM, STATIC_VM, UNICAST_VNI, VM1, VM2, VM3 };
/** A VNI a port is bound to but no segment is: its frames are unknown_vni. */
export const ORPHAN_VNI = 7777;
/** Remote entries whose next hop is not resolved: outside the subnet (no gateway), and in it. */
export const REMOTE_FAR = '02:00:00:00:02:02';
export const REMOTE_MC = '02:00:00:00:02:03';
export const FAR_VTEP = '198.51.100.20';
export const MC_VTEP = '192.0.2.77';
/** Further MACs the generators draw sources and destinations from. */
export const MAC_POOL = Array.from({ length: 16 }, (_, i) => `02:00:00:77:00:${i.toString(16).padStart(2, '0')}`);

export interface SecureModel {
  mac: string;
  /** IPv4 and ARP senders only from `sources`. */
  ipLock: boolean;
  sources: { mac: string; cidr: Cidr }[];
}

export interface PortModel {
  name: string;
  ifindex: number;
  vni: number;
  peer: boolean;
  maxMacs: number;
  stormPps: number;
  secure?: SecureModel;
}

export interface SegmentModel {
  vni: number;
  mode: 'unicast' | 'multicast';
  group?: string;
  /** Remote designated VTEPs (head-end replication), in order. */
  flood: string[];
  /** Local ports that get flood copies. */
  ports: number[];
}

/** p1's sources: VM1 from its address and a /26 of pairs; VM3 (another MAC of the VM) from a /25. */
const P1_SECURITY = {
  mac: VM1, addresses: ['198.51.100.1'],
  allowedPairs: [{ address: '198.51.100.64/26' }, { mac: VM3, address: '198.51.100.128/25' }],
};

export class Scenario {
  readonly ports = new Map<number, PortModel>();
  readonly segments = new Map<number, SegmentModel>();
  /** `${vni}/${addr}`: the VTEPs each segment names. */
  readonly peers = new Set<string>();
  readonly underlay = parseCidr(`${UNDERLAY.addr}/${UNDERLAY.prefixlen}`);
  readonly neighbours = new Map<string, string>([['192.0.2.2', NH2_MAC], ['192.0.2.3', NH3_MAC]]);
  readonly uplink: number;
  readonly uplinkMac: string;
  /** Interfaces that exist and are not ports. */
  readonly notPorts: number[];
  readonly configs: VxvemConfig[];
  config: VxvemConfig;

  constructor(readonly fx: PacketFixture) {
    const { p1, p2, p3 } = fx.port;
    this.uplink = fx.uplink;
    this.uplinkMac = fx.uplinkMac;
    const sec = portSecurityFrom(P1_SECURITY, 'p1');
    this.ports.set(p1, {
      name: 'p1', ifindex: p1, vni: UNICAST_VNI, peer: false, maxMacs: 2, stormPps: 0,
      secure: { mac: VM1, ipLock: true, sources: [...sec.addresses.map((a) => ({ mac: VM1, cidr: parseCidr(a) })), ...sec.allowedPairs.map((p) => ({ mac: p.mac, cidr: parseCidr(p.address) }))] },
    });
    this.ports.set(p2, { name: 'p2', ifindex: p2, vni: UNICAST_VNI, peer: true, maxMacs: 16, stormPps: 500 });
    this.ports.set(p3, { name: 'p3', ifindex: p3, vni: MCAST_VNI, peer: false, maxMacs: 0, stormPps: 0 });
    const orphan = fx.ns.ifindex('p1x');
    this.ports.set(orphan, { name: 'p1x', ifindex: orphan, vni: ORPHAN_VNI, peer: false, maxMacs: 0, stormPps: 0 });
    this.notPorts = [fx.uplink, fx.ns.ifindex('p2x'), fx.ns.ifindex('up0x')];
    this.segments.set(UNICAST_VNI, { vni: UNICAST_VNI, mode: 'unicast', flood: [...PEERS], ports: [p1, p2] });
    this.segments.set(MCAST_VNI, { vni: MCAST_VNI, mode: 'multicast', group: GROUP, flood: [], ports: [p3] });
    for (const a of PEERS) this.peers.add(`${UNICAST_VNI}/${a}`);
    // Stands in for the kernel vxlan device, which fragments what is too big for the uplink:
    // a veth whose MTU takes any frame the fuzzer makes.
    vethPair(fx.ns, 'fztnl0', fx.ns, 'fztnl1', { mtu: 9000 });
    const device = fx.ns.ifindex('fztnl0');
    this.configs = [
      { ...BASE_CONFIG, version: 1, icmpRateNs: 1_000_000n },
      { ...BASE_CONFIG, version: 2, flags: 0, tos: 0x28, ttl: 9, srcPortMin: 50000, srcPortMax: 50015, tunnelIfindex: device },
      { ...BASE_CONFIG, version: 3, flags: CFG_F_TOS_INHERIT | CFG_F_UDP_CSUM, tunnelIfindex: device },
    ];
    this.config = this.configs[0]!;
  }

  /** Writes the scenario over the fixture's baseline (fx.configure() first). */
  apply(): void {
    const m = this.fx.dp.maps;
    for (const p of this.ports.values()) {
      if (p.secure) {
        const sec = portSecurityState({ interface: 'vnet1', vni: p.vni, ...portSecurityFrom(P1_SECURITY, 'p1') }, p.ifindex);
        for (const a of sec.addrs) m.portAddrs.put(a.key, a.flags);
        m.ports.put(p.ifindex, openPort(p.vni, { flags: sec.flags, mac: sec.mac, ipv4: sec.ipv4, maxMacs: p.maxMacs }));
      } else {
        m.ports.put(p.ifindex, openPort(p.vni, { flags: p.peer ? PORT_F_PEER : 0, maxMacs: p.maxMacs, stormPps: p.stormPps }));
      }
    }
    this.setConfig(0);
    this.resetLearned();
  }

  setConfig(i: number): void {
    this.config = this.configs[i % this.configs.length]!;
    this.fx.dp.maps.config.put(0, this.config);
  }

  /** The MAC table and per-port counts back to their baseline (learned entries gone). */
  resetLearned(): void {
    const m = this.fx.dp.maps;
    const { p1, p2 } = this.fx.port;
    m.macs.deleteBatch([...m.macs.keys()]);
    const now = process.hrtime.bigint();
    const local = (ifindex: number, flags: number) => ({ kind: MacKind.Local, flags, ifindex, vtep: '0.0.0.0', lastSeenNs: now });
    const remote = (vtep: string) => ({ kind: MacKind.Remote, flags: 0, ifindex: 0, vtep, lastSeenNs: now });
    m.macs.put({ vni: UNICAST_VNI, mac: VM1 }, local(p1, 0));
    m.macs.put({ vni: UNICAST_VNI, mac: VM2 }, local(p2, MAC_F_PEER));
    m.macs.put({ vni: UNICAST_VNI, mac: REMOTE_VM }, remote('192.0.2.2'));
    m.macs.put({ vni: UNICAST_VNI, mac: REMOTE_FAR }, remote(FAR_VTEP));
    m.macs.put({ vni: MCAST_VNI, mac: REMOTE_MC }, remote(MC_VTEP));
    m.portState.deleteBatch([...m.portState.keys()]);
    for (const p of [p1, p2]) m.portState.put(p, { lock: 0, macs: 1, stormTokens: 0n, stormLastNs: 0n });
  }

  /** How a segment takes an outer source: a VTEP it names, the trusted underlay (multicast only), or not at all. */
  trust(vni: number, src: number): 'peer' | 'underlay' | 'unknown' {
    const seg = this.segments.get(vni);
    if (!seg) return 'unknown';
    if (this.peers.has(`${vni}/${ipv4Text(src)}`)) return 'peer';
    if (seg.mode === 'multicast' && ((src & this.underlay.mask) >>> 0) === this.underlay.network) return 'underlay';
    return 'unknown';
  }

  isLocalVtep(addr: number): boolean {
    return ipv4Text(addr) === LOCAL_VTEP;
  }

  isJoinedGroup(addr: number): boolean {
    return ipv4Text(addr) === GROUP;
  }

  /** The VTEP's subnet, where next hops may be learned. */
  inVtepSubnet(addr: number): boolean {
    return ((addr & this.underlay.mask) >>> 0) === this.underlay.network;
  }

  /** The static entry for (vni, mac), if any: the fixture keeps one. */
  staticVtep(vni: number, mac: string): string | undefined {
    return vni === UNICAST_VNI && mac === STATIC_VM ? '192.0.2.3' : undefined;
  }
}

export function ipv4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}
