// BPF map types (enum bpf_map_type in linux/bpf.h): one table of the kernel's numbers, the
// names bpftool prints and what a type means for its values. test/map-types.test.ts compares
// the table with the installed kernel header.

/** Names in enum order, so that a type's number is its index. */
const NAMES = [
  'unspec', 'hash', 'array', 'prog_array', 'perf_event_array', 'percpu_hash', 'percpu_array',
  'stack_trace', 'cgroup_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie', 'array_of_maps',
  'hash_of_maps', 'devmap', 'sockmap', 'cpumap', 'xskmap', 'sockhash', 'cgroup_storage',
  'reuseport_sockarray', 'percpu_cgroup_storage', 'queue', 'stack', 'sk_storage', 'devmap_hash',
  'struct_ops', 'ringbuf', 'inode_storage', 'task_storage', 'bloom_filter', 'user_ringbuf',
  'cgrp_storage', 'arena',
] as const;

export type MapTypeName = (typeof NAMES)[number];

/** Lookups of these return one value per possible CPU, each rounded up to 8 bytes. */
const PER_CPU = new Set<string>(['percpu_hash', 'percpu_array', 'lru_percpu_hash', 'percpu_cgroup_storage'] satisfies MapTypeName[]);

export class MapType {
  private static readonly byValue = new Map<number, MapType>();

  // The types of vxvem's maps (bpf/lib/maps.h).
  static readonly Hash = MapType.of(1);
  static readonly Array = MapType.of(2);
  static readonly PercpuHash = MapType.of(5);
  static readonly LruHash = MapType.of(9);
  static readonly Ringbuf = MapType.of(27);

  private constructor(
    readonly value: number,
    /** bpftool's name; a type newer than this table keeps its number. */
    readonly name: string,
  ) {}

  /** The type of a `MapInfo.type`; numbers this table does not know still get a type. */
  static of(value: number): MapType {
    let t = MapType.byValue.get(value);
    if (!t) MapType.byValue.set(value, (t = new MapType(value, NAMES[value] ?? String(value))));
    return t;
  }

  /** Whether a lookup returns one value per possible CPU rather than one value. */
  get perCpu(): boolean {
    return PER_CPU.has(this.name);
  }

  toString(): string {
    return this.name;
  }
}
