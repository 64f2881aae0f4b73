// The VEM agent: a reconcile loop from a configuration (a file, or the VSM's views through
// vsm-mode.ts) to the dataplane. Desired state in (configuration + live interfaces),
// difference applied to the pinned maps, programs attached to ports and uplinks, IGMP
// membership, next hops, MAC ageing.
import { readFileSync } from 'node:fs';
import { ensurePinRoot } from '../maps/bpffs.js';
import { Dataplane } from '../maps/dataplane.js';
import { BPFFS_MOUNT } from '../maps/paths.js';
import { subscribeEvents, type DataplaneEvent, type EventSubscription } from '../maps/events.js';
import { ageOut } from './ageing.js';
import { Attachments, type TcProgram } from './attach.js';
import { parseVemConfig, type VemConfig } from './config.js';
import { desiredFromConfig, type DesiredState } from './desired.js';
import { TUNNEL_DEVICE, ensureTunnelDevice, removeTunnelDevice } from './tunnel-device.js';
import { listLinks } from './links.js';
import type { Logger } from '../common/log.js';
import { syncMemberships } from './membership.js';
import { NeighbourResolver } from './neighbours.js';
import { currentSlots, reconcile } from './reconcile.js';

export interface VemOptions {
  /** File mode: the JSON file, re-read on reload(). Absent when the VSM drives the agent. */
  configPath?: string;
  instance: string;
  log: Logger;
  /**
   * VSM mode: when pinned state exists, leave it forwarding untouched until the first update()
   * (a restarted agent must not reconcile to an empty configuration before the VSM answers).
   */
  keepPinnedUntilUpdate?: boolean;
  /** Learn and move events of the dataplane (VSM mode reports them). */
  onLearn?: (ev: { vni: number; mac: string; vtep: string; interface: string }) => void;
  /** How often interfaces are polled for ports that appear or go (ms). */
  pollMs?: number;
  /** The interfaces of the ports bound in the dataplane, whenever that set changes (VSM mode reports it). */
  onPortsBound?: (interfaces: string[]) => void;
}

function readConfig(opts: VemOptions): VemConfig {
  if (!opts.configPath) throw new Error('no configuration file: this agent follows the VSM');
  return parseVemConfig(JSON.parse(readFileSync(opts.configPath, 'utf8')) as unknown);
}

/** What the live interfaces contribute to the desired state. */
function fingerprint(d: DesiredState): string {
  return JSON.stringify([[...d.ports.values()].map((p) => ({ ...p, trunk: [...p.trunk] })), d.vteps.map((v) => [v.ifindex, v.mac, v.mtu]), d.physnets.map((p) => p.ifindex)]);
}

export class VemAgent {
  private desired?: DesiredState;
  private config?: VemConfig;
  private readonly attachments: Attachments;
  private events?: EventSubscription;
  private timer?: NodeJS.Timeout;
  private lastAgeing = 0;
  private readonly resolver: NeighbourResolver;
  private busy: Promise<void> = Promise.resolve();
  /** When the configuration was last applied (ms since the epoch) and how many times. */
  lastSyncMs = 0;
  applyCount = 0;
  /** Configurations (file reloads, VSM views) refused, or that failed to apply. */
  reloadFailures = 0;

  private constructor(private readonly opts: VemOptions, readonly dataplane: Dataplane) {
    this.resolver = new NeighbourResolver(dataplane.maps);
    this.attachments = new Attachments(dataplane, opts.log);
  }

  /** Loads (or re-uses pinned) state, applies the configuration, attaches, starts the loops. */
  static async start(opts: VemOptions, initial?: VemConfig): Promise<VemAgent> {
    // First: without the host's bpffs nothing below could last (or even finish, see bpffs.ts).
    if (ensurePinRoot().mounted) opts.log.info(`mounted the BPF filesystem (bpffs) on ${BPFFS_MOUNT}`);
    const config = initial ?? readConfig(opts);
    const dp = Dataplane.open({ instance: opts.instance });
    const agent = new VemAgent(opts, dp);
    try {
      if (opts.keepPinnedUntilUpdate && dp.maps.config.get(0)?.version) {
        opts.log.info('pinned dataplane found: it keeps forwarding until the VSM sends this host\'s view');
      } else {
        await agent.apply(config);
      }
    } catch (e) {
      dp.close();
      throw e;
    }
    agent.events = subscribeEvents(dp.maps, (ev) => agent.onEvent(ev));
    agent.timer = setInterval(() => agent.serial(() => agent.tick()), opts.pollMs ?? 1000);
    return agent;
  }

  /** Runs tasks one at a time: a reload never interleaves with a poll. */
  private serial(task: () => Promise<void>): Promise<void> {
    this.busy = this.busy.then(task).catch((e: unknown) => this.opts.log.error(`${(e as Error).message}`));
    return this.busy;
  }

  /** A new desired configuration from elsewhere (the VSM), applied by difference. */
  update(config: VemConfig): Promise<void> {
    return this.serial(() => this.applyCounted(config));
  }

  /** Ports of the configuration whose interface does not exist yet. */
  get portsWaiting(): number {
    return this.desired?.missingPorts.length ?? 0;
  }

  /** The interfaces of the configuration's ports bound in the dataplane (present, programs attached), sorted. */
  get boundPorts(): string[] {
    return [...(this.desired?.ports.values() ?? [])].map((p) => p.interface).sort();
  }

  private async applyCounted(config: VemConfig): Promise<void> {
    try {
      await this.apply(config);
    } catch (e) {
      this.reloadFailures++;
      throw e;
    }
  }

