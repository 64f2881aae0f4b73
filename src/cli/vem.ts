// `vxvem vem --config FILE [--instance NAME] [--cleanup]`: the standalone VEM agent.
import { stderrLogger } from '../agent/log.js';
import { VemAgent } from '../agent/vem.js';
import { UsageError, flagString, parseArgs } from './args.js';

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { config: { kind: 'string' }, instance: { kind: 'string' }, cleanup: { kind: 'boolean' } });
  if (p.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(p.positionals[0])}`);
  const configPath = flagString(p, 'config');
  if (!configPath) throw new UsageError('vem: --config FILE is required (VSM mode arrives with the VSM)');
  const instance = flagString(p, 'instance') ?? 'default';
  const log = stderrLogger(`vem[${instance}]`);
  const agent = await VemAgent.start({ configPath, instance, log });
  return new Promise((resolve) => {
    const stop = (): void => {
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
    log.info(`running from ${configPath}; SIGHUP reloads, SIGTERM leaves the dataplane running${p.flags.get('cleanup') ? ' (--cleanup: removes it)' : ''}`);
  });
}
