// The TypeScript codecs must describe exactly the C structs the programs were compiled with:
// every member's offset and size, and each struct's size, compared with the object's BTF.
import { describe, expect, it } from 'vitest';
import { native } from '../native/index.js';
import { ALL_STRUCTS } from '../src/maps/layout.js';
import { DROP_REASONS } from '../src/maps/drop-reasons.js';
import { ensureBpf, objectPath } from './helpers/bpf.js';

ensureBpf();

describe.each(['from-port', 'from-uplink'])('struct layout in %s.bpf.o', (obj) => {
  const path = objectPath(obj);

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
    const cEnum = native().btfEnum(objectPath('from-port'), 'vxvem_drop_reason');
    expect(cEnum.map((e) => [e.value, e.name])).toEqual(DROP_REASONS.map(([v, name]) => [v, name]));
    const labels = DROP_REASONS.map(([, , l]) => l);
    expect(new Set(labels).size).toBe(labels.length);
    for (const l of labels) expect(l).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});
