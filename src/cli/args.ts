// What a command's action gets from the command line (src/cli/define.ts fills it from commander's
// parse): the flags that were given, by their long name without the dashes, and the positionals.
// A flag absent from `flags` was not given; defaults are the command's own business.

/** A command line that cannot be run as written: exit 2 with one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagValue = string | boolean | string[];

export interface Parsed {
  flags: Map<string, FlagValue>;
  positionals: string[];
}

/** A Parsed made in code, for a command that runs another in the same process (the lab, the demo). */
export function parsedOf(flags: Record<string, FlagValue | undefined>, positionals: string[] = []): Parsed {
  return { flags: new Map(Object.entries(flags).filter((e): e is [string, FlagValue] => e[1] !== undefined)), positionals };
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
