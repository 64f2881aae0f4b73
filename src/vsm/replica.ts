// One VSM replica on a shared etcd store: the store opened (the cluster's identity found or
// made, the state read), the replica registered under its name, the VSM following the others
// and serving. What `vxvem vsm --store etcd://...` runs.
import type { ClusterStatusMsg } from '../../proto/index.js';
import type { LineLog } from '../common/log.js';
import { EtcdStore } from './etcd-store.js';
import { Presence, type Member } from './leader.js';
import type { ListenSecurity } from './listen-security.js';
import { VsmServer } from './server.js';

export interface Replica {
  vsm: VsmServer;
  clusterId: string;
  /** True while this replica leads (runs the work that must run once). */
  leader(): boolean;
  /** Leaves the cluster at once (hands leadership over), stops serving, closes the store. */
  close(): Promise<void>;
}

export async function startReplica(o: { store: string; name: string; listen: string; log: LineLog; security?: ListenSecurity }): Promise<Replica> {
  const store = new EtcdStore(o.store, o.name, o.log);
  let presence: Presence | undefined;
  let vsm: VsmServer | undefined;
  try {
    await store.open();
    const p = new Presence(store.client, store.layout, o.name, o.listen, o.log);
    presence = p;
    const status = async (): Promise<ClusterStatusMsg> => {
      // From the local etcd member (serializable): the list is there even without quorum.
      const members = await p.members().catch((): Member[] => []);
      if (!members.some((m) => m.name === o.name)) members.push({ name: o.name, address: o.listen, role: p.leader ? 'leader' : 'follower' });
      return {
        store: o.store, clusterId: store.clusterId, self: o.name,
        replicas: members.map((m) => ({ ...m, revision: m.name === o.name ? String(server.snapshot.revision) : '0' })),
      };
    };
    const server = new VsmServer(store, o.log, { ...o.security, cluster: status });
    vsm = server;
    await p.start(); // a live replica of the same name refuses this one before it serves
    await server.listen(o.listen);
  } catch (e) {
    await presence?.close();
    await vsm?.close();
    await store.close();
    throw e;
  }
  const [server, p] = [vsm, presence];
  return {
    vsm: server,
    clusterId: store.clusterId,
    leader: () => p.leader,
    close: async () => {
      await p.close();
      await server.close();
      await store.close();
    },
  };
}
