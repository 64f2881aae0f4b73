// `npm run fuzz`: the control-plane fuzzer, then the dataplane fuzzer (1,000,000 frames per
// program by default), one seed for both, printed so that any finding can be made again.
// Exit 1 on any finding. Flags: --frames N --messages N --seed S --program P,... --only dataplane|control-plane
import { parseFuzzArgs } from './cli.js';
import { runControlPlane } from './control-plane.js';
import { runDataplane } from './dataplane.js';

const a = parseFuzzArgs(process.argv.slice(2));
console.log(`fuzz: seed ${a.seed}${a.only ? `, ${a.only} only` : ''}`);
let findings = 0;
// The control plane first: the dataplane fuzzer moves this thread into a network namespace of its own.
if (a.only !== 'dataplane') findings += (await runControlPlane({ messages: a.messages, seed: a.seed, log: (l) => console.log(l) })).findings.total;
if (a.only !== 'control-plane') {
  console.log(`dataplane: ${a.frames} frames per program (${a.programs.join(', ')})`);
  findings += (await runDataplane({ frames: a.frames, seed: a.seed, programs: a.programs, log: (l) => console.log(l) })).findings.total;
}
console.log(findings ? `${findings} finding(s), seed ${a.seed}` : `no findings, seed ${a.seed}`);
process.exit(findings ? 1 : 0);
