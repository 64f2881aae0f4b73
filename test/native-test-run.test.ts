// The native addon's BPF_PROG_TEST_RUN: packet, context and verdict of test/fixtures/binding.bpf.c's
// TC and XDP programs, and its errors.
import { describe, it, expect } from 'vitest';
import { E, SKB_MARK_OFFSET, SKB_SIZE, bpfError, nativeFixture, u32 } from './helpers/native-fixture.js';

const XDP_DROP = 1;
const XDP_PASS = 2;

function sumU64(buf: Buffer): bigint {
  let s = 0n;
  for (let off = 0; off < buf.length; off += 8) s += buf.readBigUInt64LE(off);
  return s;
}

describe('native binding', () => {
  const fx = nativeFixture('test-run');
  const { n } = fx;

  describe('test run', () => {
    it('run-time statistics count runs while their fd is open, and only then', () => {
      const prog = fx.obj.progFd('fx_tc');
      const run = () => n.progTestRun(prog, { data: Buffer.alloc(64, 0x11), repeat: 10 });
      const stats = n.enableRunTimeStats();
      const before = n.progInfo(prog);
      run();
      const during = n.progInfo(prog);
      n.closeFd(stats);
      expect(during.runCount - before.runCount).toBeGreaterThanOrEqual(10);
      expect(during.runTimeNs).toBeGreaterThan(before.runTimeNs);
    });

    it('tc program: output packet, ctx and return value follow the input', () => {
      const data = Buffer.alloc(64, 0x11);
      data[14] = 0x21;
      data[15] = 0x0f;
      const ctx = Buffer.alloc(SKB_SIZE);
      ctx.writeUInt32LE(5, SKB_MARK_OFFSET);
      const r = n.progTestRun(fx.obj.progFd('fx_tc'), { data, ctx });
      expect(r.retval).toBe(0x21);
      expect(r.data.length).toBe(64);
      expect(r.data[15]).toBe(0xf0);
      expect(r.data.subarray(0, 15)).toEqual(data.subarray(0, 15));
      expect(r.ctx!.length).toBe(SKB_SIZE);
      expect(r.ctx!.readUInt32LE(SKB_MARK_OFFSET)).toBe(5 + 0x21);
      expect(r.duration).toBeGreaterThanOrEqual(0);
      expect(data[15]).toBe(0x0f); // the input buffer is not modified
      // Too short for the program: TC_ACT_SHOT, and no ctx requested means none returned.
      const short = n.progTestRun(fx.obj.progFd('fx_tc'), { data: Buffer.alloc(14) });
      expect(short.retval).toBe(2);
      expect(short.ctx).toBeUndefined();
    });

    it('xdp program: verdict from the first byte, repeat counted per CPU', () => {
      const fd = fx.obj.progFd('fx_xdp');
      const counts = () => sumU64(n.mapLookup(fx.obj.mapFd('fx_percpu_array'), u32(0))!);
      const before = counts();
      const pass = n.progTestRun(fd, { data: Buffer.alloc(64, 0x42), repeat: 10 });
      expect(pass.retval).toBe(XDP_PASS);
      expect(pass.data).toEqual(Buffer.alloc(64, 0x42));
      expect(counts() - before).toBe(10n);
      const drop = n.progTestRun(fd, { data: Buffer.alloc(64, 0xdd) });
      expect(drop.retval).toBe(XDP_DROP);
      expect(n.mapLookup(fx.obj.mapFd('fx_array'), u32(1))!.readBigUInt64LE()).toBe(0xddn);
      expect(counts() - before).toBe(11n);
    });

    it('test run errors: short output buffer, bad fd', () => {
      const e = bpfError(() => n.progTestRun(fx.obj.progFd('fx_xdp'), { data: Buffer.alloc(64), dataSizeOut: 8 }));
      expect(e).toMatchObject({ operation: 'prog_test_run', errno: E.ENOSPC, code: 'ENOSPC' });
      expect(bpfError(() => n.progTestRun(-1, { data: Buffer.alloc(64) }))).toMatchObject({ errno: E.EBADF });
      expect(bpfError(() => n.progTestRun(fx.obj.progFd('fx_tc'), { data: Buffer.alloc(4) }))).toMatchObject({
        operation: 'prog_test_run',
        errno: E.EINVAL,
      });
    });
  });
});
