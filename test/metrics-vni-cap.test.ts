// The cap on per-VNI series: which VNIs keep series of their own, and what "other" sums.
import { describe, expect, it } from 'vitest';
import { OTHER_VNI, VniCap, labelReading } from '../src/agent/vni-cap.js';
import type { SegmentTotals } from '../src/maps/totals.js';

const totals = (n: number): SegmentTotals => ({ rxPackets: n, rxBytes: n * 100, txPackets: 2 * n, txBytes: n * 200, floodPackets: n, learned: n, moves: 0 });

describe('VniCap', () => {
  it('under the cap every VNI is its own', () => {
    const cap = new VniCap(3);
    cap.select([5000, 6000], [7777]);
    expect(cap.uncapped).toBe(true);
    expect([5000, 6000, 7777, 0].map((v) => cap.label(v))).toEqual(['5000', '6000', '7777', '0']);
  });

  it('over the cap: bound VNIs first, lowest first; drop-only VNIs in the room left; VNI 0 always', () => {
    const cap = new VniCap(3);
    cap.select([30, 10, 20, 40], [1, 2]);
    expect(cap.uncapped).toBe(false);
    expect([10, 20, 30, 40, 1, 2, 0].map((v) => cap.label(v))).toEqual(['10', '20', '30', OTHER_VNI, OTHER_VNI, OTHER_VNI, '0']);
    const roomy = new VniCap(3);
    roomy.select([10, 0], [9, 8, 7]);
    expect([10, 7, 8, 9, 0].map((v) => roomy.label(v))).toEqual(['10', '7', '8', OTHER_VNI, '0']);
  });

  it('a VNI that had its own series keeps it when a lower one arrives; a freed slot goes to the lowest waiting', () => {
    const cap = new VniCap(2);
    cap.select([50, 60], []);
    cap.select([10, 50, 60], []);
    expect([10, 50, 60].map((v) => cap.label(v))).toEqual([OTHER_VNI, '50', '60']);
    cap.select([10, 20, 60], []);
    expect([10, 20, 60].map((v) => cap.label(v))).toEqual(['10', OTHER_VNI, '60']);
  });

  it('cap 0: everything but VNI 0 is summed', () => {
    const cap = new VniCap(0);
    cap.select([5], [6, 0]);
    expect([5, 6, 0].map((v) => cap.label(v))).toEqual([OTHER_VNI, OTHER_VNI, '0']);
  });
});

describe('labelReading', () => {
  it('sums counters, drops per reason and MAC entries per kind under "other"', () => {
    const cap = new VniCap(1);
    const counters = new Map([[10, totals(1)], [20, totals(2)], [30, totals(4)]]);
    const drops = [{ vni: 20, reason: 3, packets: 5 }, { vni: 30, reason: 3, packets: 7 }, { vni: 30, reason: 6, packets: 1 }, { vni: 0, reason: 3, packets: 2 }];
    const macs = [{ vni: 10, kind: 'local' as const, entries: 1 }, { vni: 20, kind: 'remote' as const, entries: 3 }, { vni: 30, kind: 'remote' as const, entries: 4 }];
    cap.select(counters.keys(), drops.map((d) => d.vni));
    const r = labelReading(cap, counters, drops, macs);
    expect(r.counters).toEqual([['10', totals(1)], [OTHER_VNI, totals(6)]]);
    expect(counters.get(20)).toEqual(totals(2)); // the reading is not modified
    expect(r.drops).toEqual([{ vni: '0', reason: 3, packets: 2 }, { vni: OTHER_VNI, reason: 3, packets: 12 }, { vni: OTHER_VNI, reason: 6, packets: 1 }]);
    expect(r.macs).toEqual([{ vni: '10', kind: 'local', entries: 1 }, { vni: OTHER_VNI, kind: 'remote', entries: 7 }]);
  });
});
