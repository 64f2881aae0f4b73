// `vxvem vsm --listen unix:/PATH|HOST:PORT --data DIR`: the supervisor.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { VsmServer } from '../vsm/server.js';
import { FileStore } from '../vsm/store.js';
import { UsageError, flagString, parseArgs } from './args.js';

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { listen: { kind: 'string' }, data: { kind: 'string' } });
  if (p.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(p.positionals[0])}`);
  const listen = flagString(p, 'listen') ?? 'unix:/run/vxvem/vsm.sock';
  const data = flagString(p, 'data') ?? '/var/lib/vxvem';
  if (listen.startsWith('unix:')) mkdirSync(dirname(listen.slice(5)), { recursive: true });
  const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} info vsm: ${line}\n`);
  const vsm = new VsmServer(new FileStore(data), log);
  await vsm.listen(listen);
  return new Promise((resolve) => {
    const stop = (): void => void vsm.close().then(() => resolve(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    log(`data in ${data}; revision ${vsm.snapshot.revision}`);
  });
}
