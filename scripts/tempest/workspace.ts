// A Tempest workspace for one run: a private copy of Debian's tempest package with the 10 s sleep
// taken out of every subnet delete (the system's files are never changed), tempest.conf, and
// .stestr.conf pointing stestr at the copy. `tempest run` and `stestr last` are run in it.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SYSTEM_TEMPEST = '/usr/lib/python3/dist-packages/tempest';
const SUBNETS_CLIENT = 'tempest/lib/services/network/subnets_client.py';
// Debian's tempest waits before each subnet delete for ports other services tear down; the VSM
// removes a subnet's ports synchronously, and 10 s per delete would double the run.
const SLEEP = /(\n {4}def delete_subnet\(self, subnet_id\):\n(?: {8}#[^\n]*\n)*) {8}time\.sleep\(10\)\n/;

export interface TestResult { id: string; status: string; reason: string; traceback: string }

export class TempestError extends Error {
  override name = 'TempestError';
}

export class Workspace {
  readonly python: string;
  readonly conf: string;

  constructor(readonly dir: string) {
    this.python = join(dir, 'python');
    this.conf = join(dir, 'etc', 'tempest.conf');
  }

  /** Copies tempest, patches the copy, writes tempest.conf (`conf`) and .stestr.conf. */
  prepare(conf: string): void {
    cpSync(SYSTEM_TEMPEST, join(this.python, 'tempest'), { recursive: true });
    const client = join(this.python, SUBNETS_CLIENT);
    const src = readFileSync(client, 'utf8');
    if (!SLEEP.test(src)) throw new TempestError(`${SUBNETS_CLIENT}: the sleep in delete_subnet was not found (tempest changed?)`);
    writeFileSync(client, src.replace(SLEEP, '$1'));
    mkdirSync(dirname(this.conf), { recursive: true });
    writeFileSync(this.conf, conf);
    writeFileSync(join(this.dir, '.stestr.conf'), [
      '[DEFAULT]', `test_path=${join(this.python, 'tempest', 'test_discover')}`, `top_dir=${this.python}`,
      'group_regex=([^\\.]*\\.)*', '',
    ].join('\n'));
  }

  private env(): NodeJS.ProcessEnv {
    const path = [this.python, process.env.PYTHONPATH].filter(Boolean).join(':');
    return { ...process.env, PYTHONPATH: path, TEMPEST_CONFIG_DIR: dirname(this.conf), TEMPEST_CONFIG: 'tempest.conf' };
  }

  /** `tempest run` on the tests matching `regex`; its output goes to `out` as it comes. Resolves with its exit code. */
  run(regex: string, concurrency: number, out: (chunk: string) => void, signal: AbortSignal): Promise<number> {
    const args = ['run', '--config-file', this.conf, '--regex', regex, '--concurrency', String(concurrency)];
    // Its own process group, so that an interruption stops stestr's workers with it.
    const p = spawn('tempest', args, { cwd: this.dir, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stop = (): void => {
      try {
        process.kill(-p.pid!, 'SIGTERM');
      } catch { /* already gone */ }
    };
    signal.addEventListener('abort', stop, { once: true });
    p.stdout.on('data', (d: Buffer) => out(d.toString()));
    p.stderr.on('data', (d: Buffer) => out(d.toString()));
    return new Promise((resolve, reject) => {
      p.once('error', reject);
      p.once('exit', (code) => {
        signal.removeEventListener('abort', stop);
        if (signal.aborted) reject(new TempestError('tempest run was interrupted'));
        else resolve(code ?? 1);
      });
    });
  }

  /** Every test of the last run with its outcome, from stestr's record. */
  results(): TestResult[] {
    const stream = spawnSync('stestr', ['last', '--subunit'], { cwd: this.dir, env: this.env(), maxBuffer: 256 << 20 });
    if (stream.status !== 0 && !stream.stdout?.length) throw new TempestError(`stestr last: ${String(stream.stderr)}`);
    // Debian's python: the one with subunit and testtools, whatever python3 is first on PATH.
    const script = join(dirname(fileURLToPath(import.meta.url)), 'subunit-json.py');
    const r = spawnSync('/usr/bin/python3', [script], { input: stream.stdout, encoding: 'utf8', maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new TempestError(`subunit-json: ${r.stderr}`);
    return JSON.parse(r.stdout) as TestResult[];
  }
}
