// The native addon's BTF reading: struct layouts and enum values of test/fixtures/binding.bpf.c.
import { describe, it, expect } from 'vitest';
import { E, bpfError, expectBpf, nativeFixture } from './helpers/native-fixture.js';

describe('native binding', () => {
  const fx = nativeFixture('btf');
  const { n } = fx;

  describe('BTF', () => {
    it('btfStruct gives the C layout', () => {
      expect(n.btfStruct(fx.binding, 'fx_event')).toEqual({
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
      expect(n.btfStruct(fx.binding, 'fx_counter').size).toBe(16);
      expect(n.btfStruct(fx.binding, 'xdp_md').members[0]).toEqual({ name: 'data', offset: 0, size: 4 });
    });

    it('btfEnum gives names and values', () => {
      expect(n.btfEnum(fx.binding, 'fx_kind')).toEqual([
        { name: 'FX_KIND_HEAD', value: 1 },
        { name: 'FX_KIND_SHORT', value: 7 },
        { name: 'FX_KIND_LAST', value: 0x10000 },
      ]);
    });

    it('missing types and files fail with ENOENT', () => {
      expectBpf(() => n.btfStruct(fx.binding, 'no_such_struct'), 'btf_struct', 'ENOENT');
      expectBpf(() => n.btfStruct(fx.binding, 'fx_kind'), 'btf_struct', 'ENOENT');
      expect(bpfError(() => n.btfEnum(fx.binding, 'fx_event'))).toMatchObject({ operation: 'btf_enum', errno: E.ENOENT });
      expectBpf(() => n.btfEnum('/nonexistent.o', 'fx_kind'), 'btf_enum', 'ENOENT');
    });
  });
});
