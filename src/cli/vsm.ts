// `vxvem vsm --listen unix:/PATH|HOST:PORT (--data DIR | --store etcd://HOST:PORT[,...] [--name NAME])
//            [--tls-dir DIR [--name NAME] [--cert FILE --key FILE] | --insecure]
//            [--metrics HOST:PORT|off] [--neutron [HOST:]PORT [--neutron-token-file FILE | --keystone-config FILE]
//            [--vni-range A-B] [--nova-url URL]]
//            [--sync-interval SECONDS]`
// A TCP listener is mutual TLS with the certificate of the VSM named --name (default: the host's
// name), or refused unless --insecure; a unix socket is owner-only.
// `vxvem vsm --data DIR --recover`: repairs a damaged journal (keeps the changes before the damage) and exits.
// With --store, this is one replica of a VSM cluster on etcd (docs/ha.md); the sync runs on the leader.
// Refusals (data directory locked, socket in use, damaged store, replica name taken) are exit 1 with one line on stderr.
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { DataLock } from '../vsm/data-lock.js';
import { parseEtcdUrl } from '../vsm/etcd-store.js';
import { NeutronApi } from '../vsm/neutron/http.js';
import { Keystone, KeystoneConfigError, readKeystoneConfig } from '../vsm/neutron/keystone.js';
import { NovaNotifier } from '../vsm/neutron/nova-notifier.js';
import { startReplica } from '../vsm/replica.js';
import type { ListenSecurity } from '../vsm/listen-security.js';
import { VsmServer } from '../vsm/server.js';
import { FileStore, type Recovery } from '../vsm/store.js';
import { retryStale } from '../vsm/store-errors.js';
import { VsmMetrics } from '../vsm/metrics.js';
import { lineLog, stderrLogger } from '../common/log.js';
import { DEFAULT_VSM_ADDRESS } from '../common/package.js';
import { parseVlanRange } from '../common/vlan.js';
import { VNI_MAX, VNI_MIN, vniProblem } from '../common/vxlan.js';
import { UsageError, flagInt, flagString, type Parsed } from './args.js';
import { parseListen, serveMetrics } from './metrics-http.js';
import { tlsFromFlags } from './tls-flags.js';

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

/** A VSM serving: where its state is, whether it leads, and how it stops. */
interface Running {
  vsm: VsmServer;
  where: string;
  leader(): boolean;
  close(): Promise<void>;
}

/** The embedded store in DIR, held by a lock for as long as the VSM runs. */
async function embedded(data: string, name: string, listen: string, security: ListenSecurity, log: (line: string) => void): Promise<Running> {
  mkdirSync(data, { recursive: true });
  // Before anything reads or writes DIR (loading may fold a torn journal line).
  const lock = await DataLock.acquire(data);
  let vsm: VsmServer;
  try {
    const self = { name, address: listen, role: 'leader' };
    vsm = new VsmServer(new FileStore(data), log, {
      ...security,
      cluster: async () => ({ store: `embedded (${data})`, clusterId: vsm.snapshot.id, self: self.name, replicas: [{ ...self, revision: String(vsm.snapshot.revision) }] }),
    });
    await vsm.listen(listen);
  } catch (e) {
    lock.release();
    throw e;
  }
  // The lock goes last: no second VSM may write DIR while this one can still take a change.
  return { vsm, where: `data in ${data}`, leader: () => true, close: () => vsm.close().then(() => lock.release()) };
}

async function replica(store: string, name: string, listen: string, security: ListenSecurity, log: (line: string) => void): Promise<Running> {
  const r = await startReplica({ store, name, listen, log, security });
  return { vsm: r.vsm, where: `store ${store}, cluster ${r.clusterId}, replica ${name}`, leader: r.leader, close: r.close };
}

