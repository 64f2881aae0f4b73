// The native addon's errors and basics: every failure is a BpfError with the operation, errno and
// its name, JavaScript argument errors included; the possible CPUs as the kernel counts them.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { E, bpfError, counter, nativeFixture, u32 } from './helpers/native-fixture.js';

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

describe('native binding', () => {
  const fx = nativeFixture('errors');
  const { n } = fx;

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
      expect(bpfError(() => n.mapLookup(fx.obj.mapFd('fx_hash'), [0, 0, 0, 0] as unknown as Buffer)))
        .toMatchObject({ operation: 'map_lookup', code: 'EINVAL' });
      expect(bpfError(() => n.mapUpdate(fx.obj.mapFd('fx_hash'), u32(0), counter(0, 0), 1.5))).toMatchObject({
        operation: 'map_update',
        code: 'EINVAL',
      });
      expect(bpfError(() => n.objGet(42 as unknown as string))).toMatchObject({ operation: 'obj_get', code: 'EINVAL' });
      expect(bpfError(() => n.progTestRun(fx.obj.progFd('fx_xdp'), {} as { data: Buffer }))).toMatchObject({
        operation: 'prog_test_run',
        code: 'EINVAL',
      });
    });

    it('counts the possible CPUs like the kernel does', () => {
      expect(n.possibleCpus()).toBe(sysPossibleCpus());
    });
  });
});
