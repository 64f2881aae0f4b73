// Unit tests of every operation of the native addon (native/vxvem_native.cc) against the
// kernel, with test/fixtures/binding.bpf.c. Interfaces only exist in network namespaces
// created here; the attach tests run in a child process inside them (attach-child.ts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  native,
  BpfError,
  BPF_ANY,
  BPF_EXIST,
  BPF_NOEXIST,
  type BpfObjectHandle,
  type NativeBinding,
} from '../native/index.js';
import { REPO, ensureBpf, objectPath, testPinRoot } from './helpers/bpf.js';

const E = constants.errno;
const BPF_MAP_TYPE_HASH = 1;
const BPF_MAP_TYPE_ARRAY = 2;
const BPF_MAP_TYPE_PERCPU_HASH = 5;
const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
const BPF_MAP_TYPE_LRU_HASH = 9;
const BPF_MAP_TYPE_RINGBUF = 27;
const BPF_PROG_TYPE_SCHED_CLS = 3;
const BPF_PROG_TYPE_XDP = 6;
const XDP_DROP = 1;
const XDP_PASS = 2;
const XDP_ATTACHED_DRV = 1;
const XDP_ATTACHED_SKB = 2;
const SKB_MARK_OFFSET = 8; // struct __sk_buff { __u32 len; __u32 pkt_type; __u32 mark; ...
const SKB_SIZE = 192; // sizeof(struct __sk_buff)

/** Runs fn, which must throw a BpfError, and returns that error. */
function bpfError(fn: () => unknown): BpfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BpfError);
    return e as BpfError;
  }
  throw new Error('expected a BpfError, nothing was thrown');
}

/** Asserts that fn throws a BpfError of this operation and errno name; returns the error. */
function expectBpf(fn: () => unknown, operation: string, code: string): BpfError {
  const e = bpfError(fn);
  expect({ operation: e.operation, code: e.code, errno: e.errno }).toEqual({
    operation,
    code,
    errno: (E as Record<string, number>)[code],
  });
  return e;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}

function counter(packets: number, bytes: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(BigInt(packets), 0);
  b.writeBigUInt64LE(BigInt(bytes), 8);
  return b;
}

/** Count from /sys/devices/system/cpu/possible ("0-3", "0,2-5"), independent of libbpf. */
function sysPossibleCpus(): number {
  return readFileSync('/sys/devices/system/cpu/possible', 'utf8')
    .trim()
    .split(',')
    .reduce((n, r) => {
      const [a, b] = r.split('-').map(Number);
      return n + (b === undefined ? 1 : b - a! + 1);
    }, 0);
}

/** BPF maps, programs and links held by this process. */
function bpfFds(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('anon_inode:bpf')) n++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return n;
}

function sumU64(buf: Buffer): bigint {
  let s = 0n;
  for (let off = 0; off < buf.length; off += 8) s += buf.readBigUInt64LE(off);
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (cond()) return true;
  return cond();
}

