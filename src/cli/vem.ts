// `vxvem vem --config FILE | --vsm ADDR --host NAME --vtep IF:ADDR/LEN[@GW]... [--ttl N]
//            [--tos inherit|N] [--src-port-range A-B] [--udp-checksum] [--mac-ageing SECONDS]
//            [--instance NAME] [--cleanup] [--metrics HOST:PORT|off] [--netns NAME]`
import { stderrLogger } from '../common/log.js';
import { packageVersion } from '../common/package.js';
import { VemAgent } from '../agent/vem.js';
import { ConfigError, type HostConfig } from '../agent/config.js';
import { SETTING_FLAGS, hostConfigFromFlags } from '../agent/host-flags.js';
import { startVsmMode } from '../agent/vsm-mode.js';
import { VemMetrics, type AgentHealth } from '../agent/metrics.js';
import { enterNetns, netnsNameProblem } from '../maps/netns.js';
import { serveMetrics, type MetricsSource } from './metrics-http.js';
import { UsageError, flagInt, flagString, parseArgs, type Parsed } from './args.js';

const SETTING_FLAG_NAMES = Object.values(SETTING_FLAGS);

/** VSM mode's --host, --vtep list and settings flags, checked before anything starts. */
function vsmHost(p: Parsed, vsm: string): { vsm: string; host: string; hostConfig: HostConfig } {
  const host = flagString(p, 'host');
  const vteps = (p.flags.get('vtep') as string[] | undefined) ?? [];
  if (!host || !vteps.length) throw new UsageError('vem --vsm: --host NAME and at least one --vtep IF:ADDR/LEN[@GW] are required');
  try {
    const hostConfig = hostConfigFromFlags({
      vteps,
      ttl: flagString(p, SETTING_FLAGS.ttl),
      tos: flagString(p, SETTING_FLAGS.tos),
      srcPortRange: flagString(p, SETTING_FLAGS.srcPortRange),
      udpChecksum: p.flags.get(SETTING_FLAGS.udpChecksum) === true ? true : undefined,
      macAgeing: flagString(p, SETTING_FLAGS.macAgeingSeconds),
    });
    return { vsm, host, hostConfig };
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, {
    config: { kind: 'string' }, instance: { kind: 'string' }, cleanup: { kind: 'boolean' },
    vsm: { kind: 'string' }, host: { kind: 'string' }, vtep: { kind: 'list' },
    metrics: { kind: 'string' }, 'metrics-max-vnis': { kind: 'string' }, netns: { kind: 'string' },
    ...Object.fromEntries(SETTING_FLAG_NAMES.map((f) => [f, { kind: f === SETTING_FLAGS.udpChecksum ? 'boolean' : 'string' } as const])),
  });
  if (p.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(p.positionals[0])}`);
  const configPath = flagString(p, 'config');
  const vsm = flagString(p, 'vsm');
  if (!configPath === !vsm) throw new UsageError('vem: give either --config FILE or --vsm ADDR --host NAME --vtep IF:ADDR/LEN[@GW]...');
  const vsmOnly = SETTING_FLAG_NAMES.find((f) => p.flags.has(f));
  if (configPath && vsmOnly) throw new UsageError(`--${vsmOnly} is a flag of VSM mode: with --config the file's keys set it`);
  const following = vsm ? vsmHost(p, vsm) : undefined;
  const maxVnis = flagInt(p, 'metrics-max-vnis', 0, 16_777_215);
  const instance = flagString(p, 'instance') ?? 'default';
  const log = stderrLogger(`vem[${instance}]`);
  const version = packageVersion();
  const netns = flagString(p, 'netns');
  const netnsProblem = netns === undefined ? undefined : netnsNameProblem(netns);
  if (netnsProblem) throw new UsageError(`--netns: ${netnsProblem}`);
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
      enterNetns(netns);
    } catch (e) {
      server?.close();
      throw new UsageError(`--netns ${netns}: ${(e as Error).message}`);
    }
  }
  let agent: VemAgent;
  let stopAgent: (cleanup: boolean) => Promise<void>;
  let health: Pick<AgentHealth, 'mode' | 'vsmConnected' | 'revision'>;
  let origin: string;
  if (following) {
    const running = await startVsmMode({ ...following, instance, version, log });
    agent = running.agent;
    stopAgent = running.stop;
    health = { mode: 'vsm', vsmConnected: running.connected, revision: running.revision };
    origin = `VSM ${following.vsm} as host ${following.host}`;
  } else {
    const a = await VemAgent.start({ configPath: configPath!, instance, log });
    agent = a;
    stopAgent = (cleanup) => a.stop(cleanup);
    health = { mode: 'file', vsmConnected: () => false, revision: () => a.applyCount };
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
