// Typed map wrappers over the real maps of the VEM objects, and the pinning rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { BpfError, BPF_NOEXIST, native } from '../native/index.js';
import { U32 } from '../src/maps/codec.js';
import { Dataplane, PinnedMapMismatchError, openPinnedMaps } from '../src/maps/dataplane.js';
import { decodeEvent } from '../src/maps/events.js';
import { EventType, FloodMode, MAC_F_STATIC, MacKind, macEntryCodec, macEventCodec, PORT_OPEN, segmentCodec } from '../src/maps/layout.js';
import { MapType } from '../src/maps/map-types.js';
import { InstanceNameError } from '../src/maps/paths.js';
import { listPinnedMaps } from '../src/maps/pinned.js';
import { countMacs, readDropTotals, readSegmentTotals } from '../src/maps/totals.js';
import { MapLayoutError, PerCpuMap, TypedMap } from '../src/maps/typed-map.js';
import { sumCounters } from '../src/maps/tables.js';
import { ensureBpf } from './helpers/bpf.js';

ensureBpf();
const INSTANCE = `test-maps-${process.pid}`;
let dp: Dataplane;

beforeAll(() => {
  dp = Dataplane.open({ instance: INSTANCE, macTableSize: 4096 });
});
afterAll(() => {
  dp?.close();
  Dataplane.removePins(INSTANCE);
  Dataplane.removePins(`${INSTANCE}-b`);
});