  /** SIGHUP: re-read the file. A bad file is reported and changes nothing. */
  reload(): Promise<void> {
    return this.serial(async () => {
      let config: VemConfig;
      try {
        config = readConfig(this.opts);
      } catch (e) {
        this.reloadFailures++;
        this.opts.log.error(`reload refused, keeping the running configuration: ${(e as Error).message}`);
        return;
      }
      await this.applyCounted(config);
      this.opts.log.info('configuration reloaded');
    });
  }

  private async apply(config: VemConfig): Promise<void> {
    ensureTunnelDevice();
    const links = listLinks();
    // Everything is computed (and validated against the interfaces) before any map is touched.
    const want = desiredFromConfig(config, links, currentSlots(this.dataplane.maps));
    const result = reconcile(this.dataplane.maps, want);
    const programs = new Map<number, TcProgram>([[links.get(TUNNEL_DEVICE)!.ifindex, 'from-tunnel']]);
    for (const v of want.vteps) programs.set(v.ifindex, 'from-uplink');
    for (const p of want.physnets) programs.set(p.ifindex, 'from-uplink'); // also a VTEP's, perhaps: one program
    for (const p of want.ports.keys()) programs.set(p, 'from-port');
    this.attachments.sync(programs, result.removedPorts);
    for (const v of want.vteps) this.attachments.syncXdp(v.interface, v.ifindex, v.xdp);
    const m = syncMemberships(want.groups, want.vteps.map((v) => v.interface));
    for (const id of m.joined) this.opts.log.info(`joined ${id}`);
    for (const id of m.left) this.opts.log.info(`left ${id}`);
    if (want.missingPorts.length && want.missingPorts.join() !== this.desired?.missingPorts.join()) {
      this.opts.log.warn(`waiting for port interfaces: ${want.missingPorts.join(', ')}`);
    }
    const boundBefore = this.desired && this.boundPorts.join();
    this.desired = want;
    this.config = config;
    if (this.boundPorts.join() !== boundBefore) this.opts.onPortsBound?.(this.boundPorts);
    this.lastSyncMs = Date.now();
    this.applyCount++;
    if (result.changes) this.opts.log.info(`reconciled: ${result.changes} map changes`);
    await this.resolver.resolve(this.remotePairs(want));
  }

  /** (local VTEP, remote VTEP) pairs whose next hop must be resolved ahead of traffic. */
  private remotePairs(want: DesiredState): { vtep: DesiredState['vteps'][number]; remote: string }[] {
    const bySlot = new Map(want.vteps.map((v) => [v.slot, v]));
    const pairs: { vtep: DesiredState['vteps'][number]; remote: string }[] = [];
    for (const [vni, list] of want.flood) {
      const vtep = bySlot.get(want.segments.get(vni)!.vtepSlot)!;
      for (const remote of list) pairs.push({ vtep, remote });
    }
    for (const m of want.staticMacs) {
      if (m.entry.vtep === '0.0.0.0') continue; // a VLAN segment's: behind the uplink, no next hop
      const vtep = bySlot.get(want.segments.get(m.key.vni)!.vtepSlot)!;
      pairs.push({ vtep, remote: m.entry.vtep });
    }
    return pairs;
  }

  private async tick(): Promise<void> {
    if (!this.config || !this.desired) return;
    try {
      // Ports that appeared or went, uplinks whose MTU or MAC changed: re-apply (the reconcile
      // itself is a no-op when nothing moved, but this keeps idle ticks free of map reads).
      const fresh = desiredFromConfig(this.config, listLinks(), currentSlots(this.dataplane.maps));
      if (fingerprint(fresh) !== fingerprint(this.desired)) await this.apply(this.config);
    } finally {
      // Ageing runs whatever happened above: a failing interface must not stop it.
      const ageingMs = Math.min(Math.max(this.config.macAgeingSeconds * 100, 1000), 30_000);
      if (Date.now() - this.lastAgeing >= ageingMs) {
        this.lastAgeing = Date.now();
        const aged = ageOut(this.dataplane.maps, this.config.macAgeingSeconds);
        if (aged.length) this.opts.log.info(`aged out ${aged.length} MAC entries`);
      }
    }
  }

  private onEvent(ev: DataplaneEvent): void {
    if (ev.type === 'neigh-miss') {
      const vtep = this.desired?.vteps.find((v) => v.ifindex === ev.ifindex);
      if (vtep) void this.serial(async () => void (await this.resolver.resolve([{ vtep, remote: ev.nextHop }])));
      return;
    }
    const iface = ev.ifindex ? this.desired?.ports.get(ev.ifindex)?.interface ?? `ifindex ${ev.ifindex}` : '';
    this.opts.onLearn?.({ vni: ev.vni, mac: ev.mac, vtep: ev.vtep, interface: iface });
    const where = ev.ifindex ? `port ${ev.ifindex}` : `vtep ${ev.vtep}`;
    this.opts.log.debug(`${ev.type} vni ${ev.vni} ${ev.mac} -> ${where}`);
  }

  /**
   * Stops the agent. Without cleanup the dataplane keeps forwarding from pinned state (filters
   * stay attached, maps stay pinned, groups stay joined); with cleanup everything is removed.
   */
  async stop(cleanup: boolean): Promise<void> {
    clearInterval(this.timer);
    await this.busy;
    this.events?.close();
    if (cleanup) {
      this.attachments.detachAll();
      if (this.desired) syncMemberships(new Map(), this.desired.vteps.map((v) => v.interface));
      removeTunnelDevice();
    }
    this.dataplane.close();
    if (cleanup) Dataplane.removePins(this.dataplane.instance);
  }
}
