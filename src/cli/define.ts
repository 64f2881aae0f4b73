// How a vxvem command is defined: one commander Command per command and subcommand, whose
// options, arguments and descriptions both parse the command line and write its --help (and
// the shell completion, completion.ts). Commander's errors become UsageErrors with vxvem's
// one-line messages (exit 2); its help goes to stdout (exit 0).
// Adding a flag is one line in the command's definition: `.option('--name <VALUE>', 'what it does')`
// (`, repeatable` for a flag that may be given more than once); the action reads it from Parsed.
import { Command, type CommanderError, type Option } from 'commander';
import { UsageError, type Parsed } from './args.js';
import { closest } from './suggest.js';

/** Thrown once commander has printed the help that was asked for: nothing else runs, exit 0. */
export class HelpShown extends Error {
  override readonly name = 'HelpShown';
}

/** The argument parser of a flag that may repeat: its values in order. */
export const repeatable = (v: string, previous: string[] | undefined): string[] => [...(previous ?? []), v];

/** Per command: the sentence that refuses a flag its siblings take, where "takes no --X" is not enough. */
const refusals = new WeakMap<Command, (flag: string) => string | undefined>();

let lastCode = 0;
/** The exit code of the action that ran. */
export const exitCode = (): number => lastCode;

/** The command's words after `vxvem` ("net create"; "vxvem" for the root). */
export function commandPath(c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x?.parent; x = x.parent) names.unshift(x.name());
  return names.join(' ') || 'vxvem';
}

/** The command that shows the help of `path`. */
const helpFor = (path: string): string => (path === 'vxvem' ? '`vxvem help`' : `\`vxvem help ${path}\``);

/** A command with vxvem's settings: no commander output of its own, errors translated. */
export function command(name: string, description: string): Command {
  const c = new Command(name)
    .description(description)
    .helpCommand(false) // `vxvem help CMD...` is the root's own command
    .helpOption('-h, --help', 'show this help')
    .showSuggestionAfterError(false) // the translation below suggests, in vxvem's words
    .configureOutput({ outputError: () => undefined });
  return c.exitOverride((e) => {
    throw translate(c, e);
  });
}

/** Adds a subcommand to `parent` and returns it (for its options and action). */
export function sub(parent: Command, name: string, description: string): Command {
  const c = command(name, description);
  parent.addCommand(c);
  return c;
}

/** The action: `run` gets the flags given and `prefix` + the command's arguments as positionals. */
export function runs(c: Command, run: (p: Parsed) => Promise<number> | number, prefix: string[] = []): Command {
  return c.action(async () => {
    lastCode = await run(parsed(c, prefix));
  });
}

/** A command of subcommands only (not the root): given none, or one it does not have, it says which there are. */
export function group(c: Command): Command {
  return c.allowExcessArguments(true).action(() => {
    const names = c.commands.map((x) => x.name());
    const [typed] = c.args;
    const path = commandPath(c);
    if (typed === undefined) throw new UsageError(`${path}: expected one of ${names.join(', ')} (see ${helpFor(path)})`);
    const near = closest(typed, names);
    throw new UsageError(`unknown command "${path} ${typed}"${near ? ` (did you mean "${path} ${near}"?)` : ` (see ${helpFor(path)})`}`);
  });
}

/** `c` refuses its siblings' flags with `why(flag)` (a phrase after the command's name) where it returns one. */
export function refuse(c: Command, why: (flag: string) => string | undefined): Command {
  refusals.set(c, why);
  return c;
}

const takesValue = (o: Option): boolean => o.required || o.optional;

/** The flags that were given on the command line, by long name. */
function parsed(c: Command, prefix: string[]): Parsed {
  const flags: Parsed['flags'] = new Map();
  for (const o of c.options) {
    const key = o.attributeName();
    if (c.getOptionValueSource(key) !== 'cli') continue;
    const v = c.getOptionValue(key) as string | boolean | string[];
    // Commander takes the next word as the value whatever it is; a flag there is a value missing.
    if ([v].flat().some((x) => typeof x === 'string' && x.startsWith('--'))) throw new UsageError(`${o.long} needs a value`);
    flags.set(o.name(), v);
  }
  return { flags, positionals: [...prefix, ...c.args] };
}

function unknownOption(c: Command, typed: string): string {
  const flag = typed.split('=')[0]!;
  const path = commandPath(c);
  const own = c.options.find((o) => o.long === flag);
  if (own && !takesValue(own)) return `${flag} takes no value`;
  const why = refusals.get(c)?.(flag);
  if (why) return `${path} ${why}`;
  if (c.commands.some((x) => x.options.some((o) => o.long === flag))) return `${flag} goes after the command: vxvem ${path} COMMAND ... ${flag}`;
  const siblings = c.parent?.commands.filter((x) => x !== c) ?? [];
  if (siblings.some((x) => x.options.some((o) => o.long === flag))) return `${path} takes no ${flag}`;
  const near = flag.startsWith('--') ? closest(flag, [...c.options.flatMap((o) => (o.long && !o.hidden ? [o.long] : [])), '--help']) : undefined;
  return `unknown option ${flag}${near ? ` (did you mean ${near}?)` : ` (see ${helpFor(path)})`}`;
}

/** Commander's error as vxvem says it. */
function translate(c: Command, e: CommanderError): Error {
  const path = commandPath(c);
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'commander.helpDisplayed':
    case 'commander.version':
      return new HelpShown(e.message);
    case 'commander.help':
      return e.exitCode === 0 ? new HelpShown(e.message) : new UsageError(`${path}: see ${helpFor(path)}`);
    case 'commander.unknownOption':
      return new UsageError(unknownOption(c, quoted));
    case 'commander.optionMissingArgument':
      return new UsageError(`${quoted.split(' ')[0]} needs a value`);
    case 'commander.missingArgument':
      return new UsageError(`${path}: expected ${c.registeredArguments.map((a) => a.name()).join(' ')}`);
    case 'commander.excessArguments':
      return new UsageError(`${path}: unexpected argument ${JSON.stringify(c.args[c.registeredArguments.length] ?? '')}`);
    default:
      return new UsageError(`${path}: ${e.message.replace(/^error: /, '')}`);
  }
}
