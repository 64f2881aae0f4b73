// `vxvem vem --config FILE [--check] | --vsm ADDR --host NAME --vtep IF:ADDR/LEN[@GW]... [--ttl N]
//            [--tos inherit|N] [--src-port-range A-B] [--udp-checksum] [--mac-ageing SECONDS] [--adopt]
//            [--tls-dir DIR [--cert FILE --key FILE] | --insecure]
//            [--instance NAME] [--cleanup] [--metrics HOST:PORT|off] [--netns NAME]`
// Over TCP a VEM follows the VSM with the certificate of its --host (DIR/HOST.crt), or in the clear with --insecure.
// `vxvem vem adopt [--instance NAME]`: the instance's next VSM view is applied whatever store it comes from.
import { vsmAddresses } from '../../proto/clients.js';
import { stderrLogger } from '../common/log.js';
import { packageVersion } from '../common/package.js';
import type { TlsMaterial } from '../common/tls.js';
import { VemAgent } from '../agent/vem.js';
import { ConfigError, type HostConfig } from '../agent/config.js';
import { SETTING_FLAGS, hostConfigFromFlags } from '../agent/host-flags.js';
import { startVsmMode } from '../agent/vsm-mode.js';
import { requestAdopt } from '../agent/vsm-identity.js';
import { VemMetrics, type AgentHealth } from '../agent/metrics.js';
import { checkConfigFile } from '../agent/config-check.js';
import { DesiredStateError } from '../agent/desired.js';
import { ensurePinRoot } from '../maps/bpffs.js';
import { enterNetns, netnsNameProblem } from '../maps/netns.js';
import { BPFFS_MOUNT } from '../maps/paths.js';
import { serveMetrics, type MetricsSource } from './metrics-http.js';
import { UsageError, flagInt, flagString, type Parsed } from './args.js';
import { TLS_FLAGS, tlsFromFlags } from './tls-flags.js';

const SETTING_FLAG_NAMES = Object.values(SETTING_FLAGS);

