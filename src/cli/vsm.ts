// `vxvem vsm --listen unix:/PATH|HOST:PORT --data DIR [--metrics HOST:PORT|off]`: the supervisor.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { VsmServer } from '../vsm/server.js';
import { FileStore } from '../vsm/store.js';
import { VsmMetrics } from '../vsm/metrics.js';
import { UsageError, flagString, parseArgs } from './args.js';
import { parseListen, serveMetrics } from './metrics-http.js';

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { listen: { kind: 'string' }, data: { kind: 'string' }, metrics: { kind: 'string' } });
  if (p.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(p.positionals[0])}`);
  const listen = flagString(p, 'listen') ?? 'unix:/run/vxvem/vsm.sock';
  const data = flagString(p, 'data') ?? '/var/lib/vxvem';
  const metricsAddr = flagString(p, 'metrics') ?? '127.0.0.1:9470';
  if (metricsAddr !== 'off') parseListen(metricsAddr); // a usage error before anything starts
  if (listen.startsWith('unix:')) mkdirSync(dirname(listen.slice(5)), { recursive: true });
  const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} info vsm: ${line}\n`);
  const vsm = new VsmServer(new FileStore(data), log);
  await vsm.listen(listen);
  const server = metricsAddr === 'off' ? undefined : await serveMetrics(metricsAddr, new VsmMetrics(vsm), log).catch(async (e: unknown) => {
    await vsm.close();
    throw e;
  });
  return new Promise((resolve) => {
    const stop = (): void => {
      server?.close();
      void vsm.close().then(() => resolve(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    log(`data in ${data}; revision ${vsm.snapshot.revision}${server ? `; metrics on http://${metricsAddr}/metrics` : ''}`);
  });
}
