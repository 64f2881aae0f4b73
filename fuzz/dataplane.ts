// The dataplane fuzzer: every BPF program of bpf/ fed seeded random and mutated frames through
// BPF_PROG_TEST_RUN, each run judged against docs/dataplane.md (fuzz/dataplane/). Run by
// `npm run fuzz` (fuzz/main.ts) or alone: `npx tsx fuzz/dataplane.ts [--frames N] [--seed S] [--program P,...]`.
import { pathToFileURL } from 'node:url';
import { parseFuzzArgs } from './cli.js';
import { fuzzDataplane, type DataplaneFuzzOptions, type DataplaneFuzzResult } from './dataplane/runner.js';

export { fuzzDataplane, type DataplaneFuzzResult };

/** The summary: frames, time, verdicts and drops per program, then the findings. */
export function dataplaneSummary(r: DataplaneFuzzResult): string[] {
  const out = [`dataplane fuzz, seed ${r.seed}: ${r.seconds.toFixed(1)} s`];
  for (const [program, s] of Object.entries(r.stats)) {
    out.push(`  ${program}: ${s.frames} frames in ${s.seconds.toFixed(1)} s (${Math.round(s.frames / Math.max(s.seconds, 1e-9))}/s)${s.refused ? `, ${s.refused} refused by the kernel` : ''}`);
    out.push(`    verdicts: ${s.verdicts.toString()}`);
    out.push(`    drops: ${s.drops.toString()}`);
  }
  out.push(r.findings.total ? `${r.findings.total} finding(s):` : 'no findings');
  out.push(...r.findings.lines());
  return out;
}

export async function runDataplane(o: DataplaneFuzzOptions): Promise<DataplaneFuzzResult> {
  const r = await fuzzDataplane(o);
  for (const line of dataplaneSummary(r)) console.log(line);
  return r;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const a = parseFuzzArgs(process.argv.slice(2));
  console.log(`dataplane fuzz: seed ${a.seed}, ${a.frames} frames per program (${a.programs.join(', ')})`);
  const r = await runDataplane({ frames: a.frames, seed: a.seed, programs: a.programs, log: (l) => console.log(l) });
  process.exit(r.findings.total ? 1 : 0);
}
