// Threaded batch updates (native/batch_async.cc): what mapUpdateBatch does, on a thread of its
// own, so that TypedMap.putBatch can encode the next chunk meanwhile.
import { describe, expect, it } from 'vitest';
import { E, bpfError, counter, nativeFixture, u32 } from './helpers/native-fixture.js';

describe('threaded batch updates', () => {
  const fx = nativeFixture('batch-async');
  const { n } = fx;

  it('writes the chunk and returns the count at the wait; two jobs at once both land', () => {
    const fd = fx.obj.mapFd('fx_hash');
    const keys = (from: number, count: number) => Buffer.concat(Array.from({ length: count }, (_, i) => u32(from + i)));
    const values = (from: number, count: number) => Buffer.concat(Array.from({ length: count }, (_, i) => counter(from + i, 1)));
    const a = n.mapUpdateBatchStart(fd, keys(0, 20), values(0, 20), 20);
    const b = n.mapUpdateBatchStart(fd, keys(100, 5), values(100, 5), 5);
    expect(n.mapUpdateBatchWait(b)).toBe(5);
    expect(n.mapUpdateBatchWait(a)).toBe(20);
    expect(n.mapLookup(fd, u32(19))).toEqual(counter(19, 1));
    expect(n.mapLookup(fd, u32(104))).toEqual(counter(104, 1));
    n.mapDeleteBatch(fd, Buffer.concat([keys(0, 20), keys(100, 5)]), 25);
  });

  it('the chunk is copied at the start: the caller may refill its buffers at once', () => {
    const fd = fx.obj.mapFd('fx_hash');
    const k = u32(7);
    const v = counter(1, 1);
    const job = n.mapUpdateBatchStart(fd, k, v, 1);
    counter(2, 2).copy(v);
    expect(n.mapUpdateBatchWait(job)).toBe(1);
    expect(n.mapLookup(fd, u32(7))).toEqual(counter(1, 1));
    n.mapDelete(fd, u32(7));
  });

  it('size errors come at the start, kernel errors at the wait, and a job is waited for once', () => {
    const fd = fx.obj.mapFd('fx_hash');
    expect(bpfError(() => n.mapUpdateBatchStart(fd, Buffer.alloc(12), Buffer.alloc(32), 2))).toMatchObject({ operation: 'map_update_batch', errno: E.EINVAL });
    expect(bpfError(() => n.mapUpdateBatchStart(fx.obj.mapFd('fx_percpu_hash'), u32(1), Buffer.alloc(16), 1))).toMatchObject({ errno: E.EINVAL });
    const job = n.mapUpdateBatchStart(fd, u32(4), Buffer.alloc(16), 1, 1 /* BPF_NOEXIST: refused by the kernel for batches */);
    expect(bpfError(() => n.mapUpdateBatchWait(job))).toMatchObject({ operation: 'map_update_batch', errno: E.EINVAL });
    expect(bpfError(() => n.mapUpdateBatchWait(job))).toMatchObject({ errno: E.EINVAL });
    expect(n.mapLookup(fd, u32(4))).toBeUndefined();
  });
});
