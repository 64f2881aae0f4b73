// Typed promise clients of the VSM's two services: the admin one for the CLI, the VEM one for
// agents (which meet the VSM only here, in proto/). Both take `ADDR[,ADDR...]`, the replicas of
// one VSM cluster: a call goes to the replica that answered last and, when no VSM answers there
// at all (connection refused or dropped), to the next one at once.
import * as grpc from '@grpc/grpc-js';
import {
  REFUSED_BY_VSM, checkAddress, protocol, type ClusterStatusMsg, type FeatureMsg, type SyncReportMsg, type HostInfoMsg, type HostUpdate, type NetworkMsg, type PageReply,
  type PolicyMsg, type PortMsg, type ProfileMsg, type RegisterReply, type RegisterRequest, type ReportRequest, type SubnetMsg,
} from './index.js';
import { channelSecurity, type TlsCreds } from './credentials.js';

/** A failed RPC: the gRPC status and the VSM's one-line message. */
export class VsmCallError extends Error {
  override readonly name = 'VsmCallError';
  /** @param unreachable no VSM answered (the next replica may) */
  constructor(readonly code: grpc.status, message: string, readonly unreachable = false) {
    super(message);
  }

  /** A watch stream the VSM ended for a newer Watch of the same host (one stream per host). */
  get replaced(): boolean {
    return this.code === grpc.status.ABORTED;
  }
}

type Callback<T> = (err: grpc.ServiceError | null, res?: T) => void;
type RawClient = grpc.Client & Record<string, (req: unknown, cb: Callback<unknown>) => void>;

function callError(err: grpc.ServiceError): VsmCallError {
  const unreachable = err.code === grpc.status.UNAVAILABLE && !err.metadata?.get(REFUSED_BY_VSM).length;
  return new VsmCallError(err.code, err.details || err.message, unreachable);
}

function call<T>(client: RawClient, method: string, req: unknown, deadlineMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + deadlineMs);
    (client[method] as unknown as (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<T>) => void)
      .call(client, req, new grpc.Metadata(), { deadline }, (err, res) => (err ? reject(callError(err)) : resolve(res as T)));
  });
}

/** `ADDR[,ADDR...]` -> the replicas' addresses, each checked. */
export function vsmAddresses(list: string): string[] {
  return list.split(',').map((a) => checkAddress(a.trim()));
}

/** One client per replica; calls go to the one that answered last and move on when none answers there. */
class Replicas {
  private readonly clients: RawClient[];
  private current = 0;

  /** @param tls used over TCP (unix sockets are plaintext: credentials.ts) */
  constructor(readonly addresses: string[], service: grpc.ServiceClientConstructor, options?: grpc.ChannelOptions, tls?: TlsCreds) {
    this.clients = addresses.map((a) => {
      const sec = channelSecurity(a, tls);
      return new service(a, sec.credentials, { ...options, ...sec.options }) as RawClient;
    });
  }

  /** The replica that answered last. */
  get client(): RawClient {
    return this.clients[this.current]!;
  }

