// IGMP membership for multicast segments, held by the kernel rather than by this process:
// `ip addr add GROUP/32 dev UPLINK autojoin` makes the kernel send the IGMP join (and keep
// answering queries) until the address is removed, so membership survives agent restarts.
import { ip } from '../common/exec.js';
import { isMulticastGroup } from '../common/vxlan.js';
import { listLinks } from './links.js';

/** Groups currently joined through autojoin, by interface: "dev/group". */
export function joinedGroups(devices: string[]): Set<string> {
  const out = new Set<string>();
  const links = listLinks();
  for (const dev of devices) {
    for (const a of links.get(dev)?.addresses ?? []) {
      if (a.prefixLength === 32 && isMulticastGroup(a.address)) out.add(`${dev}/${a.address}`);
    }
  }
  return out;
}

/**
 * Makes the joined set equal to `want` (group -> uplink interface). Joins first, leaves after,
 * so a group moving between uplinks is never left unjoined.
 */
export function syncMemberships(want: Map<string, string>, devices: string[]): { joined: string[]; left: string[] } {
  const have = joinedGroups(devices);
  const wanted = new Set([...want].map(([group, dev]) => `${dev}/${group}`));
  const joined: string[] = [];
  const left: string[] = [];
  for (const id of wanted) {
    if (have.has(id)) continue;
    const [dev, group] = id.split('/') as [string, string];
    ip('addr', 'add', `${group}/32`, 'dev', dev, 'autojoin');
    joined.push(id);
  }
  for (const id of have) {
    if (wanted.has(id)) continue;
    const [dev, group] = id.split('/') as [string, string];
    ip('addr', 'del', `${group}/32`, 'dev', dev);
    left.push(id);
  }
  return { joined, left };
}
