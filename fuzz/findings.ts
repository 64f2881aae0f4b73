// What a fuzzer found: rule violations, each kept once per (where, rule) with how often it
// happened and the first item that showed it, with what it takes to make that item again.

export interface Finding {
  /** The program or service the item went to. */
  target: string;
  /** The rule broken, short and stable (the key findings are grouped by). */
  rule: string;
  /** What was seen, for a person. */
  detail: string;
  seed: number;
  /** The item's index in its target's stream: with the seed, it makes the same item again. */
  index: number;
  /** The item itself (a frame's or message's bytes), hex. */
  hex?: string;
  /** A command that runs the same stream up to this item. */
  replay: string;
}

export class Findings {
  private readonly first = new Map<string, Finding>();
  private readonly counts = new Map<string, number>();

  add(f: Finding): void {
    const key = `${f.target}: ${f.rule}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (!this.first.has(key)) this.first.set(key, f);
  }

  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** One entry per (target, rule): the first item that broke it, and how many did. */
  list(): (Finding & { count: number })[] {
    return [...this.first].map(([k, f]) => ({ ...f, count: this.counts.get(k)! }));
  }

  lines(): string[] {
    const out: string[] = [];
    for (const f of this.list()) {
      out.push(`FINDING ${f.target}: ${f.rule} (${f.count}x); first: item ${f.index}, seed ${f.seed}`);
      out.push(`  ${f.detail}`);
      if (f.hex !== undefined) out.push(`  hex ${f.hex.length > 4000 ? `${f.hex.slice(0, 4000)}... (${f.hex.length / 2} bytes)` : f.hex}`);
      out.push(`  replay: ${f.replay}`);
    }
    return out;
  }
}

/** A histogram of labels, printed most frequent first. */
export class Histogram {
  private readonly m = new Map<string, number>();

  add(label: string, n = 1): void {
    this.m.set(label, (this.m.get(label) ?? 0) + n);
  }

  entries(): [string, number][] {
    return [...this.m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }

  toString(): string {
    return this.entries().map(([k, v]) => `${k} ${v}`).join(', ') || '-';
  }
}