const mac = (i: number): string => `02:00:00:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

describe('typed maps', () => {
  it('get returns undefined for a missing key, put/get round-trips, delete reports presence', () => {
    const { segments } = dp.maps;
    expect(segments.get(5000)).toBeUndefined();
    segments.put(5000, { vni: 5000, mode: FloodMode.Unicast, vtepSlot: 1, group: '0.0.0.0', statsSlot: 0 });
    expect(segments.get(5000)).toEqual({ vni: 5000, mode: FloodMode.Unicast, vtepSlot: 1, group: '0.0.0.0', statsSlot: 0 });
    expect(segments.delete(5000)).toBe(true);
    expect(segments.delete(5000)).toBe(false);
  });

  it('put with NOEXIST on an existing key fails with EEXIST carried by a BpfError', () => {
    dp.maps.ports.put(7, { vni: 1, flags: 0, icmpLastNs: 0n, ...PORT_OPEN });
    const err = (() => { try { dp.maps.ports.put(7, { vni: 2, flags: 0, icmpLastNs: 0n, ...PORT_OPEN }, BPF_NOEXIST); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(BpfError);
    expect((err as BpfError).code).toBe('EEXIST');
    expect((err as BpfError).operation).toMatch(/update/);
    expect(dp.maps.ports.get(7)?.vni).toBe(1);
  });

  it('batch put of 3000 MAC entries, then entries() sees exactly them, then batch delete', () => {
    const { macs } = dp.maps;
    const rows = Array.from({ length: 3000 }, (_, i) => [
      { vni: 100 + (i % 3), mac: mac(i) },
      { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: `192.0.2.${1 + (i % 200)}`, lastSeenNs: BigInt(i) },
    ] as const);
    expect(macs.putBatch(rows)).toBe(3000);
    const seen = new Map([...macs.entries()].map(([k, v]) => [`${k.vni}/${k.mac}`, v]));
    expect(seen.size).toBe(3000);
    expect(seen.get(`${100 + (1234 % 3)}/${mac(1234)}`)).toEqual(rows[1234]![1]);
    expect(macs.deleteBatch(rows.map(([k]) => k))).toBe(3000);
    expect([...macs.keys()]).toHaveLength(0);
  });

  it('array maps: vtep slot 0 is reserved and reads as zero', () => {
    const { vteps } = dp.maps;
    expect(vteps.get(0)).toEqual({ addr: '0.0.0.0', gateway: '0.0.0.0', netmask: '0.0.0.0', ifindex: 0, mac: '00:00:00:00:00:00', mtu: 0, flags: 0 });
    vteps.put(1, { addr: '192.0.2.1', gateway: '192.0.2.254', netmask: '255.255.255.0', ifindex: 3, mac: '02:00:00:00:01:01', mtu: 1500, flags: 0 });
    expect(vteps.get(1)?.gateway).toBe('192.0.2.254');
    expect([...vteps.entries()]).toHaveLength(5); // max_entries 4 VTEPs + reserved slot 0
  });

  it('per-CPU maps give one value per possible CPU and sum them', () => {
    const { counters, drops } = dp.maps;
    const zero = { rxPackets: 0n, rxBytes: 0n, txPackets: 0n, txBytes: 0n, floodPackets: 0n, learned: 0n, moves: 0n };
    counters.putAll(42, { ...zero, rxPackets: 3n, moves: 1n });
    const per = counters.get(42)!;
    expect(per).toHaveLength(native().possibleCpus());
    expect(sumCounters(per)).toEqual({ ...zero, rxPackets: 3n * BigInt(per.length), moves: BigInt(per.length) });
    drops.putAll({ vni: 42, reason: 3 }, 5n);
    expect([...drops.entries()]).toEqual([[{ vni: 42, reason: 3 }, Array(per.length).fill(5n)]]);
  });

  it('a codec of the wrong size is refused at construction, naming map and struct', () => {
    const fd = dp.maps.segments.fd;
    expect(() => new TypedMap('vx_segments', fd, U32, macEntryCodec)).toThrow(MapLayoutError);
    expect(() => new TypedMap('vx_segments', fd, U32, macEntryCodec)).toThrow(/vx_segments: value mac_entry: map has 16 bytes, codec 24/);
    expect(() => new PerCpuMap('vx_segments', fd, U32, segmentCodec)).toThrow(/not per-CPU/);
  });
});

describe('readers for metrics', () => {
  it('segment totals and drops are the per-CPU values summed, as numbers, by field name', () => {
    const { counters, drops } = dp.maps;
    const cpus = native().possibleCpus();
    counters.putAll(43, { rxPackets: 1n, rxBytes: 2n, txPackets: 3n, txBytes: 4n, floodPackets: 5n, learned: 6n, moves: 7n });
    expect(readSegmentTotals(dp.maps).get(43)).toEqual({ rxPackets: cpus, rxBytes: 2 * cpus, txPackets: 3 * cpus, txBytes: 4 * cpus, floodPackets: 5 * cpus, learned: 6 * cpus, moves: 7 * cpus });
    const big = 2n ** 40n; // both 32-bit halves of each word count
    drops.putAll({ vni: 43, reason: 17 }, big + 1n);
    expect(readDropTotals(dp.maps)).toContainEqual({ vni: 43, reason: 17, packets: Number(big + 1n) * cpus });
    counters.delete(43);
    drops.delete({ vni: 43, reason: 17 });
  });

  it('MAC entries are counted by VNI and kind (local, remote, static)', async () => {
    const entry = (kind: MacKind, flags = 0) => ({ kind, flags, ifindex: kind === MacKind.Local ? 3 : 0, vtep: '192.0.2.9', lastSeenNs: 1n });
    dp.maps.macs.putBatch([
      [{ vni: 70, mac: mac(1) }, entry(MacKind.Local)],
      [{ vni: 70, mac: mac(2) }, entry(MacKind.Local)],
      [{ vni: 70, mac: mac(3) }, entry(MacKind.Remote)],
      [{ vni: 71, mac: mac(4) }, entry(MacKind.Remote, MAC_F_STATIC)],
    ]);
    const counts = await countMacs(dp.maps, 2); // yields to the event loop on the way
    expect(counts.sort((a, b) => a.vni - b.vni || a.kind.localeCompare(b.kind))).toEqual([
      { vni: 70, kind: 'local', entries: 2 }, { vni: 70, kind: 'remote', entries: 1 }, { vni: 71, kind: 'static', entries: 1 },
    ]);
    dp.maps.macs.deleteBatch([1, 2, 3, 4].map((i) => ({ vni: i === 4 ? 71 : 70, mac: mac(i) })));
  });
});

describe('events', () => {
  const record = (type: EventType, ifindex: number, vtep: string) =>
    macEventCodec.encode({ type, vni: 5000, mac: '02:00:00:00:00:01', kind: ifindex ? MacKind.Local : MacKind.Remote, oldKind: 0, ifindex, vtep, oldIfindex: 0, oldVtep: '0.0.0.0', tsNs: 1n });

  it('ring buffer records decode into typed learn, move and next-hop events', () => {
    expect(decodeEvent(record(EventType.Learn, 7, '0.0.0.0'))).toEqual({ type: 'learn', vni: 5000, mac: '02:00:00:00:00:01', ifindex: 7, vtep: '' });
    expect(decodeEvent(record(EventType.Move, 0, '192.0.2.2'))).toEqual({ type: 'move', vni: 5000, mac: '02:00:00:00:00:01', ifindex: 0, vtep: '192.0.2.2' });
    expect(decodeEvent(record(EventType.NeighMiss, 2, '192.0.2.254'))).toEqual({ type: 'neigh-miss', ifindex: 2, nextHop: '192.0.2.254' });
  });

  it('short records and unknown types are dropped', () => {
    expect(decodeEvent(Buffer.alloc(8))).toBeUndefined();
    expect(decodeEvent(record(9 as EventType, 7, '0.0.0.0'))).toBeUndefined();
  });
});

describe('pinning', () => {
  it('pins every shared map under /sys/fs/bpf/vxvem/<instance>/', () => {
    for (const m of ['vx_config', 'vx_macs', 'vx_segments', 'vx_events', 'vx_drops']) {
      expect(existsSync(`/sys/fs/bpf/vxvem/${INSTANCE}/${m}`)).toBe(true);
    }
  });

  it('a second open reuses the pinned maps: state written before is still there', () => {
    dp.maps.segments.put(6000, { vni: 6000, mode: FloodMode.Multicast, vtepSlot: 1, group: '239.1.1.1', statsSlot: 0 });
    const again = Dataplane.open({ instance: INSTANCE, macTableSize: 4096 });
    try {
      expect(again.maps.segments.get(6000)?.group).toBe('239.1.1.1');
      expect(again.maps.macs.info.id).toBe(dp.maps.macs.info.id);
    } finally {
      again.close();
    }
  });

  it('an incompatible pinned map is refused with the list of differences', () => {
    const err = (() => { try { Dataplane.open({ instance: INSTANCE, macTableSize: 8192 }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(PinnedMapMismatchError);
    expect((err as PinnedMapMismatchError).differences).toEqual(['vx_macs: maxEntries pinned 4096, object 8192']);
  });

  it('operator access opens the pinned maps without loading programs', () => {
    dp.maps.ports.put(9, { vni: 77, flags: 0, icmpLastNs: 0n, ...PORT_OPEN });
    const pinned = openPinnedMaps(INSTANCE);
    try {
      expect(pinned.maps.ports.get(9)?.vni).toBe(77);
    } finally {
      pinned.close();
    }
    expect(() => openPinnedMaps(`${INSTANCE}-b`)).toThrow(/no VEM instance/);
  });

  it('bpf-info lists the pinned maps with their kernel types, and not the XDP links beside them', () => {
    const pin = `/sys/fs/bpf/vxvem/${INSTANCE}/xdp_test0`;
    native().objPin(dp.maps.groups.fd, pin); // stands in for a link: only the name is looked at
    try {
      const maps = new Map(listPinnedMaps(INSTANCE).map((m) => [m.name, m]));
      expect([...maps.keys()]).not.toContain('xdp_test0');
      expect(maps.get('vx_events')?.type).toBe(MapType.Ringbuf);
      expect(maps.get('vx_macs')).toMatchObject({ type: MapType.LruHash, keySize: 12, valueSize: 24, maxEntries: 4096, id: dp.maps.macs.info.id });
      expect([...maps.values()].filter((m) => m.type.perCpu).map((m) => m.name)).toEqual(['vx_counters', 'vx_dhcp_counters', 'vx_drops', 'vx_seg_stats']);
    } finally {
      rmSync(pin);
    }
  });

  it('instance names cannot escape the bpffs root', () => {
    for (const bad of ['../x', 'a/b', '', '.hidden', 'x'.repeat(49)]) {
      expect(() => Dataplane.open({ instance: bad })).toThrow(InstanceNameError);
    }
  });
});
