// `vxvem vsm --listen unix:/PATH|HOST:PORT --data DIR [--metrics HOST:PORT|off]
//            [--neutron [HOST:]PORT [--neutron-token-file FILE | --keystone-config FILE] [--vni-range A-B] [--nova-url URL]]
//            [--sync-interval SECONDS]`
// `vxvem vsm --data DIR --recover`: repairs a damaged journal (keeps the changes before the damage) and exits.
// Refusals (data directory locked, socket in use, damaged store) are exit 1 with one line on stderr.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataLock } from '../vsm/data-lock.js';
import { NeutronApi } from '../vsm/neutron/http.js';
import { Keystone, KeystoneConfigError, readKeystoneConfig } from '../vsm/neutron/keystone.js';
import { NovaNotifier } from '../vsm/neutron/nova-notifier.js';
import { VsmServer } from '../vsm/server.js';
import { FileStore, type Recovery } from '../vsm/store.js';
import { VsmMetrics } from '../vsm/metrics.js';
import { stderrLogger } from '../common/log.js';
import { DEFAULT_VSM_ADDRESS } from '../common/package.js';
import { VNI_MAX, VNI_MIN, vniProblem } from '../common/vxlan.js';
import { UsageError, flagInt, flagString, parseArgs } from './args.js';
import { parseListen, serveMetrics } from './metrics-http.js';

function vniRange(v: string | undefined): [number, number] | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)-(\d+)$/.exec(v);
  const [a, b] = [Number(m?.[1]), Number(m?.[2])];
  if (!m || vniProblem(a) || vniProblem(b) || a > b) throw new UsageError(`--vni-range: expected A-B within ${VNI_MIN}-${VNI_MAX}, got ${JSON.stringify(v)}`);
  return [a, b];
}

function readToken(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let t: string;
  try {
    t = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new UsageError(`--neutron-token-file: ${(e as Error).message}`);
  }
  if (!t) throw new UsageError(`--neutron-token-file ${file} is empty`);
  return t;
}

function keystoneFrom(file: string | undefined): Keystone | undefined {
  if (file === undefined) return undefined;
  try {
    return new Keystone(readKeystoneConfig(file));
  } catch (e) {
    if (e instanceof KeystoneConfigError) throw new UsageError(`--keystone-config: ${e.message}`);
    throw e;
  }
}

