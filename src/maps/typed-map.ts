// Typed BPF maps over the addon's fd operations: the C layout is checked once, at
// construction, so that every later read and write is known to be the right size.
import { BPF_ANY, BpfError, native, type MapInfo } from '../../native/index.js';
import type { Codec } from './codec.js';
import { MapType } from './map-types.js';

/** The map's key or value size is not the one the codec was written for. */
export class MapLayoutError extends Error {
  override readonly name = 'MapLayoutError';
}

const BATCH = 8192;
/** Entries per threaded update job of putBatch: few hand-overs, so a busy scheduler's latency does not add up. */
const PUT_CHUNK = 65536;

function checkLayout(name: string, info: MapInfo, key: Codec<unknown>, value: Codec<unknown>): void {
  const problems: string[] = [];
  if (info.keySize !== key.size) problems.push(`key ${key.cName}: map has ${info.keySize} bytes, codec ${key.size}`);
  if (info.valueSize !== value.size) problems.push(`value ${value.cName}: map has ${info.valueSize} bytes, codec ${value.size}`);
  if (problems.length) throw new MapLayoutError(`map ${name}: ${problems.join('; ')}`);
}

/** Shared iteration: batch lookups where the map supports them, next-key walks otherwise. */
abstract class MapBase<K> {
  readonly info: MapInfo;
  constructor(
    readonly name: string,
    readonly fd: number,
    protected readonly keyCodec: Codec<K>,
    protected readonly slotSize: number,
    protected readonly slots: number,
  ) {
    this.info = native().mapInfo(fd);
  }

  protected get rawValueSize(): number {
    return this.slotSize * this.slots;
  }

  /**
   * Raw (key, value) pairs, batched: one syscall per BATCH entries. For hot readers (metrics
   * scrapes) that need a field or two, not decoded objects. Buffers are views: copy to keep.
   */
  *rawEntries(): Generator<[Buffer, Buffer]> {
    const n = native();
    let cursor: Buffer | null = null;
    let size = BATCH;
    for (;;) {
      let r;
      try {
        r = n.mapLookupBatch(this.fd, cursor, size);
      } catch (e) {
        if (e instanceof BpfError && e.code === 'ENOSPC' && size < 1 << 20) {
          size *= 2; // a hash bucket holds more entries than fit: retry with room
          continue;
        }
        if (e instanceof BpfError && (e.code === 'EINVAL' || e.code === 'ENOTSUPP' || e.code === 'EOPNOTSUPP')) {
          yield* this.walkEntries();
          return;
        }
        throw e;
      }
      const ks = this.keyCodec.size;
      const vs = this.rawValueSize;
      for (let i = 0; i < r.count; i++) {
        yield [r.keys.subarray(i * ks, (i + 1) * ks), r.values.subarray(i * vs, (i + 1) * vs)];
      }
      if (!r.next) return;
      cursor = r.next;
    }
  }

  private *walkEntries(): Generator<[Buffer, Buffer]> {
    const n = native();
    let key = n.mapNextKey(this.fd, null);
    while (key) {
      const v = n.mapLookup(this.fd, key);
      if (v) yield [key, v];
      key = n.mapNextKey(this.fd, key);
    }
  }

  *keys(): Generator<K> {
    const n = native();
    let key = n.mapNextKey(this.fd, null);
    while (key) {
      yield this.keyCodec.decode(key);
      key = n.mapNextKey(this.fd, key);
    }
  }

  delete(key: K): boolean {
    return native().mapDelete(this.fd, this.keyCodec.encode(key));
  }

  /** Deletes many keys in one syscall per chunk; returns how many were removed. */
  deleteBatch(keys: K[]): number {
    let done = 0;
    const ks = this.keyCodec.size;
    for (let start = 0; start < keys.length; start += BATCH) {
      const chunk = keys.slice(start, start + BATCH);
      const buf = Buffer.alloc(chunk.length * ks);
      chunk.forEach((k, i) => this.keyCodec.encode(k, buf, i * ks));
      try {
        done += native().mapDeleteBatch(this.fd, buf, chunk.length);
      } catch (e) {
        // The batch stops at the first missing key: fall back to one-by-one for the rest.
        if (!(e instanceof BpfError && e.code === 'ENOENT')) throw e;
        for (const k of chunk) if (this.delete(k)) done++;
      }
    }
    return done;
  }
}

/** A map with one value per key (hash, LRU hash, array). */
export class TypedMap<K, V> extends MapBase<K> {
  constructor(name: string, fd: number, key: Codec<K>, private readonly valueCodec: Codec<V>) {
    super(name, fd, key, valueCodec.size, 1);
    if (MapType.of(this.info.type).perCpu) throw new MapLayoutError(`map ${name} is per-CPU: use PerCpuMap`);
    checkLayout(name, this.info, key, valueCodec);
  }

  get(key: K): V | undefined {
    const v = native().mapLookup(this.fd, this.keyCodec.encode(key));
    return v === undefined ? undefined : this.valueCodec.decode(v);
  }

  put(key: K, value: V, flags = BPF_ANY): void {
    native().mapUpdate(this.fd, this.keyCodec.encode(key), this.valueCodec.encode(value), flags);
  }

