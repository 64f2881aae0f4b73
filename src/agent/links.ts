// Interface facts from the kernel (through iproute2's JSON output): ifindex, MAC, MTU, IPv4
// addresses and neighbours, in the network namespace the agent runs in.
import { execFileSync } from 'node:child_process';

export class LinkError extends Error {
  override readonly name = 'LinkError';
}

export interface LinkInfo {
  name: string;
  ifindex: number;
  mac: string;
  mtu: number;
  up: boolean;
  /** rtnetlink kind: 'veth', 'vxlan', 'tun', ... ('' for plain devices). */
  kind: string;
  addresses: { address: string; prefixLength: number }[];
}

interface IpAddrJson {
  ifname: string;
  ifindex: number;
  address?: string;
  mtu: number;
  flags?: string[];
  linkinfo?: { info_kind?: string };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

function ip(args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new LinkError(`ip ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** Every link of the namespace by name. */
export function listLinks(): Map<string, LinkInfo> {
  const rows = JSON.parse(ip(['-d', '-j', 'addr', 'show'])) as IpAddrJson[];
  return new Map(rows.map((r) => [r.ifname, {
    name: r.ifname,
    ifindex: r.ifindex,
    mac: (r.address ?? '00:00:00:00:00:00').toLowerCase(),
    mtu: r.mtu,
    up: (r.flags ?? []).includes('UP'),
    kind: r.linkinfo?.info_kind ?? '',
    addresses: (r.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => ({ address: a.local, prefixLength: a.prefixlen })),
  }]));
}

/** Kernel neighbour entries with a usable MAC on `dev`: IPv4 address -> MAC. */
export function kernelNeighbours(dev: string): Map<string, string> {
  const rows = JSON.parse(ip(['-j', '-4', 'neigh', 'show', 'dev', dev])) as { dst: string; lladdr?: string; state?: string[] }[];
  const out = new Map<string, string>();
  for (const r of rows) {
    const state = r.state ?? [];
    if (r.lladdr && !state.includes('FAILED') && !state.includes('INCOMPLETE')) out.set(r.dst, r.lladdr.toLowerCase());
  }
  return out;
}

export function prefixToNetmask(len: number): string {
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 0xff}.${(m >>> 8) & 0xff}.${m & 0xff}`;
}
