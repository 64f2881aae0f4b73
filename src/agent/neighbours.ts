// Next-hop resolution without the host routing table (docs/dataplane.md, "VM to network" 6):
// a remote VTEP in the local VTEP's subnet is resolved directly, otherwise the VTEP's gateway, or the remote
// itself when an upstream router answers by proxy ARP. MACs go into vx_neigh.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sameSubnet } from '../common/address.js';
import type { DataplaneMaps } from '../maps/tables.js';
import type { DesiredVtep } from './desired.js';
import { kernelNeighbours } from './links.js';

const run = promisify(execFile);

export function nextHop(v: Pick<DesiredVtep, 'addr' | 'netmask' | 'gateway'>, dst: string): string {
  return sameSubnet(dst, v.addr, v.netmask) || v.gateway === '0.0.0.0' ? dst : v.gateway;
}

/** One ARP exchange from the VTEP's interface and address; undefined when nobody answered. */
export async function arp(dev: string, src: string, target: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('arping', ['-c', '1', '-w', '1', '-I', dev, '-s', src, target]);
    return /\[([0-9A-Fa-f:]{17})\]/.exec(stdout)?.[1]?.toLowerCase();
  } catch {
    return undefined; // arping exits 1 without a reply
  }
}

export class NeighbourResolver {
  private readonly pending = new Set<string>();

  constructor(private readonly maps: DataplaneMaps) {}

  /** Resolves each (VTEP, remote) pair's next hop that vx_neigh lacks; returns the number written. */
  async resolve(pairs: { vtep: DesiredVtep; remote: string }[], refresh = false): Promise<number> {
    let written = 0;
    const byDev = new Map<string, Map<string, string>>();
    for (const { vtep, remote } of pairs) {
      const nh = nextHop(vtep, remote);
      const key = { ifindex: vtep.ifindex, addr: nh };
      if (!refresh && this.maps.neigh.get(key)) continue;
      const id = `${vtep.ifindex}/${nh}`;
      if (this.pending.has(id)) continue;
      this.pending.add(id);
      try {
        let table = byDev.get(vtep.interface);
        if (!table) byDev.set(vtep.interface, (table = kernelNeighbours(vtep.interface)));
        const mac = table.get(nh) ?? (await arp(vtep.interface, vtep.addr, nh));
        if (mac && this.maps.neigh.putIfChanged(key, { mac, updatedNs: process.hrtime.bigint() })) written++;
      } finally {
        this.pending.delete(id);
      }
    }
    return written;
  }
}
