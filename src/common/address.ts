// Address syntax and arithmetic shared by every side (the agent, its maps, the VSM, the CLI):
// IPv4 dotted quads, CIDRs and colon-separated MACs, parsed by hand (bulk paths parse
// millions of them) and refused with AddressError.

export class AddressError extends Error {
  override readonly name = 'AddressError';
}

/**
 * Dotted quad -> 32-bit value (network order read as a big-endian number); octets in decimal
 * without leading zeros. Hand-written
 * rather than a regex: bulk installs parse millions of addresses.
 */
export function parseIpv4(s: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // A leading zero ('010') is octal to inet_aton and decimal here: refuse the ambiguity.
      if (digits === 1 && part === 0) {
        digits = 4;
        break;
      }
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) break;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      digits = 0;
      break;
    }
  }
  if (dots !== 3 || digits === 0 || digits > 3 || part > 255) throw new AddressError(`not an IPv4 address: ${JSON.stringify(s)}`);
  return value * 256 + part;
}

export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Writes "xx:xx:xx:xx:xx:xx" (either case) as 6 bytes at `off`; throws AddressError otherwise. */
export function writeMac(s: string, into: Buffer, off: number): void {
  if (s.length !== 17) throw new AddressError(`not a MAC address: ${JSON.stringify(s)}`);
  for (let i = 0; i < 6; i++) {
    const p = i * 3;
    const hi = hexNibble(s.charCodeAt(p));
    const lo = hexNibble(s.charCodeAt(p + 1));
    if (hi < 0 || lo < 0 || (i < 5 && s.charCodeAt(p + 2) !== 58)) throw new AddressError(`not a MAC address: ${JSON.stringify(s)}`);
    into[off + i] = (hi << 4) | lo;
  }
}

export function parseMac(s: string): Buffer {
  const b = Buffer.alloc(6);
  writeMac(s, b, 0);
  return b;
}

export function formatMac(b: Buffer, off = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(b[off + i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}


/** "xx:xx:xx:xx:xx:xx" in lower case, from any case; throws AddressError otherwise. */
export function normalizeMac(s: string): string {
  return formatMac(parseMac(s));
}

/** The I/G bit: group (broadcast or multicast) addresses never belong to one port. */
export function isMulticastMac(mac: string | Buffer): boolean {
  const first = typeof mac === 'string' ? parseInt(mac.slice(0, 2), 16) : mac[0]!;
  return (first & 1) === 1;
}

/** The netmask of a prefix length, as a 32-bit value. */
export function prefixMask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function prefixToNetmask(prefixLength: number): string {
  return formatIpv4(prefixMask(prefixLength));
}

export interface Cidr {
  /** The address as written (for a VTEP, the host's own address). */
  address: string;
  prefixLength: number;
  /** address & mask, as a 32-bit value. */
  network: number;
  mask: number;
}

/** "A.B.C.D/LEN" (LEN 0..32); throws AddressError naming what was given. */
export function parseCidr(s: string): Cidr {
  const slash = s.indexOf('/');
  const len = slash < 0 ? NaN : Number(s.slice(slash + 1));
  if (slash < 0 || !/^\d{1,2}$/.test(s.slice(slash + 1)) || len > 32) throw new AddressError(`not A.B.C.D/LEN: ${JSON.stringify(s)}`);
  const address = s.slice(0, slash);
  const mask = prefixMask(len);
  return { address, prefixLength: len, network: (parseIpv4(address) & mask) >>> 0, mask };
}

/** Whether `addr` lies inside `cidr`. */
export function inCidr(cidr: Cidr, addr: string): boolean {
  return ((parseIpv4(addr) & cidr.mask) >>> 0) === cidr.network;
}

/** Whether two addresses share the subnet of `netmask` (dotted). */
export function sameSubnet(a: string, b: string, netmask: string): boolean {
  return ((parseIpv4(a) ^ parseIpv4(b)) & parseIpv4(netmask)) === 0;
}
