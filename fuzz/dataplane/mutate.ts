// Breaking valid frames the ways the wire and a hostile VM break them: truncated at any length,
// bits flipped in the headers, lengths, checksums and IHL made wrong, fragments, VLAN tags
// inserted, multicast and broadcast MACs, bytes spliced in or appended.
import { csum16 } from '../../testbed/packets.js';
import type { Rng } from '../rng.js';
import type { Made } from './frames.js';

/** The smallest frame BPF_PROG_TEST_RUN takes (an Ethernet header). */
export const MIN_FRAME = 14;
/** The largest frame it takes in one page with the headroom the programs need. */
export const MAX_FRAME = 3000;

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x45, 0x4f, 0x40, 0x08, 0x11, 0x06, 0x3a, 0x81, 0x86, 0xdd];

type Mutation = (rng: Rng, d: Buffer, ipAt: number[]) => Buffer;

const ipField = (d: Buffer, ipAt: number[], rng: Rng): number | undefined => {
  const at = ipAt.filter((o) => o + 20 <= d.length);
  return at.length ? rng.pick(at) : undefined;
};

const MUTATIONS: [number, string, Mutation][] = [
  [6, 'truncate', (rng, d) => d.subarray(0, rng.int(MIN_FRAME, Math.max(MIN_FRAME, d.length - 1)))],
  [5, 'bitflip', (rng, d) => {
    const i = rng.below(Math.min(d.length, rng.chance(0.8) ? 120 : d.length));
    d[i]! ^= 1 << rng.below(8);
    return d;
  }],
  [3, 'byte', (rng, d) => {
    d[rng.below(Math.min(d.length, 120))] = rng.pick(INTERESTING);
    return d;
  }],
  [3, 'ihl', (rng, d, ipAt) => {
    const o = ipField(d, ipAt, rng);
    if (o !== undefined) d[o] = (d[o]! & 0xf0) | rng.below(16);
    return d;
  }],
  [2, 'version', (rng, d, ipAt) => {
    const o = ipField(d, ipAt, rng);
    if (o !== undefined) d[o] = (rng.below(16) << 4) | (d[o]! & 0x0f);
    return d;
  }],
  [3, 'ip-length', (rng, d, ipAt) => {
    const o = ipField(d, ipAt, rng);
    if (o !== undefined) d.writeUInt16BE(rng.pick([0, 20, d.length - o - 1, d.length - o + 1, 65535, rng.below(65536)]) & 0xffff, o + 2);
    return d;
  }],
  [2, 'ip-checksum', (rng, d, ipAt) => {
    const o = ipField(d, ipAt, rng);
    if (o !== undefined) d.writeUInt16BE(rng.below(65536), o + 10);
    return d;
  }],
  [2, 'fragment', (rng, d, ipAt) => {
    const o = ipField(d, ipAt, rng);
    if (o !== undefined) d.writeUInt16BE(rng.pick([0x2000, 0x0001, 0x2001, 0x4000, 0x1fff, rng.below(65536)]), o + 6);
    return d;
  }],
  [2, 'protocol', (rng, d, ipAt) => {
    const o = ipField(d, ipAt, rng);
    if (o !== undefined) d[o + 9] = rng.pick([1, 6, 17, 58, 0, 255, rng.below(256)]);
    return d;
  }],
  [2, 'udp-length', (rng, d, ipAt) => {
    const o = ipField(d, ipAt, rng);
    const l4 = o === undefined ? -1 : o + (d[o]! & 0x0f) * 4;
    if (l4 > 0 && l4 + 8 <= d.length) d.writeUInt16BE(rng.pick([0, 8, 16, 65535, rng.below(65536)]), l4 + 4);
    return d;
  }],
  [1, 'udp-port', (rng, d, ipAt) => {
    const o = ipField(d, ipAt, rng);
    const l4 = o === undefined ? -1 : o + (d[o]! & 0x0f) * 4;
    if (l4 > 0 && l4 + 8 <= d.length) d.writeUInt16BE(rng.pick([4789, 4790, 8472, 0, rng.below(65536)]), l4 + 2);
    return d;
  }],
  [2, 'mac-group', (rng, d) => {
    // Destination or source, outer or (VXLAN) inner, made multicast or broadcast.
    const at = rng.pick([0, 6, 50, 56].filter((x) => x + 6 <= d.length));
    if (rng.chance(0.5)) d.fill(0xff, at, at + 6);
    else d[at]! |= 1;
    return d;
  }],
  [2, 'vlan', (rng, d) => Buffer.concat([d.subarray(0, 12), Buffer.from([rng.pick([0x81, 0x88]), rng.pick([0x00, 0xa8]), rng.below(16), rng.below(256)]), d.subarray(12)])],
  [1, 'splice', (rng, d) => {
    const at = rng.below(d.length);
    rng.bytes(Math.min(rng.int(1, 16), d.length - at)).copy(d, at);
    return d;
  }],
  [1, 'append', (rng, d) => Buffer.concat([d, rng.bytes(rng.int(1, 64))])],
  [1, 'fix-ip-checksum', (rng, d, ipAt) => {
    // After other mutations: a header that is wrong but checksums right gets further.
    const o = ipField(d, ipAt, rng);
    if (o !== undefined && (d[o]! >> 4) === 4) {
      const len = Math.min((d[o]! & 0x0f) * 4, d.length - o);
      d.writeUInt16BE(0, o + 10);
      d.writeUInt16BE(csum16(d.subarray(o, o + Math.max(len, 20))), o + 10);
    }
    return d;
  }],
];

const CHOICES = MUTATIONS.map(([w], i) => [w, i] as const);

/** `made` with 1-3 mutations (its label says which); the frame stays within what a test run takes. */
export function mutate(rng: Rng, made: Made): Made {
  let d: Buffer = Buffer.from(made.data);
  const names: string[] = [];
  for (let n = rng.int(1, 3); n > 0; n--) {
    const [, name, f] = MUTATIONS[rng.weighted(CHOICES)]!;
    d = f(rng, d, made.ipAt);
    names.push(name);
  }
  if (d.length < MIN_FRAME) d = Buffer.concat([d, Buffer.alloc(MIN_FRAME - d.length)]);
  if (d.length > MAX_FRAME) d = d.subarray(0, MAX_FRAME);
  return { data: d, label: `${made.label} +${names.join('+')}`, ipAt: made.ipAt };
}
