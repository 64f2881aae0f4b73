// The protocol's TypeScript face: message types (as @grpc/proto-loader delivers them:
// camelCase fields, uint64 as string, defaults filled; generated from vxvem.proto into
// generated/ by scripts/proto-gen.ts) and the loaded service definitions.
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterStatus__Output } from './generated/vxvem/v1/ClusterStatus.js';
import type { Empty__Output } from './generated/vxvem/v1/Empty.js';
import type { Feature__Output } from './generated/vxvem/v1/Feature.js';
import type { HostDelta__Output } from './generated/vxvem/v1/HostDelta.js';
import type { HostInfo__Output } from './generated/vxvem/v1/HostInfo.js';
import type { HostPort__Output } from './generated/vxvem/v1/HostPort.js';
import type { HostSegment__Output } from './generated/vxvem/v1/HostSegment.js';
import type { HostUpdate__Output } from './generated/vxvem/v1/HostUpdate.js';
import type { HostView__Output } from './generated/vxvem/v1/HostView.js';
import type { LearnedMac__Output } from './generated/vxvem/v1/LearnedMac.js';
import type { Name__Output } from './generated/vxvem/v1/Name.js';
import type { Network__Output } from './generated/vxvem/v1/Network.js';
import type { Page__Output } from './generated/vxvem/v1/Page.js';
import type { Policy__Output } from './generated/vxvem/v1/Policy.js';
import type { Port__Output } from './generated/vxvem/v1/Port.js';
import type { Profile__Output } from './generated/vxvem/v1/Profile.js';
import type { RegisterReply__Output } from './generated/vxvem/v1/RegisterReply.js';
import type { RegisterRequest__Output } from './generated/vxvem/v1/RegisterRequest.js';
import type { Removal__Output } from './generated/vxvem/v1/Removal.js';
import type { Replica__Output } from './generated/vxvem/v1/Replica.js';
import type { ReportRequest__Output } from './generated/vxvem/v1/ReportRequest.js';
import type { StaticMac__Output } from './generated/vxvem/v1/StaticMac.js';
import type { TrunkSubport__Output } from './generated/vxvem/v1/TrunkSubport.js';
import type { Subnet__Output } from './generated/vxvem/v1/Subnet.js';
import type { SyncReport__Output } from './generated/vxvem/v1/SyncReport.js';
import type { Vtep__Output } from './generated/vxvem/v1/Vtep.js';
import type { WatchRequest__Output } from './generated/vxvem/v1/WatchRequest.js';

// The messages as the loader delivers them (`npm run proto` regenerates generated/ from
// vxvem.proto). A few fields are newer than their message: the senders here that have no use for
// them leave them unset, as proto3 allows (the receiver's loader fills the default).
type Unset<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type VtepMsg = Vtep__Output;
export type RegisterRequest = Unset<RegisterRequest__Output, 'physicalNetworks'>;
export type RegisterReply = RegisterReply__Output;
export type WatchRequest = WatchRequest__Output;
export type HostSegmentMsg = HostSegment__Output;
/** The security, DHCP and trunk fields are always sent by this VSM; absent (an older VSM), they mean none. */
export type HostPortMsg = Unset<HostPort__Output, 'portSecurity' | 'addresses' | 'allowedPairs' | 'stormPps' | 'dhcpAddress' | 'dhcpGateway' | 'dhcpDns' | 'dhcpMtu' | 'trunk'>;
export type StaticMacMsg = StaticMac__Output;
export type TrunkSubportMsg = TrunkSubport__Output;
export type HostView = Unset<Omit<HostView__Output, 'ports'>, 'partial'> & { ports: HostPortMsg[] };
export type HostDelta = Unset<Omit<HostDelta__Output, 'upsertPorts'>, 'partial'> & { upsertPorts: HostPortMsg[] };
export type HostUpdate = Unset<Omit<HostUpdate__Output, 'snapshot' | 'delta'>, 'vsmId'> & { snapshot?: HostView | null; delta?: HostDelta | null };
export type LearnedMacMsg = LearnedMac__Output;
export type ReportRequest = Unset<ReportRequest__Output, 'vsmId' | 'boundPorts' | 'boundPortsKnown'>;
export type NetworkMsg = Network__Output;
export type PolicyMsg = Unset<Policy__Output, 'stormPps'>;
export type SubnetMsg = Subnet__Output;
export type PortMsg = Unset<Port__Output, 'trunk'>;
export type ProfileMsg = Profile__Output;
export type HostInfoMsg = HostInfo__Output;
export type NameMsg = Name__Output;
export type PageMsg = Page__Output;
export type FeatureMsg = Feature__Output;
export type RemovalMsg = Removal__Output;
export type SyncReportMsg = SyncReport__Output;
export type ReplicaMsg = Replica__Output;
export type ClusterStatusMsg = ClusterStatus__Output;
export type Empty = Empty__Output;
/** A page of a list as the reply carries it: `items` and the `next` cursor ('' on the last page). */
export interface PageReply<T> { items: T[]; next: string }

/** Next to this module under tsx; compiled, this module is in dist/proto/ and the file in proto/. */
function protoFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'vxvem.proto'), join(here, '..', '..', 'proto', 'vxvem.proto')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`vxvem.proto not found next to ${here} nor in the package's proto/`);
}
const PROTO = protoFile();

interface Loaded {
  vxvem: { v1: { Vem: grpc.ServiceClientConstructor; Admin: grpc.ServiceClientConstructor } };
}

/** How the file is loaded; scripts/proto-gen.ts generates the types with the same options. */
export const LOADER_OPTIONS = { keepCase: false, longs: String, enums: String, defaults: true, arrays: true, objects: true, oneofs: false } as const;

let loaded: Loaded | undefined;

export function protocol(): Loaded['vxvem']['v1'] {
  loaded ??= grpc.loadPackageDefinition(
    loader.loadSync(PROTO, LOADER_OPTIONS),
  ) as unknown as Loaded;
  return loaded.vxvem.v1;
}

/**
 * Metadata a VSM puts on a status it answered itself (a change it refused): such an UNAVAILABLE
 * comes from a live replica, so a client reports it instead of trying the next replica.
 */
export const REFUSED_BY_VSM = 'vxvem-refused';

/** `unix:/PATH` or `HOST:PORT` (grpc-js takes both as they are); anything else is refused. */
export function checkAddress(addr: string): string {
  if (/^unix:\/./.test(addr) || /^[A-Za-z0-9.-]+:\d{1,5}$/.test(addr) || /^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(addr)) return addr;
  throw new Error(`bad address ${JSON.stringify(addr)}: use unix:/PATH or HOST:PORT`);
}
