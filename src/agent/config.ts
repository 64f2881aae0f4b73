// The VEM's configuration and its rules. A file is parsed and validated completely before
// anything is applied, so a bad file changes nothing; errors name the offending key. The same
// validators check the host flags of VSM mode (host-flags.ts) and the VSM's views
// (view-config.ts), under their own key names.
import { AddressError, parseCidr } from '../common/address.js';
import { MAX_VTEPS_PER_HOST, VNI_MAX, groupProblem, interfaceNameProblem } from '../common/vxlan.js';
import { VXVEM_MAX_FLOOD } from '../maps/layout.js';
import { ConfigError, array, bool, int, ipv4, obeying, object, str, unicastMac, type Json } from './config-values.js';
import {
  PORT_SECURITY_KEYS, SECURITY_DEFAULTS, SECURITY_KEYS, checkPortInterface, parseSecuritySettings, portSecurityFrom, type PortSecurity, type SecuritySettings,
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
  return int(v, key, 1, VNI_MAX);
}

export function ifname(v: Json, key: string): string {
  const s = str(v, key);
  return obeying(s, key, interfaceNameProblem(s));
}

export function floodMode(v: Json, key: string): SegmentConfig['mode'] {
  if (v !== 'unicast' && v !== 'multicast') throw new ConfigError(key, 'must be "unicast" or "multicast"');
  return v;
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
  const prefixLength = int(cidr.prefixLength, `${key('address')} prefix`, 1, 32);
  const out: VtepConfig = { interface: ifname(f.interface, key('interface')), address: cidr.address, prefixLength, xdp: false };
  if (f.gateway !== undefined) out.gateway = ipv4(f.gateway, key('gateway'));
  if (f.xdp !== undefined) out.xdp = bool(f.xdp, key('xdp'));
  return out;
}

export const SETTING_KEYS = ['macAgeingSeconds', 'ttl', 'tos', 'srcPortRange', 'udpChecksum'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** The settings, defaults filled; `name` says how errors name each key. */
export function parseSettings(o: Partial<Record<SettingKey, Json>>, name: (key: SettingKey) => string = (k) => k): DataplaneSettings {
  const tos = o.tos === undefined || o.tos === 'inherit' ? 'inherit' : int(o.tos, name('tos'), 0, 255);
  let srcPortRange: [number, number] = [49152, 65535];
  if (o.srcPortRange !== undefined) {
    const key = name('srcPortRange');
    const r = array(o.srcPortRange, key);
    if (r.length !== 2) throw new ConfigError(key, 'must be [min, max]');
    srcPortRange = [int(r[0], `${key}[0]`, 1, 65535), int(r[1], `${key}[1]`, 1, 65535)];
    if (srcPortRange[0] > srcPortRange[1]) throw new ConfigError(key, 'min is above max');
  }
  return {
    macAgeingSeconds: o.macAgeingSeconds === undefined ? 300 : int(o.macAgeingSeconds, name('macAgeingSeconds'), 1, 1_000_000),
    ttl: o.ttl === undefined ? 64 : int(o.ttl, name('ttl'), 1, 255),
    tos,
    srcPortRange,
    udpChecksum: o.udpChecksum === undefined ? false : bool(o.udpChecksum, name('udpChecksum')),
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
  });
  c.staticMacs.forEach((m, i) => {
    if (!vnis.has(m.vni)) throw new ConfigError(`staticMacs[${i}].vni`, `VNI ${m.vni} is not a configured segment`);
  });
}

function parseSegment(v: Json, key: string): SegmentConfig {
  const o = object(v, key, ['vni', 'mode', 'group', 'floodList', 'vtep'], ['vni']);
  const mode = floodMode(o.mode ?? 'unicast', `${key}.mode`);
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

const TOP_KEYS = ['vteps', 'segments', 'ports', 'staticMacs', ...SETTING_KEYS, ...SECURITY_KEYS];

/** Parses and validates a whole configuration file; throws ConfigError on the first problem. */
export function parseVemConfig(input: Json): VemConfig {
  const o = object(input, '', TOP_KEYS, ['vteps', 'segments', 'ports']);
  const vteps = array(o.vteps, 'vteps').map((v, i) => {
    const key = `vteps[${i}]`;
    return vtepFrom(object(v, key, ['interface', 'address', 'gateway', 'xdp'], ['interface', 'address']), (f) => `${key}.${f}`);
  });
  const segments = array(o.segments, 'segments').map((v, i) => parseSegment(v, `segments[${i}]`));
  const ports = array(o.ports, 'ports').map((v, i): PortConfig => {
    const key = `ports[${i}]`;
    const p = object(v, key, ['interface', 'vni', ...PORT_SECURITY_KEYS], ['interface', 'vni']);
    return { interface: ifname(p.interface, `${key}.interface`), vni: vni(p.vni, `${key}.vni`), ...portSecurityFrom(p, key) };
  });
  const staticMacs = o.staticMacs === undefined ? [] : array(o.staticMacs, 'staticMacs').map((v, i) => {
    const key = `staticMacs[${i}]`;
    const m = object(v, key, ['vni', 'mac', 'vtep'], ['vni', 'mac', 'vtep']);
    return { vni: vni(m.vni, `${key}.vni`), mac: unicastMac(m.mac, `${key}.mac`), vtep: ipv4(m.vtep, `${key}.vtep`) };
  });
  const config: VemConfig = { vteps, segments, ports, staticMacs, ...parseSettings(o), ...parseSecuritySettings(o) };
  checkConfig(config);
  return config;
}
