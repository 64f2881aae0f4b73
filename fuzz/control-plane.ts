// The control-plane fuzzer: the VSM's admin and VEM gRPC services and its Neutron API fed
// malformed, oversized and out-of-order messages from a seeded generator (fuzz/control-plane/).
// Run by `npm run fuzz` (fuzz/main.ts) or alone: `npx tsx fuzz/control-plane.ts [--messages N] [--seed S]`.
import { pathToFileURL } from 'node:url';
import { parseFuzzArgs } from './cli.js';
import { fuzzControlPlane, type ControlPlaneFuzzOptions, type ControlPlaneFuzzResult } from './control-plane/runner.js';

export { fuzzControlPlane, type ControlPlaneFuzzResult };

export function controlPlaneSummary(r: ControlPlaneFuzzResult): string[] {
  return [
    `control-plane fuzz, seed ${r.seed}: ${r.sent} messages in ${r.seconds.toFixed(1)} s; ${r.refused} of ${r.malformed} malformed ones refused${r.restarts ? `; the VSM was restarted ${r.restarts} time(s)` : ''}`,
    `  answers: ${r.answers.toString()}`,
    r.findings.total ? `${r.findings.total} finding(s):` : 'no findings',
    ...r.findings.lines(),
  ];
}

export async function runControlPlane(o: ControlPlaneFuzzOptions): Promise<ControlPlaneFuzzResult> {
  const r = await fuzzControlPlane(o);
  for (const line of controlPlaneSummary(r)) console.log(line);
  return r;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const a = parseFuzzArgs(process.argv.slice(2));
  console.log(`control-plane fuzz: seed ${a.seed}, ${a.messages} messages`);
  const r = await runControlPlane({ messages: a.messages, seed: a.seed, log: (l) => console.log(l) });
  process.exit(r.findings.total ? 1 : 0);
}
