// The standalone VEM's configuration file: parsed and validated completely before anything
// is applied, so a bad file changes nothing. Errors name the offending key.
import { AddressError, isMulticastMac, parseCidr, parseIpv4, parseMac } from '../common/address.js';
import { MAX_VTEPS_PER_HOST, VNI_MAX, groupProblem, interfaceNameProblem } from '../common/vxlan.js';
import { VXVEM_MAX_FLOOD } from '../maps/layout.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly key: string, problem: string) {
    super(`${key}: ${problem}`);
  }
}

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

export interface PortConfig {
  interface: string;
  vni: number;
}

export interface StaticMacConfig {
  vni: number;
  mac: string;
  vtep: string;
}

export interface VemConfig {
  vteps: VtepConfig[];
  segments: SegmentConfig[];
  ports: PortConfig[];
  staticMacs: StaticMacConfig[];
  macAgeingSeconds: number;
  ttl: number;
  tos: 'inherit' | number;
  srcPortRange: [number, number];
  udpChecksum: boolean;
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function object(v: Json, key: string, allowed: string[], required: string[]): Record<string, Json> {
  if (!isObject(v)) throw new ConfigError(key, 'must be an object');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw new ConfigError(`${key}.${k}`.replace(/^\./, ''), 'unknown key');
  for (const k of required) if (!(k in v)) throw new ConfigError(`${key}.${k}`.replace(/^\./, ''), 'is required');
  return v;
}

function array(v: Json, key: string): Json[] {
  if (!Array.isArray(v)) throw new ConfigError(key, 'must be an array');
  return v;
}

function str(v: Json, key: string): string {
  if (typeof v !== 'string' || v === '') throw new ConfigError(key, 'must be a non-empty string');
  return v;
}

function int(v: Json, key: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(key, `must be an integer in ${min}..${max} (got ${JSON.stringify(v)})`);
  }
  return v;
}

function bool(v: Json, key: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(key, 'must be true or false');
  return v;
}

function ipv4(v: Json, key: string): string {
  const s = str(v, key);
  try {
    parseIpv4(s);
  } catch {
    throw new ConfigError(key, `not an IPv4 address: ${JSON.stringify(s)}`);
  }
  return s;
}

function ifname(v: Json, key: string): string {
  const s = str(v, key);
  const problem = interfaceNameProblem(s);
  if (problem) throw new ConfigError(key, problem);
  return s;
}

function parseVtep(v: Json, key: string): VtepConfig {
  const o = object(v, key, ['interface', 'address', 'gateway', 'xdp'], ['interface', 'address']);
  const addr = str(o.address, `${key}.address`);
  let cidr;
  try {
    cidr = parseCidr(addr);
  } catch (e) {
    const badAddress = e instanceof AddressError && e.message.startsWith('not an IPv4 address');
    throw new ConfigError(`${key}.address`, badAddress ? e.message : `must be ADDRESS/PREFIX, e.g. 192.0.2.1/24 (got ${JSON.stringify(addr)})`);
  }
  const address = cidr.address;
  const prefixLength = int(cidr.prefixLength, `${key}.address prefix`, 1, 32);
  const out: VtepConfig = { interface: ifname(o.interface, `${key}.interface`), address, prefixLength, xdp: false };
  if (o.gateway !== undefined) out.gateway = ipv4(o.gateway, `${key}.gateway`);
  if (o.xdp !== undefined) out.xdp = bool(o.xdp, `${key}.xdp`);
  return out;
}

function parseSegment(v: Json, key: string): SegmentConfig {
  const o = object(v, key, ['vni', 'mode', 'group', 'floodList', 'vtep'], ['vni']);
  const mode = o.mode ?? 'unicast';
  if (mode !== 'unicast' && mode !== 'multicast') throw new ConfigError(`${key}.mode`, 'must be "unicast" or "multicast"');
  const seg: SegmentConfig = { vni: int(o.vni, `${key}.vni`, 1, VNI_MAX), mode, floodList: [] };
  if (mode === 'multicast') {
    if (o.group === undefined) throw new ConfigError(`${key}.group`, 'is required in multicast mode');
    const g = ipv4(o.group, `${key}.group`);
    const problem = groupProblem(g);
    if (problem) throw new ConfigError(`${key}.group`, problem);
    seg.group = g;
  } else if (o.group !== undefined) {
    throw new ConfigError(`${key}.group`, 'only valid in multicast mode');
  }
  if (o.floodList !== undefined) {
    if (mode === 'multicast') throw new ConfigError(`${key}.floodList`, 'only valid in unicast mode');
    const list = array(o.floodList, `${key}.floodList`).map((x, i) => ipv4(x, `${key}.floodList[${i}]`));
    if (new Set(list).size !== list.length) throw new ConfigError(`${key}.floodList`, 'lists a VTEP twice (each must get exactly one copy)');
    if (list.length > VXVEM_MAX_FLOOD) throw new ConfigError(`${key}.floodList`, `at most ${VXVEM_MAX_FLOOD} VTEPs`);
    seg.floodList = list;
  }
  if (o.vtep !== undefined) seg.vtep = ipv4(o.vtep, `${key}.vtep`);
  return seg;
}