describe('native binding', () => {
  let n: NativeBinding;
  let pins: { dir: string; cleanup: () => void };
  let binding: string;
  let obj: BpfObjectHandle;
  const extra: BpfObjectHandle[] = []; // closed in afterAll even if a test failed

  function open(opts?: { pinRoot?: string }): BpfObjectHandle {
    const o = n.openObject(binding, opts ?? { pinRoot: pins.dir });
    extra.push(o);
    return o;
  }

  beforeAll(() => {
    ensureBpf();
    n = native();
    pins = testPinRoot('native');
    binding = objectPath('fixtures/binding');
    obj = open();
    obj.load();
  });

  afterAll(() => {
    for (const o of extra) {
      try {
        o.close();
      } catch {
        // already closed by its test
      }
    }
    pins?.cleanup();
  });

  describe('errors and basics', () => {
    it('throws BpfError with the operation, a positive errno and its name', () => {
      const e = bpfError(() => n.closeFd(-1));
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe('BpfError');
      expect(e).toMatchObject({ operation: 'close', errno: E.EBADF, code: 'EBADF' });
      expect(e.message).toMatch(/^close: .*Bad file descriptor \(EBADF\)/);
    });

    it('reports JavaScript type errors as BpfError EINVAL of the operation', () => {
      expect(bpfError(() => n.mapLookup('3' as unknown as number, u32(0)))).toMatchObject({
        operation: 'map_lookup',
        errno: E.EINVAL,
        code: 'EINVAL',
      });
      expect(bpfError(() => n.mapLookup(obj.mapFd('fx_hash'), [0, 0, 0, 0] as unknown as Buffer)))
        .toMatchObject({ operation: 'map_lookup', code: 'EINVAL' });
      expect(bpfError(() => n.mapUpdate(obj.mapFd('fx_hash'), u32(0), counter(0, 0), 1.5))).toMatchObject({
        operation: 'map_update',
        code: 'EINVAL',
      });
      expect(bpfError(() => n.objGet(42 as unknown as string))).toMatchObject({ operation: 'obj_get', code: 'EINVAL' });
      expect(bpfError(() => n.progTestRun(obj.progFd('fx_xdp'), {} as { data: Buffer }))).toMatchObject({
        operation: 'prog_test_run',
        code: 'EINVAL',
      });
    });

    it('counts the possible CPUs like the kernel does', () => {
      expect(n.possibleCpus()).toBe(sysPossibleCpus());
    });
  });

  describe('object', () => {
    it('openObject of a missing file fails with ENOENT', () => {
      const e = bpfError(() => n.openObject('/nonexistent/vxvem.bpf.o'));
      expect(e).toMatchObject({ operation: 'object_open', errno: E.ENOENT, code: 'ENOENT' });
      expect(e.message).toContain('/nonexistent/vxvem.bpf.o');
    });

    it('openObject of a file that is not ELF fails with ENOEXEC and libbpf’s reason', () => {
      const e = bpfError(() => n.openObject(join(REPO, 'package.json')));
      expect(e).toMatchObject({ operation: 'object_open', errno: E.ENOEXEC, code: 'ENOEXEC' });
      expect(e.message).toContain('not a proper ELF object');
    });

    it('describes maps and programs before load, with pin paths and no ids', () => {
      const o = open();
      const maps = Object.fromEntries(o.maps().map((m) => [m.name, m]));
      expect(Object.keys(maps).sort()).toEqual(
        ['fx_array', 'fx_events', 'fx_hash', 'fx_hash16', 'fx_lru', 'fx_percpu_array', 'fx_percpu_hash', 'fx_pinned'],
      );
      expect(maps.fx_hash).toEqual({
        id: 0,
        name: 'fx_hash',
        type: BPF_MAP_TYPE_HASH,
        keySize: 4,
        valueSize: 16,
        maxEntries: 4096,
        flags: 0,
      });
      expect(maps.fx_array).toMatchObject({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 16 });
      expect(maps.fx_percpu_hash).toMatchObject({ type: BPF_MAP_TYPE_PERCPU_HASH, valueSize: 4 });
      expect(maps.fx_percpu_array).toMatchObject({ type: BPF_MAP_TYPE_PERCPU_ARRAY, valueSize: 8 });
      expect(maps.fx_lru).toMatchObject({ type: BPF_MAP_TYPE_LRU_HASH, keySize: 8, valueSize: 4 });
      expect(maps.fx_hash16).toMatchObject({ keySize: 2, valueSize: 2 });
      expect(maps.fx_events).toMatchObject({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, maxEntries: 65536 });
      expect(maps.fx_pinned!.pinPath).toBe(`${pins.dir}/fx_pinned`);
      expect(maps.fx_hash!.pinPath).toBeUndefined();
      expect(o.programs()).toEqual([
        { name: 'fx_xdp', section: 'xdp', type: BPF_PROG_TYPE_XDP },
        { name: 'fx_tc', section: 'tc', type: BPF_PROG_TYPE_SCHED_CLS },
        { name: 'fx_tc_event', section: 'tc', type: BPF_PROG_TYPE_SCHED_CLS },
      ]);
      expect(bpfError(() => o.mapFd('fx_hash'))).toMatchObject({ operation: 'object_map_fd', code: 'EINVAL' });
      expect(bpfError(() => o.progFd('fx_xdp'))).toMatchObject({ operation: 'object_prog_fd', code: 'EINVAL' });
      o.close();
    });

    it('after load, map ids are set and match the map fds', () => {
      for (const m of obj.maps()) {
        expect(m.id).toBeGreaterThan(0);
        expect(n.mapInfo(obj.mapFd(m.name))).toEqual({
          id: m.id,
          name: m.name,
          type: m.type,
          keySize: m.keySize,
          valueSize: m.valueSize,
          maxEntries: m.maxEntries,
          flags: m.flags,
        });
      }
      expect(n.progInfo(obj.progFd('fx_tc')).name).toBe('fx_tc');
    });

    it('mapFd/progFd of unknown names fail with ENOENT', () => {
      expect(bpfError(() => obj.mapFd('nope'))).toMatchObject({ operation: 'object_map_fd', errno: E.ENOENT });
      expect(bpfError(() => obj.progFd('nope'))).toMatchObject({ operation: 'object_prog_fd', errno: E.ENOENT });
      expect(bpfError(() => obj.setMapPinPath('nope', '/sys/fs/bpf/x'))).toMatchObject({ code: 'ENOENT' });
      expect(bpfError(() => obj.setMapMaxEntries('nope', 1))).toMatchObject({ code: 'ENOENT' });
    });

    it('refuses a second load and resizing after load', () => {
      expect(bpfError(() => obj.load())).toMatchObject({ operation: 'object_load', errno: E.EINVAL });
      expect(bpfError(() => obj.setMapMaxEntries('fx_hash', 8))).toMatchObject({
        operation: 'map_set_max_entries',
        errno: E.EBUSY,
      });
    });

    it('a program rejected by the verifier fails load with the verifier log', () => {
      const o = n.openObject(objectPath('fixtures/rejected'));
      extra.push(o);
      const e = bpfError(() => o.load());
      expect(e).toMatchObject({ operation: 'object_load', errno: E.EACCES, code: 'EACCES' });
      expect(e.message).toContain("prog 'fx_rejected'");
      expect(e.message).toContain('BEGIN PROG LOAD LOG');
      expect(e.message).toContain('invalid access to packet');
      o.close();
    });

    it('setMapPinPath pins a map at load', () => {
      const o = open();
      const path = `${pins.dir}/custom_lru`;
      o.setMapPinPath('fx_lru', path);
      expect(o.maps().find((m) => m.name === 'fx_lru')!.pinPath).toBe(path);
      o.load();
      expect(existsSync(path)).toBe(true);
      const fd = n.objGet(path);
      expect(n.mapInfo(fd).id).toBe(n.mapInfo(o.mapFd('fx_lru')).id);
      n.closeFd(fd);
      o.close();
    });

    it('a second object with the same pin root reuses the pinned map', () => {
      expect(existsSync(`${pins.dir}/fx_pinned`)).toBe(true);
      const o = open();
      o.load();
      const id = (h: BpfObjectHandle) => h.maps().find((m) => m.name === 'fx_pinned')!.id;
      expect(id(o)).toBe(id(obj));
      n.mapUpdate(obj.mapFd('fx_pinned'), u32(5), u32(55));
      expect(n.mapLookup(o.mapFd('fx_pinned'), u32(5))).toEqual(u32(55));
      // Not pinned, so not shared.
      expect(n.mapInfo(o.mapFd('fx_hash')).id).not.toBe(n.mapInfo(obj.mapFd('fx_hash')).id);
      o.close();
    });

    it('close() releases every fd and later calls fail with EBADF', () => {
      const before = bpfFds();
      const o = open();
      o.load();
      const fd = o.mapFd('fx_hash');
      expect(bpfFds()).toBeGreaterThanOrEqual(before + 11); // 8 maps + 3 programs
      o.close();
      expect(bpfFds()).toBe(before);
      expect(bpfError(() => n.mapInfo(fd))).toMatchObject({ errno: E.EBADF });
      for (const call of [
        () => o.maps(),
        () => o.programs(),
        () => o.load(),
        () => o.mapFd('fx_hash'),
        () => o.progFd('fx_xdp'),
        () => o.setMapPinPath('fx_hash', '/sys/fs/bpf/x'),
        () => o.setMapMaxEntries('fx_hash', 1),
        () => o.close(),
      ]) {
        expect(bpfError(call)).toMatchObject({ errno: E.EBADF, code: 'EBADF' });
      }
    });
  });

  describe('maps', () => {
    it('update then lookup returns the bytes; delete reports presence', () => {
      const fd = obj.mapFd('fx_hash');
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
      const fd = obj.mapFd('fx_hash');
      n.mapUpdate(fd, new Uint8Array([9, 0, 0, 0]) as Buffer, new Uint8Array(counter(1, 2)) as Buffer);
      expect(n.mapLookup(fd, new Uint8Array([9, 0, 0, 0]) as Buffer)).toEqual(counter(1, 2));
      expect(n.mapDelete(fd, u32(9))).toBe(true);
    });

    it('honours BPF_NOEXIST and BPF_EXIST', () => {
      const fd = obj.mapFd('fx_hash');
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
      const fd = obj.mapFd('fx_hash');
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
      const fd = obj.mapFd('fx_lru');
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
      const fd = obj.mapFd('fx_lru');
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
      const o = open();
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
      const fd = obj.mapFd('fx_array');
      expect(n.mapLookup(fd, u32(5))).toEqual(Buffer.alloc(8));
      expect(n.mapLookup(fd, u32(16))).toBeUndefined();
      expect(bpfError(() => n.mapUpdate(fd, u32(16), Buffer.alloc(8)))).toMatchObject({ errno: E.E2BIG });
      expect(bpfError(() => n.mapDelete(fd, u32(5)))).toMatchObject({ operation: 'map_delete', errno: E.EINVAL });
      expect(bpfError(() => n.mapUpdate(fd, u32(5), Buffer.alloc(8), BPF_NOEXIST))).toMatchObject({ errno: E.EEXIST });
    });

    it('per-CPU values have possibleCpus() slots of round_up(value_size, 8) bytes', () => {
      const cpus = n.possibleCpus();
      const fd = obj.mapFd('fx_percpu_hash'); // value_size 4
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
      expect(n.mapLookup(obj.mapFd('fx_percpu_array'), u32(0))!.length).toBe(cpus * 8);
    });

    it('batches: 1000 entries round-trip through update, lookup, delete and lookup-and-delete', () => {
      const fd = obj.mapFd('fx_hash');
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
      const r = n.mapLookupBatch(obj.mapFd('fx_hash'), null, 16);
      expect(r).toEqual({ keys: Buffer.alloc(0), values: Buffer.alloc(0), count: 0 });
    });

    it('batch lookup of an array map delivers every slot in order', () => {
      const fd = obj.mapFd('fx_array');
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
      const fd = obj.mapFd('fx_hash16');
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
      const fd = obj.mapFd('fx_percpu_hash');
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
      const fd = obj.mapFd('fx_hash');
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
      expect(bpfError(() => n.mapLookupBatch(obj.mapFd('fx_events'), null, 4))).toMatchObject({
        operation: 'map_lookup_batch',
        errno: E.EOPNOTSUPP,
        code: 'EOPNOTSUPP',
      });
    });
  });

  describe('pins and ids', () => {
    it('objPin + objGet give the same map; errors for existing and missing paths', () => {
      const path = `${pins.dir}/hash_pin`;
      const fd = obj.mapFd('fx_hash');
      n.objPin(fd, path);
      expect(bpfError(() => n.objPin(fd, path))).toMatchObject({ operation: 'obj_pin', errno: E.EEXIST });
      const got = n.objGet(path);
      expect(got).not.toBe(fd);
      expect(n.mapInfo(got).id).toBe(n.mapInfo(fd).id);
      n.mapUpdate(got, u32(77), counter(7, 7));
      expect(n.mapLookup(fd, u32(77))).toEqual(counter(7, 7));
      n.mapDelete(fd, u32(77));
      n.closeFd(got);
      expect(bpfError(() => n.closeFd(got))).toMatchObject({ operation: 'close', errno: E.EBADF });
      expect(bpfError(() => n.objGet(`${pins.dir}/missing`))).toMatchObject({ operation: 'obj_get', errno: E.ENOENT });
      expect(bpfError(() => n.objPin(fd, '/tmp/not-bpffs-pin'))).toMatchObject({ operation: 'obj_pin' });
    });

    it('progInfo and progGetFdById', () => {
      const fd = obj.progFd('fx_xdp');
      const info = n.progInfo(fd);
      expect(info.id).toBeGreaterThan(0);
      expect(info.name).toBe('fx_xdp');
      expect(info.type).toBe(BPF_PROG_TYPE_XDP);
      expect(info.tag).toMatch(/^[0-9a-f]{16}$/);
      const again = n.progGetFdById(info.id);
      expect(n.progInfo(again)).toEqual(info);
      n.closeFd(again);
      expectBpf(() => n.progGetFdById(0x7ffffff0), 'prog_get_fd_by_id', 'ENOENT');
      expect(bpfError(() => n.progInfo(-1))).toMatchObject({ operation: 'prog_info', errno: E.EBADF });
    });
  });

  describe('test run', () => {
    it('tc program: output packet, ctx and return value follow the input', () => {
      const data = Buffer.alloc(64, 0x11);
      data[14] = 0x21;
      data[15] = 0x0f;
      const ctx = Buffer.alloc(SKB_SIZE);
      ctx.writeUInt32LE(5, SKB_MARK_OFFSET);
      const r = n.progTestRun(obj.progFd('fx_tc'), { data, ctx });
      expect(r.retval).toBe(0x21);
      expect(r.data.length).toBe(64);
      expect(r.data[15]).toBe(0xf0);
      expect(r.data.subarray(0, 15)).toEqual(data.subarray(0, 15));
      expect(r.ctx!.length).toBe(SKB_SIZE);
      expect(r.ctx!.readUInt32LE(SKB_MARK_OFFSET)).toBe(5 + 0x21);
      expect(r.duration).toBeGreaterThanOrEqual(0);
      expect(data[15]).toBe(0x0f); // the input buffer is not modified
      // Too short for the program: TC_ACT_SHOT, and no ctx requested means none returned.
      const short = n.progTestRun(obj.progFd('fx_tc'), { data: Buffer.alloc(14) });
      expect(short.retval).toBe(2);
      expect(short.ctx).toBeUndefined();
    });

    it('xdp program: verdict from the first byte, repeat counted per CPU', () => {
      const fd = obj.progFd('fx_xdp');
      const counts = () => sumU64(n.mapLookup(obj.mapFd('fx_percpu_array'), u32(0))!);
      const before = counts();
      const pass = n.progTestRun(fd, { data: Buffer.alloc(64, 0x42), repeat: 10 });
      expect(pass.retval).toBe(XDP_PASS);
      expect(pass.data).toEqual(Buffer.alloc(64, 0x42));
      expect(counts() - before).toBe(10n);
      const drop = n.progTestRun(fd, { data: Buffer.alloc(64, 0xdd) });
      expect(drop.retval).toBe(XDP_DROP);
      expect(n.mapLookup(obj.mapFd('fx_array'), u32(1))!.readBigUInt64LE()).toBe(0xddn);
      expect(counts() - before).toBe(11n);
    });

    it('test run errors: short output buffer, bad fd', () => {
      const e = bpfError(() => n.progTestRun(obj.progFd('fx_xdp'), { data: Buffer.alloc(64), dataSizeOut: 8 }));
      expect(e).toMatchObject({ operation: 'prog_test_run', errno: E.ENOSPC, code: 'ENOSPC' });
      expect(bpfError(() => n.progTestRun(-1, { data: Buffer.alloc(64) }))).toMatchObject({ errno: E.EBADF });
      expect(bpfError(() => n.progTestRun(obj.progFd('fx_tc'), { data: Buffer.alloc(4) }))).toMatchObject({
        operation: 'prog_test_run',
        errno: E.EINVAL,
      });
    });
  });

  describe('ring buffer', () => {
    function runEvent(data: Buffer, mark = 0, repeat = 1): void {
      const ctx = Buffer.alloc(SKB_SIZE);
      ctx.writeUInt32LE(mark, SKB_MARK_OFFSET);
      expect(n.progTestRun(obj.progFd('fx_tc_event'), { data, ctx, repeat }).retval).toBe(0);
    }

    it('delivers the record emitted by a test run, as a copy', async () => {
      const records: Buffer[] = [];
      const rb = n.ringBuffer(obj.mapFd('fx_events'), (r) => records.push(r));
      try {
        const data = Buffer.from([...Array(64).keys()]);
        data.writeUInt16BE(0x0800, 12);
        runEvent(data, 0x1234);
        expect(await until(() => records.length === 1)).toBe(true);
        const rec = records[0]!;
        const layout = n.btfStruct(binding, 'fx_event');
        expect(rec.length).toBe(layout.size);
        const off = Object.fromEntries(layout.members.map((m) => [m.name, m.offset]));
        expect(rec.readUInt32LE(off.len!)).toBe(64);
        expect(rec.readUInt32LE(off.kind!)).toBe(1); // FX_KIND_HEAD
        expect(rec.readBigUInt64LE(off.mark!)).toBe(0x1234n);
        expect(rec.readUInt16BE(off.proto_be!)).toBe(0x0800);
        expect(rec.subarray(off.head!, off.head! + 16)).toEqual(data.subarray(0, 16));

        runEvent(Buffer.alloc(14, 0xee), 0, 5);
        expect(await until(() => records.length === 6)).toBe(true);
        for (const r of records.slice(1)) {
          expect(r.readUInt32LE(off.len!)).toBe(14);
          expect(r.readUInt32LE(off.kind!)).toBe(7); // FX_KIND_SHORT
        }
      } finally {
        rb.close();
      }
    });

    it('close() delivers what was already submitted, then nothing more', async () => {
      const records: Buffer[] = [];
      const rb = n.ringBuffer(obj.mapFd('fx_events'), (r) => records.push(r));
      runEvent(Buffer.alloc(64, 1));
      rb.close();
      expect(await until(() => records.length === 1, 1000)).toBe(true);
      runEvent(Buffer.alloc(64, 2));
      await sleep(300);
      expect(records.length).toBe(1);
      expect(bpfError(() => rb.close())).toMatchObject({ operation: 'ringbuf_close', errno: E.EBADF });
      // Drain the record left in the ring for the next test.
      const drain = n.ringBuffer(obj.mapFd('fx_events'), () => {});
      drain.close();
    });

    it('ringBuffer errors: not a ring buffer map, bad fd, no callback', () => {
      const e = bpfError(() => n.ringBuffer(obj.mapFd('fx_hash'), () => {}));
      expect(e).toMatchObject({ operation: 'ringbuf_new', errno: E.EINVAL });
      expect(e.message).toContain('is not BPF_MAP_TYPE_RINGBUF');
      expect(bpfError(() => n.ringBuffer(-1, () => {}))).toMatchObject({ operation: 'ringbuf_new', errno: E.EBADF });
      expect(bpfError(() => n.ringBuffer(obj.mapFd('fx_events'), 1 as unknown as () => void))).toMatchObject({
        operation: 'ringbuf_new',
        errno: E.EINVAL,
      });
    });
  });

  describe('BTF', () => {
    it('btfStruct gives the C layout', () => {
      expect(n.btfStruct(binding, 'fx_event')).toEqual({
        size: 40,
        members: [
          { name: 'len', offset: 0, size: 4 },
          { name: 'kind', offset: 4, size: 4 },
          { name: 'mark', offset: 8, size: 8 },
          { name: 'proto_be', offset: 16, size: 2 },
          { name: 'pad', offset: 18, size: 6 },
          { name: 'head', offset: 24, size: 16 },
        ],
      });
      expect(n.btfStruct(binding, 'fx_counter').size).toBe(16);
      expect(n.btfStruct(binding, 'xdp_md').members[0]).toEqual({ name: 'data', offset: 0, size: 4 });
    });

    it('btfEnum gives names and values', () => {
      expect(n.btfEnum(binding, 'fx_kind')).toEqual([
        { name: 'FX_KIND_HEAD', value: 1 },
        { name: 'FX_KIND_SHORT', value: 7 },
        { name: 'FX_KIND_LAST', value: 0x10000 },
      ]);
    });

    it('missing types and files fail with ENOENT', () => {
      expectBpf(() => n.btfStruct(binding, 'no_such_struct'), 'btf_struct', 'ENOENT');
      expectBpf(() => n.btfStruct(binding, 'fx_kind'), 'btf_struct', 'ENOENT');
      expect(bpfError(() => n.btfEnum(binding, 'fx_event'))).toMatchObject({ operation: 'btf_enum', errno: E.ENOENT });
      expectBpf(() => n.btfEnum('/nonexistent.o', 'fx_kind'), 'btf_enum', 'ENOENT');
    });
  });

  describe('attach (in network namespaces created by the test)', () => {
    const ns = `vxt-native-${process.pid}`;
    const peer = `${ns}-peer`;
    type ChildError = { operation: string; errno: number; code: string; message: string };
    let child: Record<string, { ok?: unknown; err?: ChildError }>;
    let ifA: { ifindex: number; address: string };
    const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const linkPin = () => `${pins.dir}/xdp_link`;

    function deleteNamespaces(): void {
      for (const name of [ns, peer]) {
        try {
          ip('netns', 'del', name);
        } catch {
          // absent
        }
      }
    }

    function xdpOnA(): { prog?: { id: number } } | undefined {
      type Link = { xdp?: { prog?: { id: number } } };
      const [link] = JSON.parse(ip('-n', ns, '-j', 'link', 'show', 'dev', 'vxa')) as Link[];
      return link!.xdp;
    }

    beforeAll(async () => {
      deleteNamespaces();
      ip('netns', 'add', ns);
      ip('netns', 'add', peer);
      ip('-n', ns, 'link', 'add', 'vxa', 'type', 'veth', 'peer', 'name', 'vxb', 'netns', peer);
      ip('-n', ns, 'link', 'add', 'vxd', 'type', 'veth', 'peer', 'name', 'vxe');
      ip('-n', ns, 'addr', 'add', '10.250.0.1/30', 'dev', 'vxa');
      ip('-n', peer, 'addr', 'add', '10.250.0.2/30', 'dev', 'vxb');
      for (const dev of ['lo', 'vxa', 'vxd', 'vxe']) ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', peer, 'link', 'set', 'vxb', 'up');
      type Link = { ifname: string; ifindex: number; address: string };
      const links = JSON.parse(ip('-n', ns, '-j', 'link', 'show')) as Link[];
      const byName = Object.fromEntries(links.map((l) => [l.ifname, l]));
      ifA = byName.vxa!;
      const args = {
        obj: binding,
        pinDir: pins.dir,
        ifA: ifA.ifindex,
        ifD: byName.vxd!.ifindex,
        macA: ifA.address,
        peerIp: '10.250.0.2',
      };
      const script = 'test/fixtures/attach-child.ts';
      const { stdout } = await promisify(execFile)(
        'nsenter',
        [`--net=/run/netns/${ns}`, 'node', '--expose-gc', '--import', 'tsx', script, JSON.stringify(args)],
        { cwd: REPO, timeout: 50_000 },
      );
      child = JSON.parse(stdout.trim().split('\n').pop()!);
    });

    afterAll(() => {
      try {
        if (existsSync(linkPin())) n.linkUnpin(linkPin());
      } finally {
        deleteNamespaces();
      }
    });

    const ok = (step: string) => {
      expect(child[step], `${step}: ${JSON.stringify(child[step]?.err)}`).toHaveProperty('ok');
      return child[step]!.ok;
    };
    const err = (step: string) => {
      expect(child[step], `${step} should have failed`).toHaveProperty('err');
      return child[step]!.err!;
    };
    const ids = () => ok('ids') as { xdp: number; tc: number; ev: number };

    it('XDP: native attach returns a link fd and xdpQuery shows the program', () => {
      expect(ok('xdpQueryBefore')).toEqual({ progId: 0, mode: 0 });
      expect(ok('xdpAttach')).toBeGreaterThan(2);
      expect(ok('xdpQueryAttached')).toEqual({ progId: ids().xdp, mode: XDP_ATTACHED_DRV });
    });

    it('XDP: busy device, legacy detach of a link, bad flags and wrong program type fail', () => {
      expect(err('xdpAttachAgain')).toMatchObject({ operation: 'xdp_attach', code: 'EBUSY' });
      expect(err('xdpDetachLinked')).toMatchObject({ operation: 'xdp_detach', code: 'EBUSY' });
      expect(err('xdpAttachBadFlags')).toMatchObject({ operation: 'xdp_attach', code: 'EINVAL' });
      expect(err('xdpAttachTcProg')).toMatchObject({ operation: 'xdp_attach', code: 'EINVAL' });
      expect(ok('xdpDetachNothing')).toBeNull();
    });

    it('XDP: generic mode, then linkDetach removes it and consumes the fd', () => {
      expect(ok('xdpQuerySkb')).toEqual({ progId: ids().xdp, mode: XDP_ATTACHED_SKB });
      expect(ok('linkDetach')).toBeNull();
      expect(ok('xdpQueryDetached')).toEqual({ progId: 0, mode: 0 });
      expect(err('linkDetachAgain')).toMatchObject({ operation: 'link_detach', code: 'EBADF' });
    });

    it('XDP: a pinned link outlives its fd and the child; linkUnpin releases it', async () => {
      expect(ok('linkPin')).toBeNull();
      expect(err('linkPinAgain')).toMatchObject({ operation: 'link_pin', code: 'EEXIST' });
      expect(ok('xdpQueryPinned')).toEqual({ progId: ids().xdp, mode: XDP_ATTACHED_DRV });
      expect(xdpOnA()?.prog?.id).toBe(ids().xdp);
      n.linkUnpin(linkPin());
      expect(existsSync(linkPin())).toBe(false);
      expect(await until(() => xdpOnA() === undefined)).toBe(true);
      expect(bpfError(() => n.linkUnpin(linkPin()))).toMatchObject({ operation: 'link_unpin', errno: E.ENOENT });
    });

    it('TC: hook creation is idempotent; query and detach of nothing', () => {
      expect(err('tcQueryNoHook')).toMatchObject({ operation: 'tc_query', code: 'EINVAL' });
      expect(err('tcQueryNoHook').message).toContain('Kernel error message');
      expect(ok('tcHookCreate')).toBeNull();
      expect(ok('tcHookCreateAgain')).toBeNull();
      expect(ok('tcQueryEmpty')).toBeNull();
      expect(err('tcDetachNothing')).toMatchObject({ operation: 'tc_detach', errno: E.ENOENT, code: 'ENOENT' });
    });

    it('TC: attach, exists, replace, query, detach', () => {
      expect(ok('tcAttach')).toEqual({ progId: ids().tc });
      expect(err('tcAttachExists')).toMatchObject({ operation: 'tc_attach', code: 'EEXIST' });
      expect(ok('tcAttachReplace')).toEqual({ progId: ids().ev });
      expect(ok('tcQueryReplaced')).toEqual({ progId: ids().ev });
      expect(ok('tcAttachEgress')).toEqual({ progId: ids().ev });
      expect(ok('tcQueryEgress')).toEqual({ progId: ids().ev });
      expect(ok('tcQueryOtherSlot')).toBeNull();
      expect(ok('tcDetach')).toBeNull();
      expect(ok('tcQueryDetached')).toBeNull();
      expect(ok('tcDetachEgress')).toBeNull();
      expect(ok('tcHookDestroy')).toBeNull();
      expect(err('tcHookDestroyAgain')).toMatchObject({ operation: 'tc_hook_destroy', code: 'EINVAL' });
    });

    it('TC: argument and kernel errors', () => {
      expect(err('tcAttachBadDirection')).toMatchObject({ operation: 'tc_attach', code: 'EINVAL' });
      expect(err('tcAttachBadDirection').message).toContain("got 'sideways'");
      expect(err('tcAttachXdpProg')).toMatchObject({ operation: 'tc_attach', code: 'EINVAL' });
      expect(err('tcAttachNoDevice')).toMatchObject({ operation: 'tc_attach', code: 'ENODEV' });
    });

    it('real traffic reaches the attached programs and the ring buffer', () => {
      type Traffic = { ping: string; records: number; recordSizes: number[]; fromOurMac: number; xdpCounted: number };
      const t = ok('traffic') as Traffic;
      expect(t.ping).toBe('ok');
      expect(t.recordSizes).toEqual([40]);
      expect(t.fromOurMac).toBeGreaterThanOrEqual(2); // the echo requests leaving vxa
      expect(t.xdpCounted).toBeGreaterThanOrEqual(2); // the echo replies entering vxa
    });

    it('handles dropped without close() are closed by their finalizer', () => {
      expect(ok('fdsWhileOpen')).toBeGreaterThanOrEqual(10 * 11);
      expect(ok('fdsAfterGc')).toBe(0);
    });
  });
});
