// `vxvem cluster status [--json] [--vsm ADDR[,ADDR...]] [--tls-dir DIR --admin NAME | --insecure]`:
// where the VSM keeps its state (the embedded store, or etcd and the cluster's identity there) and
// each replica: name, address, role, and the revision it has (asked of each replica at its
// address, with the same certificate; `unreachable` if none answers).
import { AdminClient } from '../../proto/clients.js';
import type { ClusterStatusMsg, ReplicaMsg } from '../../proto/index.js';
import { DEFAULT_VSM_ADDRESS } from '../common/package.js';
import type { TlsMaterial } from '../common/tls.js';
import { TERMINAL, adminTls, type CommandOutput } from './admin.js';
import { flagString, type Parsed } from './args.js';
import { printTable } from './table.js';

interface Row { name: string; address: string; role: string; revision: number | null; reachable: boolean }

/** The revision `r` has, from `r` itself (the replica that answered the list knows only its own). */
async function revisionOf(status: ClusterStatusMsg, r: ReplicaMsg, tls: TlsMaterial | undefined): Promise<number | null> {
  if (r.name === status.self) return Number(r.revision);
  if (!r.address) return null;
  const c = new AdminClient(r.address, tls);
  try {
    const own = await c.clusterStatus();
    return Number(own.replicas.find((x) => x.name === own.self)?.revision ?? 0);
  } catch {
    return null;
  } finally {
    c.close();
  }
}

/** `cluster status` (tree/vsm.ts defines it). */
export async function status(p: Parsed, o: CommandOutput = TERMINAL): Promise<number> {
  const addr = flagString(p, 'vsm') ?? DEFAULT_VSM_ADDRESS;
  const tls = adminTls(p, addr);
  const admin = new AdminClient(addr, tls);
  let status: ClusterStatusMsg;
  try {
    status = await admin.clusterStatus();
  } finally {
    admin.close();
  }
  const rows: Row[] = await Promise.all(status.replicas.map(async (r) => {
    const revision = await revisionOf(status, r, tls);
    return { name: r.name, address: r.address, role: r.role, revision, reachable: revision !== null };
  }));
  if (p.flags.get('json')) {
    o.line(JSON.stringify({ store: status.store, clusterId: status.clusterId, answeredBy: status.self, replicas: rows }, null, 2));
    return 0;
  }
  o.line(`store: ${status.store}${status.clusterId ? `  cluster: ${status.clusterId}` : ''}`);
  printTable(rows.map((r) => ({ name: r.name, address: r.address, role: r.role, revision: r.revision ?? 'unreachable' })), o.line);
  return 0;
}