  async call<T>(method: string, req: unknown): Promise<T> {
    let last: unknown;
    for (let i = 0; i < this.clients.length; i++) {
      const at = (this.current + i) % this.clients.length;
      try {
        const res = await call<T>(this.clients[at]!, method, req);
        this.current = at;
        return res;
      } catch (e) {
        if (!(e instanceof VsmCallError && e.unreachable)) throw e;
        last = e;
      }
    }
    if (this.clients.length > 1) {
      const e = last as VsmCallError;
      throw new VsmCallError(e.code, `no VSM replica answered (${this.addresses.join(', ')}): ${e.message}`, true);
    }
    throw last;
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}

/**
 * Every page of a paged list, read one after the other (each page has its own deadline). A
 * cursor lives on the replica that made it: the next pages are asked of that one, and when it
 * stops answering the listing starts again on the next replica.
 */
async function allPages<T>(c: Replicas, method: string): Promise<T[]> {
  for (let tries = 1; ; tries++) {
    const first = await c.call<PageReply<T>>(method, { limit: 0, cursor: '' });
    const at = c.client;
    const items = first.items;
    let cursor = first.next;
    try {
      while (cursor) {
        const page = await call<PageReply<T>>(at, method, { limit: 0, cursor });
        for (const x of page.items) items.push(x);
        cursor = page.next;
      }
      return items;
    } catch (e) {
      if (!(e instanceof VsmCallError && e.unreachable) || tries >= c.addresses.length) throw e;
    }
  }
}

export class AdminClient {
  private readonly c: Replicas;
  constructor(addr: string, tls?: TlsCreds) {
    this.c = new Replicas(vsmAddresses(addr), protocol().Admin, undefined, tls);
  }
  createNetwork = (n: Partial<NetworkMsg> & { name: string; vni: number }) => this.c.call<NetworkMsg>('createNetwork', n);
  deleteNetwork = (name: string) => this.c.call<object>('deleteNetwork', { name });
  listNetworks = () => allPages<NetworkMsg>(this.c, 'listNetworks');
  createSubnet = (n: Partial<SubnetMsg> & { name: string; network: string; cidr: string }) => this.c.call<SubnetMsg>('createSubnet', n);
  deleteSubnet = (name: string) => this.c.call<object>('deleteSubnet', { name });
  listSubnets = () => allPages<SubnetMsg>(this.c, 'listSubnets');
  createPolicy = (p: PolicyMsg) => this.c.call<PolicyMsg>('createPolicy', p);
  deletePolicy = (name: string) => this.c.call<object>('deletePolicy', { name });
  listPolicies = async () => (await this.c.call<{ items: PolicyMsg[] }>('listPolicies', {})).items;
  createPort = (p: Partial<PortMsg> & { name: string; network: string; host: string; mac: string }) => this.c.call<PortMsg>('createPort', p);
  deletePort = (name: string) => this.c.call<object>('deletePort', { name });
  listPorts = () => allPages<PortMsg>(this.c, 'listPorts');
  listProfiles = () => allPages<ProfileMsg>(this.c, 'listProfiles');
  listHosts = () => allPages<HostInfoMsg>(this.c, 'listHosts');
  deleteHost = (name: string) => this.c.call<object>('deleteHost', { name });
  setFeature = (name: string, enabled: boolean) => this.c.call<FeatureMsg>('setFeature', { name, enabled });
  listFeatures = async () => (await this.c.call<{ items: FeatureMsg[] }>('listFeatures', {})).items;
  sync = async () => (await this.c.call<SyncReportMsg>('sync', {}));
  clusterStatus = () => this.c.call<ClusterStatusMsg>('getClusterStatus', {});
  close = () => this.c.close();
}

/** The agent pings the VSM as often as the VSM pings it: a VSM that stops answering is left within seconds. */
const VEM_KEEPALIVE = { 'grpc.keepalive_time_ms': 5000, 'grpc.keepalive_timeout_ms': 5000, 'grpc.keepalive_permit_without_calls': 1 };

export class VemClient {
  private readonly c: Replicas;
  constructor(addr: string, tls?: TlsCreds) {
    this.c = new Replicas(vsmAddresses(addr), protocol().Vem, VEM_KEEPALIVE, tls);
  }
  register = (r: RegisterRequest) => this.c.call<RegisterReply>('register', r);
  report = (r: ReportRequest) => this.c.call<object>('report', r);
  /**
   * The host's update stream, from the replica that answered last: a snapshot (or a resuming
   * delta) first, then deltas. `vsmId` is the identity `lastRevision` belongs to; with `chunked`
   * the VSM may send updates in parts (proto/chunks.ts), which the caller joins.
   */
  watch(host: string, lastRevision: string, onUpdate: (u: HostUpdate) => void, onEnd: (err?: Error) => void, o: { vsmId?: string; chunked?: boolean } = {}): () => void {
    const stream = (this.c.client as unknown as { watch: (req: unknown) => grpc.ClientReadableStream<HostUpdate> })
      .watch({ host, lastRevision, vsmId: o.vsmId ?? '', chunked: o.chunked ?? false });
    // grpc-js ends a failed stream with both 'error' and 'end', and hands on updates it had
    // buffered after a cancel: the caller hears of the end once, and of nothing after it.
    let live = true;
    const end = (err?: Error): void => {
      if (live) onEnd(err);
      live = false;
    };
    stream.on('data', (u: HostUpdate) => live && onUpdate(u));
    stream.on('error', (e: grpc.ServiceError) => end(e.code === grpc.status.CANCELLED ? undefined : callError(e)));
    stream.on('end', () => end());
    return () => {
      stream.cancel();
      end();
    };
  }
  close = () => this.c.close();
}
