// The standalone VEM agent: a reconcile loop from a configuration file to the dataplane.
// Desired state in (file + live interfaces), difference applied to the pinned maps, programs
// attached to ports and uplinks, IGMP membership, next hops, MAC ageing.
import { readFileSync } from 'node:fs';
import { native, type RingBufferHandle } from '../../native/index.js';
import { Dataplane } from '../maps/dataplane.js';
import { EventType, macEventCodec } from '../maps/layout.js';
import { ageOut } from './ageing.js';
import { attachIngress, attachXdp, detachIngress, detachXdp } from './attach.js';
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
}

function readConfig(opts: VemOptions): VemConfig {
  if (!opts.configPath) throw new Error('no configuration file: this agent follows the VSM');
  return parseVemConfig(JSON.parse(readFileSync(opts.configPath, 'utf8')) as unknown);
}

/** What the live interfaces contribute to the desired state. */
function fingerprint(d: DesiredState): string {
  return JSON.stringify([[...d.ports.values()], d.vteps.map((v) => [v.ifindex, v.mac, v.mtu])]);
}

export class VemAgent {
  private desired?: DesiredState;
  private config?: VemConfig;
  private readonly attached = new Set<number>();
  private ring?: RingBufferHandle;
  private timer?: NodeJS.Timeout;
  private lastAgeing = 0;
  private readonly resolver: NeighbourResolver;
  private busy: Promise<void> = Promise.resolve();
  /** When the configuration was last applied (ms since the epoch) and how many times. */
  lastSyncMs = 0;
  applyCount = 0;

  private constructor(private readonly opts: VemOptions, readonly dataplane: Dataplane) {
    this.resolver = new NeighbourResolver(dataplane.maps);
  }

  /** Loads (or re-uses pinned) state, applies the file, attaches, starts the loops. */
  static async start(opts: VemOptions, initial?: VemConfig): Promise<VemAgent> {
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
    agent.ring = native().ringBuffer(dp.maps.eventsFd, (rec) => agent.onEvent(rec));
    agent.timer = setInterval(() => agent.serial(() => agent.tick()), opts.pollMs ?? 1000);
    return agent;
  }

  /** Runs tasks one at a time: a reload never interleaves with a poll. */
  private serial(task: () => Promise<void>): Promise<void> {
    this.busy = this.busy.then(task).catch((e: unknown) => this.opts.log.error(`${(e as Error).message}`));
    return this.busy;
  }

  /** SIGHUP: re-read the file. A bad file is reported and changes nothing. */
  /** A new desired configuration from elsewhere (the VSM), applied by difference. */
  update(config: VemConfig): Promise<void> {
    return this.serial(() => this.apply(config));
  }

  reload(): Promise<void> {
    return this.serial(async () => {
      let config: VemConfig;
      try {
        config = readConfig(this.opts);
      } catch (e) {
        this.opts.log.error(`reload refused, keeping the running configuration: ${(e as Error).message}`);
        return;
      }
      await this.apply(config);
      this.opts.log.info('configuration reloaded');
    });
  }

  private async apply(config: VemConfig): Promise<void> {
    ensureTunnelDevice();
    const links = listLinks();
    // Everything is computed (and validated against the interfaces) before any map is touched.
    const want = desiredFromConfig(config, links, currentSlots(this.dataplane.maps));
    const result = reconcile(this.dataplane.maps, want);
    const frag = links.get(TUNNEL_DEVICE)!.ifindex;
    const wantAttached = new Set([...want.vteps.map((v) => v.ifindex), ...want.ports.keys(), frag]);
    this.attach(frag, 'from-tunnel', 'from_tunnel');
    for (const v of want.vteps) this.attach(v.ifindex, 'from-uplink', 'from_uplink');
    for (const p of want.ports.keys()) this.attach(p, 'from-port', 'from_port');
    for (const ifindex of [...this.attached]) {
      if (wantAttached.has(ifindex)) continue;
      detachIngress(ifindex);
      this.attached.delete(ifindex);
    }
    for (const ifindex of result.removedPorts) detachIngress(ifindex);
    for (const v of want.vteps) this.syncXdp(v.interface, v.ifindex, v.xdp);
    const m = syncMemberships(want.groups, want.vteps.map((v) => v.interface));
    for (const id of m.joined) this.opts.log.info(`joined ${id}`);
    for (const id of m.left) this.opts.log.info(`left ${id}`);
    if (want.missingPorts.length && want.missingPorts.join() !== this.desired?.missingPorts.join()) {
      this.opts.log.warn(`waiting for port interfaces: ${want.missingPorts.join(', ')}`);
    }
    this.desired = want;
    this.config = config;
    this.lastSyncMs = Date.now();
    this.applyCount++;
    if (result.changes) this.opts.log.info(`reconciled: ${result.changes} map changes`);
    await this.resolver.resolve(this.remotePairs(want));
  }

  /** XDP decap on an uplink whose VTEP asks for it; TC stays attached behind it for the rest. */
  private syncXdp(ifname: string, ifindex: number, wanted: boolean): void {
    const pinDir = this.dataplane.pinDir;
    if (!wanted) {
      if (detachXdp(pinDir, ifname)) this.opts.log.info(`XDP detached from ${ifname}`);
      return;
    }
    try {
      if (attachXdp(pinDir, ifname, ifindex, this.dataplane.progFd('xdp-uplink', 'xdp_uplink'))) this.opts.log.info(`XDP (native) attached to ${ifname}`);
    } catch (e) {
      // No native XDP on this device: TC alone carries the uplink, as without "xdp".
      this.opts.log.error(`XDP on ${ifname} refused, uplink stays on TC: ${(e as Error).message}`);
    }
  }

  private attach(ifindex: number, object: string, program: string): void {
    // Re-attaching replaces the filter in place: after a restart this swaps in the new program.
    if (this.attached.has(ifindex)) return;
    attachIngress(ifindex, this.dataplane.progFd(object, program));
    this.attached.add(ifindex);
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

  private onEvent(rec: Buffer): void {
    if (rec.length < macEventCodec.size) return;
    const ev = macEventCodec.decode(rec);
    if (ev.type === EventType.NeighMiss) {
      const vtep = this.desired?.vteps.find((v) => v.ifindex === ev.ifindex);
      if (vtep) void this.serial(async () => void (await this.resolver.resolve([{ vtep, remote: ev.vtep }])));
      return;
    }
    const iface = ev.ifindex ? this.desired?.ports.get(ev.ifindex)?.interface ?? `ifindex ${ev.ifindex}` : '';
    this.opts.onLearn?.({ vni: ev.vni, mac: ev.mac, vtep: ev.ifindex ? '' : ev.vtep, interface: iface });
    const where = ev.ifindex ? `port ${ev.ifindex}` : `vtep ${ev.vtep}`;
    this.opts.log.debug(`${ev.type === EventType.Move ? 'move' : 'learn'} vni ${ev.vni} ${ev.mac} -> ${where}`);
  }

  /**
   * Stops the agent. Without cleanup the dataplane keeps forwarding from pinned state (filters
   * stay attached, maps stay pinned, groups stay joined); with cleanup everything is removed.
   */
  async stop(cleanup: boolean): Promise<void> {
    clearInterval(this.timer);
    await this.busy;
    this.ring?.close();
    if (cleanup) {
      for (const ifindex of this.attached) detachIngress(ifindex);
      if (this.desired) syncMemberships(new Map(), this.desired.vteps.map((v) => v.interface));
      removeTunnelDevice();
    }
    this.dataplane.close();
    if (cleanup) Dataplane.removePins(this.dataplane.instance);
  }
}
