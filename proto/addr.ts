// Address syntax shared by everything that speaks the VSM-VEM protocol (the agent's maps and
// the VSM): IPv4 dotted quads and colon-separated MACs, parsed by hand (bulk paths parse
// millions of them) and refused with AddressError.

export class AddressError extends Error {
  override readonly name = 'AddressError';
}

/**
 * Dotted quad -> 32-bit value (network order read as a big-endian number). Hand-written
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