/** `vxvem vsm` (its flags: tree/vsm.ts). */
export async function run(p: Parsed): Promise<number> {
  const listen = flagString(p, 'listen') ?? DEFAULT_VSM_ADDRESS;
  const store = flagString(p, 'store');
  if (store !== undefined) {
    try {
      parseEtcdUrl(store);
    } catch (e) {
      throw new UsageError(`--store: ${(e as Error).message}`);
    }
    if (flagString(p, 'data') !== undefined || p.flags.get('recover')) throw new UsageError('--data and --recover are for the embedded store, not with --store');
  } else if (flagString(p, 'name') !== undefined && flagString(p, 'tls-dir') === undefined) {
    throw new UsageError('--name names a replica of a VSM cluster (--store etcd://...) or picks the VSM\'s certificate (--tls-dir DIR)');
  }
  const name = flagString(p, 'name') ?? hostname();
  const data = flagString(p, 'data') ?? '/var/lib/vxvem';
  const metricsAddr = flagString(p, 'metrics') ?? '127.0.0.1:9470';
  if (metricsAddr !== 'off') parseListen(metricsAddr); // usage errors before anything starts
  const neutronFlag = flagString(p, 'neutron');
  // A bare port is on loopback: the northbound is not exposed unless asked for.
  const neutron = neutronFlag === undefined ? undefined : parseListen(/^\d+$/.test(neutronFlag) ? `127.0.0.1:${neutronFlag}` : neutronFlag, '--neutron');
  const token = readToken(flagString(p, 'neutron-token-file'));
  const range = vniRange(flagString(p, 'vni-range'));
  const vlanRanges = ((p.flags.get('vlan-range') as string[] | undefined) ?? []).map((v) => {
    const r = parseVlanRange(v);
    if (typeof r === 'string') throw new UsageError(`--vlan-range: ${r}`);
    return r;
  });
  if (new Set(vlanRanges.map((r) => r.physnet)).size !== vlanRanges.length) throw new UsageError('--vlan-range: a physical network is given twice');
  const syncSeconds = flagInt(p, 'sync-interval', 1, 86_400);
  const novaUrl = flagString(p, 'nova-url');
  if (novaUrl !== undefined && !/^https?:\/\/[^/]+/.test(novaUrl)) throw new UsageError(`--nova-url: expected http(s)://HOST[:PORT][/PATH], got ${JSON.stringify(novaUrl)}`);
  const keystone = keystoneFrom(flagString(p, 'keystone-config'));
  if (!neutron && (token || range || vlanRanges.length || novaUrl || keystone)) throw new UsageError('--neutron-token-file, --keystone-config, --vni-range, --vlan-range and --nova-url need --neutron');
  if (token && keystone) throw new UsageError('--neutron-token-file and --keystone-config exclude each other: with Keystone, tokens are Keystone\'s');

  if (p.flags.get('recover')) {
    mkdirSync(data, { recursive: true });
    const lock = await DataLock.acquire(data);
    try {
      console.log(recoveryLine(data, new FileStore(data).recover()));
      return 0;
    } finally {
      lock.release();
    }
  }
  // The certificate named --name (the host's name by default), unless --cert picks another file.
  const certName = flagString(p, 'cert') !== undefined ? flagString(p, 'name') : name;
  const tls = tlsFromFlags(p, 'vsm', certName, '--name', [listen]);
  const security: ListenSecurity = { ...(tls ? { tls } : {}), insecure: p.flags.get('insecure') === true };
  if (listen.startsWith('unix:')) mkdirSync(dirname(listen.slice(5)), { recursive: true });
  const logger = stderrLogger('vsm');
  const log = lineLog(logger);
  const running = store !== undefined ? await replica(store, name, listen, security, log) : await embedded(data, name, listen, security, log);
  const { vsm } = running;
  const closers: (() => void)[] = [];
  try {
    if (metricsAddr !== 'off') {
      const server = await serveMetrics(metricsAddr, new VsmMetrics(vsm), logger.error);
      closers.push(() => server.close());
    }
    if (neutron) {
      // Nova hears of its servers' ports (network-vif-plugged...) as from Neutron's notifier.
      const nova = novaUrl ? new NovaNotifier({ url: novaUrl, log, ...(keystone ? { tokens: keystone } : {}) }) : undefined;
      const api = new NeutronApi(vsm.commit, {
        ...(token ? { token } : {}), ...(keystone ? { keystone } : {}), ...(range ? { vniRange: range } : {}), ...(vlanRanges.length ? { vlanRanges } : {}), log,
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
    await running.close();
    throw e;
  }
  if (syncSeconds) {
    // Work that must run once: on the cluster's leader only (the embedded store's VSM always leads).
    const timer = setInterval(() => {
      if (!running.leader()) return;
      retryStale(() => vsm.sync()).catch((e: Error) => logger.error(`sync failed: ${e.message}`)); // the next round tries again
    }, syncSeconds * 1000);
    closers.push(() => clearInterval(timer));
  }
  return new Promise((resolve) => {
    const stop = (): void => {
      closers.forEach((c) => c());
      void running.close().then(() => resolve(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    log(`${running.where}; revision ${vsm.snapshot.revision}${metricsAddr !== 'off' ? `; metrics on http://${metricsAddr}/metrics` : ''}`);
  });
}
