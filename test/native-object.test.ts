// The native addon's BPF objects against the kernel, with test/fixtures/binding.bpf.c: open,
// describe, load, pin, reuse pinned maps, close; and the verifier log of a rejected program.
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { type BpfObjectHandle } from '../native/index.js';
import { REPO, objectPath } from './helpers/bpf.js';
import {
  E,
  BPF_PROG_TYPE_SCHED_CLS,
  BPF_PROG_TYPE_XDP,
  bpfError,
  nativeFixture,
  u32,
} from './helpers/native-fixture.js';

const BPF_MAP_TYPE_HASH = 1;
const BPF_MAP_TYPE_ARRAY = 2;
const BPF_MAP_TYPE_PERCPU_HASH = 5;
const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
const BPF_MAP_TYPE_LRU_HASH = 9;
const BPF_MAP_TYPE_RINGBUF = 27;

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

describe('native binding', () => {
  const fx = nativeFixture('object');
  const { n } = fx;

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
      const o = fx.open();
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
      expect(maps.fx_pinned!.pinPath).toBe(`${fx.pinDir}/fx_pinned`);
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
      for (const m of fx.obj.maps()) {
        expect(m.id).toBeGreaterThan(0);
        expect(n.mapInfo(fx.obj.mapFd(m.name))).toEqual({
          id: m.id,
          name: m.name,
          type: m.type,
          keySize: m.keySize,
          valueSize: m.valueSize,
          maxEntries: m.maxEntries,
          flags: m.flags,
        });
      }
      expect(n.progInfo(fx.obj.progFd('fx_tc')).name).toBe('fx_tc');
    });

    it('mapFd/progFd of unknown names fail with ENOENT', () => {
      expect(bpfError(() => fx.obj.mapFd('nope'))).toMatchObject({ operation: 'object_map_fd', errno: E.ENOENT });
      expect(bpfError(() => fx.obj.progFd('nope'))).toMatchObject({ operation: 'object_prog_fd', errno: E.ENOENT });
      expect(bpfError(() => fx.obj.setMapPinPath('nope', '/sys/fs/bpf/x'))).toMatchObject({ code: 'ENOENT' });
      expect(bpfError(() => fx.obj.setMapMaxEntries('nope', 1))).toMatchObject({ code: 'ENOENT' });
    });

    it('refuses a second load and resizing after load', () => {
      expect(bpfError(() => fx.obj.load())).toMatchObject({ operation: 'object_load', errno: E.EINVAL });
      expect(bpfError(() => fx.obj.setMapMaxEntries('fx_hash', 8))).toMatchObject({
        operation: 'map_set_max_entries',
        errno: E.EBUSY,
      });
    });

    it('a program rejected by the verifier fails load with the verifier log', () => {
      const o = n.openObject(objectPath('fixtures/rejected'));
      fx.keep(o);
      const e = bpfError(() => o.load());
      expect(e).toMatchObject({ operation: 'object_load', errno: E.EACCES, code: 'EACCES' });
      expect(e.message).toContain("prog 'fx_rejected'");
      expect(e.message).toContain('BEGIN PROG LOAD LOG');
      expect(e.message).toContain('invalid access to packet');
      o.close();
    });

    it('setMapPinPath pins a map at load', () => {
      const o = fx.open();
      const path = `${fx.pinDir}/custom_lru`;
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
      expect(existsSync(`${fx.pinDir}/fx_pinned`)).toBe(true);
      const o = fx.open();
      o.load();
      const id = (h: BpfObjectHandle) => h.maps().find((m) => m.name === 'fx_pinned')!.id;
      expect(id(o)).toBe(id(fx.obj));
      n.mapUpdate(fx.obj.mapFd('fx_pinned'), u32(5), u32(55));
      expect(n.mapLookup(o.mapFd('fx_pinned'), u32(5))).toEqual(u32(55));
      // Not pinned, so not shared.
      expect(n.mapInfo(o.mapFd('fx_hash')).id).not.toBe(n.mapInfo(fx.obj.mapFd('fx_hash')).id);
      o.close();
    });

    it('close() releases every fd and later calls fail with EBADF', () => {
      const before = bpfFds();
      const o = fx.open();
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
});
