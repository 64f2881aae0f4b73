// Where the VSM keeps its state between restarts. The interface lets a distributed store
// (etcd, say) replace the embedded one without touching the rules.
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyState, type VsmState } from './model.js';

export interface StateStore {
  load(): VsmState;
  /** Persists `next`; `prev` is the state it was derived from (lets a store write only the change). */
  save(next: VsmState, prev?: VsmState): void;
}

type Table = 'segments' | 'subnets' | 'policies' | 'ports' | 'hosts';
const TABLES: Table[] = ['segments', 'subnets', 'policies', 'ports', 'hosts'];

/** One journal line: what changed from the previous revision. */
interface Change {
  revision: number;
  segmentation: boolean;
  set: Partial<Record<Table, Record<string, unknown>>>;
  del: Partial<Record<Table, string[]>>;
}

/**
 * The embedded store in DIR: `state.json`, a snapshot replaced atomically (write, fsync,
 * rename), and `journal.jsonl`, one fsynced line per change since that snapshot. A change costs
 * a line, not a rewrite of everything; the journal is folded into a new snapshot every
 * `compactEvery` changes. A torn last line (a crash mid-write) is ignored on load.
 */
export class FileStore implements StateStore {
  private readonly snapshot: string;
  private readonly journal: string;
  private lines = 0;

  constructor(dir: string, private readonly compactEvery = 1000) {
    mkdirSync(dir, { recursive: true });
    this.snapshot = join(dir, 'state.json');
    this.journal = join(dir, 'journal.jsonl');
  }

  load(): VsmState {
    const state: VsmState = existsSync(this.snapshot)
      ? { ...emptyState(), ...(JSON.parse(readFileSync(this.snapshot, 'utf8')) as Partial<VsmState>) }
      : emptyState();
    if (!existsSync(this.journal)) return state;
    this.lines = 0;
    let torn = false;
    for (const line of readFileSync(this.journal, 'utf8').split('\n')) {
      if (!line) continue;
      let c: Change;
      try {
        c = JSON.parse(line) as Change;
      } catch {
        torn = true; // a torn last line (crash mid-write): everything before it is whole
        break;
      }
      if (c.revision <= state.revision) continue;
      for (const t of TABLES) {
        const table = { ...state[t] } as Record<string, unknown>;
        for (const k of c.del[t] ?? []) delete table[k];
        Object.assign(table, c.set[t] ?? {});
        (state as unknown as Record<Table, Record<string, unknown>>)[t] = table;
      }
      state.revision = c.revision;
      state.segmentation = c.segmentation;
      this.lines++;
    }
    // New lines must not follow a torn one: fold what was read into a fresh snapshot.
    if (torn) this.writeSnapshot(state);
    return state;
  }

  save(next: VsmState, prev?: VsmState): void {
    if (!prev || this.lines >= this.compactEvery) {
      this.writeSnapshot(next);
      return;
    }
    const change: Change = { revision: next.revision, segmentation: next.segmentation, set: {}, del: {} };
    for (const t of TABLES) {
      const a = prev[t] as Record<string, unknown>;
      const b = next[t] as Record<string, unknown>;
      if (a === b) continue;
      // Tables are copied shallowly per change: an unchanged entry is the same object.
      for (const k in b) if (a[k] !== b[k]) (change.set[t] ??= {})[k] = b[k];
      for (const k in a) if (!(k in b)) (change.del[t] ??= []).push(k);
    }
    const fd = openSync(this.journal, 'a');
    try {
      appendFileSync(fd, `${JSON.stringify(change)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.lines++;
  }

  private writeSnapshot(state: VsmState): void {
    const tmp = `${this.snapshot}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.snapshot);
    writeFileSync(this.journal, ''); // the snapshot now holds everything the journal had
    this.lines = 0;
  }
}
