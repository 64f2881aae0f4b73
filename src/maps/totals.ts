// The dataplane's figures for metrics: per-segment counters summed over CPUs, drops by (VNI,
// reason), MAC entries by (VNI, kind). Read as doubles from the raw bytes through the codecs:
// a scrape of thousands of segments (or a million MACs) must not decode whole structs.
import { MAC_F_STATIC, MacKind, macEntryCodec, macKeyCodec, segCountersCodec, type SegCounters } from './layout.js';
import type { DataplaneMaps } from './tables.js';

/** A segment's counters summed over CPUs; exact below 2^53 (beyond, as Prometheus's float64). */
export type SegmentTotals = Record<keyof SegCounters, number>;

export interface DropTotal {
  /** 0 when the VNI was not known. */
  vni: number;
  /** enum vxvem_drop_reason (labels in drop-reasons.ts). */
  reason: number;
  packets: number;
}

export type MacClass = 'local' | 'remote' | 'static';

export interface MacCount {
  vni: number;
  kind: MacClass;
  entries: number;
}

// struct seg_counters is __u64 counters only: word i of the value is at byte 8 * i.
const COUNTER_WORDS = segCountersCodec.fieldNames().map((f) => [f, segCountersCodec.offsetOf(f) / 8] as const);

/**
 * Per segment: its stats slot's counters plus any it has by VNI (counted before it had a slot, or
 * with the slots full). A removed segment's slot is no longer named by any value: not read.
 */
export function readSegmentTotals(maps: DataplaneMaps): Map<number, SegmentTotals> {
  const out = new Map<number, SegmentTotals>();
  const add = (vni: number, words: Float64Array): void => {
    const t = out.get(vni) ?? (Object.fromEntries(COUNTER_WORDS.map(([f]) => [f, 0])) as SegmentTotals);
    for (const [f, w] of COUNTER_WORDS) t[f] += words[w]!;
    out.set(vni, t);
  };
  for (const [vni, words] of maps.counters.wordSums()) add(vni, words);
  for (const [vni, seg] of maps.segments.entries()) {
    const words = seg.statsSlot ? maps.segStats.wordSum(seg.statsSlot) : undefined;
    if (words) add(vni, words);
  }
  return out;
}

/** DHCP replies a segment's ports were sent, by type. */
export interface DhcpTotals {
  offers: number;
  acks: number;
  naks: number;
}

export function readDhcpTotals(maps: DataplaneMaps): Map<number, DhcpTotals> {
  const out = new Map<number, DhcpTotals>();
  for (const [vni, w] of maps.dhcpCounters.wordSums()) out.set(vni, { offers: w[0]!, acks: w[1]!, naks: w[2]! });
  return out;
}

export function readDropTotals(maps: DataplaneMaps): DropTotal[] {
  const out: DropTotal[] = [];
  for (const [k, words] of maps.drops.wordSums()) out.push({ vni: k.vni, reason: k.reason, packets: words[0]! });
  return out;
}

const CLASSES: MacClass[] = ['local', 'remote', 'static'];

function classIndex(kind: number, flags: number): number {
  if (flags & MAC_F_STATIC) return 2;
  return kind === MacKind.Local ? 0 : 1;
}

const keyVni = macKeyCodec.reader('vni');
const entryKind = macEntryCodec.reader('kind');
const entryFlags = macEntryCodec.reader('flags');

/**
 * Counts MAC entries per (VNI, kind), learned and static tables both. A table can hold a
 * million entries (about a second to read), so the scan yields to the event loop every
 * `yieldEvery` entries.
 */
export async function countMacs(maps: DataplaneMaps, yieldEvery = 16384): Promise<MacCount[]> {
  const counts = new Map<number, number>(); // vni * 3 + class index
  let n = 0;
  for (const table of [maps.macs, maps.staticMacs]) {
    for (const [k, v] of table.rawEntries()) {
      const id = keyVni(k) * 3 + classIndex(entryKind(v), entryFlags(v));
      counts.set(id, (counts.get(id) ?? 0) + 1);
      if (++n % yieldEvery === 0) await new Promise((r) => setImmediate(r));
    }
  }
  return [...counts].map(([id, entries]) => ({ vni: Math.floor(id / 3), kind: CLASSES[id % 3]!, entries }));
}

/** How full a hash map is: entries present against the capacity it was created with. */
export interface MapFill {
  /** The map's name in bpf/lib/maps.h. */
  map: string;
  entries: number;
  capacity: number;
}

/** Counts a map's entries by batch reads (one syscall per 8192 entries). */
function countEntries(m: { name: string; info: { maxEntries: number }; rawEntries(): Iterable<unknown> }): MapFill {
  let entries = 0;
  for (const _ of m.rawEntries()) entries++;
  return { map: m.name, entries, capacity: m.info.maxEntries };
}

/**
 * Fill of the tables written by the agent (and vx_neigh, which the uplink program also fills,
 * and vx_port_state, which the port program fills).
 * vx_macs, vx_counters and vx_drops are not here: metrics reads them whole anyway.
 */
export function readTableFill(maps: DataplaneMaps): MapFill[] {
  return [
    maps.segments, maps.ports, maps.neigh, maps.flood, maps.segPorts, maps.groups,
    maps.staticMacs, maps.portState, maps.portAddrs, maps.peers, maps.trusted, maps.dhcp,
  ].map(countEntries);
}

/** Learn, move and next-hop events the programs dropped because the ring buffer was full. */
export function readEventsLost(maps: DataplaneMaps): number {
  return Number(maps.eventsLost.get(0) ?? 0n);
}
