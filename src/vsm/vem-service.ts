// The VEM service: hosts register their VTEPs, watch the view of what their host needs (a
// snapshot, then deltas) and report what they applied. Kept per host and per stream: what was
// sent, so that a change costs each stream its delta only and a reconnect can resume. One
// stream per host (a newer Watch replaces the older); a stream whose VEM stops reading is
// dropped past a bound (watch-stream.ts); Register and Report are bounded in size.
import * as grpc from '@grpc/grpc-js';
import { deltaIsEmpty } from '../../proto/delta.js';
import { normalizeMac, parseIpv4 } from '../common/address.js';
import { vniProblem } from '../common/vxlan.js';
import type { Empty, HostUpdate, LearnedMacMsg, RegisterReply, RegisterRequest, ReportRequest, WatchRequest } from '../../proto/index.js';
import { logAt, type LineLog } from '../common/log.js';
import { boundPortsOf } from './bound-ports.js';
import { VsmError, type VsmState } from './objects.js';
import { registerHost, type Commit } from './rules.js';
import { bounded } from './stream-bounds.js';
import { unary } from './unary.js';
import { flatten, hostViewParts, partsDelta, type ViewParts } from './views.js';
import { WatchStream } from './watch-stream.js';

export interface HostReport {
  appliedRevision: string;
  lastReportMs: number;
  learned: LearnedMacMsg[];
}

/** What is wrong with a learned entry as a VEM reports it: a VNI, a MAC, the remote VTEP's address (local: 0.0.0.0), the local interface. */
function learnedProblem(m: LearnedMacMsg): string | undefined {
  const vni = vniProblem(m.vni);
  if (vni) return vni;
  try {
    normalizeMac(m.mac);
    if (m.vtep) parseIpv4(m.vtep);
  } catch (e) {
    return (e as Error).message;
  }
  return m.interface.length > 64 ? `an interface name of ${m.interface.length} characters` : undefined;
}

export class VemService {
  /** Per host: its VEM's open watch stream (a set of at most one: a newer Watch replaces the older). */
  readonly watchers = new Map<string, Set<WatchStream>>();
  /** Per host: the last view any of its streams got, so that a reconnect can resume from it. */
  private readonly lastView = new Map<string, ViewParts>();
  /** Per host: what its VEM last reported (kept in memory: it is the VEMs' to resend). */
  private readonly reports = new Map<string, HostReport>();
  /** Per host: the newest revision sent and not yet reported applied, since when (the oldest such send). */
  private readonly pending = new Map<string, { revision: number; sinceMs: number }>();
  /** Updates written to VEM streams since start (for the metrics). */
  readonly sentCounts = { deltas: 0, snapshots: 0 };
  /** Hosts already warned of following another store (identity), so that it is said once. */
  private readonly otherStore = new Map<string, string>();

  /**
   * @param history the state at a past revision, where the store keeps it (etcd): a VEM that
   *   another replica served resumes here with a delta from the view it had
   */
  /** @param log the VSM's log, which the admin service writes to as well */
  constructor(private readonly vsm: Commit, readonly log: LineLog,
    private readonly history?: (revision: number) => Promise<VsmState | undefined>) {}

  readonly register = bounded('Register', (r: RegisterRequest) => `host ${r.host}`, unary<RegisterRequest, RegisterReply>(async (r) => {
    const networks = [...new Set(Object.values(this.vsm.state().ports).filter((p) => p.host === r.host).map((p) => p.network))];
    await this.vsm.change((s) => registerHost(s, {
      name: r.host, uplinkMtu: r.uplinkMtu, version: r.version, ...(r.physicalNetworks?.length ? { physnets: r.physicalNetworks } : {}),
      vteps: r.vteps.map((v) => ({ interface: v.interface, address: v.address, prefixLength: v.prefixLength, ...(v.gateway ? { gateway: v.gateway } : {}) })),
    }), { networks, hosts: [r.host] });
    this.log(`host ${r.host} registered (${r.vteps.map((v) => v.address).join(', ')})`);
    return { revision: String(this.vsm.state().revision), vsmId: this.vsm.state().id };
  }));

