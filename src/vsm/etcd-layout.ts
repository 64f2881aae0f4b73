// How the VSM's state lies in etcd, as pure functions: one key per object under the cluster's
// prefix, and a head key that every change writes in the same transaction (so the head's mod
// revision is the state's revision, the same on every replica). No I/O here.
import { TABLES, type Change, type Table, isRecord } from './journal.js';
import { emptyState, type VsmState } from './objects.js';
import { StoreDamagedError } from './store-errors.js';

/**
 * The cluster's identity, made once by the first replica to find the store empty. It is the
 * state's identity (VsmState.id) on every replica: VEMs that remember it follow any of them.
 */
export const ID_KEY = 'vxvem/id';

/** Keys of one cluster: `vxvem/<id>/data/...` (the state), `replicas/NAME`, `leader`. */
export class EtcdKeys {
  readonly root: string;
  readonly data: string;
  readonly head: string;
  readonly replicas: string;
  readonly leader: string;

  constructor(readonly clusterId: string) {
    this.root = `vxvem/${clusterId}/`;
    this.data = `${this.root}data/`;
    this.head = `${this.data}head`;
    this.replicas = `${this.root}replicas/`;
    this.leader = `${this.root}leader`;
  }

  object(table: Table, name: string): string {
    return `${this.data}${table}/${encodeURIComponent(name)}`;
  }

  replica(name: string): string {
    return `${this.replicas}${encodeURIComponent(name)}`;
  }
}

/** What the head holds besides its revision: the one scalar of the state, and who wrote it. */
export interface Head {
  segmentation: boolean;
  /** A random id per transaction: tells a retried commit that already went through from a conflict. */
  txn: string;
  by: string;
}

/** etcd's range_end for every key that starts with `prefix`. */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  let i = b.length - 1;
  while (i >= 0 && b[i] === 0xff) i--;
  if (i < 0) return Buffer.from([0]);
  const end = b.subarray(0, i + 1);
  end[i]! += 1;
  return end;
}

type DataKey = { head: true } | { head: false; table: Table; name: string };

/** A key under the data prefix: the head or an object; undefined for anything else. */
export function parseDataKey(keys: EtcdKeys, key: string): DataKey | undefined {
  if (key === keys.head) return { head: true };
  if (!key.startsWith(keys.data)) return undefined;
  const rest = key.slice(keys.data.length);
  const slash = rest.indexOf('/');
  const table = rest.slice(0, slash) as Table;
  if (slash < 0 || !TABLES.includes(table)) return undefined;
  return { head: false, table, name: decodeURIComponent(rest.slice(slash + 1)) };
}

function damaged(key: string, why: string): StoreDamagedError {
  return new StoreDamagedError(key, undefined, `etcd key ${key} is damaged (${why}); the VSM does not start on it`);
}

export function decodeObject(key: string, value: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(value.toString('utf8'));
  } catch (e) {
    throw damaged(key, `not JSON: ${(e as Error).message}`);
  }
  if (!isRecord(v)) throw damaged(key, 'not an object');
  return v;
}

export function decodeHead(key: string, value: Buffer): Head {
  const v = decodeObject(key, value);
  if (typeof v.segmentation !== 'boolean') throw damaged(key, 'no segmentation flag');
  return { segmentation: v.segmentation, txn: String(v.txn ?? ''), by: String(v.by ?? '') };
}

/** Folds the data keys of one read (all at one etcd revision) into a state. */
export class StateReader {
  private readonly state: VsmState;
  private sawHead = false;

  constructor(private readonly keys: EtcdKeys) {
    this.state = { ...emptyState(), id: keys.clusterId, policies: {} };
  }

  add(key: string, value: Buffer, modRevision: string): void {
    const k = parseDataKey(this.keys, key);
    if (!k) return;
    if (k.head) {
      this.state.segmentation = decodeHead(key, value).segmentation;
      this.state.revision = Number(modRevision);
      this.sawHead = true;
    } else {
      (this.state[k.table] as Record<string, unknown>)[k.name] = decodeObject(key, value);
    }
  }

  /** The state read, with the cluster's identity; an empty store is the empty state (with its default policy). */
  result(): VsmState {
    return this.sawHead ? this.state : { ...emptyState(), id: this.keys.clusterId };
  }
}

/** A change as the watch delivers it: the head carries the segmentation flag, when it changed. */
export type WatchedChange = Omit<Change, 'segmentation'> & { segmentation?: boolean };

export interface WatchedEvent {
  type: 'Put' | 'Delete';
  kv: { key: Buffer; value: Buffer; mod_revision: string };
}

/**
 * Watch events grouped into changes, one per etcd revision (a transaction's events share its
 * revision, and etcd never splits a revision across responses), in order.
 */
export function changesOf(keys: EtcdKeys, events: WatchedEvent[]): WatchedChange[] {
  const out: WatchedChange[] = [];
  for (const ev of events) {
    const key = ev.kv.key.toString('utf8');
    const k = parseDataKey(keys, key);
    if (!k) continue;
    const revision = Number(ev.kv.mod_revision);
    let c = out.at(-1);
    if (!c || c.revision !== revision) out.push((c = { revision, set: {}, del: {} }));
    if (k.head) {
      if (ev.type === 'Put') c.segmentation = decodeHead(key, ev.kv.value).segmentation;
    } else if (ev.type === 'Put') {
      (c.set[k.table] ??= {})[k.name] = decodeObject(key, ev.kv.value);
    } else {
      (c.del[k.table] ??= []).push(k.name);
    }
  }
  return out;
}
