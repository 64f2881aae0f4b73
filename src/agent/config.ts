// The VEM's configuration and its rules. A file is parsed and validated completely before
// anything is applied, so a bad file changes nothing; errors name the offending key. The same
// validators check the host flags of VSM mode (host-flags.ts) and the VSM's views
// (view-config.ts), under their own key names.
import { AddressError, parseCidr } from '../common/address.js';
import { MAX_VTEPS_PER_HOST, VNI_MAX, groupProblem, interfaceNameProblem } from '../common/vxlan.js';
import { VXVEM_MAX_FLOOD } from '../maps/layout.js';
import { ConfigError, array, bool, int, ipv4, obeying, object, str, unicastMac, type Json } from './config-values.js';
import { DHCP_OBJECT, parseDhcp, type DhcpConfig } from './dhcp-config.js';
import {
  SegmentIds, VLAN_FILE_OBJECTS, VLAN_RANGES, checkTrunk, parsePhysicalNetworks, parseTrunk, type TrunkConfig, type VlanSegmentRef,
} from './vlan-config.js';
import {
  ALLOWED_PAIR, PORT_SECURITY_KEYS, SECURITY_DEFAULTS, SECURITY_KEYS, SECURITY_RANGES, checkPortInterface, parseSecuritySettings,
  portSecurityFrom, type PortSecurity, type SecuritySettings,
} from './security-config.js';

export { ConfigError, ipv4, unicastMac };

export interface VtepConfig {
  interface: string;
  address: string;
  prefixLength: number;
  gateway?: string;
  xdp: boolean;
}

export interface SegmentConfig {
  /** The segment id: the VNI of a VXLAN segment, VXVEM_SEG_VLAN(slot, vid) of a VLAN segment (src/common/vlan.ts). */
  vni: number;
  mode: 'unicast' | 'multicast' | 'vlan';
  /** A VLAN segment: its physical network and VLAN id. */
  vlan?: VlanSegmentRef;
  group?: string;
  floodList: string[];
  /** Address of the local VTEP designated for this segment (default: the first VTEP). */
  vtep?: string;
}

export interface PortConfig extends PortSecurity {
  interface: string;
  /** The segment id of the port's (untagged) segment. */
  vni: number;
  /** Trunk subports: VLAN ids the VM tags, each with its segment. */
  trunk?: TrunkConfig[];
  /** DHCP from the VEM for this port's client (docs/dataplane.md, "DHCP"). */
  dhcp?: DhcpConfig;
}

export interface StaticMacConfig {
  /** The segment id. */
  vni: number;
  mac: string;
  /** The remote VTEP; 0.0.0.0 in a VLAN segment (behind the physical network's uplink). */
  vtep: string;
}

/** Encapsulation and ageing: keys of the file, or host flags when a VSM drives the agent. */
export interface DataplaneSettings {
  macAgeingSeconds: number;
  ttl: number;
  tos: 'inherit' | number;
  srcPortRange: [number, number];
  udpChecksum: boolean;
}

/** What a host brings itself, whoever configures its networks. */
/** What a host brings itself (the file's top keys, or `vem --vsm`'s flags): VSM views add networks. */
export interface HostConfig extends DataplaneSettings, Partial<SecuritySettings> {
  vteps: VtepConfig[];
  /** Physical network name -> its uplink interface (VLAN segments); the host's own, as its VTEPs are. */
  physicalNetworks?: Record<string, string>;
}

/** Security settings absent: their defaults (SECURITY_DEFAULTS, trusted underlay: the VTEPs' subnets). */
export interface VemConfig extends HostConfig, Partial<SecuritySettings> {
  segments: SegmentConfig[];
  ports: PortConfig[];
  staticMacs: StaticMacConfig[];
}

export function vni(v: Json, key: string): number {
  return int(v, key, ...RANGES.vni);
}

export function ifname(v: Json, key: string): string {
  const s = str(v, key);
  return obeying(s, key, interfaceNameProblem(s));
}

export function floodMode(v: Json, key: string): SegmentConfig['mode'] {
  if (!FLOOD_MODES.includes(v as SegmentConfig['mode'])) throw new ConfigError(key, 'must be "unicast" or "multicast"');
  return v as SegmentConfig['mode'];
}

