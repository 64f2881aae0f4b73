// A small argument parser: `--flag value`, `--flag=value`, boolean switches, positionals.
// Unknown flags and missing values are UsageErrors (exit 2 with one clear line).

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FlagSpec {
  /** 'string' takes a value; 'boolean' is a switch; 'list' may repeat. */
  kind: 'string' | 'boolean' | 'list';
}

export interface Parsed {
  flags: Map<string, string | boolean | string[]>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): Parsed {
  const flags = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--') || a === '--') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    if (s.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (s.kind === 'list') flags.set(name, [...((flags.get(name) as string[] | undefined) ?? []), value]);
    else flags.set(name, value);
  }
  return { flags, positionals };
}

export function flagString(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagInt(p: Parsed, name: string, min: number, max: number): number | undefined {
  const v = flagString(p, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name}: ${JSON.stringify(v)} is not an integer in ${min}..${max}`);
  return Number(v);
}
