// `vxvem vem --config FILE | --vsm ADDR --host NAME --vtep IF:ADDR/LEN[@GW]... [--instance NAME] [--cleanup]
//            [--metrics HOST:PORT|off] [--netns NAME]`
import { stderrLogger } from '../common/log.js';
import { packageVersion } from '../common/package.js';
import { VemAgent } from '../agent/vem.js';
import { parseVemConfig } from '../agent/config.js';
import { listLinks } from '../agent/links.js';
import { VsmFollower, parseVtepArg } from '../agent/vsm-follower.js';
import { VemMetrics } from '../agent/metrics.js';
import { enterNetns, netnsNameProblem } from '../maps/netns.js';
import { serveMetrics, type MetricsSource } from './metrics-http.js';
import { UsageError, flagString, parseArgs } from './args.js';

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, {
    config: { kind: 'string' }, instance: { kind: 'string' }, cleanup: { kind: 'boolean' },
    vsm: { kind: 'string' }, host: { kind: 'string' }, vtep: { kind: 'list' },
    metrics: { kind: 'string' }, netns: { kind: 'string' },
  });
  if (p.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(p.positionals[0])}`);
  const configPath = flagString(p, 'config');
  const vsm = flagString(p, 'vsm');
  if (!configPath === !vsm) throw new UsageError('vem: give either --config FILE or --vsm ADDR --host NAME --vtep IF:ADDR/LEN[@GW]...');
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
  let follower: VsmFollower | undefined;
  let origin: string;
  if (vsm) {
    const host = flagString(p, 'host');
    const vteps = ((p.flags.get('vtep') as string[] | undefined) ?? []).map(parseVtepArg);
    if (!host || !vteps.length) throw new UsageError('vem --vsm: --host NAME and at least one --vtep IF:ADDR/LEN[@GW] are required');
    // Until the first view arrives: the VTEPs only (and whatever pinned state a previous run left).
    agent = await VemAgent.start({ instance, log, keepPinnedUntilUpdate: true, onLearn: (m) => follower?.learnedMac(m) }, parseVemConfig({ vteps: vteps.map((v) => ({ interface: v.interface, address: `${v.address}/${v.prefixLength}`, ...(v.gateway ? { gateway: v.gateway } : {}) })), segments: [], ports: [] }));
    const links = listLinks();
    const uplinkMtu = Math.min(...vteps.map((v) => links.get(v.interface)?.mtu ?? 0));
    follower = new VsmFollower({ vsm, host, vteps, uplinkMtu, version, log, apply: (c) => agent.update(c) });
    follower.start();
    origin = `VSM ${vsm} as host ${host}`;
  } else {
    agent = await VemAgent.start({ configPath: configPath!, instance, log });
    origin = configPath!;
  }
  const f = follower;
  const a = agent;
  metrics = new VemMetrics(agent.dataplane.maps, {
    mode: f ? 'vsm' : 'file', instance, version,
    vsmConnected: () => f?.connected ?? false,
    revision: () => (f ? Number(f.lastRevision) : a.applyCount),
    lastSyncMs: () => a.lastSyncMs,
  });
  return new Promise((resolve) => {
    const stop = (): void => {
      follower?.stop();
      server?.close();
      agent.stop(p.flags.get('cleanup') === true).then(
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
