// Plain aligned tables for humans; --json gives the same rows to machines.
export function printTable(rows: Record<string, string | number>[], out: (s: string) => void = console.log): void {
  if (!rows.length) {
    out('(none)');
    return;
  }
  // Rows may mix shapes (counters then drops): print one table per shape.
  const groups = new Map<string, Record<string, string | number>[]>();
  for (const r of rows) {
    const k = Object.keys(r).join(',');
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  let first = true;
  for (const [keys, group] of groups) {
    if (!first) out('');
    first = false;
    const cols = keys.split(',');
    // camelCase keys (the --json names) become headers with hyphens: appliedRevision -> APPLIED-REVISION.
    const heads = cols.map((c) => c.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toUpperCase());
    const widths = cols.map((c, i) => Math.max(heads[i]!.length, ...group.map((r) => String(r[c]).length)));
    out(heads.map((h, i) => h.padEnd(widths[i]!)).join('  ').trimEnd());
    for (const r of group) out(cols.map((c, i) => String(r[c]).padEnd(widths[i]!)).join('  ').trimEnd());
  }
}
