// The CLI explains itself: --help on every command and subcommand (walked from the same tree that
// parses), `vxvem help CMD...`, the overview, unknown options and commands with the closest valid
// name, and the exit codes the reference (docs/cli.md) documents.
import { describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { EXIT_CODES, program } from '../src/cli/program.js';

const REPO = join(import.meta.dirname, '..');
const CLI = ['--import', 'tsx', join(REPO, 'src/cli/main.ts')];
const run = promisify(execFile);

function vxvem(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('node', [...CLI, ...args], { encoding: 'utf8' });
}

/** `vxvem ARGS` without waiting for the others (the walk below runs a few at a time). */
async function vxvemAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('node', [...CLI, ...args], { encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** Every command below the root, as the words that name it. */
function paths(c: Command, prefix: string[] = []): { words: string[]; command: Command }[] {
  return c.commands.flatMap((x) => [{ words: [...prefix, x.name()], command: x }, ...paths(x, [...prefix, x.name()])]);
}

const tree = program();
const all = paths(tree);

async function inTurn<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(f))));
  return out;
}

describe('help', () => {
  it('walks a tree of every command the overview used to list', () => {
    const names = all.map((p) => p.words.join(' '));
    for (const n of ['vem', 'vem adopt', 'vsm', 'ca init', 'ca issue', 'cluster status', 'sync', 'net create', 'net list', 'net show', 'net delete',
      'subnet create', 'policy create', 'port create', 'port list', 'profile list', 'host show', 'host delete', 'feature enable', 'status',
      'show macs', 'show drops', 'show networks', 'mac delete', 'mac flush', 'bpf-info', 'demo', 'lab up', 'lab status', 'lab down', 'completion', 'help', 'version']) {
      expect(names, n).toContain(n);
    }
  });

  it('every command and subcommand has --help: its usage, description and every flag, exit 0', async () => {
    const results = await inTurn(all, 4, async (p) => ({ p, r: await vxvemAsync([...p.words, '--help']) }));
    for (const { p, r } of results) {
      const name = p.words.join(' ');
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stderr, name).toBe('');
      expect(r.stdout.startsWith(`Usage: vxvem ${name}`), `${name}:\n${r.stdout}`).toBe(true);
      expect(r.stdout, name).toContain(p.command.description().slice(0, 30));
      for (const o of p.command.options) expect(r.stdout, `${name} ${o.long}`).toContain(o.flags);
      for (const x of p.command.commands) expect(r.stdout, `${name} ${x.name()}`).toContain(x.name());
    }
  }, 300_000);

  it('`vxvem help CMD...` is the same text as `vxvem CMD... --help`', () => {
    for (const words of [['net', 'create'], ['vem'], ['show', 'macs'], ['lab']]) {
      const help = vxvem('help', ...words);
      expect(help.status).toBe(0);
      expect(help.stdout).toBe(vxvem(...words, '--help').stdout);
    }
    const bad = vxvem('help', 'net', 'craete');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('vxvem: help: no command "net craete" (did you mean "net create"?)\n');
  });

  it('`vxvem`, `vxvem help` and `vxvem --help` print the overview: every command, the exit codes', () => {
    const overview = vxvem('help');
    expect(overview.status).toBe(0);
    expect(vxvem().stdout).toBe(overview.stdout);
    expect(vxvem('--help').stdout).toBe(overview.stdout);
    for (const c of tree.commands) expect(overview.stdout).toMatch(new RegExp(`^  ${c.name()}\\b`, 'm'));
    for (const [code] of EXIT_CODES) expect(overview.stdout).toMatch(new RegExp(`^  ${code}  `, 'm'));
    expect(overview.stdout).toContain('VXVEM_LOG');
  });
});

describe('usage errors: one line, exit 2, the closest valid name', () => {
  const cases: [string[], string][] = [
    [['vsm', '--lisen', 'unix:/x'], 'unknown option --lisen (did you mean --listen?)'],
    [['net', 'create', 'web', '--vnii', '5'], 'unknown option --vnii (did you mean --vni?)'],
    [['vem', '--conf', 'x.json'], 'unknown option --conf (did you mean --config?)'],
    [['net', 'list', '--frobnicate'], 'unknown option --frobnicate (see `vxvem help net list`)'],
    [['show', 'vteps', '--mac', '02:00:00:00:00:01'], 'show vteps takes no --mac'],
    [['show', 'hosts', '--instance', 'x'], 'show hosts is the VSM\'s view: it takes --vsm ADDR, not --instance'],
    [['show', '--json', 'macs'], '--json goes after the command: vxvem show COMMAND ... --json'],
    [['status', '--json=yes'], '--json takes no value'],
    [['net', 'create', 'web', '--vni'], '--vni needs a value'],
    [['net', 'create', 'web', '--vni', '--json'], '--vni needs a value'],
    [['net', 'create'], 'net create: expected NAME'],
    [['net', 'delete', 'a', 'b'], 'net delete: unexpected argument "b"'],
    [['net'], 'net: expected one of create, list, show, delete (see `vxvem help net`)'],
    [['net', 'craete'], 'unknown command "net craete" (did you mean "net create"?)'],
    [['lab', 'sideways'], 'unknown command "lab sideways" (see `vxvem help lab`)'],
    [['nett', 'list'], 'unknown command "nett" (did you mean "net"? see `vxvem help`)'],
    [['completion', 'fish'], 'completion: expected bash or zsh, got "fish"'],
    [['status', '--log-format', 'xml'], '--log-format: expected text or json, got "xml"'],
  ];
  for (const [args, line] of cases) {
    it(`vxvem ${args.join(' ')}`, () => {
      const r = vxvem(...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(`vxvem: ${line}\n`);
      expect(r.stdout).toBe('');
    });
  }
});

describe('exit codes', () => {
  it('0 done, 1 failed (one line), 2 usage', () => {
    const v = vxvem('version');
    expect([v.status, v.stdout]).toEqual([0, `${(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version}\n`]);
    expect(vxvem('--version').stdout).toBe(v.stdout);
    const failed = vxvem('ca', 'issue', '--dir', join(REPO, 'no-such-ca-dir'), '--host', 'h1');
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^vxvem: .*ca\.key does not exist: make the CA first[^\n]*\n$/);
    expect(vxvem('ca', 'issue', '--dir', '/tmp').status).toBe(2); // no role
  });

  it('docs/cli.md documents every command and the exit codes', () => {
    const doc = readFileSync(join(REPO, 'docs/cli.md'), 'utf8');
    for (const p of all) expect(doc, p.words.join(' ')).toContain(`vxvem ${p.words.join(' ')}`);
    for (const [code] of EXIT_CODES) expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
