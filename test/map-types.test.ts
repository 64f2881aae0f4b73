// The map-type table against the kernel's own enum (linux/bpf.h of the installed headers):
// every type the header names has that number here, and only the per-CPU ones read per CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MapType } from '../src/maps/map-types.js';

function headerMapTypes(): string[] {
  const h = readFileSync('/usr/include/linux/bpf.h', 'utf8');
  const body = /enum bpf_map_type \{([^}]*)\}/.exec(h)?.[1];
  if (!body) throw new Error('enum bpf_map_type not found in /usr/include/linux/bpf.h');
  // Values are implicit (0, 1, 2...); newer headers rename a few `X_DEPRECATED` and add `X = X_DEPRECATED`
  // aliases, which take no value of their own.
  return body.split('\n')
    .map((l) => /^\s*BPF_MAP_TYPE_([A-Z0-9_]+),/.exec(l)?.[1]?.replace(/_DEPRECATED$/, ''))
    .filter((n): n is string => n !== undefined);
}

describe('MapType', () => {
  const names = headerMapTypes();

  it('numbers and names every type of the kernel header as bpftool does', () => {
    expect(names.length).toBeGreaterThan(27);
    names.forEach((n, value) => expect([value, MapType.of(value).name]).toEqual([value, n.toLowerCase()]));
  });

  it('knows which types hold one value per CPU', () => {
    const perCpu = names.map((_, v) => MapType.of(v)).filter((t) => t.perCpu).map((t) => t.name);
    expect(perCpu).toEqual(['percpu_hash', 'percpu_array', 'lru_percpu_hash', 'percpu_cgroup_storage']);
    expect([MapType.Hash, MapType.LruHash, MapType.Ringbuf].map((t) => t.perCpu)).toEqual([false, false, false]);
  });

  it('a type newer than the table keeps its number as its name, and is one object per number', () => {
    expect(MapType.of(999).name).toBe('999');
    expect(MapType.of(999)).toBe(MapType.of(999));
    expect(MapType.of(27)).toBe(MapType.Ringbuf);
  });
});
