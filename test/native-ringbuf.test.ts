// The native addon's ring buffer: records emitted by a test run of test/fixtures/binding.bpf.c
// reach the callback as copies, close() delivers what was submitted, errors.
import { describe, it, expect } from 'vitest';
import { E, SKB_MARK_OFFSET, SKB_SIZE, bpfError, nativeFixture, sleep, until } from './helpers/native-fixture.js';

describe('native binding', () => {
  const fx = nativeFixture('ringbuf');
  const { n } = fx;

  describe('ring buffer', () => {
    function runEvent(data: Buffer, mark = 0, repeat = 1): void {
      const ctx = Buffer.alloc(SKB_SIZE);
      ctx.writeUInt32LE(mark, SKB_MARK_OFFSET);
      expect(n.progTestRun(fx.obj.progFd('fx_tc_event'), { data, ctx, repeat }).retval).toBe(0);
    }

    it('delivers the record emitted by a test run, as a copy', async () => {
      const records: Buffer[] = [];
      const rb = n.ringBuffer(fx.obj.mapFd('fx_events'), (r) => records.push(r));
      try {
        const data = Buffer.from([...Array(64).keys()]);
        data.writeUInt16BE(0x0800, 12);
        runEvent(data, 0x1234);
        expect(await until(() => records.length === 1)).toBe(true);
        const rec = records[0]!;
        const layout = n.btfStruct(fx.binding, 'fx_event');
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
      const rb = n.ringBuffer(fx.obj.mapFd('fx_events'), (r) => records.push(r));
      runEvent(Buffer.alloc(64, 1));
      rb.close();
      expect(await until(() => records.length === 1, 1000)).toBe(true);
      runEvent(Buffer.alloc(64, 2));
      await sleep(300);
      expect(records.length).toBe(1);
      expect(bpfError(() => rb.close())).toMatchObject({ operation: 'ringbuf_close', errno: E.EBADF });
      // Drain the record left in the ring for the next test.
      const drain = n.ringBuffer(fx.obj.mapFd('fx_events'), () => {});
      drain.close();
    });

    it('ringBuffer errors: not a ring buffer map, bad fd, no callback', () => {
      const e = bpfError(() => n.ringBuffer(fx.obj.mapFd('fx_hash'), () => {}));
      expect(e).toMatchObject({ operation: 'ringbuf_new', errno: E.EINVAL });
      expect(e.message).toContain('is not BPF_MAP_TYPE_RINGBUF');
      expect(bpfError(() => n.ringBuffer(-1, () => {}))).toMatchObject({ operation: 'ringbuf_new', errno: E.EBADF });
      expect(bpfError(() => n.ringBuffer(fx.obj.mapFd('fx_events'), 1 as unknown as () => void))).toMatchObject({
        operation: 'ringbuf_new',
        errno: E.EINVAL,
      });
    });
  });
});
