// The journal's lines: what one change did to each table, and replaying them onto a snapshot.
// A replay tells a torn last line (a crash mid-append: ignored) from damage (refused).
import type { VsmState } from './objects.js';

export type Table = 'segments' | 'subnets' | 'policies' | 'ports' | 'hosts' | 'quotas';
export const TABLES: Table[] = ['segments', 'subnets', 'policies', 'ports', 'hosts', 'quotas'];

/** One journal line: what changed from the previous revision. */
export interface Change {
  /** The store's identity: a journal line cannot be replayed onto another store's snapshot. */
  id?: string;
  revision: number;
  segmentation: boolean;
  set: Partial<Record<Table, Record<string, unknown>>>;
  del: Partial<Record<Table, string[]>>;
}

/** The change from `prev` to `next` (tables are copied shallowly per change: an unchanged entry is the same object). */
export function changeOf(prev: VsmState, next: VsmState): Change {
  const change: Change = { ...(next.id ? { id: next.id } : {}), revision: next.revision, segmentation: next.segmentation, set: {}, del: {} };
  for (const t of TABLES) {
    const a = prev[t] as Record<string, unknown>;
    const b = next[t] as Record<string, unknown>;
    if (a === b) continue;
    for (const k in b) if (a[k] !== b[k]) (change.set[t] ??= {})[k] = b[k];
    for (const k in a) if (!(k in b)) (change.del[t] ??= []).push(k);
  }
  return change;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a parsed line is not a change, or undefined when it is one. */
function shapeError(c: unknown): string | undefined {
  if (!isRecord(c)) return 'not an object';
  if (c.id !== undefined && typeof c.id !== 'string') return 'id is not a string';
  if (!Number.isSafeInteger(c.revision) || (c.revision as number) < 1) return 'no valid revision';
  if (typeof c.segmentation !== 'boolean' || !isRecord(c.set) || !isRecord(c.del)) return 'not a change (segmentation, set, del)';
  for (const t of TABLES) {
    if (c.set[t] !== undefined && !isRecord(c.set[t])) return `set.${t} is not an object`;
    const d = c.del[t];
    if (d !== undefined && !(Array.isArray(d) && d.every((k) => typeof k === 'string'))) return `del.${t} is not a list of names`;
  }
  return undefined;
}

/** `state` with `c` applied: only the tables `c` touches are copied; the others are shared. */
export function applyChange(state: VsmState, c: Change): VsmState {
  const next = { ...state, id: c.id || state.id, revision: c.revision, segmentation: c.segmentation };
  for (const t of TABLES) {
    if (!c.set[t] && !c.del[t]) continue;
    const table = { ...state[t] } as Record<string, unknown>;
    for (const k of c.del[t] ?? []) delete table[k];
    Object.assign(table, c.set[t] ?? {});
    (next as unknown as Record<Table, Record<string, unknown>>)[t] = table;
  }
  return next;
}

export interface Replay {
  /** The snapshot with every good line applied (up to the damage, if any). */
  state: VsmState;
  /** Lines applied (lines already in the snapshot are skipped, not counted). */
  applied: number;
  /** The last line did not parse: a crash mid-append, ignored. */
  torn: boolean;
  /** The first bad line that is not a torn last one: 1-based line, why, and the changes from it to the end. */
  damage?: { line: number; reason: string; dropped: number };
}

/**
 * Applies the journal `text` to `base`. Lines at or below the snapshot's revision are skipped
 * (a compaction that could not empty the journal); after them each line must be the next
 * revision. A line that does not parse is a torn write only when it is the last one.
 */
export function replay(base: VsmState, text: string): Replay {
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && !lines[last]!.trim()) last--;
  let state = base;
  let applied = 0;
  const damaged = (i: number, reason: string): Replay => ({
    state, applied, torn: false,
    damage: { line: i + 1, reason, dropped: lines.slice(i, last + 1).filter((l) => l.trim()).length },
  });
  for (let i = 0; i <= last; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    let c: unknown;
    try {
      c = JSON.parse(line);
    } catch (e) {
      if (i === last) return { state, applied, torn: true };
      return damaged(i, `not JSON: ${(e as Error).message}`);
    }
    const bad = shapeError(c);
    if (bad) return damaged(i, bad);
    const change = c as Change;
    if (change.id && state.id && change.id !== state.id) return damaged(i, `a change of store ${change.id}, not of this store (${state.id})`);
    if (change.revision <= state.revision && applied === 0) continue;
    if (change.revision !== state.revision + 1) return damaged(i, `revision ${change.revision} where ${state.revision + 1} was expected`);
    state = applyChange(state, change);
    applied++;
  }
  return { state, applied, torn: false };
}