  /** Writes only when the stored bytes differ (reconcile loops stay write-free when idle). */
  putIfChanged(key: K, value: V): boolean {
    const k = this.keyCodec.encode(key);
    const v = this.valueCodec.encode(value);
    const cur = native().mapLookup(this.fd, k);
    if (cur && cur.equals(v)) return false;
    native().mapUpdate(this.fd, k, v, BPF_ANY);
    return true;
  }

  *entries(): Generator<[K, V]> {
    for (const [k, v] of this.rawEntries()) yield [this.keyCodec.decode(k), this.valueCodec.decode(v)];
  }

  /**
   * Writes many entries, one syscall per chunk of PUT_CHUNK; returns the number written. Each chunk
   * goes to the kernel on a thread of its own while the next one is encoded here (one chunk in
   * flight at a time, so chunks land in order and a failure stops everything after it).
   */
  putBatch(entries: Iterable<readonly [K, V]>, flags = BPF_ANY): number {
    const ks = this.keyCodec.size;
    const vs = this.valueCodec.size;
    const keys = Buffer.alloc(PUT_CHUNK * ks);
    const values = Buffer.alloc(PUT_CHUNK * vs);
    let n = 0;
    let written = 0;
    let inFlight: number | undefined;
    const settle = (): void => {
      if (inFlight === undefined) return;
      const job = inFlight;
      inFlight = undefined;
      written += native().mapUpdateBatchWait(job);
    };
    // The job copies the chunk: the buffers can be refilled at once.
    const flush = (): void => {
      settle();
      if (n) inFlight = native().mapUpdateBatchStart(this.fd, keys.subarray(0, n * ks), values.subarray(0, n * vs), n, flags);
      n = 0;
    };
    // The chunk buffers start zeroed and only ever hold encodings, so padding stays zero.
    const encKey = this.keyCodec.encodeOver?.bind(this.keyCodec) ?? this.keyCodec.encode.bind(this.keyCodec);
    const encValue = this.valueCodec.encodeOver?.bind(this.valueCodec) ?? this.valueCodec.encode.bind(this.valueCodec);
    try {
      for (const [k, v] of entries) {
        encKey(k, keys, n * ks);
        encValue(v, values, n * vs);
        if (++n === PUT_CHUNK) flush();
      }
      flush();
    } finally {
      settle(); // every started job is joined, also when an encoding throws
    }
    return written;
  }
}

/** A per-CPU map: reads return one value per possible CPU; `sum` folds them. */
export class PerCpuMap<K, V> extends MapBase<K> {
  readonly cpus: number;
  constructor(name: string, fd: number, key: Codec<K>, private readonly valueCodec: Codec<V>) {
    const cpus = native().possibleCpus();
    super(name, fd, key, Math.ceil(valueCodec.size / 8) * 8, cpus);
    this.cpus = cpus;
    if (!MapType.of(this.info.type).perCpu) throw new MapLayoutError(`map ${name} is not per-CPU`);
    checkLayout(name, this.info, key, valueCodec);
  }

  private split(raw: Buffer): V[] {
    const out: V[] = [];
    for (let c = 0; c < this.cpus; c++) out.push(this.valueCodec.decode(raw, c * this.slotSize));
    return out;
  }

  get(key: K): V[] | undefined {
    const v = native().mapLookup(this.fd, this.keyCodec.encode(key));
    return v === undefined ? undefined : this.split(v);
  }

  /** Writes the same value (typically zero) to every CPU slot. */
  putAll(key: K, value: V, flags = BPF_ANY): void {
    const raw = Buffer.alloc(this.rawValueSize);
    for (let c = 0; c < this.cpus; c++) this.valueCodec.encode(value, raw, c * this.slotSize);
    native().mapUpdate(this.fd, this.keyCodec.encode(key), raw, flags);
  }

  *entries(): Generator<[K, V[]]> {
    for (const [k, v] of this.rawEntries()) yield [this.keyCodec.decode(k), this.split(v)];
  }

  /**
   * For values made of __u64 counters only: per key, word i of the value summed over CPUs, as
   * a double (exact below 2^53). No bigint per CPU slot: scrapes read thousands of keys.
   */
  *wordSums(): Generator<[K, Float64Array]> {
    const words = this.valueCodec.size / 8;
    if (!Number.isInteger(words)) throw new MapLayoutError(`map ${this.name}: value ${this.valueCodec.cName} is not made of 64-bit words`);
    for (const [k, v] of this.rawEntries()) yield [this.keyCodec.decode(k), this.sumWords(v, words)];
  }

  /** wordSums() of one key (undefined: no entry); for an array's few used slots. */
  wordSum(key: K): Float64Array | undefined {
    const v = native().mapLookup(this.fd, this.keyCodec.encode(key));
    return v === undefined ? undefined : this.sumWords(v, this.valueCodec.size / 8);
  }

  private sumWords(v: Buffer, words: number): Float64Array {
    const sums = new Float64Array(words);
    for (let c = 0; c < this.cpus; c++) {
      for (let w = 0, off = c * this.slotSize; w < words; w++, off += 8) sums[w]! += v.readUInt32LE(off) + v.readUInt32LE(off + 4) * 4294967296;
    }
    return sums;
  }
}
