// Plain aligned tables for humans; --json gives the same rows to machines, with their real types
// (numbers, booleans, arrays, null for nothing, timestamps as ISO 8601 text).
export type Cell = string | number | boolean | null | readonly (string | number)[] | readonly Row[];
export interface Row { [key: string]: Cell }

/** A cell as the table shows it: a list comma-separated, nothing empty, yes/no. */
export function cellText(v: Cell | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map((x: string | number | Row) => (typeof x === 'object' ? JSON.stringify(x) : x)).join(',');
  return String(v);
}

export function printTable(rows: readonly Row[], out: (s: string) => void = console.log): void {
  if (!rows.length) {
    out('(none)');
    return;
  }
  // Rows may mix shapes: print one table per shape.
  const groups = new Map<string, Row[]>();
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
    const cells = group.map((r) => cols.map((c) => cellText(r[c])));
    // A loop, not Math.max(...): a MAC table has hundreds of thousands of rows.
    const widths = heads.map((h) => h.length);
    for (const r of cells) r.forEach((c, i) => (widths[i] = Math.max(widths[i]!, c.length)));
    out(heads.map((h, i) => h.padEnd(widths[i]!)).join('  ').trimEnd());
    for (const r of cells) out(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  }
}

/** Rows as the command prints them: JSON with `--json`, a table otherwise. */
export function printRows(rows: readonly Row[], json: boolean, out: (s: string) => void = console.log): void {
  if (json) out(JSON.stringify(rows, null, 2));
  else printTable(rows, out);
}
