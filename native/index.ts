// Typed loader for the N-API addon (native/*.cc, exports listed in native/addon.cc). The addon
// is a thin, complete binding over system libbpf; policy lives in src/maps/ and src/agent/.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every failure of the addon: the libbpf/kernel operation, the positive errno and its name. */
export class BpfError extends Error {
  override readonly name = 'BpfError';
  constructor(
    message: string,
    readonly operation: string,
    readonly errno: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface MapInfo {
  id: number;
  name: string;
  type: number; // enum bpf_map_type
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
}

export interface ObjectMapDesc extends MapInfo {
  /** Pin path set on the map before load, if any. */
  pinPath?: string;
}

export interface ProgramDesc {
  name: string;
  section: string;
  type: number; // enum bpf_prog_type
}

export interface TestRunOptions {
  data: Buffer;
  /** Size of the output buffer; defaults to data.length + 256. */
  dataSizeOut?: number;
  /** For TC programs: a struct __sk_buff image (e.g. ifindex, mark). */
  ctx?: Buffer;
  ctxSizeOut?: number;
  repeat?: number;
  flags?: number;
}

export interface TestRunResult {
  retval: number;
  data: Buffer;
  ctx?: Buffer;
  /** Average run time per repetition, ns (kernel measured). */
  duration: number;
}

export interface BatchResult {
  keys: Buffer;
  values: Buffer;
  count: number;
  /** Opaque cursor for the next call; undefined once the map is exhausted. */
  next?: Buffer;
}

export interface BpfObjectHandle {
  /** Maps as declared by the object (before load) or created (after load: id set). */
  maps(): ObjectMapDesc[];
  programs(): ProgramDesc[];
  setMapPinPath(map: string, path: string): void;
  setMapMaxEntries(map: string, maxEntries: number): void;
  /** Loads every program and creates (or reuses pinned) maps; the verifier log is in the error. */
  load(): void;
  mapFd(map: string): number;
  progFd(program: string): number;
  /** Closes the object's programs and maps (pins stay). Later calls throw EBADF. */
  close(): void;
}

export interface RingBufferHandle {
  /** Stops the poll thread; pending events are delivered before the callback is released. */
  close(): void;
}

export type TcDirection = 'ingress' | 'egress';

export interface TcAttachOptions {
  ifindex: number;
  direction: TcDirection;
  progFd: number;
  priority?: number; // default 1
  handle?: number; // default 1
  /** Atomically replace an existing filter at (priority, handle). */
  replace?: boolean;
}

export interface TcQueryResult {
  progId: number;
}

export const XDP_FLAGS_UPDATE_IF_NOEXIST = 1 << 0;
export const XDP_FLAGS_SKB_MODE = 1 << 1;
export const XDP_FLAGS_DRV_MODE = 1 << 2;
export const XDP_FLAGS_REPLACE = 1 << 4;

export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

export interface NativeBinding {
  openObject(path: string, opts?: { pinRoot?: string }): BpfObjectHandle;
  /** Parses a compiled object's BTF: struct layout (byte offsets and sizes) by name. */
  btfStruct(objPath: string, name: string): { size: number; members: { name: string; offset: number; size: number }[] };
  btfEnum(objPath: string, name: string): { name: string; value: number }[];

  mapInfo(fd: number): MapInfo;
  mapLookup(fd: number, key: Buffer): Buffer | undefined;
  mapUpdate(fd: number, key: Buffer, value: Buffer, flags?: number): void;
  /** false when the key was absent. */
  mapDelete(fd: number, key: Buffer): boolean;
  /** Next key after `key` (first key when null); undefined at the end. */
  mapNextKey(fd: number, key: Buffer | null): Buffer | undefined;
  mapLookupBatch(fd: number, cursor: Buffer | null, maxCount: number): BatchResult;
  mapLookupAndDeleteBatch(fd: number, cursor: Buffer | null, maxCount: number): BatchResult;
  /** Returns the number of entries written. */
  mapUpdateBatch(fd: number, keys: Buffer, values: Buffer, count: number, flags?: number): number;
  /**
   * mapUpdateBatch on a thread of its own (not for per-CPU maps): the chunk is copied, a job id
   * returned at once. mapUpdateBatchWait joins it and returns or throws what mapUpdateBatch would.
   * Every started job must be waited for.
   */
  mapUpdateBatchStart(fd: number, keys: Buffer, values: Buffer, count: number, flags?: number): number;
  mapUpdateBatchWait(job: number): number;
  mapDeleteBatch(fd: number, keys: Buffer, count: number): number;

  objPin(fd: number, path: string): void;
  objGet(path: string): number;
  closeFd(fd: number): void;
  /** Number of possible CPUs: per-CPU values are this many slots of round_up(valueSize, 8). */
  possibleCpus(): number;
  /** runCount/runTimeNs grow only while run-time statistics are on. */
  progInfo(fd: number): { id: number; name: string; type: number; tag: string; runCount: number; runTimeNs: number };
  progGetFdById(id: number): number;
  /** Turns the kernel's per-program run-time statistics on until the returned fd is closed. */
  enableRunTimeStats(): number;

  /** XDP through a bpf_link (returns the link fd). Flags: XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE. */
  xdpAttach(ifindex: number, progFd: number, flags: number): number;
  /** Legacy netlink XDP detach (for programs attached without a link). */
  xdpDetach(ifindex: number, flags: number): void;
  /** Attached XDP program id (0 = none) per mode. */
  xdpQuery(ifindex: number): { progId: number; mode: number };
  linkPin(linkFd: number, path: string): void;
  linkUnpin(path: string): void;
  linkDetach(linkFd: number): void;

  /** Creates the clsact qdisc if missing (EEXIST is fine). */
  tcHookCreate(ifindex: number): void;
  tcHookDestroy(ifindex: number): void;
  tcAttach(opts: TcAttachOptions): TcQueryResult;
  tcDetach(ifindex: number, direction: TcDirection, priority: number, handle: number): void;
  /** undefined when no filter is at (priority, handle). */
  tcQuery(ifindex: number, direction: TcDirection, priority: number, handle: number): TcQueryResult | undefined;

  progTestRun(progFd: number, opts: TestRunOptions): TestRunResult;

  /** Polls a BPF_MAP_TYPE_RINGBUF on a background thread; each record is delivered as a Buffer copy. */
  ringBuffer(mapFd: number, onRecord: (record: Buffer) => void): RingBufferHandle;

  /**
   * setns(CLONE_NEWNET) for the calling thread (the JS main thread): later bpf(), netlink and
   * spawned processes act inside that namespace. For tests and tools that work in a netns.
   */
  netnsEnter(path: string): void;

  /** Lets the addon throw BpfError instances (called once by this loader). */
  setErrorClass(ctor: typeof BpfError): void;
}

function findAddon(): string {
  // Works from native/ (tsx, vitest) and from dist/native/ (compiled).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'build', 'Release', 'vxvem_native.node');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('vxvem native addon not built: run `make build`');
}

let loaded: NativeBinding | undefined;

/** The addon, loaded on first use (so that the VSM and CLI help never need it). */
export function native(): NativeBinding {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = require(findAddon()) as NativeBinding;
    loaded.setErrorClass(BpfError);
  }
  return loaded;
}
