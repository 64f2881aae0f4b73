// The shared store: the VSM's state in an etcd cluster, for replicas that all serve reads and
// writes. A change is one transaction, conditional on the revision it was validated against
// (the head key's mod revision); every replica follows the others' changes through a watch,
// and can read the state at a past revision (etcd's MVCC, until compaction) to resume a VEM.
import { logAt, type LineLog } from '../common/log.js';
import { randomUUID } from 'node:crypto';
import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, retry } from 'cockatiel';
import { Etcd3, isRecoverableError, type IKeyValue, type IOptions, type IRequestOp, type IWatchResponse, type Watcher } from 'etcd3';
import type { NewIdentity } from './identity.js';
import { ID_KEY, EtcdKeys, StateReader, changesOf, decodeHead, prefixEnd, type WatchedChange, type WatchedEvent } from './etcd-layout.js';
import { TABLES, changeOf } from './journal.js';
import type { VsmState } from './objects.js';
import { StaleStateError, StoreUnavailableError } from './store-errors.js';
import type { SharedStore } from './store.js';

/** How long a commit may take before it is given up (etcd without quorum never answers). */
const COMMIT_DEADLINE_MS = 3000;
/** How long a quorum has to confirm a read before a change is refused (an etcd leader election fits in it). */
const QUORUM_CHECK_MS = 2000;
/** Keys per range request when reading the whole state (a page stays far below gRPC's limits). */
const PAGE = 5000;

/** `etcd://HOST:PORT[,HOST:PORT...]` -> the members' client addresses. */
export function parseEtcdUrl(url: string): string[] {
  const m = /^etcd:\/\/(.+)$/.exec(url);
  const hosts = m ? m[1]!.split(',') : [];
  if (!hosts.length || hosts.some((h) => !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(h) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(h))) {
    throw new Error(`bad store ${JSON.stringify(url)}: use etcd://HOST:PORT[,HOST:PORT...]`);
  }
  return hosts;
}

/**
 * The etcd client: a dead member is skipped at once; a call that fails for want of a leader is
 * tried again with backoff (an etcd leader election takes about a second) within its deadline;
 * a watch resumes within a second.
 */
export function etcdClient(hosts: string[]): Etcd3 {
  const options: IOptions = {
    hosts: hosts.map((h) => `http://${h}`),
    dialTimeout: 2000,
    grpcOptions: { 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 },
    faultHandling: {
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(2) }),
      global: retry(handleWhen(isRecoverableError), { maxAttempts: 8, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }) }),
      watchBackoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }) as unknown as NonNullable<IOptions['faultHandling']>['watchBackoff'],
    },
  };
  return new Etcd3(options);
}

const str = (b: Buffer): string => b.toString('utf8');

export class EtcdStore implements SharedStore {
  readonly client: Etcd3;
  private loaded?: VsmState;
  private keys?: EtcdKeys;
  /** The etcd revision of the read that open() loaded: the watch starts after it. */
  private loadedAt = 0;
  private watcher?: Watcher;
  private readonly past = new Map<number, Promise<VsmState | undefined>>();
  newIdentity?: NewIdentity;

  /** @param name this replica, recorded in the head of each change it writes */
  constructor(readonly url: string, private readonly name: string, private readonly log: LineLog = () => undefined) {
    this.client = etcdClient(parseEtcdUrl(url));
  }

  get clusterId(): string {
    return this.layout.clusterId;
  }

  get layout(): EtcdKeys {
    if (!this.keys) throw new Error('the etcd store is not open');
    return this.keys;
  }

