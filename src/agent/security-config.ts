// The security keys of the VEM's configuration (docs/dataplane.md, "Security"): which
// interfaces may be ports, which underlay prefixes multicast segments trust, the learned-MAC
// limit, and per port its port security (MAC, addresses, address pairs) and storm limit. A file
// and a VSM view go through the same validators and rules.
import { MAX_PORT_SOURCES, MAX_STORM_PPS, VM_INTERFACE_PATTERNS, interfacePatternProblem, vmInterfaceProblem } from '../common/vxlan.js';
import { ConfigError, array, bool, int, ipv4Prefix, obeying, object, str, unicastMac, type Json, type ObjectSpec } from './config-values.js';

export const DEFAULT_MAX_MACS_PER_PORT = 64;
/** Largest maxMacsPerPort (a 16-bit field of the port table). */
export const MAX_MACS_PER_PORT = 65535;

export interface SecuritySettings {
  /** Underlay prefixes (NETWORK/LEN) multicast segments accept VXLAN from; undefined: the subnets of the host's VTEPs. */
  trustedUnderlay?: string[];
  /** Glob patterns (`*`, `?`) a port's interface must match. */
  portNames: string[];
  /** Learned MACs one port may have in the table. */
  maxMacsPerPort: number;
}

export const SECURITY_KEYS = ['trustedUnderlay', 'portNames', 'maxMacsPerPort'] as const;
export type SecurityKey = (typeof SECURITY_KEYS)[number];

export const SECURITY_DEFAULTS = { portNames: [...VM_INTERFACE_PATTERNS], maxMacsPerPort: DEFAULT_MAX_MACS_PER_PORT } satisfies SecuritySettings;

/** Inclusive ranges of the security integers (part of config.ts's RANGES, hence of the file's schema). */
export const SECURITY_RANGES = { maxMacsPerPort: [1, MAX_MACS_PER_PORT], stormPps: [0, MAX_STORM_PPS] } as const;

export function parseSecuritySettings(o: Partial<Record<SecurityKey, Json>>): SecuritySettings {
  const out: SecuritySettings = { ...SECURITY_DEFAULTS };
  if (o.trustedUnderlay !== undefined) {
    out.trustedUnderlay = array(o.trustedUnderlay, 'trustedUnderlay').map((v, i) => ipv4Prefix(v, `trustedUnderlay[${i}]`));
  }
  if (o.portNames !== undefined) {
    const names = array(o.portNames, 'portNames');
    if (!names.length) throw new ConfigError('portNames', 'lists at least one pattern');
    out.portNames = names.map((v, i) => {
      const p = str(v, `portNames[${i}]`);
      return obeying(p, `portNames[${i}]`, interfacePatternProblem(p));
    });
  }
  if (o.maxMacsPerPort !== undefined) out.maxMacsPerPort = int(o.maxMacsPerPort, 'maxMacsPerPort', ...SECURITY_RANGES.maxMacsPerPort);
  return out;
}

/** Another (MAC, IPv4 prefix) a secure port may send from (Neutron's allowed address pair). */
export interface AddressPair {
  mac: string;
  /** NETWORK/LEN. */
  address: string;
}

/** What a port brings for port security and storm control. */
export interface PortSecurity {
  /** The VM's MAC; required with portSecurity. */
  mac?: string;
  portSecurity: boolean;
  /** IPv4 sources (NETWORK/LEN) allowed from `mac`. With no allowedPairs either: any address. */
  addresses: string[];
  allowedPairs: AddressPair[];
  /** Flooded frames (broadcast, multicast, unknown unicast) per second; 0 = no limit. */
  stormPps: number;
}

export const PORT_SECURITY_KEYS = ['mac', 'portSecurity', 'addresses', 'allowedPairs', 'stormPps'] as const;
export const ALLOWED_PAIR = { keys: ['mac', 'address'], required: ['address'] } as const satisfies ObjectSpec;
type PortSecurityFields = Partial<Record<(typeof PORT_SECURITY_KEYS)[number], Json>>;

/** A port's security fields, checked; without `portSecurity`, it is on when the port names its MAC. */
export function portSecurityFrom(f: PortSecurityFields, key: string): PortSecurity {
  const mac = f.mac === undefined ? undefined : unicastMac(f.mac, `${key}.mac`);
  const out: PortSecurity = {
    ...(mac ? { mac } : {}),
    portSecurity: f.portSecurity === undefined ? mac !== undefined : bool(f.portSecurity, `${key}.portSecurity`),
    addresses: f.addresses === undefined ? [] : array(f.addresses, `${key}.addresses`).map((a, i) => ipv4Prefix(a, `${key}.addresses[${i}]`, true)),
    allowedPairs: f.allowedPairs === undefined ? [] : array(f.allowedPairs, `${key}.allowedPairs`).map((v, i) => {
      const k = `${key}.allowedPairs[${i}]`;
      const pair = object(v, k, ALLOWED_PAIR);
      const pairMac = pair.mac === undefined ? mac : unicastMac(pair.mac, `${k}.mac`);
      if (!pairMac) throw new ConfigError(`${k}.mac`, 'is required when the port names no MAC');
      return { mac: pairMac, address: ipv4Prefix(pair.address, `${k}.address`, true) };
    }),
    stormPps: f.stormPps === undefined ? 0 : int(f.stormPps, `${key}.stormPps`, ...SECURITY_RANGES.stormPps),
  };
  if (out.portSecurity && !mac) throw new ConfigError(`${key}.mac`, 'is required with portSecurity (the MAC the port sends from)');
  if (!out.portSecurity && (out.addresses.length || out.allowedPairs.length)) {
    throw new ConfigError(`${key}.portSecurity`, 'is off: addresses and allowedPairs apply only with port security');
  }
  if (out.addresses.length + out.allowedPairs.length > MAX_PORT_SOURCES) {
    throw new ConfigError(`${key}.addresses`, `a port lists at most ${MAX_PORT_SOURCES} addresses and pairs`);
  }
  return out;
}

/** A port's interface: a Linux name that matches the VM interface patterns, never a host interface. */
export function checkPortInterface(name: string, key: string, patterns: readonly string[]): void {
  obeying(name, key, vmInterfaceProblem(name, patterns));
}
