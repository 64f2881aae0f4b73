// vxvem: one binary, subcommands (program.ts defines them, commander parses them). Exit codes:
// 0 done, 1 failed, 2 usage (UsageError: one line on stderr, nothing done).
import { LOG_FORMATS, setLogFormat, type LogFormat } from '../common/log.js';
import { UsageError } from './args.js';
import { HelpShown, exitCode } from './define.js';
import { program } from './program.js';

/** `--log-format text|json`, wherever it stands: the format of the log of whichever command runs. */
function takeLogFormat(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a !== '--log-format' && !a.startsWith('--log-format=')) {
      rest.push(a);
      continue;
    }
    const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
    if (!LOG_FORMATS.includes(v as LogFormat)) throw new UsageError(`--log-format: expected ${LOG_FORMATS.join(' or ')}, got ${JSON.stringify(v ?? '')}`);
    setLogFormat(v as LogFormat);
  }
  return rest;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(takeLogFormat(argv), { from: 'user' });
  } catch (e) {
    if (e instanceof HelpShown) return 0;
    throw e;
  }
  return exitCode();
}

main(process.argv.slice(2)).then(
  // Exit once stdout has taken everything: a long list written to a pipe is still queued here.
  (code) => void process.stdout.write('', () => process.exit(code)),
  async (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    // A VSM that does not answer: one line, not gRPC's text (the module is loaded only then).
    const v = e.name === 'VsmCallError' ? await import('./vsm-errors.js') : undefined;
    const line = v?.unreachableLine(e, v.vsmFlag(process.argv.slice(2)));
    process.stderr.write(`vxvem: ${line ?? e.message}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
