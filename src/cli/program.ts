// The vxvem command tree: every command and subcommand is a commander Command (define.ts) whose
// definition parses its command line and writes its --help, `vxvem help COMMAND...` and the
// shell completion. The command modules are imported only by the action that runs.
import type { Command } from 'commander';
import { LOG_FORMATS } from '../common/log.js';
import { packageVersion } from '../common/package.js';
import { UsageError, type Parsed } from './args.js';
import { completionScript } from './completion.js';
import { command, runs, sub } from './define.js';
import { closest } from './suggest.js';
import { adminCommands } from './tree/admin.js';
import { agentCommands } from './tree/agent.js';
import { labCommands } from './tree/lab.js';
import { vsmCommands } from './tree/vsm.js';

/** The root's flags that may stand anywhere on the command line (main.ts takes them out first). */
export const GLOBAL_FLAGS = ['--log-format'] as const;

/** The exit codes every command keeps to (docs/cli.md). */
export const EXIT_CODES: [number, string][] = [
  [0, 'done (`status`, `lab status`: nothing is wrong)'],
  [1, 'failed: the command ran and could not do it (`status`, `lab status`: something is wrong)'],
  [2, 'usage: the command line cannot be run as written; nothing was done'],
];

const FOOTER = `
Environment:
  VXVEM_LOG=debug|info|warn|error   the log's level (default info)

Exit codes:
${EXIT_CODES.map(([n, s]) => `  ${n}  ${s}`).join('\n')}

Every command has --help; \`vxvem help COMMAND...\` says the same. Completion: vxvem completion bash|zsh.`;

const print = (s: string): number => {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
  return 0;
};

/** `vxvem help [COMMAND...]`: the help of the command those words name. */
function help(root: Command, words: string[]): number {
  let c = root;
  for (const w of words) {
    const next = c.commands.find((x) => x.name() === w);
    if (!next) {
      const near = closest(w, c.commands.map((x) => x.name()));
      const path = [...words.slice(0, words.indexOf(w)), w].join(' ');
      throw new UsageError(`help: no command "${path}"${near ? ` (did you mean "${[...words.slice(0, words.indexOf(w)), near].join(' ')}"?)` : ''}`);
    }
    c = next;
  }
  c.outputHelp(); // with the text added after it (addHelpText), as --help has it
  return 0;
}

export function program(): Command {
  const root = command('vxvem', 'VXLAN virtual switch for Linux hypervisor hosts (eBPF dataplane)')
    .usage('<command> [options]')
    .enablePositionalOptions() // the root's flags stand before the command; each command has its own
    .allowExcessArguments(true)
    .option('--version', 'print the version')
    .option(`${GLOBAL_FLAGS[0]} <${LOG_FORMATS.join('|')}>`, 'the log\'s lines, wherever it stands (under systemd\'s journal, text lines carry the priority and no time)')
    .addHelpText('after', FOOTER);
  runs(sub(root, 'help', 'the help of vxvem or of a command').argument('[COMMAND...]', 'the command, e.g. net create'), (p) => help(root, p.positionals));
  runs(sub(root, 'version', 'print the version'), () => print(packageVersion()));
  agentCommands(root);
  vsmCommands(root);
  adminCommands(root);
  labCommands(root);
  runs(sub(root, 'completion', 'a completion script for bash or zsh: source <(vxvem completion bash)').argument('<SHELL>', 'bash or zsh'),
    (p) => print(completionScript(root, p.positionals[0], GLOBAL_FLAGS)));
  // `vxvem` alone prints the overview; `vxvem --version` the version; any other word is no command.
  return runs(root, (p: Parsed) => {
    if (p.flags.get('version') === true) return print(packageVersion());
    const [typed] = p.positionals;
    if (typed === undefined) return help(root, []);
    const near = closest(typed, root.commands.map((x) => x.name()));
    throw new UsageError(`unknown command ${JSON.stringify(typed)} (${near ? `did you mean "${near}"? ` : ''}see \`vxvem help\`)`);
  });
}
