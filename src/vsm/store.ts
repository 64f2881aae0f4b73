// Where the VSM keeps its state between restarts: the embedded store (here), or a store shared
// by replicas (etcd-store.ts) behind the same rules.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendDurably, emptyDurably, replaceDurably } from './durable-fs.js';
import type { WatchedChange } from './etcd-layout.js';
import { withIdentity, type NewIdentity } from './identity.js';
import { TABLES, changeOf, isRecord, replay, type Replay } from './journal.js';
import { emptyState, type VsmState } from './objects.js';
import { StoreDamagedError, StoreWriteError, errnoCode } from './store-errors.js';

export interface StateStore {
  /** The stored state; one without an identity is given one (see identity.ts) and `newIdentity` says so. */
  load(): VsmState;
  /** Set by load() when it gave the store its identity (a new store, or one from before identities). */
  readonly newIdentity?: NewIdentity;
  /**
   * Persists `next`; `prev` is the state it was derived from (lets a store write only the change).
   * Throws StoreWriteError when it could not, having left the stored state at `prev`.
   */
  save(next: VsmState, prev?: VsmState): void;
}

/** A store several replicas share (etcd): commits are asynchronous and conditional. */
export interface SharedStore {
  /** The state as it was read when the store was opened, with the cluster's identity as its `id`. */
  load(): VsmState;
  /** Set when this replica made the cluster's identity (it found the store empty). */
  readonly newIdentity?: NewIdentity;
  /**
   * Commits the change from `prev` to `next` if the stored state is still `prev`; resolves to
   * the new revision. StaleStateError when it is not, StoreUnavailableError when the store cannot commit.
   */
  commit(prev: VsmState, next: VsmState): Promise<number>;
  /** Every change after the loaded state, in order (this replica's own too); `onReset` for a whole new state. */
  follow(onChange: (c: WatchedChange) => void, onReset: (s: VsmState) => void): Promise<void>;
  /** The state at a past revision, if the store still has it. */
  stateAt(revision: number): Promise<VsmState | undefined>;
}

/** What `recover()` kept and dropped. */
export interface Recovery {
  revision: number;
  /** Journal changes kept (applied on the snapshot). */
  kept: number;
  /** Journal changes dropped: the damaged line and every one after it (they build on it). */
  dropped: number;
  damage?: { file: string; line: number; reason: string };
  /** Where the damaged journal was copied before being folded away. */
  copy?: string;
}

