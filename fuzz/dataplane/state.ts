// The fuzzed dataplane's maps as the runner has accounted for them: every map's entries (raw
// bytes by hex key), the drop and traffic counters read whole after each frame, single keys a
// frame may have changed read one by one, every map read whole at full checks; and a snapshot
// put back, to replay frames from a known state.
import { native } from '../../native/index.js';
import type { DataplaneMaps, MapName } from '../../src/maps/tables.js';
import { macEntry, macText, type MacView, type Run, type World } from './judge.js';
import type { Scenario } from './scenario.js';
import { MapReader, type Change, type RawMap } from './snapshot.js';
import { STATS_SLOT } from '../../testbed/packet-fixture.js';

/** Every map but the ring buffer, by its name in bpf/lib/maps.h, and the wrapper holding its fd. */
const FIELDS: Record<Exclude<MapName, 'vx_events'>, keyof DataplaneMaps> = {
  vx_config: 'config', vx_macs: 'macs', vx_segments: 'segments', vx_ports: 'ports', vx_vteps: 'vteps', vx_neigh: 'neigh', vx_flood: 'flood',
  vx_seg_ports: 'segPorts', vx_groups: 'groups', vx_counters: 'counters', vx_seg_stats: 'segStats', vx_drops: 'drops', vx_events_lost: 'eventsLost',
  vx_static_macs: 'staticMacs', vx_port_state: 'portState', vx_port_addrs: 'portAddrs', vx_peers: 'peers', vx_trusted: 'trusted',
  vx_dhcp: 'dhcp', vx_dhcp_counters: 'dhcpCounters', vx_port_fast: 'portFast', vx_peer_segs: 'peerSegs',
};
export type Watched = keyof typeof FIELDS;
export const WATCHED = Object.keys(FIELDS) as Watched[];
/** Read whole after every frame: what a run counted. */
export const COUNTED: Watched[] = ['vx_drops', 'vx_counters', 'vx_seg_stats'];
const ARRAYS = new Set<Watched>(['vx_config', 'vx_vteps', 'vx_events_lost', 'vx_seg_stats']);
/** Stats slot -> the VNI whose segment names it (the fixture's fixed slots). */
const SLOT_VNI = new Map(Object.entries(STATS_SLOT).map(([vni, slot]) => [slot, Number(vni)]));

export type Snapshot = Partial<Record<Watched, RawMap>>;

export class MapState implements World {
  readonly readers: Record<Watched, MapReader>;
  /** What the runner has accounted for, per map. */
  private readonly entries = new Map<Watched, Map<string, Buffer>>();
  private readonly raw: Snapshot = {};

  constructor(readonly sc: Scenario, maps: DataplaneMaps) {
    this.readers = Object.fromEntries(WATCHED.map((n) => [n, new MapReader(n, (maps[FIELDS[n]] as { fd: number }).fd)])) as Record<Watched, MapReader>;
  }

  read(names: readonly Watched[]): Snapshot {
    const out: Snapshot = {};
    for (const n of names) out[n] = this.readers[n].read();
    return out;
  }

  /** The changes from what is accounted for to `now` (maps absent from `now` are not compared). */
  changes(now: Snapshot): [Watched, Change][] {
    const out: [Watched, Change][] = [];
    for (const [n, raw] of Object.entries(now) as [Watched, RawMap][]) {
      const had = this.raw[n];
      if (had && had.count === raw.count && had.keys.equals(raw.keys)) {
        // The same keys in the same order (the common case: counters moved): compare value by value.
        if (had.values.equals(raw.values)) continue;
        const { keySize: ks, valueBytes: vb } = this.readers[n];
        for (let i = 0; i < raw.count; i++) {
          if (had.values.compare(raw.values, i * vb, (i + 1) * vb, i * vb, (i + 1) * vb) === 0) continue;
          out.push([n, { key: raw.keys.subarray(i * ks, (i + 1) * ks), before: had.values.subarray(i * vb, (i + 1) * vb), after: raw.values.subarray(i * vb, (i + 1) * vb) }]);
        }
        continue;
      }
      const before = this.entriesOf(n);
      const after = this.readers[n].entries(raw);
      for (const [k, v] of after) {
        const old = before.get(k);
        if (!old || !old.equals(v)) out.push([n, { key: Buffer.from(k, 'hex'), ...(old ? { before: old } : {}), after: v }]);
      }
      for (const [k, v] of before) if (!after.has(k)) out.push([n, { key: Buffer.from(k, 'hex'), before: v }]);
    }
    return out;
  }

