// Which hosts a change made on another replica concerns: worked out from the change itself, as
// the services say it when they make one here, so that each replica sends its VEMs the same
// deltas whoever made the change.
import type { WatchedChange } from './etcd-layout.js';
import { derived } from './indexes.js';
import type { VsmState } from './objects.js';

/** The networks and hosts a change touches (VsmServer tells the hosts with ports in those networks, and those hosts). */
export interface Touches {
  networks?: string[];
  hosts?: string[];
}

/**
 * What `c` (which made `next` from `prev`) touches: its networks, the networks and hosts of its
 * ports before and after, and its hosts with the networks of their ports (their VTEPs are in
 * those networks' flood lists). A change of the segmentation flag touches everyone (undefined).
 */
export function touchesOf(prev: VsmState, next: VsmState, c: WatchedChange): Touches | undefined {
  if (prev.segmentation !== next.segmentation) return undefined;
  const networks = new Set([...Object.keys(c.set.segments ?? {}), ...(c.del.segments ?? [])]);
  const changedHosts = [...Object.keys(c.set.hosts ?? {}), ...(c.del.hosts ?? [])];
  const hosts = new Set(changedHosts);
  for (const name of [...Object.keys(c.set.ports ?? {}), ...(c.del.ports ?? [])]) {
    for (const s of [prev, next]) {
      const p = s.ports[name];
      if (p) {
        networks.add(p.network);
        hosts.add(p.host);
      }
    }
  }
  // A port's DHCP answers come from its network's subnets.
  for (const name of [...Object.keys(c.set.subnets ?? {}), ...(c.del.subnets ?? [])]) {
    for (const s of [prev, next]) {
      const x = s.subnets[name];
      if (x) networks.add(x.network);
    }
  }
  for (const s of [prev, next]) {
    const d = derived(s);
    for (const h of changedHosts) for (const vni of d.vnisByHost.get(h)?.keys() ?? []) networks.add(d.segmentByVni.get(vni)!.name);
  }
  return { networks: [...networks], hosts: [...hosts] };
}
