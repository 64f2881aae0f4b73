// An agent that follows a VSM: it starts with the host's VTEPs and settings only (and whatever
// pinned state a previous run left forwarding), registers the host, and applies each view of
// the host the VSM streams.
import type { Logger } from '../common/log.js';
import type { HostConfig } from './config.js';
import { listLinks } from './links.js';
import { VemAgent } from './vem.js';
import { VsmFollower } from './vsm-follower.js';

export interface VsmModeOptions {
  /** The VSM's address (unix:/PATH or HOST:PORT). */
  vsm: string;
  host: string;
  hostConfig: HostConfig;
  instance: string;
  version: string;
  log: Logger;
}

export interface VsmModeAgent {
  readonly agent: VemAgent;
  /** Whether the watch stream to the VSM is up. */
  connected(): boolean;
  /** The VSM revision last applied (0 before the first view). */
  revision(): number;
  /** Stops following, then stops the agent (see VemAgent.stop). */
  stop(cleanup: boolean): Promise<void>;
}

export async function startVsmMode(o: VsmModeOptions): Promise<VsmModeAgent> {
  let follower: VsmFollower | undefined;
  const agent = await VemAgent.start(
    { instance: o.instance, log: o.log, keepPinnedUntilUpdate: true, onLearn: (m) => follower?.learnedMac(m) },
    { ...o.hostConfig, segments: [], ports: [], staticMacs: [] },
  );
  const links = listLinks();
  const uplinkMtu = Math.min(...o.hostConfig.vteps.map((v) => links.get(v.interface)?.mtu ?? 0));
  const f = new VsmFollower({ vsm: o.vsm, host: o.host, hostConfig: o.hostConfig, uplinkMtu, version: o.version, log: o.log, apply: (c) => agent.update(c) });
  follower = f;
  f.start();
  return {
    agent,
    connected: () => f.connected,
    revision: () => Number(f.lastRevision),
    stop: (cleanup) => {
      f.stop();
      return agent.stop(cleanup);
    },
  };
}
