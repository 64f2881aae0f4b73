// The value validators of the VEM's configuration: each checks one JSON value and throws a
// ConfigError naming its key (a file path such as `ports[2].mac`, or a flag), so that a bad
// file is refused before anything is applied.
import { AddressError, formatIpv4, isMulticastMac, parseCidr, parseIpv4, parseMac } from '../common/address.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly key: string, problem: string) {
    super(`${key}: ${problem}`);
  }
}

export type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object of a file: its keys and the required ones. */
export interface ObjectSpec {
  keys: readonly string[];
  required: readonly string[];
}

export function object(v: Json, key: string, spec: ObjectSpec): Record<string, Json> {
  if (!isObject(v)) throw new ConfigError(key, 'must be an object');
  for (const k of Object.keys(v)) if (!spec.keys.includes(k)) throw new ConfigError(`${key}.${k}`.replace(/^\./, ''), 'unknown key');
  for (const k of spec.required) if (!(k in v)) throw new ConfigError(`${key}.${k}`.replace(/^\./, ''), 'is required');
  return v;
}

export function array(v: Json, key: string): Json[] {
  if (!Array.isArray(v)) throw new ConfigError(key, 'must be an array');
  return v;
}

export function str(v: Json, key: string): string {
  if (typeof v !== 'string' || v === '') throw new ConfigError(key, 'must be a non-empty string');
  return v;
}

export function int(v: Json, key: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(key, `must be an integer in ${min}..${max} (got ${JSON.stringify(v)})`);
  }
  return v;
}

export function bool(v: Json, key: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(key, 'must be true or false');
  return v;
}

/** `value`, unless a shared rule (src/common) found a problem with it. */
export function obeying<T>(value: T, key: string, problem: string | undefined): T {
  if (problem) throw new ConfigError(key, problem);
  return value;
}

export function ipv4(v: Json, key: string): string {
  const s = str(v, key);
  try {
    parseIpv4(s);
  } catch {
    throw new ConfigError(key, `not an IPv4 address: ${JSON.stringify(s)}`);
  }
  return s;
}

/** `A.B.C.D/LEN` (host bits dropped), or `A.B.C.D` for a /32 when `bare` allows it; returned as `NETWORK/LEN`. */
export function ipv4Prefix(v: Json, key: string, bare = false): string {
  const s = str(v, key);
  try {
    const c = parseCidr(bare && !s.includes('/') ? `${s}/32` : s);
    return `${formatIpv4(c.network)}/${c.prefixLength}`;
  } catch {
    throw new ConfigError(key, `must be A.B.C.D/LEN${bare ? ' or A.B.C.D' : ''} (got ${JSON.stringify(s)})`);
  }
}

/** A unicast MAC, in lower case. */
export function unicastMac(v: Json, key: string): string {
  const mac = str(v, key).toLowerCase();
  try {
    if (isMulticastMac(parseMac(mac))) throw new ConfigError(key, `${mac} is a multicast MAC`);
  } catch (e) {
    if (e instanceof AddressError) throw new ConfigError(key, e.message);
    throw e;
  }
  return mac;
}
