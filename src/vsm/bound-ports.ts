// Which ports each host's VEM reports bound in its dataplane (interface present, programs
// attached). Kept in memory only: after a VSM restart each VEM reports its whole set again on
// reconnecting. One record per VSM, shared by the VEM service (which hears the reports) and the
// Neutron API (port status, Nova's events): both are handed the same Commit, which keys it.

/** `first`: the host's first report since this VSM started (`added` is then its whole set). */
export type BoundListener = (host: string, added: string[], removed: string[], first: boolean) => void;

export class BoundPorts {
  private readonly byHost = new Map<string, Set<string>>();
  private readonly listeners = new Set<BoundListener>();

  /** Whether the host's VEM has reported its set since this VSM started. */
  known(host: string): boolean {
    return this.byHost.has(host);
  }

  has(host: string, iface: string): boolean {
    return this.byHost.get(host)?.has(iface) ?? false;
  }

  /** The host's whole set, as its VEM reported it; listeners hear what changed (the first report of a host changes everything in it). */
  set(host: string, interfaces: readonly string[]): void {
    const before = this.byHost.get(host);
    const now = new Set(interfaces);
    const added = [...now].filter((i) => !before?.has(i));
    const removed = [...(before ?? [])].filter((i) => !now.has(i));
    this.byHost.set(host, now);
    if (before && !added.length && !removed.length) return;
    for (const l of this.listeners) l(host, added, removed, !before);
  }

  /** Calls `l` on every change; returns the function that stops it. */
  onChange(l: BoundListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

const records = new WeakMap<object, BoundPorts>();

/** The record of the VSM whose Commit (VsmServer.commit) is `vsm`. */
export function boundPortsOf(vsm: object): BoundPorts {
  let r = records.get(vsm);
  if (!r) records.set(vsm, (r = new BoundPorts()));
  return r;
}
