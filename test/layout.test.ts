// The TypeScript codecs must describe exactly the C structs the programs were compiled with:
// every member's offset and size, and each struct's size, compared with the BTF of
// btf-anchor.bpf.o (built with the programs' flags from the same header, and holding every
// struct and enum of it; the programs' own BTF lacks those no map declares).
import { describe, expect, it } from 'vitest';
import { native } from '../native/index.js';
import { ALL_STRUCTS } from '../src/maps/layout.js';
import { DROP_REASONS } from '../src/maps/drop-reasons.js';
import { ensureBpf, objectPath } from './helpers/bpf.js';

ensureBpf();

describe('struct layout in btf-anchor.bpf.o', () => {
  const path = objectPath('btf-anchor');

  it.each(ALL_STRUCTS.map((c) => [c.cName, c] as const))('%s matches its codec', (_name, codec) => {
    const btf = native().btfStruct(path, codec.cName);
    expect(btf.size).toBe(codec.size);
    const cMembers = btf.members.filter((m) => !/^pad\d*$/.test(m.name));
    const tsMembers = codec.members();
    // Same set of named members, at the same offsets, with the same sizes.
    expect(new Map(tsMembers.map((m) => [m.name, [m.offset, m.size]]))).toEqual(
      new Map(cMembers.map((m) => [m.name, [m.offset, m.size]])),
    );
  });
});

describe('drop reasons', () => {
  it('the metrics labels cover enum vxvem_drop_reason value by value', () => {
    const cEnum = native().btfEnum(objectPath('btf-anchor'), 'vxvem_drop_reason');
    expect(cEnum.map((e) => [e.value, e.name])).toEqual(DROP_REASONS.map(([v, name]) => [v, name]));
    const labels = DROP_REASONS.map(([, , l]) => l);
    expect(new Set(labels).size).toBe(labels.length);
    for (const l of labels) expect(l).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});
