// The VEM service: hosts register their VTEPs, watch the view of what their host needs (a
// snapshot, then deltas) and report what they applied. Kept per host and per stream: what was
// sent, so that a change costs each stream its delta only and a reconnect can resume.
import * as grpc from '@grpc/grpc-js';
import { deltaIsEmpty } from '../../proto/delta.js';
import type { Empty, HostUpdate, LearnedMacMsg, RegisterReply, RegisterRequest, ReportRequest, WatchRequest } from '../../proto/index.js';
import { VsmError, type VsmState } from './objects.js';
import { registerHost, type Commit } from './rules.js';
import { unary } from './unary.js';
import { flatten, hostViewParts, partsDelta, type ViewParts } from './views.js';

export interface HostReport {
  appliedRevision: string;
  lastReportMs: number;
  learned: LearnedMacMsg[];
}

export class VemService {
  /** Per host: its VEM's open watch streams. */
  readonly watchers = new Map<string, Set<grpc.ServerWritableStream<WatchRequest, HostUpdate>>>();
  /** Per stream: the view it has now (deltas are computed from it). */
  private readonly sent = new WeakMap<object, ViewParts>();
  /** Per host: the last view any of its streams got, so that a reconnect can resume from it. */
  private readonly lastView = new Map<string, ViewParts>();
  /** Per host: what its VEM last reported (kept in memory: it is the VEMs' to resend). */
  private readonly reports = new Map<string, HostReport>();
  /** Per host: the newest revision sent and not yet reported applied, since when (the oldest such send). */
  private readonly pending = new Map<string, { revision: number; sinceMs: number }>();
  /** Updates written to VEM streams since start (for the metrics). */
  readonly sentCounts = { deltas: 0, snapshots: 0 };

  /**
   * @param history the state at a past revision, where the store keeps it (etcd): a VEM that
   *   another replica served resumes here with a delta from the view it had
   */
  constructor(private readonly vsm: Commit, private readonly log: (line: string) => void,
    private readonly history?: (revision: number) => Promise<VsmState | undefined>) {}

  readonly register = unary<RegisterRequest, RegisterReply>(async (r) => {
    const networks = [...new Set(Object.values(this.vsm.state().ports).filter((p) => p.host === r.host).map((p) => p.network))];
    await this.vsm.change((s) => registerHost(s, {
      name: r.host, uplinkMtu: r.uplinkMtu, version: r.version,
      vteps: r.vteps.map((v) => ({ interface: v.interface, address: v.address, prefixLength: v.prefixLength, ...(v.gateway ? { gateway: v.gateway } : {}) })),
    }), { networks, hosts: [r.host] });
    this.log(`host ${r.host} registered (${r.vteps.map((v) => v.address).join(', ')})`);
    return { revision: String(this.vsm.state().revision) };
  });

  readonly watch = (call: grpc.ServerWritableStream<WatchRequest, HostUpdate>): void => {
    const host = call.request.host;
    if (!this.vsm.state().hosts[host]) {
      // grpc-js ends a server stream with a status through an 'error' event.
      call.emit('error', { code: grpc.status.FAILED_PRECONDITION, details: `host ${host} is not registered: call Register first` });
      return;
    }
    // Resume from the revision the VEM has, if it is the last one this VSM sent the host, or
    // one the store can still show; otherwise (first contact, older revision) a full snapshot.
    const from = call.request.lastRevision;
    const known = this.lastView.get(host);
    if ((known && from === known.revision && known.revision !== '0') || !this.history || from === '0') {
      this.start(call, host, known?.revision === from ? known : undefined);
      return;
    }
    void this.history(Number(from))
      .then((s) => (s?.hosts[host] ? hostViewParts(s, host) : undefined), () => undefined)
      .then((base) => call.cancelled || this.start(call, host, base));
  };

  /** Opens the stream with a delta from `base` (the view the VEM has) or a snapshot, then follows. */
  private start(call: grpc.ServerWritableStream<WatchRequest, HostUpdate>, host: string, base: ViewParts | undefined): void {
    const set = this.watchers.get(host) ?? new Set();
    set.add(call);
    this.watchers.set(host, set);
    call.on('cancelled', () => set.delete(call));
    call.on('close', () => set.delete(call));
    const view = hostViewParts(this.vsm.state(), host);
    if (base && base.revision !== '0') {
      call.write({ delta: partsDelta(base, view) });
    } else {
      call.write({ snapshot: flatten(view) });
      this.sentCounts.snapshots++;
    }
    this.markSent(host, view);
    this.sent.set(call, view);
    this.lastView.set(host, view);
  }

  readonly report = unary<ReportRequest, Empty>((r) => {
    if (!this.vsm.state().hosts[r.host]) throw new VsmError('not_found', `host ${r.host} is not registered`);
    const prev = this.reports.get(r.host);
    const p = this.pending.get(r.host);
    if (p && Number(r.appliedRevision) >= p.revision) this.pending.delete(r.host);
    this.reports.set(r.host, { appliedRevision: r.appliedRevision, lastReportMs: Date.now(), learned: [...(prev?.learned ?? []), ...r.learned].slice(-1000) });
    return {};
  });

  /** Sends each of the host's streams the delta from the view it has to `view`; nothing when nothing changed. */
  send(host: string, view: ViewParts): void {
    for (const w of this.watchers.get(host) ?? []) {
      const delta = partsDelta(this.sent.get(w)!, view);
      if (deltaIsEmpty(delta)) continue;
      this.sent.set(w, view);
      w.write({ delta });
      this.sentCounts.deltas++;
      this.markSent(host, view);
    }
    this.lastView.set(host, view);
  }

  private markSent(host: string, view: { revision: string }): void {
    const since = this.pending.get(host)?.sinceMs ?? Date.now();
    this.pending.set(host, { revision: Number(view.revision), sinceMs: since });
  }

  connected(host: string): boolean {
    return (this.watchers.get(host)?.size ?? 0) > 0;
  }

  lastReport(host: string): HostReport | undefined {
    return this.reports.get(host);
  }

  /** Per registered host: stream up, revision applied, and how long its VEM has lagged behind (0 = in step). */
  hostStatus(): { host: string; connected: boolean; appliedRevision: number; lagSeconds: number }[] {
    const now = Date.now();
    return Object.keys(this.vsm.state().hosts).map((host) => {
      const p = this.pending.get(host);
      return {
        host,
        connected: this.connected(host),
        appliedRevision: Number(this.reports.get(host)?.appliedRevision ?? 0),
        lagSeconds: p ? (now - p.sinceMs) / 1000 : 0,
      };
    });
  }
}
