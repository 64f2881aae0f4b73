// `vxvem completion bash|zsh`: the scripts complete the commands, subcommands and flags of the
// same tree that parses. Bash runs the completion function as the shell would (COMP_WORDS,
// COMP_CWORD); zsh checks the script when zsh is there, and its tables against bash's always.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { GLOBAL_FLAGS, program } from '../src/cli/program.js';

const REPO = join(import.meta.dirname, '..');

function vxvem(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { encoding: 'utf8' });
}

const bashScript = vxvem('completion', 'bash');
const zshScript = vxvem('completion', 'zsh');

/** What bash completes for the words typed (the last one being completed), one reply per case. */
function complete(cases: string[][]): string[][] {
  const calls = cases.map((words) => `t ${words.map((w) => `'${w}'`).join(' ')}`).join('\n');
  const r = spawnSync('bash', ['-c', `source /dev/stdin <<'EOF'\n${bashScript.stdout}\nEOF
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _vxvem; echo "\${COMPREPLY[*]}"; }
${calls}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').slice(0, cases.length).map((l) => l.split(' ').filter(Boolean));
}

/** Every command below the root, as the words that name it. */
function paths(c: Command, prefix: string[] = []): { words: string[]; command: Command }[] {
  return c.commands.flatMap((x) => [{ words: [...prefix, x.name()], command: x }, ...paths(x, [...prefix, x.name()])]);
}

const tree = program();

describe('bash completion', () => {
  it('is a script that registers _vxvem for vxvem', () => {
    expect(bashScript.status).toBe(0);
    const r = spawnSync('bash', ['-c', `source <(node --import tsx ${join(REPO, 'src/cli/main.ts')} completion bash); complete -p vxvem`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('complete -F _vxvem vxvem');
  });

  it('completes commands, subcommands, flags and their values', () => {
    const cases: [string[], string[]][] = [
      [['vxvem', 'ne'], ['net']],
      [['vxvem', 's'], ['status', 'show', 'sync', 'subnet']],
      [['vxvem', 'net', 'c'], ['create']],
      [['vxvem', 'net', 'create', 'web', '--v'], ['--vlan', '--vni', '--vsm']],
      [['vxvem', 'net', 'create', 'web', '--vni', '5', '--mo'], ['--mode']],
      [['vxvem', '--log-format', 'json', 'sh'], ['show']],
      [['vxvem', 'show', 'macs', '--instance', 'lab-h1', '--c'], ['--count']],
      [['vxvem', 'show', 'vteps', '--c'], []], // --count is show macs' flag only
      [['vxvem', 'vem', 'ad'], ['adopt']],
      [['vxvem', 'vem', '--config', 'a.json', '--ch'], ['--check']],
      [['vxvem', 'completion', ''], ['bash', 'zsh']],
      [['vxvem', 'help', 'ne'], ['net']],
      [['vxvem', 'lab', ''], ['up', 'status', 'exec', 'down']],
      [['vxvem', 'vsm', '--data', join(REPO, 'docs', 'cl')], [join(REPO, 'docs', 'cli.md')]], // a flag's value: files
    ];
    const got = complete(cases.map(([w]) => w));
    cases.forEach(([words, want], i) => expect(got[i]!.sort(), words.join(' ')).toEqual([...want].sort()));
  });

  it('completes, after every command of the tree, its subcommands, and after a dash exactly its flags', () => {
    const all = paths(tree);
    const got = complete(all.flatMap((p) => [['vxvem', ...p.words, ''], ['vxvem', ...p.words, '-']]));
    all.forEach((p, i) => {
      const name = p.words.join(' ');
      const flags = [...p.command.options.map((o) => o.long!), ...GLOBAL_FLAGS, '--help'];
      const subs = p.command.commands.map((x) => x.name());
      if (subs.length) expect(got[2 * i]!.sort(), name).toEqual(name === 'help' ? tree.commands.map((x) => x.name()).sort() : subs.sort());
      expect(got[2 * i + 1]!.sort(), `${name} -`).toEqual([...new Set(flags)].sort());
    });
  });
});

describe('zsh completion', () => {
  /** The script's tables: name -> command path -> words. */
  function tables(script: string, row: RegExp): Map<string, Map<string, string[]>> {
    const out = new Map<string, Map<string, string[]>>();
    for (const m of script.matchAll(/^(_vxvem_\w+)=\(\n([\s\S]*?)\n\)$/gm)) {
      out.set(m[1]!, new Map([...m[2]!.matchAll(row)].map((r) => [r[1]!, r[2]!.split(' ').filter(Boolean)])));
    }
    return out;
  }

  it('is a compdef function with the same tables as the bash script', () => {
    expect(zshScript.status).toBe(0);
    const s = zshScript.stdout;
    expect(s.split('\n')[0]).toBe('#compdef vxvem');
    expect(s).toContain('compdef _vxvem vxvem');
    expect(s).toMatch(/^_vxvem\(\) \{$/m);
    const zsh = tables(s, /^ {2}'([^']+)' '([^']*)'$/gm);
    const bash = tables(bashScript.stdout, /^ {2}\['([^']+)'\]='([^']*)'$/gm);
    expect([...zsh.keys()]).toEqual(['_vxvem_words', '_vxvem_flags', '_vxvem_valued']);
    expect(zsh).toEqual(bash);
    expect(zsh.get('_vxvem_flags')!.size).toBe(paths(tree).length + 1);
    expect(zsh.get('_vxvem_valued')!.get('vxvem net create')).toContain('--vni');
    // zsh itself, where it is installed, must read the script.
    const z = spawnSync('zsh', ['-n'], { input: s, encoding: 'utf8' });
    if (!z.error) expect(z.status, z.stderr).toBe(0);
  });
});
