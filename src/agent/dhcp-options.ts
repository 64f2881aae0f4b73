// What the dataplane answers a port's DHCP client with (vx_dhcp; docs/dataplane.md, "DHCP"):
// the options field of an OFFER or ACK written once here, byte for byte, so that the program
// only copies it and fills in the message type. Pure: no map access.
import { formatIpv4, parseIpv4, prefixMask, prefixToNetmask } from '../common/address.js';
import { VXVEM_DHCP_OPTS_LEN, type DhcpLease } from '../maps/layout.js';
import type { DhcpConfig } from './dhcp-config.js';

/** Outer Ethernet, IPv4, UDP and VXLAN headers: what a segment's MTU is below its uplink's. */
export const VXLAN_OVERHEAD = 50;

/** RFC 2132 option codes the VEM sends. */
export const DHCP_OPTION = {
  subnetMask: 1, router: 3, dns: 6, domain: 15, mtu: 26, leaseTime: 51, messageType: 53, serverId: 54, renewal: 58, rebinding: 59, end: 255,
} as const;

/**
 * The server identifier (and source of the replies): the subnet's gateway, as OVN's native DHCP
 * uses the router's address; without one, the subnet's first host address that is not the port's.
 */
export function dhcpServerAddress(d: DhcpConfig): string {
  if (d.gateway) return d.gateway;
  const network = (parseIpv4(d.address) & prefixMask(d.prefixLength)) >>> 0;
  const first = formatIpv4(network + 1);
  return first === d.address ? formatIpv4(network + 2) : first;
}

/**
 * The Ethernet source of the replies: locally administered, made from the server address so that
 * every VEM answers a subnet from the same MAC (a migrated VM sees no change).
 */
export function dhcpServerMac(server: string): string {
  const a = parseIpv4(server);
  return ['0a', '58', ...[24, 16, 8, 0].map((s) => ((a >>> s) & 0xff).toString(16).padStart(2, '0'))].join(':');
}

/** The options field of an OFFER/ACK: message type first (value byte 0: the program's), END, zeros. */
export function dhcpOptions(d: DhcpConfig, mtu: number): Buffer {
  const out = Buffer.alloc(VXVEM_DHCP_OPTS_LEN);
  let at = 0;
  const put = (code: number, value: Buffer): void => {
    if (at + 2 + value.length + 1 > out.length) throw new RangeError(`DHCP options exceed ${out.length} bytes`);
    out[at] = code;
    out[at + 1] = value.length;
    value.copy(out, at + 2);
    at += 2 + value.length;
  };
  const addr = (...a: string[]): Buffer => {
    const b = Buffer.alloc(4 * a.length);
    a.forEach((x, i) => b.writeUInt32BE(parseIpv4(x), 4 * i));
    return b;
  };
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const u16 = (n: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    return b;
  };
  put(DHCP_OPTION.messageType, Buffer.alloc(1));
  put(DHCP_OPTION.serverId, addr(dhcpServerAddress(d)));
  put(DHCP_OPTION.leaseTime, u32(d.leaseSeconds));
  put(DHCP_OPTION.renewal, u32(Math.floor(d.leaseSeconds / 2)));
  put(DHCP_OPTION.rebinding, u32(Math.floor((d.leaseSeconds * 7) / 8)));
  put(DHCP_OPTION.subnetMask, addr(prefixToNetmask(d.prefixLength)));
  if (d.gateway) put(DHCP_OPTION.router, addr(d.gateway));
  if (d.dns.length) put(DHCP_OPTION.dns, addr(...d.dns));
  if (d.domain) put(DHCP_OPTION.domain, Buffer.from(d.domain, 'ascii'));
  put(DHCP_OPTION.mtu, u16(mtu));
  out[at] = DHCP_OPTION.end;
  return out;
}

/** The vx_dhcp record of a port with MAC `mac`. */
export function dhcpLease(mac: string, d: DhcpConfig, mtu: number): DhcpLease {
  const server = dhcpServerAddress(d);
  return { mac, serverMac: dhcpServerMac(server), yiaddr: d.address, server, options: dhcpOptions(d, mtu) };
}

/** A record as one line for `vem --check`: the address, then what its options say, in their order. */
export function describeDhcp(l: DhcpLease): string {
  const parts = [l.yiaddr];
  const o = l.options;
  const addrs = (at: number, len: number): string => Array.from({ length: len / 4 }, (_, i) => formatIpv4(o.readUInt32BE(at + 4 * i))).join(' ');
  for (let at = 0; at + 1 < o.length && o[at] !== DHCP_OPTION.end;) {
    const code = o[at]!;
    const len = o[at + 1]!;
    const v = at + 2;
    if (code === DHCP_OPTION.subnetMask) parts.push(`mask ${addrs(v, 4)}`);
    else if (code === DHCP_OPTION.router) parts.push(`router ${addrs(v, len)}`);
    else if (code === DHCP_OPTION.dns) parts.push(`dns ${addrs(v, len)}`);
    else if (code === DHCP_OPTION.domain) parts.push(`domain ${o.toString('ascii', v, v + len)}`);
    else if (code === DHCP_OPTION.mtu) parts.push(`mtu ${o.readUInt16BE(v)}`);
    else if (code === DHCP_OPTION.leaseTime) parts.push(`lease ${o.readUInt32BE(v)}s`);
    at = v + len;
  }
  return parts.join(' ');
}
