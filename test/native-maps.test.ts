// The native addon's map operations against the kernel, with the maps of
// test/fixtures/binding.bpf.c: elements, flags, sizes, hash/array/LRU/per-CPU maps, batches.
import { describe, it, expect } from 'vitest';
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST } from '../native/index.js';
import { E, bpfError, counter, expectBpf, nativeFixture, u32 } from './helpers/native-fixture.js';

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}

describe('native binding', () => {
  const fx = nativeFixture('maps');
  const { n } = fx;

  describe('maps', () => {
    it('update then lookup returns the bytes; delete reports presence', () => {
      const fd = fx.obj.mapFd('fx_hash');
      expect(n.mapLookup(fd, u32(7))).toBeUndefined();
      n.mapUpdate(fd, u32(7), counter(3, 300));
      expect(n.mapLookup(fd, u32(7))).toEqual(counter(3, 300));
      n.mapUpdate(fd, u32(7), counter(4, 400), BPF_ANY);
      expect(n.mapLookup(fd, u32(7))).toEqual(counter(4, 400));
      expect(n.mapDelete(fd, u32(7))).toBe(true);
      expect(n.mapDelete(fd, u32(7))).toBe(false);
      expect(n.mapLookup(fd, u32(7))).toBeUndefined();
    });

    it('accepts Uint8Array keys and values', () => {
      const fd = fx.obj.mapFd('fx_hash');
      n.mapUpdate(fd, new Uint8Array([9, 0, 0, 0]) as Buffer, new Uint8Array(counter(1, 2)) as Buffer);
      expect(n.mapLookup(fd, new Uint8Array([9, 0, 0, 0]) as Buffer)).toEqual(counter(1, 2));
      expect(n.mapDelete(fd, u32(9))).toBe(true);
    });

    it('honours BPF_NOEXIST and BPF_EXIST', () => {
      const fd = fx.obj.mapFd('fx_hash');
      n.mapUpdate(fd, u32(8), counter(1, 1), BPF_NOEXIST);
      expect(bpfError(() => n.mapUpdate(fd, u32(8), counter(2, 2), BPF_NOEXIST))).toMatchObject({
        operation: 'map_update',
        errno: E.EEXIST,
        code: 'EEXIST',
      });
      expect(bpfError(() => n.mapUpdate(fd, u32(88), counter(2, 2), BPF_EXIST))).toMatchObject({
        operation: 'map_update',
        errno: E.ENOENT,
      });
      n.mapUpdate(fd, u32(8), counter(5, 5), BPF_EXIST);
      expect(n.mapLookup(fd, u32(8))).toEqual(counter(5, 5));
      expect(bpfError(() => n.mapUpdate(fd, u32(8), counter(5, 5), 99))).toMatchObject({ errno: E.EINVAL });
      n.mapDelete(fd, u32(8));
    });

    it('checks key and value sizes against the map before the syscall', () => {
      const fd = fx.obj.mapFd('fx_hash');
      const e = bpfError(() => n.mapLookup(fd, Buffer.alloc(3)));
      expect(e).toMatchObject({ operation: 'map_lookup', errno: E.EINVAL, code: 'EINVAL' });
      expect(e.message).toContain('key is 3 bytes, expected 4');
      expect(bpfError(() => n.mapUpdate(fd, Buffer.alloc(8), counter(0, 0)))).toMatchObject({
        operation: 'map_update',
        errno: E.EINVAL,
      });
      const v = bpfError(() => n.mapUpdate(fd, u32(1), Buffer.alloc(8)));
      expect(v).toMatchObject({ operation: 'map_update', errno: E.EINVAL });
      expect(v.message).toContain('value is 8 bytes, expected 16');
      expectBpf(() => n.mapDelete(fd, Buffer.alloc(5)), 'map_delete', 'EINVAL');
      expectBpf(() => n.mapNextKey(fd, Buffer.alloc(2)), 'map_next_key', 'EINVAL');
    });

    it('map operations on a bad fd fail with EBADF', () => {
      expect(bpfError(() => n.mapInfo(9999))).toMatchObject({ operation: 'map_info', errno: E.EBADF });
      expect(bpfError(() => n.mapLookup(-1, u32(0)))).toMatchObject({ operation: 'map_lookup', errno: E.EBADF });
    });

    it('mapNextKey walks every key and ends with undefined', () => {
      const fd = fx.obj.mapFd('fx_lru');
      const key = (v: number) => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(BigInt(v));
        return b;
      };
      expect(n.mapNextKey(fd, null)).toBeUndefined();
      const want = [11, 22, 33, 44, 55];
      for (const k of want) n.mapUpdate(fd, key(k), u32(k * 2));
      const seen: number[] = [];
      for (let k = n.mapNextKey(fd, null); k; k = n.mapNextKey(fd, k)) seen.push(Number(k.readBigUInt64LE()));
      expect(seen.sort((a, b) => a - b)).toEqual(want);
      expect(n.mapLookup(fd, key(33))).toEqual(u32(66));
      for (const k of want) expect(n.mapDelete(fd, key(k))).toBe(true);
    });

    it('an LRU map evicts instead of failing when full', () => {
      const fd = fx.obj.mapFd('fx_lru');
      const key = Buffer.alloc(8);
      for (let i = 0; i < 1000; i++) {
        key.writeBigUInt64LE(BigInt(i));
        n.mapUpdate(fd, key, u32(i));
      }
      let count = 0;
      for (let k = n.mapNextKey(fd, null); k; k = n.mapNextKey(fd, k)) count++;
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(128);
      key.writeBigUInt64LE(999n); // the most recent entry is never the one evicted
      expect(n.mapLookup(fd, key)).toEqual(u32(999));
      let cursor: Buffer | null = null;
      for (;;) {
        const r = n.mapLookupAndDeleteBatch(fd, cursor, 64);
        if (!r.next) break;
        cursor = r.next;
      }
      expect(n.mapNextKey(fd, null)).toBeUndefined();
    });

    it('a hash map of max_entries N refuses the N+1th key with E2BIG', () => {
      const o = fx.open();
      o.setMapMaxEntries('fx_hash', 8);
      expect(o.maps().find((m) => m.name === 'fx_hash')!.maxEntries).toBe(8);
      o.load();
      const fd = o.mapFd('fx_hash');
      expect(n.mapInfo(fd).maxEntries).toBe(8);
      for (let i = 0; i < 8; i++) n.mapUpdate(fd, u32(i), counter(i, i));
      expect(bpfError(() => n.mapUpdate(fd, u32(8), counter(8, 8)))).toMatchObject({
        operation: 'map_update',
        errno: E.E2BIG,
        code: 'E2BIG',
      });
      n.mapUpdate(fd, u32(7), counter(70, 70)); // an existing key still updates
      expect(n.mapLookup(fd, u32(7))).toEqual(counter(70, 70));
      o.close();
    });

    it('array maps: zero-filled slots, no delete, bounded index', () => {
      const fd = fx.obj.mapFd('fx_array');
      expect(n.mapLookup(fd, u32(5))).toEqual(Buffer.alloc(8));
      expect(n.mapLookup(fd, u32(16))).toBeUndefined();
      expect(bpfError(() => n.mapUpdate(fd, u32(16), Buffer.alloc(8)))).toMatchObject({ errno: E.E2BIG });
      expect(bpfError(() => n.mapDelete(fd, u32(5)))).toMatchObject({ operation: 'map_delete', errno: E.EINVAL });
      expect(bpfError(() => n.mapUpdate(fd, u32(5), Buffer.alloc(8), BPF_NOEXIST))).toMatchObject({ errno: E.EEXIST });
    });

    it('per-CPU values have possibleCpus() slots of round_up(value_size, 8) bytes', () => {
      const cpus = n.possibleCpus();
      const fd = fx.obj.mapFd('fx_percpu_hash'); // value_size 4
      const value = Buffer.alloc(cpus * 8);
      for (let c = 0; c < cpus; c++) value.writeUInt32LE(1000 + c, c * 8);
      n.mapUpdate(fd, u32(1), value);
      const got = n.mapLookup(fd, u32(1))!;
      expect(got.length).toBe(cpus * 8);
      for (let c = 0; c < cpus; c++) expect(got.readUInt32LE(c * 8)).toBe(1000 + c);
      const e = bpfError(() => n.mapUpdate(fd, u32(2), u32(1)));
      expect(e).toMatchObject({ operation: 'map_update', errno: E.EINVAL });
      expect(e.message).toContain(`value is 4 bytes, expected ${cpus * 8}`);
      expect(n.mapDelete(fd, u32(1))).toBe(true);
      expect(n.mapLookup(fx.obj.mapFd('fx_percpu_array'), u32(0))!.length).toBe(cpus * 8);
    });

    it('batches: 1000 entries round-trip through update, lookup, delete and lookup-and-delete', () => {
      const fd = fx.obj.mapFd('fx_hash');
      const count = 1000;
      const keys = Buffer.concat(Array.from({ length: count }, (_, i) => u32(10_000 + i)));
      const values = Buffer.concat(Array.from({ length: count }, (_, i) => counter(i, i * 3)));
      expect(n.mapUpdateBatch(fd, keys, values, count)).toBe(count);
      expect(n.mapLookup(fd, u32(10_500))).toEqual(counter(500, 1500));

      const seen = new Map<number, Buffer>();
      let cursor: Buffer | null = null;
      let last: { count: number; next?: Buffer } | undefined;
      for (let calls = 0; calls < 100; calls++) {
        const r = n.mapLookupBatch(fd, cursor, 97);
        expect(r.keys.length).toBe(r.count * 4);
        expect(r.values.length).toBe(r.count * 16);
        for (let i = 0; i < r.count; i++) seen.set(r.keys.readUInt32LE(i * 4), r.values.subarray(i * 16, i * 16 + 16));
        last = r;
        if (!r.next) break;
        expect(r.next.length).toBe(4);
        cursor = r.next;
      }
      // The kernel's ENOENT comes with the final entries: they must not be dropped.
      expect(last!.next).toBeUndefined();
      expect(last!.count).toBeGreaterThan(0);
      expect(seen.size).toBe(count);
      for (let i = 0; i < count; i++) expect(seen.get(10_000 + i)).toEqual(counter(i, i * 3));

      expect(n.mapDeleteBatch(fd, keys.subarray(0, 500 * 4), 500)).toBe(500);
      expect(n.mapLookup(fd, u32(10_000))).toBeUndefined();
      let taken = 0;
      cursor = null;
      for (let calls = 0; calls < 100; calls++) {
        const r = n.mapLookupAndDeleteBatch(fd, cursor, 128);
        for (let i = 0; i < r.count; i++) {
          const k = r.keys.readUInt32LE(i * 4);
          expect(k).toBeGreaterThanOrEqual(10_500);
          expect(r.values.subarray(i * 16, i * 16 + 16)).toEqual(counter(k - 10_000, (k - 10_000) * 3));
        }
        taken += r.count;
        if (!r.next) break;
        cursor = r.next;
      }
      expect(taken).toBe(500);
      expect(n.mapNextKey(fd, null)).toBeUndefined();
    });

    it('batch lookup of an empty map returns nothing and no cursor', () => {
      const r = n.mapLookupBatch(fx.obj.mapFd('fx_hash'), null, 16);
      expect(r).toEqual({ keys: Buffer.alloc(0), values: Buffer.alloc(0), count: 0 });
    });

    it('batch lookup of an array map delivers every slot in order', () => {
      const fd = fx.obj.mapFd('fx_array');
      for (let i = 0; i < 16; i++) {
        const v = Buffer.alloc(8);
        v.writeBigUInt64LE(BigInt(i * 100));
        n.mapUpdate(fd, u32(i), v);
      }
      const counts: number[] = [];
      const keys: number[] = [];
      let cursor: Buffer | null = null;
      for (;;) {
        const r = n.mapLookupBatch(fd, cursor, 5);
        counts.push(r.count);
        for (let i = 0; i < r.count; i++) {
          keys.push(r.keys.readUInt32LE(i * 4));
          expect(r.values.readBigUInt64LE(i * 8)).toBe(BigInt(r.keys.readUInt32LE(i * 4) * 100));
        }
        if (!r.next) break;
        cursor = r.next;
      }
      expect(counts).toEqual([5, 5, 5, 1]);
      expect(keys).toEqual([...Array(16).keys()]);
    });

    it('batch cursor of a 2-byte-key hash map is the kernel’s 4-byte bucket index', () => {
      const fd = fx.obj.mapFd('fx_hash16');
      const keys = Buffer.concat(Array.from({ length: 40 }, (_, i) => u16(i * 7)));
      const values = Buffer.concat(Array.from({ length: 40 }, (_, i) => u16(i)));
      expect(n.mapUpdateBatch(fd, keys, values, 40)).toBe(40);
      const seen = new Map<number, number>();
      let cursor: Buffer | null = null;
      for (let calls = 0; calls < 100; calls++) {
        const r = n.mapLookupBatch(fd, cursor, 8);
        for (let i = 0; i < r.count; i++) seen.set(r.keys.readUInt16LE(i * 2), r.values.readUInt16LE(i * 2));
        if (!r.next) break;
        expect(r.next.length).toBe(4);
        cursor = r.next;
      }
      expect(seen.size).toBe(40);
      for (let i = 0; i < 40; i++) expect(seen.get(i * 7)).toBe(i);
      expect(bpfError(() => n.mapLookupBatch(fd, Buffer.alloc(2), 8))).toMatchObject({
        operation: 'map_lookup_batch',
        errno: E.EINVAL,
      });
      expect(n.mapDeleteBatch(fd, keys, 40)).toBe(40);
    });

    it('per-CPU batches carry possibleCpus() slots per value', () => {
      const cpus = n.possibleCpus();
      const fd = fx.obj.mapFd('fx_percpu_hash');
      const count = 10;
      const keys = Buffer.concat(Array.from({ length: count }, (_, i) => u32(i)));
      const values = Buffer.alloc(count * cpus * 8);
      for (let i = 0; i < count; i++) {
        for (let c = 0; c < cpus; c++) values.writeUInt32LE(i * 100 + c, (i * cpus + c) * 8);
      }
      expect(n.mapUpdateBatch(fd, keys, values, count)).toBe(count);
      const r = n.mapLookupAndDeleteBatch(fd, null, 64);
      expect(r.count).toBe(count);
      expect(r.next).toBeUndefined();
      expect(r.values.length).toBe(count * cpus * 8);
      for (let i = 0; i < count; i++) {
        const k = r.keys.readUInt32LE(i * 4);
        for (let c = 0; c < cpus; c++) expect(r.values.readUInt32LE((i * cpus + c) * 8)).toBe(k * 100 + c);
      }
      expect(bpfError(() => n.mapUpdateBatch(fd, keys, Buffer.alloc(count * 4), count))).toMatchObject({
        operation: 'map_update_batch',
        errno: E.EINVAL,
      });
    });

    it('batch argument and kernel errors', () => {
      const fd = fx.obj.mapFd('fx_hash');
      expect(bpfError(() => n.mapUpdateBatch(fd, Buffer.alloc(12), Buffer.alloc(32), 2))).toMatchObject({
        operation: 'map_update_batch',
        errno: E.EINVAL,
      });
      expectBpf(() => n.mapLookupBatch(fd, null, 0), 'map_lookup_batch', 'EINVAL');
      expect(bpfError(() => n.mapLookupAndDeleteBatch(fd, Buffer.alloc(3), 4))).toMatchObject({
        operation: 'map_lookup_and_delete_batch',
        errno: E.EINVAL,
      });
      expectBpf(() => n.mapDeleteBatch(fd, Buffer.alloc(5), 1), 'map_delete_batch', 'EINVAL');
      // The kernel stops at the first absent key.
      n.mapUpdate(fd, u32(1), counter(1, 1));
      const e = bpfError(() => n.mapDeleteBatch(fd, Buffer.concat([u32(1), u32(2)]), 2));
      expect(e).toMatchObject({ operation: 'map_delete_batch', errno: E.ENOENT });
      expect(e.message).toContain('stopped after 1 of 2 entries');
      expect(n.mapLookup(fd, u32(1))).toBeUndefined();
      // Batch updates take BPF_F_LOCK only: the kernel rejects NOEXIST before writing anything.
      const keys = Buffer.concat([u32(4), u32(3)]);
      const ne = bpfError(() => n.mapUpdateBatch(fd, keys, Buffer.alloc(32), 2, BPF_NOEXIST));
      expect(ne).toMatchObject({ operation: 'map_update_batch', errno: E.EINVAL });
      expect(ne.message).not.toContain('stopped after');
      expect(n.mapLookup(fd, u32(4))).toBeUndefined();
      // Ring buffers have no batch ops: the kernel's internal ENOTSUPP reads as EOPNOTSUPP.
      expect(bpfError(() => n.mapLookupBatch(fx.obj.mapFd('fx_events'), null, 4))).toMatchObject({
        operation: 'map_lookup_batch',
        errno: E.EOPNOTSUPP,
        code: 'EOPNOTSUPP',
      });
    });
  });
});
