// The VSM: owns the configuration (rules.ts, store.ts persistence), serves the VEM service
// (vem-service.ts) and the admin service (admin-service.ts), and tells the VEMs of each change.
import * as grpc from '@grpc/grpc-js';
import { checkAddress, protocol } from '../../proto/index.js';
import { stderrLogger } from '../common/log.js';
import { adminService } from './admin-service.js';
import { newIdentityWarning } from './identity.js';
import { derived } from './indexes.js';
import type { VsmState } from './objects.js';
import { deleteSegment, deletePort, deleteSubnet, update } from './rules.js';
import { clearStaleSocket } from './socket-guard.js';
import { StoreWriteError } from './store-errors.js';
import type { StateStore } from './store.js';
import { measured, serverOptions } from './stream-bounds.js';
import { VemService } from './vem-service.js';
import { hostViewParts } from './views.js';

export class VsmServer {
  private state: VsmState;
  private readonly vem: VemService;
  private server?: grpc.Server;

  /** `warn` is for what must not go unnoticed (a new, empty store); by default the same stderr format as the CLI's log. */
  constructor(private readonly store: StateStore, private readonly log: (line: string) => void = () => undefined,
    private readonly warn: (line: string) => void = stderrLogger('vsm').warn) {
    this.state = store.load();
    this.vem = new VemService(this.commit, log);
  }

  get snapshot(): VsmState {
    return this.state;
  }

  async listen(addr: string): Promise<void> {
    const p = protocol();
    const server = new grpc.Server(serverOptions());
    server.addService(measured(p.Vem.service), { register: this.register, watch: this.watch, report: this.report });
    server.addService(p.Admin.service, this.adminHandlers());
    if (checkAddress(addr).startsWith('unix:') && await clearStaleSocket(addr.slice(5))) this.log(`removed the stale socket ${addr} (nobody answered on it)`);
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(addr, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(new Error(`cannot listen on ${addr}: ${err.message}`)) : resolve())));
    this.server = server;
    // Said once the VSM serves (a refused start stays one line): VEMs see this identity from now on.
    if (this.store.newIdentity) this.warn(newIdentityWarning(this.store.newIdentity));
    this.log(`listening on ${addr}; store identity ${this.state.id}, revision ${this.state.revision}`);
  }

  async close(): Promise<void> {
    for (const set of this.watchers.values()) for (const w of set) w.end();
    this.server?.forceShutdown();
  }

  /**
   * Applies a change atomically (validated on a copy), persists it, then tells the VEMs: all of
   * them, or, when the change says which networks/hosts it touches, only the hosts concerned
   * (those with ports in the networks, before or after, and the hosts named).
   */
  /** For the northbound (Neutron): the same atomic change the admin service makes. */
  readonly commit = {
    state: (): VsmState => this.state,
    change: (fn: (s: VsmState) => void, touches?: { networks?: string[]; hosts?: string[] }): void => this.change(fn, touches),
  };

  /**
   * One synchronisation with OpenStack: every network, subnet and port that did not come from
   * the northbound is removed, in one change (ports, then subnets, then networks); one audit
   * line each. VEMs get the result as any other change.
   */
  sync(): { removed: { kind: string; name: string; origin: string; reason: string }[]; revision: number } {
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
      this.change((x) => {
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

  private change(fn: (s: VsmState) => void, touches?: { networks?: string[]; hosts?: string[] }): void {
    const prev = this.state;
    const next = update(prev, fn);
    try {
      this.store.save(next, prev); // throws with the stored state still at prev: so is this.state
    } catch (e) {
      if (e instanceof StoreWriteError) this.log(e.message);
      throw e;
    }
    this.state = next;
    const hosts = touches ? new Set(touches.hosts ?? []) : new Set(this.watchers.keys());
    for (const n of touches?.networks ?? []) {
      for (const st of [prev, next]) for (const p of derived(st).portsByNetwork.get(n) ?? []) hosts.add(p.host);
    }
    for (const host of hosts) if (this.watchers.has(host)) this.push(host);
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

  /** Updates written to VEM streams since start (for the metrics). */
  get sentCounts(): Readonly<VemService['sentCounts']> {
    return this.vem.sentCounts;
  }

  /** Per registered host: stream up, revision applied, and how long its VEM has lagged behind (0 = in step). */
  hostStatus(): ReturnType<VemService['hostStatus']> {
    return this.vem.hostStatus();
  }
}
