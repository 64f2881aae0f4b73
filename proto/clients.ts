// Typed promise clients of the VSM's two services: the admin one for the CLI, the VEM one for
// agents (which meet the VSM only here, in proto/).
import * as grpc from '@grpc/grpc-js';
import {
  checkAddress, protocol, type FeatureMsg, type SyncReportMsg, type HostInfoMsg, type HostUpdate, type NetworkMsg, type PageReply, type PolicyMsg, type PortMsg,
  type ProfileMsg, type RegisterReply, type RegisterRequest, type ReportRequest, type SubnetMsg,
} from './index.js';

/** A failed RPC: the gRPC status and the VSM's one-line message. */
export class VsmCallError extends Error {
  override readonly name = 'VsmCallError';
  constructor(readonly code: grpc.status, message: string) {
    super(message);
  }
}

type Callback<T> = (err: grpc.ServiceError | null, res?: T) => void;
type RawClient = grpc.Client & Record<string, (req: unknown, cb: Callback<unknown>) => void>;

function call<T>(client: RawClient, method: string, req: unknown, deadlineMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + deadlineMs);
    (client[method] as unknown as (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<T>) => void)
      .call(client, req, new grpc.Metadata(), { deadline }, (err, res) =>
        err ? reject(new VsmCallError(err.code, err.details || err.message)) : resolve(res as T));
  });
}

/** Every page of a paged list, read one after the other (each page has its own deadline). */
async function allPages<T>(client: RawClient, method: string): Promise<T[]> {
  const items: T[] = [];
  let cursor = '';
  do {
    const page = await call<PageReply<T>>(client, method, { limit: 0, cursor });
    for (const x of page.items) items.push(x);
    cursor = page.next;
  } while (cursor);
  return items;
}

export class AdminClient {
  private readonly c: RawClient;
  constructor(addr: string) {
    this.c = new (protocol().Admin)(checkAddress(addr), grpc.credentials.createInsecure()) as RawClient;
  }
  createNetwork = (n: Partial<NetworkMsg> & { name: string; vni: number }) => call<NetworkMsg>(this.c, 'createNetwork', n);
  deleteNetwork = (name: string) => call<object>(this.c, 'deleteNetwork', { name });
  listNetworks = () => allPages<NetworkMsg>(this.c, 'listNetworks');
  createSubnet = (n: Partial<SubnetMsg> & { name: string; network: string; cidr: string }) => call<SubnetMsg>(this.c, 'createSubnet', n);
  deleteSubnet = (name: string) => call<object>(this.c, 'deleteSubnet', { name });
  listSubnets = () => allPages<SubnetMsg>(this.c, 'listSubnets');
  createPolicy = (p: PolicyMsg) => call<PolicyMsg>(this.c, 'createPolicy', p);
  deletePolicy = (name: string) => call<object>(this.c, 'deletePolicy', { name });
  listPolicies = async () => (await call<{ items: PolicyMsg[] }>(this.c, 'listPolicies', {})).items;
  createPort = (p: Partial<PortMsg> & { name: string; network: string; host: string; mac: string }) => call<PortMsg>(this.c, 'createPort', p);
  deletePort = (name: string) => call<object>(this.c, 'deletePort', { name });
  listPorts = () => allPages<PortMsg>(this.c, 'listPorts');
  listProfiles = () => allPages<ProfileMsg>(this.c, 'listProfiles');
  listHosts = () => allPages<HostInfoMsg>(this.c, 'listHosts');
  setFeature = (name: string, enabled: boolean) => call<FeatureMsg>(this.c, 'setFeature', { name, enabled });
  listFeatures = async () => (await call<{ items: FeatureMsg[] }>(this.c, 'listFeatures', {})).items;
  sync = async () => (await call<SyncReportMsg>(this.c, 'sync', {}));
  close = () => this.c.close();
}

/** The agent pings the VSM as often as the VSM pings it: a VSM that stops answering is left within seconds. */
const VEM_KEEPALIVE = { 'grpc.keepalive_time_ms': 5000, 'grpc.keepalive_timeout_ms': 5000, 'grpc.keepalive_permit_without_calls': 1 };

export class VemClient {
  private readonly c: RawClient;
  constructor(addr: string) {
    this.c = new (protocol().Vem)(checkAddress(addr), grpc.credentials.createInsecure(), VEM_KEEPALIVE) as RawClient;
  }
  register = (r: RegisterRequest) => call<RegisterReply>(this.c, 'register', r);
  report = (r: ReportRequest) => call<object>(this.c, 'report', r);
  /**
   * The host's update stream: a snapshot (or a resuming delta) first, then deltas. `vsmId` is the
   * identity `lastRevision` belongs to; with `chunked` the VSM may send updates in parts
   * (proto/chunks.ts), which the caller joins.
   */
  watch(host: string, lastRevision: string, onUpdate: (u: HostUpdate) => void, onEnd: (err?: Error) => void, o: { vsmId?: string; chunked?: boolean } = {}): () => void {
    const stream = (this.c as unknown as { watch: (req: unknown) => grpc.ClientReadableStream<HostUpdate> }).watch({ host, lastRevision, vsmId: o.vsmId ?? '', chunked: o.chunked ?? false });
    stream.on('data', onUpdate);
    stream.on('error', (e: grpc.ServiceError) => onEnd(e.code === grpc.status.CANCELLED ? undefined : new VsmCallError(e.code, e.details || e.message)));
    stream.on('end', () => onEnd());
    return () => stream.cancel();
  }
  close = () => this.c.close();
}
