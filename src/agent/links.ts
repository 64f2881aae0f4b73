// Interface facts from the kernel (through iproute2's JSON output): ifindex, MAC, MTU, IPv4
// addresses and neighbours, in the network namespace the agent runs in.
import { ipJson } from '../common/exec.js';

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

/** Every link of the namespace by name. */
export function listLinks(): Map<string, LinkInfo> {
  const rows = ipJson<IpAddrJson[]>('-d', 'addr', 'show');
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
  const rows = ipJson<{ dst: string; lladdr?: string; state?: string[] }[]>('-4', 'neigh', 'show', 'dev', dev);
  const out = new Map<string, string>();
  for (const r of rows) {
    const state = r.state ?? [];
    if (r.lladdr && !state.includes('FAILED') && !state.includes('INCOMPLETE')) out.set(r.dst, r.lladdr.toLowerCase());
  }
  return out;
}
