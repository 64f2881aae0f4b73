// The protocol's TypeScript face: message types (as @grpc/proto-loader delivers them:
// camelCase fields, uint64 as string, defaults filled) and the loaded service definitions.
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VtepMsg { interface: string; address: string; prefixLength: number; gateway: string }
export interface RegisterRequest { host: string; vteps: VtepMsg[]; uplinkMtu: number; version: string }
export interface RegisterReply { revision: string; vsmId: string }
export interface WatchRequest { host: string; lastRevision: string; vsmId: string; chunked: boolean }
export interface HostSegmentMsg { vni: number; mode: string; group: string; designatedVtep: string; floodList: string[] }
export interface AddressPairMsg { mac: string; address: string }
/** The security fields are always sent by this VSM; absent (an older VSM), they mean none. */
export interface HostPortMsg {
  interface: string; vni: number; mac: string;
  portSecurity?: boolean; addresses?: string[]; allowedPairs?: AddressPairMsg[]; stormPps?: number;
}
export interface StaticMacMsg { vni: number; mac: string; vtep: string }
export interface HostView { revision: string; segments: HostSegmentMsg[]; ports: HostPortMsg[]; staticMacs: StaticMacMsg[]; partial?: boolean }
export interface HostDelta {
  baseRevision: string; revision: string;
  upsertSegments: HostSegmentMsg[]; removeSegments: number[];
  upsertPorts: HostPortMsg[]; removePorts: string[];
  upsertStaticMacs: StaticMacMsg[]; removeStaticMacs: StaticMacMsg[];
  partial?: boolean;
}
export interface HostUpdate { snapshot?: HostView; delta?: HostDelta; update?: 'snapshot' | 'delta'; vsmId?: string }
export interface LearnedMacMsg { vni: number; mac: string; vtep: string; interface: string }
export interface ReportRequest {
  host: string; appliedRevision: string; learned: LearnedMacMsg[]; vsmId?: string;
  /** The interfaces of the host's ports bound in the dataplane; meaningful only with boundPortsKnown. */
  boundPorts?: string[]; boundPortsKnown?: boolean;
}

export interface NetworkMsg { name: string; vni: number; mode: string; group: string; origin: string }
export interface PolicyMsg { name: string; portSecurity: boolean; stormPps?: number }
export interface SubnetMsg { name: string; network: string; cidr: string; gateway: string; origin: string }
export interface PortMsg { name: string; network: string; host: string; mac: string; policy: string; interface: string; origin: string }
export interface ProfileMsg { name: string; policy: string; network: string; ports: string[] }
export interface HostInfoMsg {
  name: string; vteps: VtepMsg[]; connected: boolean; designated: Record<number, string>; segments: HostSegmentMsg[];
  appliedRevision: string; lastReportMs: string; learned: LearnedMacMsg[]; uplinkMtu: number; version: string;
}
export interface NameMsg { name: string }
/** A page request of a list; the reply carries `items` and the `next` cursor ('' on the last page). */
export interface PageMsg { limit: number; cursor: string }
export interface PageReply<T> { items: T[]; next: string }
export interface FeatureMsg { name: string; enabled: boolean }
export interface RemovalMsg { kind: string; name: string; origin: string; reason: string }
export interface SyncReportMsg { removed: RemovalMsg[]; revision: string }
export interface ReplicaMsg { name: string; address: string; role: string; revision: string }
export interface ClusterStatusMsg { store: string; clusterId: string; self: string; replicas: ReplicaMsg[] }
export type Empty = Record<string, never>;

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

let loaded: Loaded | undefined;

export function protocol(): Loaded['vxvem']['v1'] {
  loaded ??= grpc.loadPackageDefinition(
    loader.loadSync(PROTO, { keepCase: false, longs: String, enums: String, defaults: true, arrays: true, objects: true }),
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
