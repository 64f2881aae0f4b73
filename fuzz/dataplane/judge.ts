// What the oracles share: the frame and what the run did (verdict, output, drop and counter
// deltas), the state before the frame as the rules need it, and a Judge that collects the
// problems and says which map changes the frame may have made.
import { dropLabel } from '../../src/maps/drop-reasons.js';
import type { MapName } from '../../src/maps/tables.js';
import type { TunnelKey } from './frames.js';
import type { Scenario } from './scenario.js';
import type { Change } from './snapshot.js';

export { TC_ACT_OK, TC_ACT_REDIRECT, TC_ACT_SHOT, XDP_DROP, XDP_PASS, XDP_REDIRECT } from '../../testbed/packet-fixture.js';

export type Program = 'from_port' | 'from_uplink' | 'xdp_uplink' | 'from_tunnel';
export const PROGRAMS: Program[] = ['from_port', 'from_uplink', 'xdp_uplink', 'from_tunnel'];

export interface Frame {
  program: Program;
  index: number;
  data: Buffer;
  ifindex: number;
  label: string;
  gsoSize?: number;
  key?: TunnelKey;
}

/** Indexes into the summed seg_counters fields. */
export const RX_PACKETS = 0, RX_BYTES = 1, TX_PACKETS = 2, FLOOD = 4, LEARNED = 5, MOVES = 6;

export interface Run {
  verdict: number;
  out: Buffer;
  drops: { vni: number; reason: number; n: bigint }[];
  /** Per VNI whose counters moved: the seven seg_counters fields' deltas. */
  counters: Map<number, bigint[]>;
}

/** A MAC table entry as the rules see it (learned first, then static). */
export interface MacView {
  kind: number; // MacKind
  flags: number;
  ifindex: number;
  vtep: number;
  static: boolean;
}

/** The state before the frame, as far as the rules need it. */
export interface World {
  sc: Scenario;
  mac(vni: number, mac: Buffer): MacView | undefined;
  /** Learned MACs the port holds (vx_port_state). */
  portMacs(ifindex: number): number;
  /** The next-hop MAC vx_neigh holds for an address on the uplink. */
  neighbour(addr: number): string | undefined;
}

type Allow = (c: Change) => string | undefined;

export class Judge {
  readonly problems: string[] = [];
  /** The frame may have changed nothing but one drop counter: the other maps need not be read. */
  quiet = false;
  private readonly allowed = new Map<MapName, Allow>();
  /** Keys the frame may have changed: read one by one after it (the rest waits for the next full check). */
  readonly touched: [MapName, Buffer][] = [];

  constructor(readonly f: Frame, readonly r: Run) {
    // Events the ring buffer had no room for: documented to be counted, never to go down.
    this.allow('vx_events_lost', (c) => (c.before && c.after && c.after.readBigUInt64LE(0) >= c.before.readBigUInt64LE(0) ? undefined : 'vx_events_lost went down'));
  }

  check(ok: boolean, problem: string): boolean {
    if (!ok) this.problems.push(problem);
    return ok;
  }

  /** Changes `map` may show after this frame (of `keys`, read after it); anything else there is a problem. */
  allow(map: MapName, f: Allow, ...keys: Buffer[]): void {
    this.allowed.set(map, f);
    for (const k of keys) this.touched.push([map, k]);
  }

  /** What is wrong with a change seen in `map` (undefined: allowed). */
  judgeChange(map: MapName, c: Change): string | undefined {
    const f = this.allowed.get(map);
    if (!f) return `${map} changed (${describe(c)}) by a frame that may change nothing there`;
    return f(c);
  }

  get dropTotal(): bigint {
    return this.r.drops.reduce((s, d) => s + d.n, 0n);
  }

  /** Exactly one drop counted, under (vni, reason). */
  oneDrop(vni: number, reason: string): boolean {
    const d = this.r.drops;
    return this.check(d.length === 1 && d[0]!.n === 1n && d[0]!.vni === vni && dropLabel(d[0]!.reason) === reason,
      `expected one drop ${vni}/${reason}, counted ${drops(this.r)}`);
  }

  noDrop(): boolean {
    return this.check(this.r.drops.length === 0, `no drop expected, counted ${drops(this.r)}`);
  }

  /**
   * The frame's drop (a reason label and VNI), or undefined; a flood copy that could not be sent
   * is counted apart (redirect_failed, see failedCopies) and is not the frame's drop.
   */
  theDrop(): { vni: number; reason: string } | undefined {
    const d = this.r.drops.filter((x) => dropLabel(x.reason) !== 'redirect_failed');
    if (!d.length) return undefined;
    if (!this.check(d.length === 1 && d[0]!.n === 1n, `one frame counted ${drops(this.r)}: a drop is counted under exactly one reason`)) return undefined;
    return { vni: d[0]!.vni, reason: dropLabel(d[0]!.reason) };
  }

  /** Flood copies to local ports that could not be sent (each counted as redirect_failed). */
  get failedCopies(): bigint {
    return this.r.drops.filter((x) => dropLabel(x.reason) === 'redirect_failed').reduce((s, x) => s + x.n, 0n);
  }

  /** Counters moved only for `vni` (or nowhere), each field only up, within `max` per field. */
  counters(vni: number | undefined, max: Partial<Record<number, bigint>>): void {
    for (const [k, delta] of this.r.counters) {
      if (!this.check(k === vni, `counters of VNI ${k} moved (${delta.join(',')}), frame of VNI ${vni ?? 'none'}`)) continue;
      delta.forEach((d, i) => {
        this.check(d >= 0n, `counter field ${i} of VNI ${k} went down by ${-d}`);
        const m = max[i];
        if (m !== undefined) this.check(d <= m, `counter field ${i} of VNI ${k} moved by ${d}, at most ${m}`);
      });
    }
  }

  delta(vni: number, field: number): bigint {
    return this.r.counters.get(vni)?.[field] ?? 0n;
  }

  /** The output equals the input: nothing was rewritten. */
  unchanged(): boolean {
    return this.check(this.r.out.equals(this.f.data), `frame rewritten (${this.r.out.length} bytes out of ${this.f.data.length}) by a verdict that leaves it alone`);
  }
}

export function drops(r: Run): string {
  return r.drops.length ? r.drops.map((d) => `${d.vni}/${dropLabel(d.reason)}+${d.n}`).join(' ') : 'none';
}

function describe(c: Change): string {
  return `key ${c.key.toString('hex')}: ${c.before?.toString('hex') ?? 'absent'} -> ${c.after?.toString('hex') ?? 'absent'}`;
}

export function macText(b: Buffer, at = 0): string {
  return [...b.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export const isMulticast = (b: Buffer, at: number): boolean => (b[at]! & 1) === 1;

/** The key bytes of vx_macs for (vni, mac at b[at..at+6]). */
export function macKey(vni: number, b: Buffer, at: number): Buffer {
  const k = Buffer.alloc(12);
  k.writeUInt32LE(vni, 0);
  b.copy(k, 4, at, at + 6);
  return k;
}

/** A mac_entry value decoded (kind, flags, ifindex, vtep in host order). */
export function macEntry(v: Buffer): { kind: number; flags: number; ifindex: number; vtep: number } {
  return { kind: v[0]!, flags: v[1]!, ifindex: v.readUInt32LE(4), vtep: v.readUInt32BE(8) };
}
