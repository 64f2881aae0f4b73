// The VSM: owns the configuration (rules.ts, store.ts persistence), serves the VEM service
// (vem-service.ts) and the admin service (admin-service.ts), and tells the VEMs of each change.
// On a shared store (etcd) it is one of several replicas: its changes are committed there, the
// others' arrive through the store's watch, and both reach this replica's VEMs the same way.
import * as grpc from '@grpc/grpc-js';
import { checkAddress, protocol, type ClusterStatusMsg } from '../../proto/index.js';
import { logAt, stderrLogger, type LineLog } from '../common/log.js';
import { adminService } from './admin-service.js';
import type { WatchedChange } from './etcd-layout.js';
import { newIdentityWarning } from './identity.js';
import { derived, markDraft } from './indexes.js';
import { applyChange } from './journal.js';
import { bindSecured, listenPlan, type ListenSecurity } from './listen-security.js';
import type { VsmState } from './objects.js';
import { touchesOf, type Touches } from './replication.js';
import { deleteSegment, deletePort, deleteSubnet, update } from './rules.js';
import { clearStaleSocket } from './socket-guard.js';
import { StaleStateError, StoreWriteError, StoreUnavailableError } from './store-errors.js';
import type { SharedStore, StateStore } from './store.js';
import { measured, serverOptions } from './stream-bounds.js';
import { VemService } from './vem-service.js';
import { hostViewParts } from './views.js';

export interface VsmOptions extends ListenSecurity {
  /** What `ClusterStatus` answers (the CLI knows the store and the replica's peers). */
  cluster?: () => Promise<ClusterStatusMsg>;
  /** For what must not go unnoticed (a new, empty store); by default the same stderr format as the CLI's log. */
  warn?: (line: string) => void;
}

export class VsmServer {
  private state: VsmState;
  private readonly vem: VemService;
  private server?: grpc.Server;
  private readonly file?: StateStore;
  private readonly shared?: SharedStore;
  /** Changes of a shared store are made one at a time on each replica. */
  private tail: Promise<unknown> = Promise.resolve();
  private waiters: { revision: number; resolve: () => void }[] = [];

  constructor(store: StateStore | SharedStore, private readonly log: LineLog = () => undefined, private readonly o: VsmOptions = {}) {
    this.state = store.load();
    if ('follow' in store) this.shared = store;
    else this.file = store;
    const shared = this.shared;
    this.vem = new VemService(this.commit, log, shared && ((r) => (r === this.state.revision ? Promise.resolve(this.state) : shared.stateAt(r))));
  }

  get snapshot(): VsmState {
    return this.state;
  }

  async listen(addr: string): Promise<void> {
    const plan = listenPlan(addr, this.o, this.log);
    // A replica serves once it follows the others: nothing they commit from here on is missed.
    await this.shared?.follow((c) => this.applyWatched(c), (s) => this.install(this.state, s));
    const p = protocol();
    const opts = serverOptions();
    const server = new grpc.Server({ ...opts, interceptors: [...plan.interceptors, ...(opts.interceptors ?? [])] });
    server.addService(measured(p.Vem.service), { register: this.register, watch: this.watch, report: this.report });
    server.addService(p.Admin.service, this.adminHandlers());
    if (checkAddress(addr).startsWith('unix:') && await clearStaleSocket(addr.slice(5))) logAt(this.log, 'warn', `removed the stale socket ${addr} (nobody answered on it)`);
    await bindSecured(server, addr, this.o);
    this.server = server;
    // Said once the VSM serves (a refused start stays one line): VEMs see this identity from now on.
    const made = (this.file ?? this.shared)?.newIdentity;
    if (made) (this.o.warn ?? stderrLogger('vsm').warn)(newIdentityWarning(made));
    this.log(`listening on ${addr} (${plan.how}); store identity ${this.state.id}, revision ${this.state.revision}`);
  }

  async close(): Promise<void> {
    for (const set of this.watchers.values()) for (const w of set) w.end();
    this.server?.forceShutdown();
  }

  /** For the services and the northbound (Neutron): the state, and the one way to change it. */
  readonly commit = {
    state: (): VsmState => this.state,
    change: (fn: (s: VsmState) => void, touches?: Touches): Promise<void> => this.change(fn, touches),
  };

  /**
   * One synchronisation with OpenStack: every network, subnet and port that did not come from
   * the northbound is removed, in one change (ports, then subnets, then networks); one audit
   * line each. VEMs get the result as any other change.
   */
  async sync(): Promise<{ removed: { kind: string; name: string; origin: string; reason: string }[]; revision: number }> {
    const s = this.state;
    const reason = 'not in OpenStack (the source of truth)';
    const ports = Object.values(s.ports).filter((p) => p.origin !== 'neutron');
    const networks = Object.values(s.segments).filter((x) => x.origin !== 'neutron');
    const removed = [
      ...ports.map((p) => ({ kind: 'port', name: p.name, origin: p.origin, reason })),
      ...Object.values(s.subnets).filter((x) => x.origin !== 'neutron').map((x) => ({ kind: 'subnet', name: x.name, origin: x.origin, reason })),
      ...networks.map((x) => ({ kind: 'network', name: x.name, origin: x.origin, reason })),
    ];
    if (removed.length) {
      await this.change((x) => {
        for (const r of removed) {
          if (r.kind === 'port') deletePort(x, r.name);
          else if (r.kind === 'subnet') deleteSubnet(x, r.name);
          else deleteSegment(x, r.name);
        }
      }, { networks: [...new Set([...ports.map((p) => p.network), ...networks.map((n) => n.name)])], hosts: [...new Set(ports.map((p) => p.host))] });
    }
    for (const r of removed) this.log(`audit: sync removed ${r.kind} ${r.name} (origin ${r.origin}): ${r.reason}`);
    this.log(`sync: ${removed.length} object(s) removed, revision ${this.state.revision}`);
    return { removed, revision: this.state.revision };
  }

