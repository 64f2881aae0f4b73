// Updates of the watch stream sent in parts, so that no message nears gRPC's 4 MiB limit: the
// VSM splits a snapshot or a delta whose entries weigh more than a budget into parts with
// `partial` set on all but the last (every part has the same revisions), and the VEM joins
// the parts before it applies anything. Only a VEM that asked for parts (WatchRequest.chunked)
// gets them: an older one would take the first part for the whole view.
import type { HostDelta, HostSegmentMsg, HostUpdate, HostView } from './index.js';

/** Entries per part: about 40 bytes each encoded, so a part stays near 1 MiB. */
export const PART_WEIGHT = 25_000;

/** A segment carries its flood list; every other entry weighs 1. */
const segmentWeight = (s: HostSegmentMsg): number => 1 + s.floodList.length;

/** How many entries an update carries (its segments' flood lists included). */
export function updateWeight(u: HostUpdate): number {
  if (u.snapshot) return 1 + u.snapshot.segments.reduce((n, s) => n + segmentWeight(s), 0) + u.snapshot.ports.length + u.snapshot.staticMacs.length;
  const d = u.delta;
  if (!d) return 1;
  return 1 + d.upsertSegments.reduce((n, s) => n + segmentWeight(s), 0) + d.removeSegments.length + d.upsertPorts.length + d.removePorts.length
    + d.upsertStaticMacs.length + d.removeStaticMacs.length;
}

type ListKey<T> = { [K in keyof T]: T[K] extends unknown[] ? K : never }[keyof T];

/**
 * Splits the lists of `whole` (in the order given) into objects of at most `budget` weight each;
 * every object starts as `empty()`. An entry heavier than the budget travels alone.
 */
function splitLists<T extends object>(whole: T, keys: ListKey<T>[], empty: () => T, budget: number): T[] {
  const out: T[] = [empty()];
  let room = budget;
  for (const k of keys) {
    for (const entry of whole[k] as unknown[]) {
      const w = k === 'segments' || k === 'upsertSegments' ? segmentWeight(entry as HostSegmentMsg) : 1;
      if (w > room && room < budget) {
        out.push(empty());
        room = budget;
      }
      (out[out.length - 1]![k] as unknown[]).push(entry);
      room -= w;
    }
  }
  return out;
}

/** `u` as one or more updates of at most `budget` weight each (`u` itself when it fits). */
export function splitUpdate(u: HostUpdate, budget = PART_WEIGHT): HostUpdate[] {
  if (updateWeight(u) <= budget) return [u];
  const tag = u.vsmId === undefined ? {} : { vsmId: u.vsmId };
  let parts: HostUpdate[];
  if (u.snapshot) {
    const v = u.snapshot;
    const empty = (): HostView => ({ revision: v.revision, segments: [], ports: [], staticMacs: [] });
    parts = splitLists(v, ['segments', 'ports', 'staticMacs'], empty, budget).map((snapshot) => ({ snapshot, ...tag }));
  } else {
    const d = u.delta!;
    const empty = (): HostDelta => ({
      baseRevision: d.baseRevision, revision: d.revision,
      upsertSegments: [], removeSegments: [], upsertPorts: [], removePorts: [], upsertStaticMacs: [], removeStaticMacs: [],
    });
    const keys: ListKey<HostDelta>[] = ['removeSegments', 'upsertSegments', 'removePorts', 'upsertPorts', 'removeStaticMacs', 'upsertStaticMacs'];
    parts = splitLists(d, keys, empty, budget).map((delta) => ({ delta, ...tag }));
  }
  for (const p of parts.slice(0, -1)) (p.snapshot ?? p.delta!).partial = true;
  return parts;
}

export class PartsError extends Error {
  override readonly name = 'PartsError';
}

const VIEW_LISTS = ['segments', 'ports', 'staticMacs'] as const;
const DELTA_LISTS = ['upsertSegments', 'removeSegments', 'upsertPorts', 'removePorts', 'upsertStaticMacs', 'removeStaticMacs'] as const;

const kind = (u: HostUpdate): string => (u.snapshot ? `snapshot ${u.snapshot.revision}` : `delta ${u.delta!.baseRevision}->${u.delta!.revision}`);

/** Joins the parts of updates as they arrive; whole updates pass through. */
export class UpdateAssembler {
  /** The parts received so far, in lists of its own (parts are appended in place). */
  private pending?: HostUpdate;

  /** The whole update once its last part is in, else undefined; PartsError on parts that do not belong together. */
  add(u: HostUpdate): HostUpdate | undefined {
    const part = u.snapshot ?? u.delta;
    if (!part) throw new PartsError('an update with neither a snapshot nor a delta');
    if (!this.pending) {
      if (!part.partial) return u;
      this.pending = u.snapshot
        ? { ...u, snapshot: { ...u.snapshot, segments: [...u.snapshot.segments], ports: [...u.snapshot.ports], staticMacs: [...u.snapshot.staticMacs] } }
        : { ...u, delta: { ...u.delta!, ...Object.fromEntries(DELTA_LISTS.map((k) => [k, [...u.delta![k]]])) } };
      return undefined;
    }
    const into = this.pending;
    if (kind(into) !== kind(u) || into.vsmId !== u.vsmId) {
      this.pending = undefined;
      throw new PartsError(`a part of ${kind(u)} arrived in the middle of ${kind(into)}`);
    }
    const lists: [unknown[], unknown[]][] = into.snapshot
      ? VIEW_LISTS.map((k) => [into.snapshot![k], u.snapshot![k]])
      : DELTA_LISTS.map((k) => [into.delta![k], u.delta![k]]);
    for (const [to, from] of lists) for (const x of from) to.push(x); // no spread: a part may hold more entries than a call takes arguments
    if (part.partial) return undefined;
    (into.snapshot ?? into.delta!).partial = false;
    this.pending = undefined;
    return into;
  }

  /** Drops a half-received update (the stream ended). */
  reset(): void {
    this.pending = undefined;
  }
}