export function group(v: Json, key: string): string {
  const g = ipv4(v, key);
  return obeying(g, key, groupProblem(g));
}

/** A VTEP from its fields; `key` names each field in errors (a file path, or a flag). */
export function vtepFrom(f: { interface?: Json; address?: Json; gateway?: Json; xdp?: Json }, key: (field: 'interface' | 'address' | 'gateway' | 'xdp') => string): VtepConfig {
  const addr = str(f.address, key('address'));
  let cidr;
  try {
    cidr = parseCidr(addr);
  } catch (e) {
    const badAddress = e instanceof AddressError && e.message.startsWith('not an IPv4 address');
    throw new ConfigError(key('address'), badAddress ? e.message : `must be ADDRESS/PREFIX, e.g. 192.0.2.1/24 (got ${JSON.stringify(addr)})`);
  }
  const prefixLength = int(cidr.prefixLength, `${key('address')} prefix`, ...RANGES.prefixLength);
  const out: VtepConfig = { interface: ifname(f.interface, key('interface')), address: cidr.address, prefixLength, xdp: DEFAULTS.xdp };
  if (f.gateway !== undefined) out.gateway = ipv4(f.gateway, key('gateway'));
  if (f.xdp !== undefined) out.xdp = bool(f.xdp, key('xdp'));
  return out;
}

