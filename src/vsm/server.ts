// The VSM: owns the configuration (model.ts rules, store.ts persistence), serves the admin
// service, and streams to each registered VEM the view of exactly what its host needs.
import * as grpc from '@grpc/grpc-js';
import { deltaIsEmpty } from '../../proto/delta.js';
import {
  checkAddress, protocol, type Empty, type FeatureMsg, type HostUpdate, type LearnedMacMsg, type NameMsg,
  type NetworkMsg, type PolicyMsg, type PortMsg, type RegisterReply, type RegisterRequest, type ReportRequest, type SubnetMsg, type WatchRequest,
} from '../../proto/index.js';
import {
  VsmError, createPolicy, createPort, createSegment, createSubnet, deletePolicy, deletePort, deleteSegment, deleteSubnet, derived, designatedVteps,
  portProfiles, registerHost, setSegmentation, update, type VsmState,
} from './model.js';
import { clearStaleSocket } from './socket-guard.js';
import { StoreWriteError } from './store-errors.js';
import type { StateStore } from './store.js';
import { flatten, hostView, hostViewParts, partsDelta, type ViewParts } from './views.js';

const STATUS: Record<VsmError['code'], grpc.status> = {
  invalid: grpc.status.INVALID_ARGUMENT,
  not_found: grpc.status.NOT_FOUND,
  conflict: grpc.status.ALREADY_EXISTS,
  in_use: grpc.status.FAILED_PRECONDITION,
};

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

export class VsmServer {
  private state: VsmState;
  private readonly watchers = new Map<string, Set<grpc.ServerWritableStream<WatchRequest, HostUpdate>>>();
  /** Per stream: the view it has now (deltas are computed from it). */
  private readonly sent = new WeakMap<object, ViewParts>();
  /** Per host: the last view any of its streams got, so that a reconnect can resume from it. */
  private readonly lastView = new Map<string, ViewParts>();
  /** Per host: what its VEM last reported (kept in memory: it is the VEMs' to resend). */
  private readonly reports = new Map<string, { appliedRevision: string; lastReportMs: number; learned: LearnedMacMsg[] }>();
  private server?: grpc.Server;
  /** Per host: the newest revision sent and not yet reported applied, since when (the oldest such send). */
  private readonly pending = new Map<string, { revision: number; sinceMs: number }>();
  /** Updates written to VEM streams since start (for the metrics). */
  readonly sentCounts = { deltas: 0, snapshots: 0 };

  constructor(private readonly store: StateStore, private readonly log: (line: string) => void = () => undefined) {
    this.state = store.load();
  }

  get snapshot(): VsmState {
    return this.state;
  }

