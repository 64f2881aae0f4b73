// DHCP from the VEM (docs/dataplane.md, "DHCP"): a port's `dhcp` key in the file, or its DHCP
// fields in a VSM view, checked by the same validators. What a port's client is told: its
// address and subnet, the gateway, DNS servers, domain, lease time and the interface MTU.
import { AddressError, formatIpv4, inCidr, parseCidr, prefixMask } from '../common/address.js';
import { ConfigError, array, int, ipv4, object, str, type Json } from './config-values.js';

/** Neutron's dhcp_lease_duration default. */
export const DEFAULT_LEASE_SECONDS = 86400;
/** Lease times a client is given: at least a minute (clients renew at half), at most ~136 years (32 bits). */
export const LEASE_RANGE = [60, 0xffffffff - 1] as const;
/** Interface MTUs a client may be told (RFC 2132: at least 68). */
export const DHCP_MTU_RANGE = [68, 65535] as const;
/** DNS servers per port: what fits the options field with everything else. */
export const MAX_DHCP_DNS = 8;
/** Domain name length in the options field. */
export const MAX_DHCP_DOMAIN = 63;

export interface DhcpConfig {
  /** The port's fixed IPv4 address. */
  address: string;
  /** Its subnet's prefix length. */
  prefixLength: number;
  /** The subnet's gateway: the router option, and the server identifier. */
  gateway?: string;
  dns: string[];
  domain?: string;
  leaseSeconds: number;
  /** Interface MTU option; undefined: the segment's VTEP uplink MTU less the 50 bytes of VXLAN. */
  mtu?: number;
}

export const DHCP_OBJECT = { keys: ['address', 'gateway', 'dns', 'domain', 'leaseSeconds', 'mtu'], required: ['address'] } as const;

/** Loose fields, as a file or a view gives them; `key` prefixes the errors. */
export interface DhcpFields {
  address?: Json;
  gateway?: Json;
  dns?: Json;
  domain?: Json;
  leaseSeconds?: Json;
  mtu?: Json;
}

const DOMAIN = /^(?=.{1,63}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export function dhcpFrom(f: DhcpFields, key: string): DhcpConfig {
  const raw = str(f.address, `${key}.address`);
  let cidr;
  try {
    cidr = parseCidr(raw);
  } catch (e) {
    throw new ConfigError(`${key}.address`, e instanceof AddressError && raw.includes('/') ? e.message : `must be A.B.C.D/LEN, the port's address and its subnet's length (got ${JSON.stringify(raw)})`);
  }
  const prefixLength = int(cidr.prefixLength, `${key}.address prefix`, 1, 30);
  if (cidr.address === formatIpv4(cidr.network) || cidr.address === formatIpv4((cidr.network | ~prefixMask(prefixLength)) >>> 0)) {
    throw new ConfigError(`${key}.address`, `${cidr.address} is the network or broadcast address of its subnet`);
  }
  const out: DhcpConfig = { address: cidr.address, prefixLength, dns: [], leaseSeconds: DEFAULT_LEASE_SECONDS };
  if (f.gateway !== undefined) {
    const g = ipv4(f.gateway, `${key}.gateway`);
    if (!inCidr(cidr, g)) throw new ConfigError(`${key}.gateway`, `${g} is not in ${formatIpv4(cidr.network)}/${prefixLength}`);
    if (g === cidr.address) throw new ConfigError(`${key}.gateway`, `${g} is the port's own address`);
    out.gateway = g;
  }
  if (f.dns !== undefined) {
    out.dns = array(f.dns, `${key}.dns`).map((d, i) => ipv4(d, `${key}.dns[${i}]`));
    if (out.dns.length > MAX_DHCP_DNS) throw new ConfigError(`${key}.dns`, `at most ${MAX_DHCP_DNS} servers`);
  }
  if (f.domain !== undefined) {
    const d = str(f.domain, `${key}.domain`);
    if (!DOMAIN.test(d) || d.length > MAX_DHCP_DOMAIN) throw new ConfigError(`${key}.domain`, `must be a domain name of at most ${MAX_DHCP_DOMAIN} characters`);
    out.domain = d;
  }
  if (f.leaseSeconds !== undefined) out.leaseSeconds = int(f.leaseSeconds, `${key}.leaseSeconds`, ...LEASE_RANGE);
  if (f.mtu !== undefined) out.mtu = int(f.mtu, `${key}.mtu`, ...DHCP_MTU_RANGE);
  return out;
}

/** A file's `ports[i].dhcp` object. */
export function parseDhcp(v: Json, key: string): DhcpConfig {
  return dhcpFrom(object(v, key, DHCP_OBJECT), key);
}