/** "... in JSON at position 57" (or "Unexpected end of JSON input") -> line and column (1-based) in `text`. */
function position(text: string, e: Error): { line: number; column: number } {
  const at = /position (\d+)/.exec(e.message)?.[1] ?? (/end of JSON/.test(e.message) ? text.length : 0);
  const before = text.slice(0, Number(at)).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/**
 * The embedded store in DIR: `state.json`, a snapshot replaced atomically (write, fsync, rename,
 * fsync of DIR), and `journal.jsonl`, one fsynced line per change since that snapshot. The journal
 * line is where a change is committed; every `compactEvery` changes the state is folded into a
 * new snapshot (a failed fold is tried again after the next change: the journal still has it).
 * A torn last line (a crash mid-append) is folded away on load; any other bad line, or a
 * snapshot that cannot be read, is damage: load() refuses it and recover() drops from it on.
 */
export class FileStore implements StateStore {
  private readonly snapshot: string;
  private readonly journal: string;
  private lines = 0;
  /** Set when a failed write could not be undone: the disk may differ from memory, so nothing more is written. */
  private broken?: StoreWriteError;
  newIdentity?: NewIdentity;

  constructor(private readonly dir: string, private readonly compactEvery = 1000) {
    mkdirSync(dir, { recursive: true });
    this.snapshot = join(dir, 'state.json');
    this.journal = join(dir, 'journal.jsonl');
  }

  load(): VsmState {
    const r = this.read();
    if (r.damage) {
      throw new StoreDamagedError(this.journal, r.damage.line, `${this.journal} line ${r.damage.line} is damaged (${r.damage.reason}); `
        + `\`vxvem vsm --data ${this.dir} --recover\` keeps the ${r.applied} change(s) before it (revision ${r.state.revision}) and drops ${r.damage.dropped}`);
    }
    this.lines = r.applied;
    // New lines must not follow a torn one: fold what was read into a fresh snapshot.
    if (r.torn) {
      try {
        this.fold(r.state);
      } catch (e) {
        const w = e as StoreWriteError;
        throw new StoreWriteError(w.file, w.code, `cannot fold the torn last line of ${this.journal} away: ${w.message}`, w.intact);
      }
    }
    const { state, assigned } = withIdentity(r.state, this.dir);
    this.newIdentity = assigned;
    return state;
  }

  /** Keeps the snapshot and the journal up to its last good change, folded into a new snapshot; the damaged journal is copied aside. */
  recover(): Recovery {
    const r = this.read();
    const out: Recovery = { revision: r.state.revision, kept: r.applied, dropped: r.damage?.dropped ?? 0 };
    if (r.damage) {
      out.damage = { file: this.journal, line: r.damage.line, reason: r.damage.reason };
      out.copy = `${this.journal}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      replaceDurably(out.copy, readFileSync(this.journal, 'utf8'));
    }
    if (r.damage || r.torn) this.fold(r.state);
    return out;
  }

  save(next: VsmState, prev?: VsmState): void {
    if (this.broken) throw this.broken;
    try {
      if (prev) appendDurably(this.journal, `${JSON.stringify(changeOf(prev, next))}\n`);
      else replaceDurably(this.snapshot, JSON.stringify(next));
    } catch (e) {
      throw this.refused(e, prev?.revision ?? next.revision - 1);
    }
    if (prev && ++this.lines < this.compactEvery) return;
    // The change is committed. A failure to fold is not the caller's: the journal's lines are
    // whole, and those at or below the snapshot's revision are skipped on load. It is tried
    // again after the next change.
    try {
      if (prev) this.fold(next);
      else this.emptyJournal(); // the new snapshot holds everything the journal had
    } catch {
      this.lines = this.compactEvery;
    }
  }

  private refused(e: unknown, revision: number): StoreWriteError {
    const w = e instanceof StoreWriteError ? e : new StoreWriteError(this.journal, errnoCode(e), (e as Error).message);
    if (w.intact) return new StoreWriteError(w.file, w.code, `change not saved, the store stays at revision ${revision}: ${w.message}`);
    this.broken = new StoreWriteError(w.file, w.code,
      `change not saved: a failed write could not be undone (${w.message}), so the store takes no more changes; restart the VSM (it reads what the disk holds)`, false);
    return this.broken;
  }

  /** The snapshot and the journal replayed onto it; StoreDamagedError when either cannot be read at all. */
  private read(): Replay {
    const base = this.readSnapshot();
    let text = '';
    try {
      text = readFileSync(this.journal, 'utf8');
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw new StoreDamagedError(this.journal, undefined, `${this.journal} cannot be read (${(e as Error).message})`);
    }
    return replay(base, text);
  }

  private readSnapshot(): VsmState {
    const damaged = (why: string, line?: number, column?: number): StoreDamagedError => new StoreDamagedError(this.snapshot, line,
      `${this.snapshot}${line ? ` line ${line}` : ''}${column ? ` column ${column}` : ''} ${why}; `
      + 'the journal holds only the changes since it, so --recover cannot rebuild it: restore it from a backup');
    let text: string;
    try {
      text = readFileSync(this.snapshot, 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return emptyState();
      throw damaged(`cannot be read (${(e as Error).message})`);
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      const at = position(text, e as Error);
      throw damaged(`is damaged (not JSON: ${(e as Error).message})`, at.line, at.column);
    }
    if (!isRecord(v) || !Number.isSafeInteger(v.revision) || (v.revision as number) < 0 || TABLES.some((t) => v[t] !== undefined && !isRecord(v[t]))) {
      throw damaged('is damaged (not a VSM state: revision or tables missing)', 1);
    }
    return { ...emptyState(), ...(v as Partial<VsmState>) };
  }

  /** Writes `state` as the snapshot, then empties the journal (the snapshot holds all of it). */
  private fold(state: VsmState): void {
    replaceDurably(this.snapshot, JSON.stringify(state));
    this.emptyJournal();
  }

  private emptyJournal(): void {
    emptyDurably(this.journal);
    this.lines = 0;
  }
}
