// A small seeded PRNG for the fuzzers: xoshiro128** seeded through splitmix32, so that a run is
// the same on every machine for the same seed, and any one item (frame or message) can be made
// again from (seed, stream, index) alone, without replaying the generator up to it.

/** splitmix32: spreads a 32-bit state; used to seed the generator's four words. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [s, (z ^ (z >>> 16)) >>> 0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** The generator of item `index` of `stream` under `seed` (each an unsigned 32-bit integer). */
  constructor(seed: number, stream = 0, index = 0) {
    let s = (seed ^ Math.imul(stream + 1, 0x27d4eb2f) ^ Math.imul(index + 1, 0x165667b1)) | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(s);
      s = next;
      words.push(out);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    if (!(this.a | this.b | this.c | this.d)) this.a = 1; // the all-zero state never leaves zero
  }

  /** 32 random bits, unsigned. */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.u32() / 0x100000000) * n);
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** One of `choices`, each [weight, value]. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((s, [w]) => s + w, 0);
    let x = this.u32() / 0x100000000 * total;
    for (const [w, v] of choices) {
      if (x < w) return v;
      x -= w;
    }
    return choices[choices.length - 1]![1];
  }

  /** n random bytes: drawn one by one up to 16; beyond, a copy of a fixed random pool from a random offset (payloads need no more). */
  bytes(n: number): Buffer {
    if (n > 16 && n <= POOL_SIZE / 2) {
      const at = this.below(POOL_SIZE - n);
      return Buffer.from(pool().subarray(at, at + n));
    }
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}

const POOL_SIZE = 1 << 16;
let poolBytes: Buffer | undefined;

/** The same 64 KiB on every run (its own fixed seed), so that frames depend on the run's seed alone. */
function pool(): Buffer {
  if (!poolBytes) {
    const r = new Rng(0x5eed5eed);
    poolBytes = Buffer.allocUnsafe(POOL_SIZE);
    for (let i = 0; i < POOL_SIZE; i += 4) poolBytes.writeUInt32LE(r.u32(), i);
  }
  return poolBytes;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed from the command line (decimal or 0x hex), or a fresh one. */
export function parseSeed(s: string | undefined): number {
  if (s === undefined) return (Date.now() ^ (process.pid << 16)) >>> 0;
  const v = Number(s);
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`--seed ${s}: an integer 0..4294967295`);
  return v >>> 0;
}
