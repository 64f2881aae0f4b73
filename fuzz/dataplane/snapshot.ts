// Whole-map snapshots as raw bytes, cheap enough to take after every frame for the small maps
// of the fuzzed dataplane (loader.ts): equal snapshots compare as two Buffer comparisons, and
// only maps that differ are decoded into their entries.
import { BpfError, native } from '../../native/index.js';
import type { MapName } from '../../src/maps/tables.js';

export interface RawMap {
  keys: Buffer;
  values: Buffer;
  count: number;
}

export interface Change {
  key: Buffer;
  before?: Buffer;
  after?: Buffer;
}

const PER_CPU_TYPES = new Set([5, 6, 10]); // BPF_MAP_TYPE_PERCPU_HASH, _PERCPU_ARRAY, _LRU_PERCPU_HASH

export class MapReader {
  readonly keySize: number;
  readonly valueSize: number;
  /** Bytes of one value as user space gets it (per-CPU: a slot per possible CPU). */
  readonly valueBytes: number;
  readonly perCpu: boolean;
  private readonly capacity: number;
  private batch = true;

  constructor(readonly name: MapName, readonly fd: number) {
    const info = native().mapInfo(fd);
    this.keySize = info.keySize;
    this.valueSize = info.valueSize;
    this.perCpu = PER_CPU_TYPES.has(info.type);
    this.valueBytes = this.perCpu ? native().possibleCpus() * Math.ceil(info.valueSize / 8) * 8 : info.valueSize;
    this.capacity = info.maxEntries;
  }

  read(): RawMap {
    return this.batch ? this.readBatch() : this.walk();
  }

  private readBatch(): RawMap {
    const n = native();
    const keys: Buffer[] = [];
    const values: Buffer[] = [];
    let count = 0;
    let cursor: Buffer | null = null;
    for (;;) {
      let r;
      try {
        r = n.mapLookupBatch(this.fd, cursor, this.capacity);
      } catch (e) {
        // LPM tries have no batch operations: walk them (only the rarely read maps are tries).
        if (e instanceof BpfError && ['EINVAL', 'ENOTSUPP', 'EOPNOTSUPP'].includes(e.code)) {
          this.batch = false;
          return this.walk();
        }
        throw e;
      }
      keys.push(r.keys);
      values.push(r.values);
      count += r.count;
      if (!r.next) break;
      cursor = r.next;
    }
    return keys.length === 1 ? { keys: keys[0]!, values: values[0]!, count } : { keys: Buffer.concat(keys), values: Buffer.concat(values), count };
  }

  private walk(): RawMap {
    const n = native();
    const keys: Buffer[] = [];
    const values: Buffer[] = [];
    for (let k = n.mapNextKey(this.fd, null); k; k = n.mapNextKey(this.fd, k)) {
      const v = n.mapLookup(this.fd, k);
      if (!v) continue;
      keys.push(k);
      values.push(v);
    }
    return { keys: Buffer.concat(keys), values: Buffer.concat(values), count: keys.length };
  }

  /** key (hex) -> value, of a snapshot of this map. */
  entries(m: RawMap): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (let i = 0; i < m.count; i++) {
      out.set(m.keys.toString('hex', i * this.keySize, (i + 1) * this.keySize), m.values.subarray(i * this.valueBytes, (i + 1) * this.valueBytes));
    }
    return out;
  }

  /** A per-CPU value's u64 fields summed over the CPUs (field i at byte 8i of each slot). */
  sum(v: Buffer | undefined, fields: number): bigint[] {
    const out = Array.from({ length: fields }, () => 0n);
    if (!v) return out;
    const slot = this.valueBytes / (this.perCpu ? native().possibleCpus() : 1);
    for (let c = 0; c * slot < v.length; c++) for (let f = 0; f < fields; f++) out[f]! += v.readBigUInt64LE(c * slot + 8 * f);
    return out;
  }

  /** Writes a snapshot back into a hash or trie map (emptied first): to replay frames from a known state. */
  restore(m: RawMap): void {
    const n = native();
    for (let k = n.mapNextKey(this.fd, null); k; k = n.mapNextKey(this.fd, null)) n.mapDelete(this.fd, k);
    this.overwrite(m);
  }

  /** Writes a snapshot's entries over what is there (arrays, whose slots cannot be deleted). */
  overwrite(m: RawMap): void {
    const n = native();
    for (let i = 0; i < m.count; i++) {
      n.mapUpdate(this.fd, m.keys.subarray(i * this.keySize, (i + 1) * this.keySize), m.values.subarray(i * this.valueBytes, (i + 1) * this.valueBytes));
    }
  }
}