const TOP_KEYS = ['vteps', 'segments', 'ports', 'staticMacs', 'macAgeingSeconds', 'ttl', 'tos', 'srcPortRange', 'udpChecksum'];

/** Parses and validates a whole configuration; throws ConfigError on the first problem. */
export function parseVemConfig(input: Json): VemConfig {
  const o = object(input, '', TOP_KEYS, ['vteps', 'segments', 'ports']);
  const vteps = array(o.vteps, 'vteps').map((v, i) => parseVtep(v, `vteps[${i}]`));
  if (vteps.length < 1 || vteps.length > MAX_VTEPS_PER_HOST) throw new ConfigError('vteps', `a host has 1 to ${MAX_VTEPS_PER_HOST} VTEPs`);
  const addrs = new Set<string>();
  vteps.forEach((v, i) => {
    if (addrs.has(v.address)) throw new ConfigError(`vteps[${i}].address`, `${v.address} is used twice`);
    addrs.add(v.address);
  });

  const segments = array(o.segments, 'segments').map((v, i) => parseSegment(v, `segments[${i}]`));
  const vnis = new Set<number>();
  segments.forEach((s, i) => {
    if (vnis.has(s.vni)) throw new ConfigError(`segments[${i}].vni`, `VNI ${s.vni} is defined twice`);
    vnis.add(s.vni);
    if (s.vtep !== undefined && !addrs.has(s.vtep)) throw new ConfigError(`segments[${i}].vtep`, `${s.vtep} is not one of this host's VTEPs`);
    s.floodList.forEach((f, j) => {
      if (addrs.has(f)) throw new ConfigError(`segments[${i}].floodList[${j}]`, `${f} is a local VTEP`);
    });
  });

  const ports = array(o.ports, 'ports').map((v, i) => {
    const p = object(v, `ports[${i}]`, ['interface', 'vni'], ['interface', 'vni']);
    const port = { interface: ifname(p.interface, `ports[${i}].interface`), vni: int(p.vni, `ports[${i}].vni`, 1, VNI_MAX) };
    if (!vnis.has(port.vni)) throw new ConfigError(`ports[${i}].vni`, `VNI ${port.vni} is not a configured segment`);
    if (vteps.some((t) => t.interface === port.interface)) throw new ConfigError(`ports[${i}].interface`, `${port.interface} is an uplink`);
    return port;
  });
  const portNames = new Set<string>();
  ports.forEach((p, i) => {
    if (portNames.has(p.interface)) throw new ConfigError(`ports[${i}].interface`, `${p.interface} is bound twice`);
    portNames.add(p.interface);
  });

  const staticMacs = o.staticMacs === undefined ? [] : array(o.staticMacs, 'staticMacs').map((v, i) => {
    const key = `staticMacs[${i}]`;
    const m = object(v, key, ['vni', 'mac', 'vtep'], ['vni', 'mac', 'vtep']);
    const vni = int(m.vni, `${key}.vni`, 1, VNI_MAX);
    if (!vnis.has(vni)) throw new ConfigError(`${key}.vni`, `VNI ${vni} is not a configured segment`);
    const mac = str(m.mac, `${key}.mac`).toLowerCase();
    try {
      if (isMulticastMac(parseMac(mac))) throw new ConfigError(`${key}.mac`, `${mac} is a multicast MAC`);
    } catch (e) {
      if (e instanceof AddressError) throw new ConfigError(`${key}.mac`, e.message);
      throw e;
    }
    return { vni, mac, vtep: ipv4(m.vtep, `${key}.vtep`) };
  });

  const tos = o.tos === undefined || o.tos === 'inherit' ? 'inherit' : int(o.tos, 'tos', 0, 255);
  let srcPortRange: [number, number] = [49152, 65535];
  if (o.srcPortRange !== undefined) {
    const r = array(o.srcPortRange, 'srcPortRange');
    if (r.length !== 2) throw new ConfigError('srcPortRange', 'must be [min, max]');
    srcPortRange = [int(r[0], 'srcPortRange[0]', 1, 65535), int(r[1], 'srcPortRange[1]', 1, 65535)];
    if (srcPortRange[0] > srcPortRange[1]) throw new ConfigError('srcPortRange', 'min is above max');
  }
  return {
    vteps,
    segments,
    ports,
    staticMacs,
    macAgeingSeconds: o.macAgeingSeconds === undefined ? 300 : int(o.macAgeingSeconds, 'macAgeingSeconds', 1, 1_000_000),
    ttl: o.ttl === undefined ? 64 : int(o.ttl, 'ttl', 1, 255),
    tos,
    srcPortRange,
    udpChecksum: o.udpChecksum === undefined ? false : bool(o.udpChecksum, 'udpChecksum'),
  };
}
