// `npm run bench [-- --quick] [-- --rounds N]`: every benchmark, each in its own process (the
// end-to-end one twice: underlay GRO off, then on, as real NICs have it), then one summary
// (bench/results/summary.md) of what they wrote, and its charts (bench/results/*.svg, bench/charts.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { REPO, benchOptions } from './lib.js';

const o = benchOptions();
const flags = [...(o.quick ? ['--quick'] : []), '--rounds', String(o.rounds)];
const t0 = Date.now();

function run(script: string, args: string[]): void {
  console.error(`== ${script} ${args.join(' ')}`);
  execFileSync('npx', ['tsx', join(REPO, 'bench', script), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
}

run('prog-run.ts', [o.quick ? '20000' : '1000000']);
run('e2e.ts', flags);
run('e2e.ts', [...flags, '--gro']);
run('flood.ts', flags);

const section = (name: string): string => {
  const f = join(REPO, 'bench', 'results', `${name}.md`);
  return existsSync(f) ? readFileSync(f, 'utf8').trim() : `(${name}: no results)`;
};
const summary = [
  `# vxvem benchmarks`,
  '',
  `${new Date().toISOString()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), kernel ${release()}, ${o.quick ? 'quick' : 'full'} run in ${Math.round((Date.now() - t0) / 1000)} s.`,
  '',
  section('e2e').replace(/^# .*/, '## End to end'),
  '',
  section('e2e-gro').replace(/^# .*/, '## End to end, GRO on the underlay'),
  '',
  section('flood').replace(/^# .*/, '## Flood replication'),
  '',
  section('prog-run').replace(/^# .*/, '## Program cost per packet'),
  '',
].join('\n');
writeFileSync(join(REPO, 'bench', 'results', 'summary.md'), summary);
console.log(summary);
run('charts.ts', []);