  /** Finds (or, on an empty store, makes) the cluster's identity, then reads the whole state. */
  async open(): Promise<VsmState> {
    const id = Buffer.from(ID_KEY);
    const made = JSON.stringify({ id: randomUUID(), created: new Date().toISOString() });
    const down = `etcd (${this.url}) has no quorum, or no member answers`;
    const r = await this.unavailable(`cannot open the store: ${down}`, () => this.client.kv.txn({
      compare: [{ key: id, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: id, value: Buffer.from(made) } }],
      failure: [{ request_range: { key: id } }],
    }, { deadline: Date.now() + COMMIT_DEADLINE_MS }));
    const stored = r.succeeded ? made : str(r.responses[0]!.response_range.kvs[0]!.value);
    this.keys = new EtcdKeys((JSON.parse(stored) as { id: string }).id);
    if (r.succeeded) {
      this.log(`made cluster ${this.clusterId} in ${this.url}`);
      this.newIdentity = { id: this.clusterId, reason: 'empty', where: this.url };
    }
    const { state, at } = await this.unavailable(`cannot read the state: ${down}`, () => this.read());
    this.loadedAt = at;
    this.loaded = state;
    return state;
  }

  load(): VsmState {
    if (!this.loaded) throw new Error('the etcd store is not open');
    return this.loaded;
  }

  /** The data keys at etcd revision `at` (0: now), page by page at one revision. */
  private async read(at = 0): Promise<{ state: VsmState; at: number }> {
    const keys = this.layout;
    const reader = new StateReader(keys);
    const end = prefixEnd(keys.data);
    let from = Buffer.from(keys.data);
    let revision = at;
    for (;;) {
      const res = await this.client.kv.range({ key: from, range_end: end, limit: PAGE, revision, serializable: at !== 0 });
      if (revision === 0) revision = Number(res.header.revision); // the next pages read at the same revision
      for (const kv of res.kvs) reader.add(str(kv.key), kv.value, kv.mod_revision);
      if (!res.more || !res.kvs.length) break;
      from = Buffer.concat([res.kvs.at(-1)!.key, Buffer.from([0])]);
    }
    return { state: reader.result(), at: revision };
  }

  /**
   * Writes the change from `prev` to `next` in one transaction that only succeeds while the
   * head is still at `prev.revision`; returns the new revision. Throws StaleStateError when
   * another replica got there first, StoreUnavailableError when etcd cannot commit.
   */
  async commit(prev: VsmState, next: VsmState): Promise<number> {
    const keys = this.layout;
    const head = Buffer.from(keys.head);
    // A linearizable read needs a quorum's word: without one the change is refused before etcd
    // has it. (A transaction sent to a member that has just lost quorum may sit in its log and be
    // committed when quorum returns: that is no refusal.)
    await this.unavailable(`change refused, the state stays at revision ${prev.revision}: etcd (${this.url}) has no quorum, or no member answers`,
      () => this.client.kv.range({ key: head, count_only: true }, { deadline: Date.now() + QUORUM_CHECK_MS }));
    // The first change writes every object (the empty state's default policy included).
    const from = prev.revision === 0 ? { ...prev, ...Object.fromEntries(TABLES.map((t) => [t, {}])) } as VsmState : prev;
    const c = changeOf(from, next);
    const txn = randomUUID();
    const ops: IRequestOp[] = [];
    for (const t of TABLES) {
      for (const [name, obj] of Object.entries(c.set[t] ?? {})) ops.push({ request_put: { key: Buffer.from(keys.object(t, name)), value: Buffer.from(JSON.stringify(obj)) } });
      for (const name of c.del[t] ?? []) ops.push({ request_delete_range: { key: Buffer.from(keys.object(t, name)) } });
    }
    ops.push({ request_put: { key: head, value: Buffer.from(JSON.stringify({ segmentation: next.segmentation, txn, by: this.name })) } });
    const r = await this.client.kv.txn({
      compare: [{ key: head, target: 'Mod', result: 'Equal', mod_revision: prev.revision }],
      success: ops,
      failure: [{ request_range: { key: head } }],
    }, { deadline: Date.now() + COMMIT_DEADLINE_MS }).catch((e: Error) => {
      // etcd refuses a transaction larger than its --max-txn-ops or --max-request-bytes outright.
      if (/too many operations|request is too large/.test(e.message)) {
        throw new StoreUnavailableError(`change refused, the state stays at revision ${prev.revision}: it writes ${ops.length} keys in one transaction, `
          + `more than etcd takes (raise its --max-txn-ops / --max-request-bytes) (${e.message})`);
      }
      throw new StoreUnavailableError(`change not acknowledged: etcd (${this.url}) did not commit it within ${COMMIT_DEADLINE_MS / 1000} s; `
        + `it is applied later only if etcd had it when it lost quorum (${e.message})`);
    });
    if (r.succeeded) return Number(r.header.revision);
    const now: IKeyValue | undefined = r.responses[0]?.response_range.kvs[0];
    // The client retries a call whose answer was lost: the first try may have gone through.
    if (now && decodeHead(keys.head, now.value).txn === txn) return Number(now.mod_revision);
    throw new StaleStateError(Number(now?.mod_revision ?? 0));
  }

  /**
   * Calls `onChange` with every change after the state open() loaded, in order, as other
   * replicas (and this one) commit them. A watch that etcd cancels (its revision compacted
   * away) reads the whole state again and hands it to `onReset`, then follows from there.
   */
  async follow(onChange: (c: WatchedChange) => void, onReset: (s: VsmState) => void): Promise<void> {
    const keys = this.layout;
    const watcher = await this.client.watch().prefix(keys.data).startRevision(String(this.loadedAt + 1)).create();
    this.watcher = watcher;
    watcher.on('data', (res: IWatchResponse) => {
      for (const c of changesOf(keys, res.events as unknown as WatchedEvent[])) onChange(c);
    });
    watcher.on('error', (e: Error) => {
      logAt(this.log, 'warn', `etcd watch cancelled (${e.message}): reading the whole state again`);
      void watcher.cancel().catch(() => undefined);
      void this.reload(onChange, onReset);
    });
  }

  private async reload(onChange: (c: WatchedChange) => void, onReset: (s: VsmState) => void): Promise<void> {
    for (;;) {
      try {
        const { state, at } = await this.read();
        this.loadedAt = at;
        onReset(state);
        await this.follow(onChange, onReset);
        return;
      } catch (e) {
        logAt(this.log, 'error', `etcd: cannot read the state again (${(e as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /**
   * The state as it was at `revision` (a revision some change produced), for a VEM that
   * resumes from it; undefined when etcd no longer has it (compacted) or never made it.
   */
  stateAt(revision: number): Promise<VsmState | undefined> {
    let p = this.past.get(revision);
    if (!p) {
      p = this.read(revision).then((r) => (r.state.revision === revision ? r.state : undefined), () => undefined);
      this.past.set(revision, p);
      // A few at a time: VEMs that resume after a failover mostly share the same revision.
      if (this.past.size > 4) this.past.delete(this.past.keys().next().value!);
    }
    return p;
  }

  /** Writes `state` into an empty cluster in batches of etcd's default --max-txn-ops (not one transaction): for benchmarks. */
  async seed(state: VsmState, batch = 128): Promise<number> {
    const keys = this.layout;
    const puts: IRequestOp[] = [];
    for (const t of TABLES) {
      for (const [name, obj] of Object.entries(state[t])) puts.push({ request_put: { key: Buffer.from(keys.object(t, name)), value: Buffer.from(JSON.stringify(obj)) } });
    }
    for (let i = 0; i < puts.length; i += batch) await this.client.kv.txn({ success: puts.slice(i, i + batch) });
    const r = await this.client.kv.put({ key: Buffer.from(keys.head), value: Buffer.from(JSON.stringify({ segmentation: state.segmentation, txn: randomUUID(), by: this.name })) });
    return Number(r.header.revision);
  }

  /** Runs an etcd call; a failure to reach etcd or to commit becomes one clear refusal. */
  private async unavailable<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof StaleStateError) throw e;
      throw new StoreUnavailableError(`${what} (${(e as Error).message})`);
    }
  }

  async close(): Promise<void> {
    await this.watcher?.cancel().catch(() => undefined);
    this.client.close();
  }
}
