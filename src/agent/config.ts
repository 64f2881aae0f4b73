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
  vni: number;
  mode: 'unicast' | 'multicast';
  group?: string;
  floodList: string[];
  /** Address of the local VTEP designated for this segment (default: the first VTEP). */
  vtep?: string;
}

export interface PortConfig extends PortSecurity {
  interface: string;
  vni: number;
  /** DHCP from the VEM for this port's client (docs/dataplane.md, "DHCP"). */
  dhcp?: DhcpConfig;
}

export interface StaticMacConfig {
  vni: number;
  mac: string;
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
export interface HostConfig extends DataplaneSettings {
  vteps: VtepConfig[];
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
  file: { keys: ['vteps', 'segments', 'ports', 'staticMacs', ...SETTING_KEYS, ...SECURITY_KEYS], required: ['vteps', 'segments', 'ports'] },
  vtep: { keys: ['interface', 'address', 'gateway', 'xdp'], required: ['interface', 'address'] },
  segment: { keys: ['vni', 'mode', 'group', 'floodList', 'vtep'], required: ['vni'] },
  port: { keys: ['interface', 'vni', ...PORT_SECURITY_KEYS, 'dhcp'], required: ['interface', 'vni'] },
  allowedPair: ALLOWED_PAIR,
  dhcp: DHCP_OBJECT,
  staticMac: { keys: ['vni', 'mac', 'vtep'], required: ['vni', 'mac', 'vtep'] },
} as const;

/** Inclusive ranges of the integers. */
export const RANGES = {
  vni: [1, VNI_MAX], prefixLength: [1, 32], ttl: [1, 255], tos: [0, 255], udpPort: [1, 65535], macAgeingSeconds: [1, 1_000_000],
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
  const addrs = new Set(c.vteps.map((v) => v.address));
  const vnis = new Set<number>();
  c.segments.forEach((s, i) => {
    const key = `segments[${i}]`;
    if (vnis.has(s.vni)) throw new ConfigError(`${key}.vni`, `VNI ${s.vni} is defined twice`);
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
    if (!vnis.has(p.vni)) throw new ConfigError(`ports[${i}].vni`, `VNI ${p.vni} is not a configured segment`);
    if (c.vteps.some((t) => t.interface === p.interface)) throw new ConfigError(`ports[${i}].interface`, `${p.interface} is an uplink`);
    checkPortInterface(p.interface, `ports[${i}].interface`, c.portNames ?? SECURITY_DEFAULTS.portNames);
    if (portNames.has(p.interface)) throw new ConfigError(`ports[${i}].interface`, `${p.interface} is bound twice`);
    portNames.add(p.interface);
    if (p.dhcp && !p.mac) throw new ConfigError(`ports[${i}].dhcp`, 'needs the port\'s mac (the only client it answers)');
  });
  c.staticMacs.forEach((m, i) => {
    if (!vnis.has(m.vni)) throw new ConfigError(`staticMacs[${i}].vni`, `VNI ${m.vni} is not a configured segment`);
  });
}

function parseSegment(v: Json, key: string): SegmentConfig {
  const o = object(v, key, FILE_OBJECTS.segment);
  const mode = floodMode(o.mode === undefined ? DEFAULTS.mode : o.mode, `${key}.mode`); // null is no mode
  const seg: SegmentConfig = { vni: vni(o.vni, `${key}.vni`), mode, floodList: [] };
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
  const segments = array(o.segments, 'segments').map((v, i) => parseSegment(v, `segments[${i}]`));
  const ports = array(o.ports, 'ports').map((v, i): PortConfig => {
    const key = `ports[${i}]`;
    const p = object(v, key, FILE_OBJECTS.port);
    const port: PortConfig = { interface: ifname(p.interface, `${key}.interface`), vni: vni(p.vni, `${key}.vni`), ...portSecurityFrom(p, key) };
    if (p.dhcp !== undefined) port.dhcp = parseDhcp(p.dhcp, `${key}.dhcp`);
    return port;
  });
  const staticMacs = o.staticMacs === undefined ? [] : array(o.staticMacs, 'staticMacs').map((v, i) => {
    const key = `staticMacs[${i}]`;
    const m = object(v, key, FILE_OBJECTS.staticMac);
    return { vni: vni(m.vni, `${key}.vni`), mac: unicastMac(m.mac, `${key}.mac`), vtep: ipv4(m.vtep, `${key}.vtep`) };
  });
  const config: VemConfig = { vteps, segments, ports, staticMacs, ...parseSettings(o), ...parseSecuritySettings(o) };
  checkConfig(config);
  return config;
}
