// The host flags of `vxvem vem --vsm`: the VTEPs and the dataplane settings a host driven by a
// VSM brings itself (the VSM's views carry networks, not encapsulation). They are checked by
// the configuration file's validators, and errors name the flag instead of the file key.
import { SECURITY_KEYS, parseSecuritySettings, type SecurityKey, type SecuritySettings } from './security-config.js';
import { parsePhysicalNetworks } from './vlan-config.js';
import { ConfigError, checkVteps, parseSettings, vtepFrom, type HostConfig, type SettingKey, type VtepConfig } from './config.js';

export interface HostFlags {
  /** `IF:ADDR/LEN[@GATEWAY]`, one per VTEP. */
  vteps: string[];
  ttl?: string;
  /** `inherit` or 0..255. */
  tos?: string;
  /** `MIN-MAX`. */
  srcPortRange?: string;
  udpChecksum?: boolean;
  macAgeing?: string;
  /** `NAME:IF`, one per physical network (its VLAN segments' uplink). */
  physnets?: string[];
  /** The file's portNames, trustedUnderlay and maxMacsPerPort (docs/dataplane.md, "Security"). */
  portNames?: string[];
  trustedUnderlay?: string[];
  maxMacsPerPort?: string;
}

/** The flag of each security setting. */
const SECURITY_FLAGS: Record<SecurityKey, string> = { portNames: '--port-name', trustedUnderlay: '--trusted-underlay', maxMacsPerPort: '--max-macs-per-port' };

/** The security flags as the file's keys, checked by its validator; errors name the flag. */
function securityFlags(f: HostFlags): Partial<SecuritySettings> {
  const asked = {
    ...(f.portNames?.length ? { portNames: f.portNames } : {}),
    ...(f.trustedUnderlay?.length ? { trustedUnderlay: f.trustedUnderlay } : {}),
    ...(f.maxMacsPerPort !== undefined ? { maxMacsPerPort: number(f.maxMacsPerPort) } : {}),
  };
  try {
    const all = parseSecuritySettings(asked);
    return Object.fromEntries(SECURITY_KEYS.filter((k) => k in asked).map((k) => [k, all[k]]));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const key = SECURITY_KEYS.find((k) => e.key.startsWith(k))!;
    throw new ConfigError(SECURITY_FLAGS[key], e.message.slice(e.key.length + 2));
  }
}

/** The flag of each setting (without the leading dashes). */
export const SETTING_FLAGS: Record<SettingKey, string> = {
  ttl: 'ttl', tos: 'tos', srcPortRange: 'src-port-range', udpChecksum: 'udp-checksum', macAgeingSeconds: 'mac-ageing',
};

/** A decimal value as a number; anything else as written, for the validator to name. */
const number = (v: string): unknown => (/^\d+$/.test(v) ? Number(v) : v);

/** `IF:ADDR/LEN[@GATEWAY]`: the interface is what precedes the last ':' (names may hold ':'). */
export function parseVtepFlag(arg: string): VtepConfig {
  const colon = arg.lastIndexOf(':');
  if (colon < 1) throw new ConfigError('--vtep', `expected IF:ADDR/LEN[@GATEWAY] (got ${JSON.stringify(arg)})`);
  const rest = arg.slice(colon + 1);
  const at = rest.indexOf('@');
  return vtepFrom(
    { interface: arg.slice(0, colon), address: at < 0 ? rest : rest.slice(0, at), gateway: at < 0 ? undefined : rest.slice(at + 1) },
    () => '--vtep',
  );
}

/** Throws ConfigError naming the flag (e.g. `--ttl: must be an integer in 1..255 (got 0)`). */
export function hostConfigFromFlags(f: HostFlags): HostConfig {
  const vteps = f.vteps.map(parseVtepFlag);
  checkVteps(vteps, () => '--vtep');
  let srcPortRange: unknown;
  if (f.srcPortRange !== undefined) {
    const m = /^([^-]*)-([^-]*)$/.exec(f.srcPortRange);
    if (!m) throw new ConfigError(`--${SETTING_FLAGS.srcPortRange}`, `must be MIN-MAX, e.g. 49152-65535 (got ${JSON.stringify(f.srcPortRange)})`);
    srcPortRange = [number(m[1]!), number(m[2]!)];
  }
  const settings = parseSettings({
    ttl: f.ttl === undefined ? undefined : number(f.ttl),
    tos: f.tos === undefined || f.tos === 'inherit' ? f.tos : number(f.tos),
    srcPortRange,
    udpChecksum: f.udpChecksum,
    macAgeingSeconds: f.macAgeing === undefined ? undefined : number(f.macAgeing),
  }, (k) => `--${SETTING_FLAGS[k]}`);
  return { vteps, ...settings, ...securityFlags(f), ...(f.physnets?.length ? { physicalNetworks: physnetFlags(f.physnets) } : {}) };
}

/** `--physnet NAME:IF`, repeatable, checked as the file's physicalNetworks are. */
function physnetFlags(args: string[]): Record<string, string> {
  const asObject: Record<string, string> = {};
  for (const a of args) {
    const colon = a.indexOf(':');
    if (colon < 1) throw new ConfigError('--physnet', `expected NAME:IF (got ${JSON.stringify(a)})`);
    const name = a.slice(0, colon);
    if (name in asObject) throw new ConfigError('--physnet', `${name} is given twice`);
    asObject[name] = a.slice(colon + 1);
  }
  try {
    return parsePhysicalNetworks(asObject);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError('--physnet', e.message.slice(e.key.length + 2));
    throw e;
  }
}
