// VEM metrics read from a real dataplane with nobody draining its ring buffer: events lost when
// the ring is full, how full each map is, the per-VNI cap, and the agent's own families.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../native/index.js';
import { VemMetrics, type AgentHealth } from '../src/agent/metrics.js';
import { Dataplane } from '../src/maps/dataplane.js';
import { FloodMode, PORT_OPEN, macEventCodec } from '../src/maps/layout.js';
import { BASE_CONFIG, skbCtx } from '../testbed/packet-fixture.js';
import { Netns, vethPair } from '../testbed/netns.js';
import { pingFrame } from '../testbed/packets.js';
import { ensureBpf } from './helpers/bpf.js';

ensureBpf();
const VNI = 5000;
const LEARNED = 6000;
let ns: Netns;
let dp: Dataplane;
let port: number;

const health: AgentHealth = {
  mode: 'file', instance: 'h-test', version: '9.9.9', vsmConnected: () => false, revision: () => 3, lastSyncMs: () => 0,
  reloadFailures: () => 2, portsWaiting: () => 1,
};

/** The value of one sample in exposition text; undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

beforeAll(() => {
  ns = Netns.create(`vxmd-${process.pid}`);
  vethPair(ns, 'p1', ns, 'p1x');
  vethPair(ns, 'up0', ns, 'up0x');
  native().netnsEnter(ns.path);
  port = ns.ifindex('p1');
  dp = Dataplane.open({ instance: `test-md-${process.pid}`, macTableSize: 8192 });
  const m = dp.maps;
  m.config.put(0, { ...BASE_CONFIG, version: 1 });
  m.vteps.put(1, { addr: '192.0.2.1', gateway: '0.0.0.0', netmask: '255.255.255.0', ifindex: ns.ifindex('up0'), mac: ns.mac('up0'), mtu: 1500, flags: 0 });
  m.segments.put(VNI, { vni: VNI, mode: FloodMode.Unicast, vtepSlot: 1, group: '0.0.0.0', statsSlot: 0 });
  m.ports.put(port, { vni: VNI, flags: 0, icmpLastNs: 0n, ...PORT_OPEN });
  // One learn event per new source MAC; nothing reads vx_events, so it fills up.
  const prog = dp.progFd('from-port', 'from_port');
  const hex = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
  for (let i = 0; i < LEARNED; i++) {
    const frame = pingFrame({ dstMac: '02:00:00:00:ff:ff', srcMac: `02:00:00:01:${hex(i >> 8)}:${hex(i)}`, src: '198.51.100.1', dst: '198.51.100.2' });
    native().progTestRun(prog, { data: frame, ctx: skbCtx(port), dataSizeOut: frame.length + 512 });
  }
});

afterAll(() => {
  if (dp) {
    dp.close();
    Dataplane.removePins(dp.instance);
  }
  ns?.delete();
});

describe('dataplane metrics', () => {
  it('events that found the ring buffer full are counted', async () => {
    // A record is the event behind an 8-byte header, 8-byte aligned: the ring (max_entries =
    // bytes) holds this many, and every later learn loses its event.
    const ringBytes = native().mapInfo(dp.maps.eventsFd).maxEntries;
    const held = Math.floor(ringBytes / (Math.ceil(macEventCodec.size / 8) * 8 + 8));
    const text = await new VemMetrics(dp.maps, health).scrape();
    expect(sample(text, 'vxvem_vni_learned_total', `vni="${VNI}"`)).toBe(LEARNED);
    expect(sample(text, 'vxvem_events_lost_total')).toBe(LEARNED - held);
  });

  it('map fill and capacity, for every hash map', async () => {
    dp.maps.drops.putAll({ vni: 7777, reason: 3 }, 1n);
    const text = await new VemMetrics(dp.maps, health).scrape();
    const fill = (map: string) => [sample(text, 'vxvem_map_entries', `map="${map}"`), sample(text, 'vxvem_map_capacity', `map="${map}"`)];
    expect(fill('vx_macs')).toEqual([LEARNED, 8192]);
    expect(fill('vx_segments')).toEqual([1, 16384]);
    expect(fill('vx_ports')).toEqual([1, 4096]);
    expect(fill('vx_counters')).toEqual([1, 16384]);
    expect(fill('vx_drops')).toEqual([1, 65536]);
    for (const map of ['vx_neigh', 'vx_flood', 'vx_seg_ports', 'vx_groups']) expect(fill(map)[0], map).toBe(0);
  });

  it('agent families: info labelled vem (not instance), reload failures, ports waiting', async () => {
    const text = await new VemMetrics(dp.maps, health).scrape();
    expect(sample(text, 'vxvem_agent_info', 'mode="file",vem="h-test",version="9.9.9"')).toBe(1);
    expect(text).not.toMatch(/\binstance="/);
    expect(sample(text, 'vxvem_agent_reload_failures_total')).toBe(2);
    expect(sample(text, 'vxvem_agent_ports_waiting')).toBe(1);
  });

  it('beyond --metrics-max-vnis, VNIs are summed under vni="other"', async () => {
    const c = { rxPackets: 1n, rxBytes: 100n, txPackets: 2n, txBytes: 200n, floodPackets: 0n, learned: 0n, moves: 0n };
    for (const vni of [6001, 6002, 6003]) dp.maps.counters.putAll(vni, c);
    const text = await new VemMetrics(dp.maps, health, { maxVnis: 2 }).scrape();
    const vnis = new Set([...text.matchAll(/^vxvem_vni_packets_total\{vni="(\w+)"/gm)].map((m) => m[1]));
    expect([...vnis].sort()).toEqual(['5000', '6001', 'other']);
    // putAll wrote the counters to every CPU's slot.
    expect(sample(text, 'vxvem_vni_packets_total', 'vni="other",direction="tx"')).toBe(2 * 2 * dp.maps.counters.cpus);
    expect(sample(text, 'vxvem_drops_total', 'vni="other",reason="unknown_vni"')).toBe(dp.maps.drops.cpus);
    expect(sample(text, 'vxvem_vni_learned_total', `vni="${VNI}"`)).toBe(LEARNED);
  });
});
