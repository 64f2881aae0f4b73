// The fuzzers' command line: `--frames N` (per program), `--messages N`, `--seed S`,
// `--program a,b` (dataplane programs), `--only dataplane|control-plane`.
import { parseSeed } from './rng.js';
import { PROGRAMS, type Program } from './dataplane/judge.js';

export interface FuzzArgs {
  frames: number;
  messages: number;
  seed: number;
  programs: Program[];
  only?: 'dataplane' | 'control-plane';
}

export const DEFAULT_FRAMES = 1_000_000;
export const DEFAULT_MESSAGES = 3000;

export function parseFuzzArgs(argv: string[]): FuzzArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--(frames|messages|seed|program|only)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a} (--frames N, --messages N, --seed S, --program ${PROGRAMS.join(',')}, --only dataplane|control-plane)`);
    const v = m[2] ?? argv[++i];
    if (v === undefined) throw new Error(`--${m[1]} needs a value`);
    flags.set(m[1]!, v);
  }
  const count = (name: string, d: number): number => {
    const v = flags.get(name);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} ${v}: a positive integer`);
    return n;
  };
  const programs = (flags.get('program')?.split(',') ?? PROGRAMS) as Program[];
  const unknown = programs.filter((p) => !PROGRAMS.includes(p));
  if (unknown.length) throw new Error(`--program ${unknown.join(',')}: one of ${PROGRAMS.join(', ')}`);
  const only = flags.get('only');
  if (only !== undefined && only !== 'dataplane' && only !== 'control-plane') throw new Error(`--only ${only}: dataplane or control-plane`);
  return { frames: count('frames', DEFAULT_FRAMES), messages: count('messages', DEFAULT_MESSAGES), seed: parseSeed(flags.get('seed')), programs, ...(only ? { only } : {}) };
}
