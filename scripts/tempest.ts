// `npm run tempest [-- --regex R] [--out FILE] [--json FILE] [--concurrency N] | [-- --rerender JSON]`: OpenStack
// Tempest's network API tests (Debian's tempest and neutron-tempest-plugin) against the VSM's
// Neutron API behind Keystone. Starts Keystone and a VSM on loopback/unix sockets in a temporary
// directory, registers the VSM as the `network` endpoint, runs Tempest, writes the note (counts,
// every failure and skip explained; docs/tempest.md by default) and removes everything it started,
// also on failure or Ctrl-C. `--json` keeps every test's outcome; `--rerender` writes the note
// again from such a file (after explanations.ts changed). Exit 0 when every failure and skip is
// explained, 1 otherwise, 2 when the run itself broke.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/common/package.js';
import { KeystoneServer, freePort } from '../testbed/keystone.js';
import { tempestConf } from './tempest/conf.js';
import { markdown, summarize, type RunInfo } from './tempest/report.js';
import { VsmRun } from './tempest/vsm.js';
import { Workspace, type TestResult } from './tempest/workspace.js';

/** What vxvem implements: Tempest's network API tests, and the plugin's for networks, subnets, ports, quotas and extensions. */
export const DEFAULT_REGEX = '^(tempest\\.api\\.network\\.|neutron_tempest_plugin\\.api\\.(admin\\.)?(test_networks|test_networks_negative'
  + '|test_ports|test_ports_negative|test_subnets|test_extensions|test_quotas|test_quotas_negative|test_shared_network_extension'
  + '|test_extension_driver_port_security|test_extension_driver_port_security_admin|test_timestamp|test_revisions)\\.)';

interface Options { regex: string; out: string; json?: string; rerender?: string; concurrency: number }

/** What --json writes and --rerender reads. */
interface RunRecord { run: RunInfo; results: TestResult[] }

function options(argv: string[]): Options {
  const o: Options = { regex: DEFAULT_REGEX, out: join(packageRoot(), 'docs', 'tempest.md'), concurrency: 1 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    const need = (): string => {
      if (v === undefined) throw new Error(`${argv[i]} needs a value`);
      i++;
      return v;
    };
    switch (argv[i]) {
      case '--regex': o.regex = need(); break;
      case '--out': o.out = need(); break;
      case '--json': o.json = need(); break;
      case '--rerender': o.rerender = need(); break;
      case '--concurrency': o.concurrency = Number(need()); break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) throw new Error('--concurrency: a positive integer');
  return o;
}

const debVersion = (pkg: string): string => spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' }).stdout || '?';

/** The aliases the VSM lists under /v2.0/extensions. */
async function extensions(url: string, token: string): Promise<string[]> {
  const r = await fetch(`${url}/v2.0/extensions`, { headers: { 'x-auth-token': token } });
  if (!r.ok) throw new Error(`GET /v2.0/extensions: ${r.status}`);
  return ((await r.json()) as { extensions: { alias: string }[] }).extensions.map((e) => e.alias);
}

/** Writes the note (and the record); returns the exit code. */
function report(o: Options, rec: RunRecord): number {
  const summary = summarize(rec.results);
  writeFileSync(o.out, markdown(summary, rec.run));
  if (o.json) writeFileSync(o.json, JSON.stringify(rec));
  const { passed, failed, skipped } = summary.counts;
  process.stderr.write(`tempest: passed ${passed}, failed ${failed}, skipped ${skipped}; written to ${o.out}\n`);
  for (const u of summary.unexplained) process.stderr.write(`tempest: unexplained ${u.status}: ${u.id}\n`);
  return summary.unexplained.length ? 1 : 0;
}

async function main(): Promise<number> {
  const o = options(process.argv.slice(2));
  if (o.rerender) return report(o, JSON.parse(readFileSync(o.rerender, 'utf8')) as RunRecord);
  const dir = mkdtempSync(join(tmpdir(), 'vxvem-tempest-'));
  const ks = new KeystoneServer();
  const vsm = new VsmRun(dir);
  const abort = new AbortController();
  const interrupt = (): void => abort.abort();
  process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
  const started = Date.now();
  // Ctrl-C stops the run between steps, and Tempest's process group during the run.
  const go = (): void => {
    if (abort.signal.aborted) throw new Error('interrupted');
  };
  try {
    const say = (s: string): void => void process.stderr.write(`tempest: ${s}\n`);
    say('starting Keystone');
    await ks.start();
    go();
    const port = await freePort();
    const neutronUrl = `http://127.0.0.1:${port}`;
    ks.os(['service', 'create', '--name', 'neutron', 'network']);
    ks.os(['endpoint', 'create', '--region', 'RegionOne', 'network', 'public', neutronUrl]);
    say(`starting the VSM, Neutron on ${neutronUrl}`);
    await vsm.start(port, ks.url, ks.admin);
    go();
    const exts = await extensions(neutronUrl, await ks.issue(ks.admin));
    const ws = new Workspace(join(dir, 'workspace'));
    ws.prepare(tempestConf({ keystoneUrl: ks.url, admin: ks.admin, extensions: exts, logFile: join(dir, 'tempest.log') }));
    go();
    say(`tempest run --regex '${o.regex}' --concurrency ${o.concurrency}`);
    await ws.run(o.regex, o.concurrency, (s) => void process.stdout.write(s), abort.signal);
    return report(o, { results: ws.results(), run: {
      regex: o.regex, date: new Date().toISOString().slice(0, 10), seconds: (Date.now() - started) / 1000,
      tempest: debVersion('tempest'), plugin: debVersion('neutron-tempest-plugin'), extensions: exts,
    } });
  } catch (e) {
    process.stderr.write(`tempest: ${(e as Error).message}\n`);
    if (process.env.TEMPEST_KEEP) process.stderr.write(`tempest: logs kept in ${dir}\n${ks.log().slice(-2000)}\n`);
    return 2;
  } finally {
    await vsm.stop().catch(() => undefined);
    await ks.stop().catch(() => undefined);
    if (!process.env.TEMPEST_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
