// An agent that follows a VSM: it starts with the host's VTEPs and settings only (and whatever
// pinned state a previous run left forwarding), registers the host, and applies each view of
// the host the VSM streams, unless it comes from a store the host does not follow and would
// remove what the host has (vsm-identity.ts).
import type { TlsCreds } from '../../proto/credentials.js';
import type { Logger } from '../common/log.js';
import type { HostConfig } from './config.js';
import { listLinks } from './links.js';
import { VemAgent } from './vem.js';
import { VsmFollower } from './vsm-follower.js';
import { IdentityRecord, hasPins } from './vsm-identity.js';

export interface VsmModeOptions {
  /** The VSM's address (unix:/PATH or HOST:PORT). */
  vsm: string;
  host: string;
  hostConfig: HostConfig;
  instance: string;
  version: string;
  log: Logger;
  /** Apply the next view whatever its store, and follow that store from then on. */
  adopt?: boolean;
  /** This host's certificate and key, and the CA: mutual TLS to a VSM on TCP. */
  tls?: TlsCreds;
}

export interface VsmModeAgent {
  readonly agent: VemAgent;
  /** Whether the watch stream to the VSM is up. */
  connected(): boolean;
  /** The VSM revision last applied (0 before the first view). */
  revision(): number;
  /** Whether the VSM's view is refused: another store, or an older revision, that would remove segments or ports. */
  identityMismatch(): boolean;
  /** Stops following, then stops the agent (see VemAgent.stop). */
  stop(cleanup: boolean): Promise<void>;
}

export async function startVsmMode(o: VsmModeOptions): Promise<VsmModeAgent> {
  // Read before the agent starts: it pins a new dataplane when there is none.
  const identity = new IdentityRecord(o.instance, hasPins(o.instance), o.log, o.adopt);
  if (o.adopt) o.log.warn('--adopt: the next view is applied whatever VSM store it comes from, and that store is followed from then on');
  let follower: VsmFollower | undefined;
  const agent = await VemAgent.start(
    {
      instance: o.instance, log: o.log, keepPinnedUntilUpdate: true,
      onLearn: (m) => follower?.learnedMac(m), onPortsBound: (b) => follower?.portsBound(b),
    },
    { ...o.hostConfig, segments: [], ports: [], staticMacs: [] },
  );
  const links = listLinks();
  const uplinkMtu = Math.min(...o.hostConfig.vteps.map((v) => links.get(v.interface)?.mtu ?? 0));
  const f = new VsmFollower({ vsm: o.vsm, tls: o.tls, host: o.host, hostConfig: o.hostConfig, uplinkMtu, version: o.version, log: o.log, identity, apply: (c) => agent.update(c) });
  follower = f;
  f.start();
  return {
    agent,
    connected: () => f.connected,
    revision: () => Number(f.lastRevision),
    identityMismatch: () => f.refusing,
    stop: async (cleanup) => {
      f.stop();
      await agent.stop(cleanup);
      if (cleanup) identity.forget(); // the pins are gone: nothing left to guard
    },
  };
}
