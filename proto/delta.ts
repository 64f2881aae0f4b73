// Host view deltas: computed by the VSM between two views of one host (src/vsm/views.ts), applied by the VEM.
import type { HostDelta, HostView, StaticMacMsg } from './index.js';

const macKey = (m: StaticMacMsg) => `${m.vni}/${m.mac}`;

/**
 * Field-by-field equality of two view entries (scalars, or arrays of scalars such as a flood
 * list). A JSON.stringify of both sides did the same at several times the cost, and the VSM
 * compares every entry of every touched host's view on each change.
 */
function sameEntry(x: object | undefined, y: object): boolean {
  if (x === undefined) return false;
  const a = x as Record<string, unknown>;
  const b = y as Record<string, unknown>;
  for (const k in b) {
    const u = a[k];
    const v = b[k];
    if (u === v) continue;
    if (!Array.isArray(u) || !Array.isArray(v) || u.length !== v.length || u.some((e, i) => e !== v[i])) return false;
  }
  for (const k in a) if (!(k in b)) return false;
  return true;
}

/** Entries of `b` that are new or changed against `a` (by key), and entries of `a` gone from `b`. */
export function diffEntries<T extends object>(a: T[], b: T[], key: (x: T) => string | number): { upsert: T[]; remove: T[] } {
  const before = new Map(a.map((x) => [key(x), x]));
  const after = new Map(b.map((x) => [key(x), x]));
  const upsert = b.filter((x) => !sameEntry(before.get(key(x)), x));
  const remove = a.filter((x) => !after.has(key(x)));
  return { upsert, remove };
}

export function deltaIsEmpty(d: HostDelta): boolean {
  return !d.upsertSegments.length && !d.removeSegments.length && !d.upsertPorts.length && !d.removePorts.length &&
    !d.upsertStaticMacs.length && !d.removeStaticMacs.length;
}

/** The view after `d`; throws when `d` does not start from `view`'s revision. */
export function applyDelta(view: HostView, d: HostDelta): HostView {
  if (d.baseRevision !== view.revision) throw new Error(`delta from revision ${d.baseRevision} does not apply to revision ${view.revision}`);
  const segs = new Map(view.segments.map((s) => [s.vni, s]));
  for (const v of d.removeSegments) segs.delete(v);
  for (const s of d.upsertSegments) segs.set(s.vni, s);
  const ports = new Map(view.ports.map((p) => [p.interface, p]));
  for (const i of d.removePorts) ports.delete(i);
  for (const p of d.upsertPorts) ports.set(p.interface, p);
  const macs = new Map(view.staticMacs.map((m) => [macKey(m), m]));
  for (const m of d.removeStaticMacs) macs.delete(macKey(m));
  for (const m of d.upsertStaticMacs) macs.set(macKey(m), m);
  return {
    revision: d.revision,
    segments: [...segs.values()].sort((a, b) => a.vni - b.vni),
    ports: [...ports.values()].sort((a, b) => a.interface.localeCompare(b.interface)),
    staticMacs: [...macs.values()].sort((a, b) => a.vni - b.vni || a.mac.localeCompare(b.mac)),
  };
}