function recoveryLine(dir: string, r: Recovery): string {
  if (!r.damage) return `${dir}: nothing damaged; ${r.kept} journal change(s), revision ${r.revision}`;
  return `${dir}: ${r.damage.file} line ${r.damage.line} was damaged (${r.damage.reason}); kept ${r.kept} change(s) up to revision ${r.revision}, `
    + `dropped ${r.dropped} change(s); the damaged journal is kept as ${r.copy}`;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, {
    recover: { kind: 'boolean' }, listen: { kind: 'string' }, data: { kind: 'string' }, metrics: { kind: 'string' },
    neutron: { kind: 'string' }, 'neutron-token-file': { kind: 'string' }, 'vni-range': { kind: 'string' }, 'sync-interval': { kind: 'string' },
    'nova-url': { kind: 'string' }, 'keystone-config': { kind: 'string' },
  });
  if (p.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(p.positionals[0])}`);
  const listen = flagString(p, 'listen') ?? DEFAULT_VSM_ADDRESS;
  const data = flagString(p, 'data') ?? '/var/lib/vxvem';
  const metricsAddr = flagString(p, 'metrics') ?? '127.0.0.1:9470';
  if (metricsAddr !== 'off') parseListen(metricsAddr); // usage errors before anything starts
  const neutronFlag = flagString(p, 'neutron');
  // A bare port is on loopback: the northbound is not exposed unless asked for.
  const neutron = neutronFlag === undefined ? undefined : parseListen(/^\d+$/.test(neutronFlag) ? `127.0.0.1:${neutronFlag}` : neutronFlag, '--neutron');
  const token = readToken(flagString(p, 'neutron-token-file'));
  const range = vniRange(flagString(p, 'vni-range'));
  const syncSeconds = flagInt(p, 'sync-interval', 1, 86_400);
  const novaUrl = flagString(p, 'nova-url');
  if (novaUrl !== undefined && !/^https?:\/\/[^/]+/.test(novaUrl)) throw new UsageError(`--nova-url: expected http(s)://HOST[:PORT][/PATH], got ${JSON.stringify(novaUrl)}`);
  const keystone = keystoneFrom(flagString(p, 'keystone-config'));
  if (!neutron && (token || range || novaUrl || keystone)) throw new UsageError('--neutron-token-file, --keystone-config, --vni-range and --nova-url need --neutron');
  if (token && keystone) throw new UsageError('--neutron-token-file and --keystone-config exclude each other: with Keystone, tokens are Keystone\'s');

  mkdirSync(data, { recursive: true });
  // Before anything reads or writes DIR (loading may fold a torn journal line).
  const lock = await DataLock.acquire(data);
  if (p.flags.get('recover')) {
    try {
      console.log(recoveryLine(data, new FileStore(data).recover()));
      return 0;
    } finally {
      lock.release();
    }
  }
  if (listen.startsWith('unix:')) mkdirSync(dirname(listen.slice(5)), { recursive: true });
  const logger = stderrLogger('vsm');
  const log = (line: string): void => logger.info(line);
  let vsm: VsmServer;
  try {
    vsm = new VsmServer(new FileStore(data), log);
  } catch (e) {
    lock.release();
    throw e;
  }
  const closers: (() => void)[] = [];
  try {
    await vsm.listen(listen);
    if (metricsAddr !== 'off') {
      const server = await serveMetrics(metricsAddr, new VsmMetrics(vsm), log);
      closers.push(() => server.close());
    }
    if (neutron) {
      // Nova hears of its servers' ports (network-vif-plugged...) as from Neutron's notifier.
      const nova = novaUrl ? new NovaNotifier({ url: novaUrl, log, ...(keystone ? { tokens: keystone } : {}) }) : undefined;
      const api = new NeutronApi(vsm.commit, {
        ...(token ? { token } : {}), ...(keystone ? { keystone } : {}), ...(range ? { vniRange: range } : {}), log,
        ...(nova ? { notify: (e) => nova.send(e) } : {}),
      });
      await api.listen(neutron.host, neutron.port);
      closers.push(() => api.close(), () => nova?.close());
      const auth = token ? ' (X-Auth-Token required)' : keystone ? ` (tokens validated by Keystone at ${keystone.config.authUrl})` : '';
      log(`Neutron API on http://${neutron.host}:${neutron.port}/${auth}${novaUrl ? `; Nova events to ${novaUrl}` : ''}`);
      // Said at start, not required: the VSM serves its VEMs whether Keystone is up or not.
      keystone?.token().then(() => log(`Keystone: service user ${keystone.config.username} authenticated`), (e: Error) => log(`Keystone: ${e.message}`));
    }
  } catch (e) {
    closers.forEach((c) => c());
    await vsm.close();
    lock.release();
    throw e;
  }
  if (syncSeconds) {
    const timer = setInterval(() => {
      try {
        vsm.sync();
      } catch (e) {
        log(`sync failed: ${(e as Error).message}`); // a store that cannot write: the next round tries again
      }
    }, syncSeconds * 1000);
    closers.push(() => clearInterval(timer));
  }
  return new Promise((resolve) => {
    const stop = (): void => {
      closers.forEach((c) => c());
      // The lock goes last: no second VSM may write DIR while this one can still take a change.
      void vsm.close().then(() => {
        lock.release();
        resolve(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    log(`data in ${data}; revision ${vsm.snapshot.revision}${metricsAddr !== 'off' ? `; metrics on http://${metricsAddr}/metrics` : ''}`);
  });
}