  /** Makes the maps of `s` the accounted state (decoded when first asked about). */
  accept(s: Snapshot): void {
    for (const [n, raw] of Object.entries(s) as [Watched, RawMap][]) {
      this.raw[n] = raw;
      this.entries.delete(n);
    }
  }

  /** The accounted entries of a map by hex key. */
  private entriesOf(n: Watched): Map<string, Buffer> {
    let m = this.entries.get(n);
    if (!m) {
      const raw = this.raw[n];
      m = raw ? this.readers[n].entries(raw) : new Map<string, Buffer>();
      this.entries.set(n, m);
    }
    return m;
  }

  /** One key of `map` as it is now, against what is accounted for: the change, if any (accounted for from here on). */
  lookup(map: Watched, key: Buffer): Change | undefined {
    const now = native().mapLookup(this.readers[map].fd, key);
    const hex = key.toString('hex');
    const m = this.entriesOf(map);
    const before = m.get(hex);
    if (before === now || (before && now && before.equals(now))) return undefined;
    if (now) m.set(hex, now);
    else m.delete(hex);
    delete this.raw[map]; // the whole-map bytes no longer describe the accounted state
    return { key, ...(before ? { before } : {}), ...(now ? { after: now } : {}) };
  }

  /** Drop and counter deltas between the accounted state and `now` (a read of COUNTED). */
  deltas(now: Snapshot): Pick<Run, 'drops' | 'counters'> {
    const drops: Run['drops'] = [];
    const counters = new Map<number, bigint[]>();
    for (const [n, c] of this.changes(now)) {
      const r = this.readers[n];
      if (n === 'vx_drops') {
        const d = r.sum(c.after, 1)[0]! - r.sum(c.before, 1)[0]!;
        if (d) drops.push({ vni: c.key.readUInt32LE(0), reason: c.key.readUInt32LE(4), n: d });
      } else {
        const a = r.sum(c.after, 7);
        const b = r.sum(c.before, 7);
        const key = c.key.readUInt32LE(0);
        const vni = n === 'vx_seg_stats' ? SLOT_VNI.get(key) ?? -key : key; // an unknown slot: a VNI no frame has
        const had = counters.get(vni);
        counters.set(vni, a.map((x, i) => x - b[i]! + (had?.[i] ?? 0n)));
      }
    }
    return { drops, counters };
  }

  /** Learned MAC entries accounted for. */
  get macCount(): number {
    return this.entriesOf('vx_macs').size;
  }

  mac(vni: number, mac: Buffer): MacView | undefined {
    const k = Buffer.alloc(12);
    k.writeUInt32LE(vni, 0);
    mac.copy(k, 4, 0, 6);
    const hex = k.toString('hex');
    const learned = this.entriesOf('vx_macs').get(hex);
    const v = learned ?? this.entriesOf('vx_static_macs').get(hex);
    if (!v) return undefined;
    const e = macEntry(v);
    return { ...e, static: !learned || (e.flags & 1) !== 0 };
  }

  portMacs(ifindex: number): number {
    const k = Buffer.alloc(4);
    k.writeUInt32LE(ifindex);
    return this.entriesOf('vx_port_state').get(k.toString('hex'))?.readUInt32LE(4) ?? 0;
  }

  neighbour(addr: number): string | undefined {
    const k = Buffer.alloc(8);
    k.writeUInt32LE(this.sc.uplink, 0);
    k.writeUInt32BE(addr, 4);
    const v = this.entriesOf('vx_neigh').get(k.toString('hex'));
    return v && macText(v);
  }

  /** Writes `s` back into the maps and accounts for it (hash maps are emptied first, arrays overwritten). */
  restore(s: Snapshot): void {
    for (const n of WATCHED) {
      const raw = s[n];
      if (!raw) continue;
      if (ARRAYS.has(n)) this.readers[n].overwrite(raw);
      else this.readers[n].restore(raw);
    }
    this.accept(s);
  }
}