/** VSM mode's --host, --vtep list, settings and TLS flags, checked before anything starts. */
function vsmHost(p: Parsed, vsm: string): { vsm: string; host: string; hostConfig: HostConfig; tls?: TlsMaterial } {
  const host = flagString(p, 'host');
  const vteps = (p.flags.get('vtep') as string[] | undefined) ?? [];
  if (!host || !vteps.length) throw new UsageError('vem --vsm: --host NAME and at least one --vtep IF:ADDR/LEN[@GW] are required');
  let addrs: string[];
  try {
    addrs = vsmAddresses(vsm);
  } catch (e) {
    throw new UsageError(`--vsm: ${(e as Error).message}`);
  }
  // The certificate must name this host: the VSM refuses a VEM acting as another.
  const tls = tlsFromFlags(p, 'host', host, '--host', addrs);
  try {
    const hostConfig = hostConfigFromFlags({
      vteps,
      ttl: flagString(p, SETTING_FLAGS.ttl),
      tos: flagString(p, SETTING_FLAGS.tos),
      srcPortRange: flagString(p, SETTING_FLAGS.srcPortRange),
      udpChecksum: p.flags.get(SETTING_FLAGS.udpChecksum) === true ? true : undefined,
      macAgeing: flagString(p, SETTING_FLAGS.macAgeingSeconds),
      physnets: (p.flags.get('physnet') as string[] | undefined) ?? [],
      portNames: (p.flags.get('port-name') as string[] | undefined) ?? [],
      trustedUnderlay: (p.flags.get('trusted-underlay') as string[] | undefined) ?? [],
      maxMacsPerPort: flagString(p, 'max-macs-per-port'),
    });
    return { vsm, host, hostConfig, ...(tls ? { tls } : {}) };
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** `--check`: validate the file and print what applying it would change; applies nothing. */
function check(configPath: string, instance: string): number {
  let result;
  try {
    result = checkConfigFile(configPath, instance);
  } catch (e) {
    const msg = (e as Error).message;
    if (e instanceof ConfigError || e instanceof SyntaxError) process.stderr.write(`vem --check: ${configPath} is invalid: ${msg}\n`);
    else if (e instanceof DesiredStateError) process.stderr.write(`vem --check: ${configPath} is valid but cannot be applied here: ${msg}\n`);
    else process.stderr.write(`vem --check: ${configPath}: ${msg}\n`);
    return 1;
  }
  for (const line of [...result.changes, ...result.waiting]) process.stdout.write(`${line}\n`);
  const n = result.changes.length;
  const against = result.pinned ? `the pinned dataplane of instance ${instance}` : `no pinned dataplane (instance ${instance}): everything is to add`;
  process.stderr.write(`vem --check: ${configPath} is valid; ${n || 'no'} change${n === 1 ? '' : 's'} against ${against}\n`);
  return 0;
}

function enter(netns: string): void {
  try {
    enterNetns(netns);
  } catch (e) {
    throw new UsageError(`--netns ${netns}: ${(e as Error).message}`);
  }
}

/** `vxvem vem adopt`: a running agent takes the held view within a second; a stopped one, the first view at its next start. */
export function runAdopt(p: Parsed): number {
  const instance = flagString(p, 'instance') ?? 'default';
  const marker = requestAdopt(instance);
  console.log(`instance ${instance}: its next VSM view is applied whatever store it comes from, and that store is followed from then on `
    + `(a running agent takes it within a second; ${marker} until then)`);
  return 0;
}

/** `vxvem vem` (its flags: tree/agent.ts). */
export async function run(p: Parsed): Promise<number> {
  const configPath = flagString(p, 'config');
  const vsm = flagString(p, 'vsm');
  if (!configPath === !vsm) throw new UsageError('vem: give either --config FILE or --vsm ADDR --host NAME --vtep IF:ADDR/LEN[@GW]...');
  const vsmOnly = SETTING_FLAG_NAMES.find((f) => p.flags.has(f));
  if (configPath && vsmOnly) throw new UsageError(`--${vsmOnly} is a flag of VSM mode: with --config the file's keys set it`);
  if (configPath && p.flags.has('adopt')) throw new UsageError('--adopt is a flag of VSM mode (--vsm)');
  const tlsFlag = TLS_FLAGS.find((f) => p.flags.has(f));
  if (configPath && tlsFlag) throw new UsageError(`--${tlsFlag} is a flag of VSM mode (--vsm)`);
  const following = vsm ? vsmHost(p, vsm) : undefined;
  const maxVnis = flagInt(p, 'metrics-max-vnis', 0, 16_777_215);
  const instance = flagString(p, 'instance') ?? 'default';
  const log = stderrLogger(`vem[${instance}]`);
  const version = packageVersion();
  const netns = flagString(p, 'netns');
  const netnsProblem = netns === undefined ? undefined : netnsNameProblem(netns);
  if (netnsProblem) throw new UsageError(`--netns: ${netnsProblem}`);
  if (p.flags.get('check') === true) {
    if (!configPath) throw new UsageError('--check checks a --config FILE');
    if (netns) enter(netns);
    return check(configPath, instance);
  }
  // Before anything is bound or entered: a VEM without the host's bpffs stops here, by name.
  if (ensurePinRoot().mounted) log.info(`mounted the BPF filesystem (bpffs) on ${BPFFS_MOUNT}`);
  // The metrics socket is bound before --netns is entered: it stays in the namespace it was
  // made in, so an agent driving a namespace's interfaces is still scraped from the host.
  let metrics: VemMetrics | undefined;
  const source: MetricsSource = {
    scrape: () => (metrics ? metrics.scrape() : Promise.reject(new Error('the agent is still starting'))),
    get contentType() {
      return metrics?.contentType ?? 'text/plain';
    },
  };
  const metricsAddr = flagString(p, 'metrics') ?? '127.0.0.1:9469';
  const server = metricsAddr === 'off' ? undefined : await serveMetrics(metricsAddr, source, (m) => log.error(m));
  if (netns) {
    try {
      enter(netns);
    } catch (e) {
      server?.close();
      throw e;
    }
  }
  let agent: VemAgent;
  let stopAgent: (cleanup: boolean) => Promise<void>;
  let health: Pick<AgentHealth, 'mode' | 'vsmConnected' | 'vsmIdentityMismatch' | 'revision'>;
  let origin: string;
  if (following) {
    const running = await startVsmMode({ ...following, instance, version, log, adopt: p.flags.get('adopt') === true });
    agent = running.agent;
    stopAgent = running.stop;
    health = { mode: 'vsm', vsmConnected: running.connected, vsmIdentityMismatch: running.identityMismatch, revision: running.revision };
    origin = `VSM ${following.vsm} as host ${following.host}`;
  } else {
    const a = await VemAgent.start({ configPath: configPath!, instance, log });
    agent = a;
    stopAgent = (cleanup) => a.stop(cleanup);
    health = { mode: 'file', vsmConnected: () => false, vsmIdentityMismatch: () => false, revision: () => a.applyCount };
    origin = configPath!;
  }
  const a = agent;
  const activity = { reloadFailures: () => a.reloadFailures, portsWaiting: () => a.portsWaiting };
  metrics = new VemMetrics(agent.dataplane.maps, { ...health, ...activity, instance, version, lastSyncMs: () => a.lastSyncMs }, { maxVnis });
  return new Promise((resolve) => {
    const stop = (): void => {
      server?.close();
      stopAgent(p.flags.get('cleanup') === true).then(
        () => {
          log.info('stopped');
          resolve(0);
        },
        (e: unknown) => {
          log.error(`stop failed: ${(e as Error).message}`);
          resolve(1);
        },
      );
    };
    // Handlers first, then the line that tells supervisors (and tests) the agent is up.
    process.on('SIGHUP', () => void agent.reload());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const where = server ? `; metrics on http://${metricsAddr}/metrics` : '';
    log.info(`running from ${origin}${where}; SIGHUP reloads, SIGTERM leaves the dataplane running${p.flags.get('cleanup') ? ' (--cleanup: removes it)' : ''}`);
  });
}