export const SETTING_KEYS = ['macAgeingSeconds', 'ttl', 'tos', 'srcPortRange', 'udpChecksum'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/**
 * The objects of a file: their keys and the required ones. These, RANGES, DEFAULTS and
 * FLOOD_MODES are what the validators below apply and what scripts/gen-schema.ts writes the JSON
 * Schema in docs/ from.
 */
export const FILE_OBJECTS = {
  file: { keys: ['vteps', 'physicalNetworks', 'segments', 'ports', 'staticMacs', ...SETTING_KEYS, ...SECURITY_KEYS], required: ['vteps', 'segments', 'ports'] },
  vtep: { keys: ['interface', 'address', 'gateway', 'xdp'], required: ['interface', 'address'] },
  // A segment, a port and a static MAC name a vni, or a vlan with its physicalNetwork (vlan-config.ts).
  segment: { keys: ['vni', 'vlan', 'physicalNetwork', 'mode', 'group', 'floodList', 'vtep'], required: [] },
  port: { keys: ['interface', 'vni', 'vlan', 'physicalNetwork', 'trunk', ...PORT_SECURITY_KEYS, 'dhcp'], required: ['interface'] },
  allowedPair: ALLOWED_PAIR,
  dhcp: DHCP_OBJECT,
  staticMac: { keys: ['vni', 'vlan', 'physicalNetwork', 'mac', 'vtep'], required: ['mac'] },
  ...VLAN_FILE_OBJECTS,
} as const;

/** Inclusive ranges of the integers. */
export const RANGES = {
  vni: [1, VNI_MAX], ...VLAN_RANGES, prefixLength: [1, 32], ttl: [1, 255], tos: [0, 255], udpPort: [1, 65535], macAgeingSeconds: [1, 1_000_000],
  ...SECURITY_RANGES,
} as const;

/** What an absent key means. */
export const DEFAULTS = {
  macAgeingSeconds: 300, ttl: 64, tos: 'inherit', srcPortRange: [49152, 65535], udpChecksum: false, mode: 'unicast', xdp: false,
  ...SECURITY_DEFAULTS, stormPps: 0,
} as const;

export const FLOOD_MODES: readonly SegmentConfig['mode'][] = ['unicast', 'multicast'];

/** The settings, defaults filled; `name` says how errors name each key. */
export function parseSettings(o: Partial<Record<SettingKey, Json>>, name: (key: SettingKey) => string = (k) => k): DataplaneSettings {
  const tos = o.tos === undefined || o.tos === 'inherit' ? 'inherit' : int(o.tos, name('tos'), ...RANGES.tos);
  let srcPortRange: [number, number] = [...DEFAULTS.srcPortRange];
  if (o.srcPortRange !== undefined) {
    const key = name('srcPortRange');
    const r = array(o.srcPortRange, key);
    if (r.length !== 2) throw new ConfigError(key, 'must be [min, max]');
    srcPortRange = [int(r[0], `${key}[0]`, ...RANGES.udpPort), int(r[1], `${key}[1]`, ...RANGES.udpPort)];
    if (srcPortRange[0] > srcPortRange[1]) throw new ConfigError(key, 'min is above max');
  }
  return {
    macAgeingSeconds: o.macAgeingSeconds === undefined ? DEFAULTS.macAgeingSeconds : int(o.macAgeingSeconds, name('macAgeingSeconds'), ...RANGES.macAgeingSeconds),
    ttl: o.ttl === undefined ? DEFAULTS.ttl : int(o.ttl, name('ttl'), ...RANGES.ttl),
    tos,
    srcPortRange,
    udpChecksum: o.udpChecksum === undefined ? DEFAULTS.udpChecksum : bool(o.udpChecksum, name('udpChecksum')),
  };
}

/** 1 to MAX_VTEPS_PER_HOST VTEPs with distinct addresses; `key` names the list (index undefined) or one VTEP. */
export function checkVteps(vteps: VtepConfig[], key: (index?: number) => string = (i) => (i === undefined ? 'vteps' : `vteps[${i}].address`)): void {
  if (vteps.length < 1 || vteps.length > MAX_VTEPS_PER_HOST) throw new ConfigError(key(), `a host has 1 to ${MAX_VTEPS_PER_HOST} VTEPs`);
  const addrs = new Set<string>();
  vteps.forEach((v, i) => {
    if (addrs.has(v.address)) throw new ConfigError(key(i), `${v.address} is used twice`);
    addrs.add(v.address);
  });
}

/** The rules across a whole configuration (a file's, or one built from a VSM view). */
export function checkConfig(c: VemConfig): void {
  checkVteps(c.vteps);
  const ids = new SegmentIds(c.physicalNetworks ?? {});
  const uplinks = new Set([...c.vteps.map((t) => t.interface), ...Object.values(c.physicalNetworks ?? {})]);
  const addrs = new Set(c.vteps.map((v) => v.address));
  const vnis = new Set<number>();
  c.segments.forEach((s, i) => {
    const key = `segments[${i}]`;
    if (vnis.has(s.vni)) throw new ConfigError(`${key}.${s.vlan ? 'vlan' : 'vni'}`, `${ids.name(s.vni)} is defined twice`);
    vnis.add(s.vni);
    if (s.vtep !== undefined && !addrs.has(s.vtep)) throw new ConfigError(`${key}.vtep`, `${s.vtep} is not one of this host's VTEPs`);
    if (new Set(s.floodList).size !== s.floodList.length) throw new ConfigError(`${key}.floodList`, 'lists a VTEP twice (each must get exactly one copy)');
    if (s.floodList.length > VXVEM_MAX_FLOOD) throw new ConfigError(`${key}.floodList`, `at most ${VXVEM_MAX_FLOOD} VTEPs`);
    s.floodList.forEach((f, j) => {
      if (addrs.has(f)) throw new ConfigError(`${key}.floodList[${j}]`, `${f} is a local VTEP`);
    });
  });
  const portNames = new Set<string>();
  c.ports.forEach((p, i) => {
    if (!vnis.has(p.vni)) throw new ConfigError(`ports[${i}].${ids.vlanRef(p.vni) ? 'vlan' : 'vni'}`, `${ids.name(p.vni)} is not a configured segment`);
    if (uplinks.has(p.interface)) throw new ConfigError(`ports[${i}].interface`, `${p.interface} is an uplink`);
    if (p.trunk) checkTrunk(p.trunk, p.vni, `ports[${i}].trunk`, vnis, ids);
    checkPortInterface(p.interface, `ports[${i}].interface`, c.portNames ?? SECURITY_DEFAULTS.portNames);
    if (portNames.has(p.interface)) throw new ConfigError(`ports[${i}].interface`, `${p.interface} is bound twice`);
    portNames.add(p.interface);
    if (p.dhcp && !p.mac) throw new ConfigError(`ports[${i}].dhcp`, 'needs the port\'s mac (the only client it answers)');
  });
  c.staticMacs.forEach((m, i) => {
    if (!vnis.has(m.vni)) throw new ConfigError(`staticMacs[${i}].${ids.vlanRef(m.vni) ? 'vlan' : 'vni'}`, `${ids.name(m.vni)} is not a configured segment`);
  });
}

function parseSegment(v: Json, key: string, ids: SegmentIds): SegmentConfig {
  const o = object(v, key, FILE_OBJECTS.segment);
  if (o.vlan !== undefined) {
    // A VLAN segment floods one tagged copy on its uplink: no VTEP, group or flood list.
    for (const k of ['mode', 'group', 'floodList', 'vtep'] as const) if (o[k] !== undefined) throw new ConfigError(`${key}.${k}`, 'not valid for a VLAN segment');
    const id = ids.ref(o, key);
    return { vni: id, mode: 'vlan', vlan: ids.vlanRef(id)!, floodList: [] };
  }
  const mode = floodMode(o.mode === undefined ? DEFAULTS.mode : o.mode, `${key}.mode`); // null is no mode
  const seg: SegmentConfig = { vni: ids.ref(o, key), mode, floodList: [] };
  if (mode === 'multicast') {
    if (o.group === undefined) throw new ConfigError(`${key}.group`, 'is required in multicast mode');
    seg.group = group(o.group, `${key}.group`);
  } else if (o.group !== undefined) {
    throw new ConfigError(`${key}.group`, 'only valid in multicast mode');
  }
  if (o.floodList !== undefined) {
    if (mode === 'multicast') throw new ConfigError(`${key}.floodList`, 'only valid in unicast mode');
    seg.floodList = array(o.floodList, `${key}.floodList`).map((x, i) => ipv4(x, `${key}.floodList[${i}]`));
  }
  if (o.vtep !== undefined) seg.vtep = ipv4(o.vtep, `${key}.vtep`);
  return seg;
}

/** Parses and validates a whole configuration file; throws ConfigError on the first problem. */
export function parseVemConfig(input: Json): VemConfig {
  const o = object(input, '', FILE_OBJECTS.file);
  const vteps = array(o.vteps, 'vteps').map((v, i) => {
    const key = `vteps[${i}]`;
    return vtepFrom(object(v, key, FILE_OBJECTS.vtep), (f) => `${key}.${f}`);
  });
  const physicalNetworks = o.physicalNetworks === undefined ? undefined : parsePhysicalNetworks(o.physicalNetworks);
  const ids = new SegmentIds(physicalNetworks ?? {});
  const segments = array(o.segments, 'segments').map((v, i) => parseSegment(v, `segments[${i}]`, ids));
  const ports = array(o.ports, 'ports').map((v, i): PortConfig => {
    const key = `ports[${i}]`;
    const p = object(v, key, FILE_OBJECTS.port);
    const port: PortConfig = { interface: ifname(p.interface, `${key}.interface`), vni: ids.ref(p, key), ...portSecurityFrom(p, key) };
    if (p.trunk !== undefined) port.trunk = parseTrunk(p.trunk, `${key}.trunk`, ids);
    if (p.dhcp !== undefined) port.dhcp = parseDhcp(p.dhcp, `${key}.dhcp`);
    return port;
  });
  const staticMacs = o.staticMacs === undefined ? [] : array(o.staticMacs, 'staticMacs').map((v, i) => {
    const key = `staticMacs[${i}]`;
    const m = object(v, key, FILE_OBJECTS.staticMac);
    const id = ids.ref(m, key);
    if (ids.vlanRef(id) && m.vtep !== undefined) throw new ConfigError(`${key}.vtep`, 'not valid in a VLAN segment (its MACs are behind the uplink)');
    if (!ids.vlanRef(id) && m.vtep === undefined) throw new ConfigError(`${key}.vtep`, 'is required');
    return { vni: id, mac: unicastMac(m.mac, `${key}.mac`), vtep: m.vtep === undefined ? '0.0.0.0' : ipv4(m.vtep, `${key}.vtep`) };
  });
  const config: VemConfig = { vteps, ...(physicalNetworks ? { physicalNetworks } : {}), segments, ports, staticMacs, ...parseSettings(o), ...parseSecuritySettings(o) };
  checkConfig(config);
  return config;
}
