// A replica's presence in the cluster and the leader election, both through one etcd lease: the
// replica's key (`replicas/NAME`: its name and address) and, for one of them, the leader key.
// When a replica dies its lease expires (1 s asked; etcd raises it to its minimum, 2 s with
// etcd's default timings), both keys go, and a follower watching the leader key takes it.
// The leader runs what must run once (the periodic sync with OpenStack).
import { logAt, type LineLog } from '../common/log.js';
import { randomUUID } from 'node:crypto';
import type { Etcd3, Lease, Watcher } from 'etcd3';
import { prefixEnd, type EtcdKeys } from './etcd-layout.js';

const LEASE_TTL_SECONDS = 1;
const DEADLINE_MS = 3000;

export interface Member {
  name: string;
  address: string;
  role: 'leader' | 'follower';
}

interface Record {
  name: string;
  address: string;
  /** This process: tells its own key, left by a lease it lost, from another replica's. */
  nonce: string;
}

export class ReplicaNameInUse extends Error {
  override readonly name = 'ReplicaNameInUse';
}

export class Presence {
  private lease?: Lease;
  private leaseId = '';
  private renewing = false;
  private watcher?: Watcher;
  private closed = false;
  private readonly self: Record;
  leader = false;

  constructor(private readonly client: Etcd3, private readonly keys: EtcdKeys, name: string, address: string,
    private readonly log: LineLog = () => undefined) {
    this.self = { name, address, nonce: randomUUID() };
  }

  /** Registers this replica (refused when a live replica has the name), then campaigns. */
  async start(): Promise<void> {
    await this.register();
    this.watcher = await this.client.watch().key(this.keys.leader).create();
    this.watcher.on('delete', () => void this.campaign().catch((e: Error) => logAt(this.log, 'error', `leader election: ${e.message}`)));
    this.watcher.on('put', (kv) => this.settle(kv.value));
    await this.campaign();
  }

  /** A new lease, and this replica's key under it; the lease's loss starts renew(). */
  private async register(): Promise<void> {
    const lease = this.client.lease(LEASE_TTL_SECONDS);
    let id: string;
    try {
      id = await lease.grant();
      const taken = await this.claim(this.keys.replica(this.self.name), id);
      if (taken) throw new ReplicaNameInUse(`replica ${this.self.name} is already running (at ${taken.address}): give this one another --name`);
    } catch (e) {
      lease.release(); // its keepalive timers stop; etcd lets it expire
      throw e;
    }
    this.lease = lease;
    this.leaseId = id;
    lease.on('lost', (e: Error) => {
      if (this.closed || lease !== this.lease) return;
      this.lease = undefined;
      logAt(this.log, 'warn', `lost the etcd lease (${e.message}): registering again`);
      this.setLeader(false);
      void this.renew();
    });
  }

  /** A new lease after a lost one (etcd unreachable or without quorum for longer than its TTL), tried until it works. */
  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    let last = '';
    try {
      while (!this.closed) {
        try {
          await this.register();
          await this.campaign();
          this.log('registered again');
          return;
        } catch (e) {
          if ((e as Error).message !== last) logAt(this.log, 'warn', `cannot register with etcd yet (${(e as Error).message}); trying every 500 ms`);
          last = (e as Error).message;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    } finally {
      this.renewing = false;
    }
  }

  /**
   * Puts this replica's record at `key` under the lease unless another process holds the key;
   * returns that process's record. A key left by this process under a lease it lost is taken back.
   */
  private async claim(key: string, lease: string): Promise<Record | undefined> {
    const k = Buffer.from(key);
    const put = { request_put: { key: k, value: Buffer.from(JSON.stringify(this.self)), lease } };
    const r = await this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [put],
      failure: [{ request_range: { key: k } }],
    }, { deadline: Date.now() + DEADLINE_MS });
    if (r.succeeded) return undefined;
    const kv = r.responses[0]!.response_range.kvs[0];
    if (!kv) return this.claim(key, lease); // gone meanwhile
    const holder = JSON.parse(kv.value.toString('utf8')) as Record;
    if (holder.nonce !== this.self.nonce) return holder;
    const again = await this.client.kv.txn({ compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: kv.mod_revision }], success: [put] }, { deadline: Date.now() + DEADLINE_MS });
    return again.succeeded ? undefined : this.claim(key, lease);
  }

  private async campaign(): Promise<void> {
    if (this.closed || !this.lease) return;
    const holder = await this.claim(this.keys.leader, this.leaseId);
    this.setLeader(!holder);
  }

  private settle(value: Buffer): void {
    this.setLeader((JSON.parse(value.toString('utf8')) as Record).nonce === this.self.nonce);
  }

  private setLeader(leader: boolean): void {
    if (leader !== this.leader) this.log(leader ? 'leader of the cluster: runs the periodic sync' : 'follower (another replica leads)');
    this.leader = leader;
  }

  /** The live replicas and their roles, as the local etcd member knows them (works without quorum). */
  async members(): Promise<Member[]> {
    const [replicas, leader] = await Promise.all([
      this.client.kv.range({ key: Buffer.from(this.keys.replicas), range_end: prefixEnd(this.keys.replicas), serializable: true }, { deadline: Date.now() + DEADLINE_MS }),
      this.client.kv.range({ key: Buffer.from(this.keys.leader), serializable: true }, { deadline: Date.now() + DEADLINE_MS }),
    ]);
    const lead = leader.kvs[0] ? (JSON.parse(leader.kvs[0].value.toString('utf8')) as Record).nonce : '';
    return replicas.kvs.map((kv) => JSON.parse(kv.value.toString('utf8')) as Record)
      .map((r) => ({ name: r.name, address: r.address, role: r.nonce === lead ? 'leader' as const : 'follower' as const }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Gives the keys up at once (a clean stop hands leadership over without waiting for the TTL). */
  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.cancel().catch(() => undefined);
    await this.lease?.revoke({ deadline: Date.now() + 1000 }).catch(() => undefined);
  }
}