  async listen(addr: string): Promise<void> {
    const p = protocol();
    const server = new grpc.Server();
    server.addService(p.Vem.service, { register: this.register, watch: this.watch, report: this.report });
    server.addService(p.Admin.service, this.adminHandlers());
    if (checkAddress(addr).startsWith('unix:') && await clearStaleSocket(addr.slice(5))) this.log(`removed the stale socket ${addr} (nobody answered on it)`);
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(addr, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(new Error(`cannot listen on ${addr}: ${err.message}`)) : resolve())));
    this.server = server;
    this.log(`listening on ${addr}`);
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
    const view = hostViewParts(this.state, host);
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

  private readonly register: Unary<RegisterRequest, RegisterReply> = (call, cb) => {
    this.guard(cb, () => {
      const r = call.request;
      const networks = [...new Set(Object.values(this.state.ports).filter((p) => p.host === r.host).map((p) => p.network))];
      this.change((s) => registerHost(s, {
        name: r.host, uplinkMtu: r.uplinkMtu, version: r.version,
        vteps: r.vteps.map((v) => ({ interface: v.interface, address: v.address, prefixLength: v.prefixLength, ...(v.gateway ? { gateway: v.gateway } : {}) })),
      }), { networks, hosts: [r.host] });
      this.log(`host ${r.host} registered (${r.vteps.map((v) => v.address).join(', ')})`);
      return { revision: String(this.state.revision) };
    });
  };

  private readonly watch = (call: grpc.ServerWritableStream<WatchRequest, HostUpdate>): void => {
    const host = call.request.host;
    if (!this.state.hosts[host]) {
      // grpc-js ends a server stream with a status through an 'error' event.
      call.emit('error', { code: grpc.status.FAILED_PRECONDITION, details: `host ${host} is not registered: call Register first` });
      return;
    }
    const set = this.watchers.get(host) ?? new Set();
    set.add(call);
    this.watchers.set(host, set);
    call.on('cancelled', () => set.delete(call));
    call.on('close', () => set.delete(call));
    // Resume from the revision the VEM has, if it is the last one this VSM sent the host;
    // otherwise (first contact, VSM restart, older revision) a full snapshot.
    const view = hostViewParts(this.state, host);
    const known = this.lastView.get(host);
    if (known && call.request.lastRevision === known.revision && known.revision !== '0') {
      call.write({ delta: partsDelta(known, view) });
    } else {
      call.write({ snapshot: flatten(view) });
      this.sentCounts.snapshots++;
    }
    this.markSent(host, view);
    this.sent.set(call, view);
    this.lastView.set(host, view);
  };

  private readonly report: Unary<ReportRequest, Empty> = (call, cb) => {
    this.guard(cb, () => {
      const r = call.request;
      if (!this.state.hosts[r.host]) throw new VsmError('not_found', `host ${r.host} is not registered`);
      const prev = this.reports.get(r.host);
      const p = this.pending.get(r.host);
      if (p && Number(r.appliedRevision) >= p.revision) this.pending.delete(r.host);
      this.reports.set(r.host, { appliedRevision: r.appliedRevision, lastReportMs: Date.now(), learned: [...(prev?.learned ?? []), ...r.learned].slice(-1000) });
      return {};
    });
  };

  private markSent(host: string, view: { revision: string }): void {
    const since = this.pending.get(host)?.sinceMs ?? Date.now();
    this.pending.set(host, { revision: Number(view.revision), sinceMs: since });
  }

  /** Per registered host: stream up, revision applied, and how long its VEM has lagged behind (0 = in step). */
  hostStatus(): { host: string; connected: boolean; appliedRevision: number; lagSeconds: number }[] {
    const now = Date.now();
    return Object.keys(this.state.hosts).map((host) => {
      const p = this.pending.get(host);
      return {
        host,
        connected: (this.watchers.get(host)?.size ?? 0) > 0,
        appliedRevision: Number(this.reports.get(host)?.appliedRevision ?? 0),
        lagSeconds: p ? (now - p.sinceMs) / 1000 : 0,
      };
    });
  }

  private guard<T>(cb: grpc.sendUnaryData<T>, f: () => T): void {
    try {
      cb(null, f());
    } catch (e) {
      const code = e instanceof VsmError ? STATUS[e.code] : e instanceof StoreWriteError ? grpc.status.UNAVAILABLE : grpc.status.INTERNAL;
      cb({ code, details: (e as Error).message, name: 'VsmError', message: (e as Error).message });
    }
  }

  private adminHandlers(): grpc.UntypedServiceImplementation {
    const s = () => this.state;
    const unary = <Req, Res>(f: (req: Req) => Res): Unary<Req, Res> => (call, cb) => this.guard(cb, () => f(call.request));
    const net = (n: { name: string; vni: number; mode: string; group?: string; origin: string }): NetworkMsg => ({ name: n.name, vni: n.vni, mode: n.mode, group: n.group ?? '', origin: n.origin });
    return {
      createNetwork: unary<NetworkMsg, NetworkMsg>((r) => {
        this.change((x) => createSegment(x, { name: r.name, vni: r.vni, mode: (r.mode || 'unicast') as 'unicast', ...(r.group ? { group: r.group } : {}) }), { networks: [r.name] });
        return net(s().segments[r.name]!);
      }),
      deleteNetwork: unary<NameMsg, Empty>((r) => (this.change((x) => deleteSegment(x, r.name), { networks: [r.name] }), {})),
      listNetworks: unary<Empty, { items: NetworkMsg[] }>(() => ({ items: Object.values(s().segments).map(net) })),
      // Subnets and policies change no host's view (no VEM sees them yet): nobody to tell.
      createSubnet: unary<SubnetMsg, SubnetMsg>((r) => {
        this.change((x) => createSubnet(x, { name: r.name, network: r.network, cidr: r.cidr, ...(r.gateway ? { gateway: r.gateway } : {}) }), {});
        const n = s().subnets[r.name]!;
        return { ...n, gateway: n.gateway ?? '' };
      }),
      deleteSubnet: unary<NameMsg, Empty>((r) => (this.change((x) => deleteSubnet(x, r.name), {}), {})),
      listSubnets: unary<Empty, { items: SubnetMsg[] }>(() => ({ items: Object.values(s().subnets).map((n) => ({ ...n, gateway: n.gateway ?? '' })) })),
      // Policies change no host's view (no VEM sees them yet): nobody to tell.
      createPolicy: unary<PolicyMsg, PolicyMsg>((r) => (this.change((x) => createPolicy(x, { name: r.name, portSecurity: r.portSecurity }), {}), r)),
      deletePolicy: unary<NameMsg, Empty>((r) => (this.change((x) => deletePolicy(x, r.name), {}), {})),
      listPolicies: unary<Empty, { items: PolicyMsg[] }>(() => ({ items: Object.values(s().policies) })),
      createPort: unary<PortMsg, PortMsg>((r) => {
        this.change((x) => createPort(x, { name: r.name, network: r.network, host: r.host, mac: r.mac, ...(r.policy ? { policy: r.policy } : {}), ...(r.interface ? { interface: r.interface } : {}) }), { networks: [r.network], hosts: [r.host] });
        return s().ports[r.name]! as PortMsg;
      }),
      deletePort: unary<NameMsg, Empty>((r) => {
        const port = s().ports[r.name];
        this.change((x) => deletePort(x, r.name), port ? { networks: [port.network], hosts: [port.host] } : undefined);
        return {};
      }),
      listPorts: unary<Empty, { items: PortMsg[] }>(() => ({ items: Object.values(s().ports) as PortMsg[] })),
      listProfiles: unary(() => ({ items: portProfiles(s()) })),
      listHosts: unary(() => {
        const d = designatedVteps(s());
        return {
          items: Object.values(s().hosts).map((h) => ({
            name: h.name,
            vteps: h.vteps.map((v) => ({ ...v, gateway: v.gateway ?? '' })),
            connected: (this.watchers.get(h.name)?.size ?? 0) > 0,
            designated: Object.fromEntries(d.get(h.name) ?? []),
            segments: hostView(s(), h.name).segments,
            uplinkMtu: h.uplinkMtu ?? 0,
            version: h.version ?? '',
            appliedRevision: this.reports.get(h.name)?.appliedRevision ?? '0',
            lastReportMs: String(this.reports.get(h.name)?.lastReportMs ?? 0),
            learned: this.reports.get(h.name)?.learned ?? [],
          })),
        };
      }),
      setFeature: unary<FeatureMsg, FeatureMsg>((r) => {
        if (r.name !== 'segmentation') throw new VsmError('not_found', `no feature ${r.name} (known: segmentation)`);
        this.change((x) => setSegmentation(x, r.enabled));
        return r;
      }),
      listFeatures: unary(() => ({ items: [{ name: 'segmentation', enabled: s().segmentation }] })),
      sync: unary(() => {
        const r = this.sync();
        return { removed: r.removed, revision: String(r.revision) };
      }),
    };
  }
}