  readonly watch = (call: grpc.ServerWritableStream<WatchRequest, HostUpdate>): void => {
    const host = call.request.host;
    if (!this.vsm.state().hosts[host]) {
      // grpc-js ends a server stream with a status through an 'error' event.
      call.emit('error', { code: grpc.status.FAILED_PRECONDITION, details: `host ${host} is not registered: call Register first` });
      return;
    }
    const stream = new WatchStream(call, this.vsm.state().id);
    const replacing = (this.watchers.get(host)?.size ?? 0) > 0;
    // A host has one VEM: an older stream is one its VEM left behind (or a second agent that
    // claims the host, which then says so in its log each time it takes the stream back).
    for (const old of this.watchers.get(host) ?? []) old.close(grpc.status.ABORTED, `replaced by a newer Watch of host ${host} (one stream per host)`);
    const set = new Set([stream]);
    this.watchers.set(host, set);
    const peer = call.getPeer() === 'unknown' ? 'the local socket' : call.getPeer();
    this.log(`host ${host} connected from ${peer}${call.request.lastRevision !== '0' ? ` at revision ${call.request.lastRevision}` : ''}${replacing ? ' (its older stream replaced)' : ''}`);
    let open = true;
    const ended = (): void => {
      set.delete(stream);
      // Once; and not for a stream a newer Watch replaced (the host is connected through that one).
      if (open && this.watchers.get(host) === set) this.log(`host ${host} disconnected (${peer})`);
      open = false;
    };
    call.on('cancelled', ended);
    call.on('close', ended);
    // Resume from the revision the VEM has (of this store), if it is the last one this VSM sent
    // the host, or one the store can still show (a VEM that another replica served); otherwise
    // (first contact, VSM restart, older revision, another store) a full snapshot.
    const from = call.request.lastRevision;
    const known = this.lastView.get(host);
    const ours = !call.request.vsmId || call.request.vsmId === this.vsm.state().id;
    if (!ours || from === '0' || known?.revision === from || !this.history) {
      this.start(host, stream, ours && known?.revision === from ? known : undefined);
      return;
    }
    void this.history(Number(from))
      .then((s) => (s?.hosts[host] ? hostViewParts(s, host) : undefined), () => undefined)
      .then((base) => this.watchers.get(host)?.has(stream) && this.start(host, stream, base)); // unless it ended or was replaced meanwhile
  };

  /** Opens `stream` with a delta from `base` (the view its VEM has) or a snapshot; deltas follow (send). */
  private start(host: string, stream: WatchStream, base: ViewParts | undefined): void {
    const view = hostViewParts(this.vsm.state(), host);
    if (base && base.revision !== '0') {
      stream.send({ delta: partsDelta(base, view) }, view);
    } else {
      stream.send({ snapshot: flatten(view) }, view);
      this.sentCounts.snapshots++;
    }
    this.markSent(host, view);
    this.lastView.set(host, view);
  }

  readonly report = bounded('Report', (r: ReportRequest) => `host ${r.host}`, unary<ReportRequest, Empty>((r) => {
    if (!this.vsm.state().hosts[r.host]) throw new VsmError('not_found', `host ${r.host} is not registered`);
    r.learned.forEach((m, i) => {
      const problem = learnedProblem(m);
      if (problem) throw new VsmError('invalid', `learned entry ${i} of host ${r.host}: ${problem}`);
    });
    const ours = this.noteStore(r.host, r.vsmId ?? '');
    const prev = this.reports.get(r.host);
    const p = this.pending.get(r.host);
    if (p && ours && Number(r.appliedRevision) >= p.revision) this.pending.delete(r.host); // another store's revision says nothing of ours
    this.reports.set(r.host, { appliedRevision: r.appliedRevision, lastReportMs: Date.now(), learned: [...(prev?.learned ?? []), ...r.learned].slice(-1000) });
    // Ports another store's views bound are not this store's: none of ours is bound there.
    if (r.boundPortsKnown) boundPortsOf(this.vsm).set(r.host, ours ? r.boundPorts ?? [] : []);
    return {};
  }));

  /**
   * Whether a host's VEM follows this store (or does not say). If not, says so once per host and
   * identity: it refuses this store's views that would remove what it has.
   */
  private noteStore(host: string, followed: string): boolean {
    const ours = this.vsm.state().id;
    if (!followed || followed === ours) {
      this.otherStore.delete(host);
      return true;
    }
    if (this.otherStore.get(host) === followed) return false;
    this.otherStore.set(host, followed);
    logAt(this.log, 'warn', `host ${host} follows the VSM store ${followed}, not this one (${ours}): it keeps its segments and ports and refuses this store's views `
      + `that would remove them, until it is adopted (vxvem vem adopt --instance NAME on the host, or vem --adopt)`);
    return false;
  }

  /** Sends each of the host's streams the delta from the view it has to `view`; nothing when nothing changed. */
  send(host: string, view: ViewParts): void {
    for (const w of this.watchers.get(host) ?? []) {
      if (!w.view) continue; // opening (reading the view its VEM has): it starts from the latest
      const over = w.overBound;
      if (over) {
        this.drop(host, w, over);
        continue;
      }
      const delta = partsDelta(w.view!, view);
      if (deltaIsEmpty(delta)) continue;
      w.send({ delta }, view);
      this.sentCounts.deltas++;
      this.markSent(host, view);
    }
    this.lastView.set(host, view);
  }

  /** Ends the stream of a VEM that does not read: it resyncs from a snapshot when it comes back. */
  private drop(host: string, w: WatchStream, over: { queued: number; bound: number }): void {
    const why = `host ${host} has not read its updates (${over.queued} entries queued, the bound is ${over.bound}): its stream is dropped; it resyncs from a snapshot`;
    this.watchers.get(host)?.delete(w);
    logAt(this.log, 'warn', why);
    w.close(grpc.status.RESOURCE_EXHAUSTED, why);
  }

  private markSent(host: string, view: { revision: string }): void {
    const since = this.pending.get(host)?.sinceMs ?? Date.now();
    this.pending.set(host, { revision: Number(view.revision), sinceMs: since });
  }

  /** Drops what is kept of a deleted host (its last view and report). */
  forget(host: string): void {
    for (const m of [this.lastView, this.reports, this.pending, this.otherStore]) m.delete(host);
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
