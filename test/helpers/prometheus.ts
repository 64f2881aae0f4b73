// A real Prometheus (Debian's binary) for tests: scrapes the given targets every second on
// loopback, optionally evaluates rule files, and answers instant queries and the rules API.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PromRule {
  name: string;
  query: string;
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  type: 'alerting' | 'recording';
}

/** Calls `f` until `ok` accepts its result or `ms` pass; the error names `what` and the last value. */
export async function until<V>(what: string, f: () => Promise<V>, ok: (v: V) => boolean, ms = 15_000): Promise<V> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    v = await f();
  }
  if (!ok(v)) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
  return v;
}

export class PrometheusServer {
  private constructor(readonly address: string, private readonly proc: ChildProcess) {}

  /**
   * Starts Prometheus with its data in `dir`, one scrape job per entry of `jobs` (name ->
   * HOST:PORT targets), scraping and evaluating `ruleFiles` every second.
   */
  static async start(dir: string, jobs: Record<string, string[]>, ruleFiles: string[] = []): Promise<PrometheusServer> {
    const address = `127.0.0.1:${await freePort()}`;
    const cfg = join(dir, 'prometheus.yml');
    writeFileSync(cfg, [
      'global: { scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s }',
      `rule_files: ${JSON.stringify(ruleFiles)}`,
      'scrape_configs:',
      ...Object.entries(jobs).flatMap(([job, targets]) => [`  - job_name: ${job}`, `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`]),
    ].join('\n'));
    const proc = spawn('prometheus', [`--config.file=${cfg}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=${address}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        log += d.toString();
        if (log.includes('Server is ready to receive web requests')) resolve();
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`prometheus exited ${code}:\n${log}`)));
    });
    proc.removeAllListeners('exit');
    return new PrometheusServer(address, proc);
  }

  private async api<T>(path: string): Promise<T> {
    const body = (await (await fetch(`http://${this.address}/api/v1/${path}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? body.status}`);
    return body.data;
  }

  /** An instant query; an invalid expression throws with Prometheus's message. */
  async query(expr: string): Promise<PromSample[]> {
    return (await this.api<{ result: PromSample[] }>(`query?query=${encodeURIComponent(expr)}`)).result;
  }

  async rules(): Promise<PromRule[]> {
    return (await this.api<{ groups: { rules: PromRule[] }[] }>('rules')).groups.flatMap((g) => g.rules);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const done = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await done;
  }
}
