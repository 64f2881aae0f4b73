// The security part of the desired dataplane (docs/dataplane.md, "Security"): per port its
// flags, own MAC, first address and the allowed sources of vx_port_addrs; the VTEPs each
// segment trusts (vx_peers) and the trusted underlay (vx_trusted). Pure, like desired.ts.
import { formatIpv4, parseCidr, prefixMask, parseIpv4 } from '../common/address.js';
import {
  PORT_ADDR_F_ADDR, PORT_ADDR_F_MAC, PORT_ADDR_MAC_BITS, PORT_F_IP_LOCK, PORT_F_SECURE, PORT_OPEN,
  type PeerKey, type PortAddrKey, type TrustKey,
} from '../maps/layout.js';
import type { PortConfig, VemConfig } from './config.js';

export interface PortAddrEntry {
  key: PortAddrKey;
  /** PORT_ADDR_F_*. */
  flags: number;
}

export interface PortSecurityState {
  /** PORT_F_SECURE, PORT_F_IP_LOCK. */
  flags: number;
  mac: string;
  ipv4: string;
  addrs: PortAddrEntry[];
}

const OPEN: PortSecurityState = { flags: 0, mac: PORT_OPEN.mac, ipv4: PORT_OPEN.ipv4, addrs: [] };

/**
 * A port's source checks. Port security off: none. On, without addresses or pairs: its MAC
 * only. With them: IPv4 and ARP senders only from the listed (MAC, prefix) sources; a MAC
 * other than the port's gets an entry of its own so that its non-IPv4 frames pass too.
 */
export function portSecurityState(p: PortConfig, ifindex: number): PortSecurityState {
  if (!p.portSecurity || !p.mac) return OPEN;
  const own = p.mac;
  const sources = [...p.addresses.map((address) => ({ mac: own, address })), ...p.allowedPairs];
  if (!sources.length) return { ...OPEN, flags: PORT_F_SECURE, mac: own };
  const entries = new Map<string, PortAddrEntry>();
  const add = (mac: string, addr: string, len: number, flags: number): void => {
    const id = `${mac}/${addr}/${len}`;
    const e = entries.get(id);
    if (e) e.flags |= flags;
    else entries.set(id, { key: { prefixlen: PORT_ADDR_MAC_BITS + len, ifindex, mac, addr }, flags });
  };
  for (const s of sources) {
    const c = parseCidr(s.address);
    if (s.mac !== own) add(s.mac, '0.0.0.0', 0, PORT_ADDR_F_MAC);
    add(s.mac, formatIpv4(c.network), c.prefixLength, PORT_ADDR_F_ADDR);
  }
  const first = p.addresses.find((a) => a.endsWith('/32'));
  return { flags: PORT_F_SECURE | PORT_F_IP_LOCK, mac: own, ipv4: first ? first.slice(0, -3) : '0.0.0.0', addrs: [...entries.values()] };
}

/** The VTEPs each segment trusts: its flood list and the VTEPs of its static entries. */
export function segmentPeers(cfg: VemConfig): PeerKey[] {
  const out = new Map<string, PeerKey>();
  const add = (vni: number, addr: string): void => void out.set(`${vni}/${addr}`, { vni, addr });
  for (const s of cfg.segments) for (const f of s.floodList) add(s.vni, f);
  for (const m of cfg.staticMacs) if (m.vtep !== '0.0.0.0') add(m.vni, m.vtep); // 0.0.0.0: a VLAN segment's, no VTEP
  return [...out.values()];
}

/** The trusted underlay: as configured, or the subnets of the host's own VTEPs. */
export function trustedUnderlay(cfg: VemConfig): TrustKey[] {
  const prefixes = cfg.trustedUnderlay ?? cfg.vteps.map((v) => `${formatIpv4((parseIpv4(v.address) & prefixMask(v.prefixLength)) >>> 0)}/${v.prefixLength}`);
  const out = new Map<string, TrustKey>();
  for (const p of prefixes) {
    const c = parseCidr(p);
    out.set(`${c.network}/${c.prefixLength}`, { prefixlen: c.prefixLength, addr: formatIpv4(c.network) });
  }
  return [...out.values()];
}