  /**
   * Validates `fn` on the current state and commits it. The embedded store commits before this
   * returns (callers that do not await still see the change). A shared store commits on the
   * condition that nobody changed the state since: StaleStateError when someone did (the caller
   * runs its whole request again, see retryStale), StoreUnavailableError when etcd cannot commit.
   */
  private async change(fn: (s: VsmState) => void, touches?: Touches): Promise<void> {
    const base = this.state;
    if (this.file) {
      const file = this.file;
      const next = update(base, fn);
      this.persist(() => file.save(next, base)); // throws with the stored state still at base: so is this.state
      this.install(base, next, touches);
      return;
    }
    const shared = this.shared!;
    const run = async (): Promise<void> => {
      if (this.state !== base) throw new StaleStateError(this.state.revision); // an earlier change here went first
      const next = update(base, fn);
      let revision: number;
      try {
        revision = await shared.commit(base, next);
      } catch (e) {
        if (e instanceof StaleStateError) await this.reached(e.revision);
        else if (e instanceof StoreUnavailableError) logAt(this.log, 'error', e.message);
        throw e;
      }
      next.revision = revision;
      // Unless the watch brought this very change first (then the state has it already).
      if (this.state === base) this.install(base, next, touches);
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  private persist(save: () => void): void {
    try {
      save();
    } catch (e) {
      if (e instanceof StoreWriteError) logAt(this.log, 'error', e.message);
      throw e;
    }
  }

  /** A change another replica (or this one) committed to the shared store, as its watch delivers it. */
  private applyWatched(c: WatchedChange): void {
    const prev = this.state;
    if (c.revision <= prev.revision) return; // made here, and installed when its commit returned
    const next = applyChange(prev, { ...c, segmentation: c.segmentation ?? prev.segmentation });
    markDraft(next, prev); // its indexes start from prev's
    this.install(prev, next, touchesOf(prev, next, c));
  }

  /**
   * Makes `next` the state and tells the VEMs: all of them, or, when the change says which
   * networks/hosts it touches, only the hosts concerned (those with ports in the networks,
   * before or after, and the hosts named).
   */
  private install(prev: VsmState, next: VsmState, touches?: Touches): void {
    this.state = next;
    const hosts = touches ? new Set(touches.hosts ?? []) : new Set(this.watchers.keys());
    for (const n of touches?.networks ?? []) {
      for (const st of [prev, next]) for (const p of derived(st).portsByNetwork.get(n) ?? []) hosts.add(p.host);
    }
    for (const host of hosts) if (this.watchers.has(host)) this.push(host);
    const ready = this.waiters.filter((w) => w.revision <= next.revision);
    this.waiters = this.waiters.filter((w) => w.revision > next.revision);
    for (const w of ready) w.resolve();
  }

  /** Resolves once the state has `revision` (the watch brought it), or after `ms` regardless. */
  private reached(revision: number, ms = 3000): Promise<void> {
    if (this.state.revision >= revision) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push({ revision, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** Sends each of the host's streams the delta from the view it has; nothing when nothing changed. */
  private push(host: string): void {
    this.vem.send(host, hostViewParts(this.state, host));
  }

  /** Per host: its VEM's open watch streams. */
  private get watchers(): VemService['watchers'] {
    return this.vem.watchers;
  }

  // listen() serves the VEM service's handlers under these names.
  private get register(): VemService['register'] {
    return this.vem.register;
  }

  private get watch(): VemService['watch'] {
    return this.vem.watch;
  }

  private get report(): VemService['report'] {
    return this.vem.report;
  }

  private adminHandlers(): grpc.UntypedServiceImplementation {
    return adminService(this, this.vem);
  }

  /** The store, the cluster's identity and its replicas (one, for the embedded store). */
  clusterStatus(): Promise<ClusterStatusMsg> {
    if (this.o.cluster) return this.o.cluster();
    return Promise.resolve({ store: 'embedded', clusterId: this.state.id, self: 'vsm', replicas: [{ name: 'vsm', address: '', role: 'leader', revision: String(this.state.revision) }] });
  }

  /** Updates written to VEM streams since start (for the metrics). */
  get sentCounts(): Readonly<VemService['sentCounts']> {
    return this.vem.sentCounts;
  }

  /** Per registered host: stream up, revision applied, and how long its VEM has lagged behind (0 = in step). */
  hostStatus(): ReturnType<VemService['hostStatus']> {
    return this.vem.hostStatus();
  }
}
