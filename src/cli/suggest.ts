// "Did you mean": the closest of the valid names to a mistyped one, by edit distance (insert,
// delete, substitute, swap two neighbours), if it is close enough to be what was meant.

function distance(a: string, b: string): number {
  // d[i][j]: edits from a's first i characters to b's first j.
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + same);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate nearest `typed`, or undefined when none is within a third of its length (at least 1, at most 3 edits) or starts with it. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const strip = (s: string): string => s.replace(/^--?/, '');
  const t = strip(typed);
  const limit = Math.min(3, Math.max(1, Math.floor(t.length / 3)));
  let best: { name: string; d: number } | undefined;
  for (const c of new Set(candidates)) {
    // A name cut short (--lis) is meant as the one it starts.
    const d = t.length >= 2 && strip(c).startsWith(t) ? 1 : distance(t, strip(c));
    if (d <= limit && (!best || d < best.d)) best = { name: c, d };
  }
  return best?.name;
}
