// The native addon's pins and ids: objects pinned in bpffs and got back, fds closed, programs
// found by id.
import { describe, it, expect } from 'vitest';
import { E, BPF_PROG_TYPE_XDP, bpfError, counter, expectBpf, nativeFixture, u32 } from './helpers/native-fixture.js';

describe('native binding', () => {
  const fx = nativeFixture('pins');
  const { n } = fx;

  describe('pins and ids', () => {
    it('objPin + objGet give the same map; errors for existing and missing paths', () => {
      const path = `${fx.pinDir}/hash_pin`;
      const fd = fx.obj.mapFd('fx_hash');
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
      expect(bpfError(() => n.objGet(`${fx.pinDir}/missing`))).toMatchObject({ operation: 'obj_get', errno: E.ENOENT });
      expect(bpfError(() => n.objPin(fd, '/tmp/not-bpffs-pin'))).toMatchObject({ operation: 'obj_pin' });
    });

    it('progInfo and progGetFdById', () => {
      const fd = fx.obj.progFd('fx_xdp');
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
});
