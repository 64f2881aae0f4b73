// VSM mode: the agent registers its host and VTEPs, then follows the host's view stream. Each
// view becomes a typed VemConfig (view-config.ts), applied by difference. While the VSM is
// unreachable the dataplane keeps its last state; the follower retries with backoff and
// resyncs from a fresh snapshot. A view the identity record refuses (vsm-identity.ts: another
// store, or an older revision, that would remove segments or ports) is held, not applied,
// until it is adopted or a view that may be applied arrives.
import { VemClient, VsmCallError } from '../../proto/clients.js';
import type { TlsCreds } from '../../proto/credentials.js';
import { PartsError, UpdateAssembler } from '../../proto/chunks.js';
import { applyDelta } from '../../proto/delta.js';
import type { HostUpdate, HostView, LearnedMacMsg } from '../../proto/index.js';
import type { HostConfig, VemConfig } from './config.js';
import { viewConfig } from './view-config.js';
import { refusalMessage, type IdentityRecord } from './vsm-identity.js';
import type { Logger } from '../common/log.js';

export interface FollowerOptions {
  vsm: string;
  /** Mutual TLS over TCP (proto/credentials.ts). */
  tls?: TlsCreds | undefined;
  host: string;
  /** The VTEPs (registered with the VSM) and settings every view is applied with. */
  hostConfig: HostConfig;
  /** The smallest MTU of the VTEPs' uplinks, and this agent's version, told to the VSM. */
  uplinkMtu: number;
  version: string;
  log: Logger;
  /** The store this host follows, and whether a view may be applied. */
  identity: IdentityRecord;
  apply: (config: VemConfig) => Promise<void>;
}

/**
 * `ms` and up to half as much again, at random: the VEMs of a VSM that went away retry spread
 * out over the round, not all in the same instant.
 */
export function jittered(ms: number, random: () => number = Math.random): number {
  return ms + random() * (ms / 2);
}

export class VsmFollower {
  private readonly client: VemClient;
  private readonly parts = new UpdateAssembler();
  private stopWatch?: () => void;
  private timer?: NodeJS.Timeout;
  private reportTimer?: NodeJS.Timeout;
  /** The view the stream has brought (applied or not): deltas apply to it. */
  private view?: HostView;
  /** A view refused by the identity record, with its store: applied if adopted. */
  private held?: { view: HostView; vsmId: string; refusedLogged: string };
  /** Updates are handled one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();
  private learned: LearnedMacMsg[] = [];
  /** The interfaces bound in the dataplane (undefined before the agent said), and whether the VSM has yet to hear them. */
  private bound?: string[];
  private boundUnsent = false;
  private backoffMs = 500;
  /** The revision applied by this run (0 before its first view), and the store this host follows. */
  private revision = '0';
  private vsmId = '';
  private stopped = false;
  connected = false;

  constructor(private readonly o: FollowerOptions) {
    this.client = new VemClient(o.vsm, o.tls);
    this.vsmId = o.identity.remembered?.vsmId ?? '';
  }

  get lastRevision(): string {
    return this.revision;
  }

  /** Whether the VSM's latest view is refused (another store, or an older revision, that would remove segments or ports). */
  get refusing(): boolean {
    return this.held !== undefined;
  }

  start(): void {
    void this.connect();
    // Liveness and learned MACs, once a second while connected; an adopt request is noticed here too.
    this.reportTimer = setInterval(() => {
      void this.sendReport();
      if (this.held && this.o.identity.adopting) this.handle(() => this.consider());
    }, 1000);
  }

  /** A MAC the dataplane learned; reported to the VSM with the next report. */
  learnedMac(m: LearnedMacMsg): void {
    if (this.learned.length < 10_000) this.learned.push(m);
  }

  /** The ports bound in the dataplane changed: the VSM hears it at once (Neutron's port status, Nova's events). */
  portsBound(interfaces: string[]): void {
    this.bound = interfaces;
    this.boundUnsent = true;
    void this.sendReport();
  }

  private async sendReport(): Promise<void> {
    if (!this.connected) return;
    const learned = this.learned.splice(0);
    // The whole set, only when the VSM has not heard it: after a change or a reconnection.
    const bound = this.boundUnsent ? this.bound : undefined;
    try {
      await this.client.report({
        host: this.o.host, appliedRevision: this.revision, learned, vsmId: this.vsmId,
        ...(bound ? { boundPorts: bound, boundPortsKnown: true } : {}),
      });
      if (bound && this.bound === bound) this.boundUnsent = false;
    } catch {
      this.learned.unshift(...learned); // next time
    }
  }

  /** @param replaced the VSM gave this host's stream to a newer Watch (another agent claims the host) */
  private retry(why: string, replaced = false): void {
    if (this.stopped) return;
    if (this.connected) this.o.log.warn(`VSM ${this.o.vsm} lost (${why}): forwarding on revision ${this.revision}`);
    // A stream that was up: the next replica at once, backoff after that. Not for a stream taken
    // by a newer Watch: two agents claiming one host would take it from each other without pause.
    const first = this.connected && !replaced;
    this.connected = false;
    this.parts.reset();
    this.timer = setTimeout(() => void this.connect(), first ? 0 : jittered(this.backoffMs));
    this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.client.register({
        host: this.o.host,
        vteps: this.o.hostConfig.vteps.map((v) => ({ interface: v.interface, address: v.address, prefixLength: v.prefixLength, gateway: v.gateway ?? '' })),
        uplinkMtu: this.o.uplinkMtu,
        version: this.o.version,
        physicalNetworks: Object.keys(this.o.hostConfig.physicalNetworks ?? {}),
      });
    } catch (e) {
      this.retry((e as Error).message);
      return;
    }
    this.boundUnsent = this.bound !== undefined; // a restarted VSM knows nothing of this host's ports
    // A resuming delta applies to the view the stream brought: only when that is the one applied.
    const resumable = this.view !== undefined && this.view.revision === this.revision;
    this.stopWatch = this.client.watch(this.o.host, resumable ? this.revision : '0', (u) => this.handle(() => this.onUpdate(u)),
      (err) => this.retry(err?.message ?? 'stream ended', err instanceof VsmCallError && err.replaced), { vsmId: this.vsmId, chunked: true });
  }

  private handle(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((e: unknown) => this.o.log.error(`VSM update: ${(e as Error).message}`));
  }

  private async onUpdate(u: HostUpdate): Promise<void> {
    let view: HostView;
    try {
      const whole = this.parts.add(u);
      if (!whole) return; // more parts to come
      if (whole.snapshot) view = { ...whole.snapshot, partial: false };
      else if (whole.delta && this.view) view = applyDelta(this.view, whole.delta);
      else throw new Error('a delta arrived before any snapshot');
      if (!this.connected) this.o.log.info(`following VSM ${this.o.vsm} (store ${whole.vsmId || '(no identity)'}) from revision ${view.revision} (${whole.snapshot ? 'snapshot' : 'resumed'})`);
      this.held = { view, vsmId: whole.vsmId ?? '', refusedLogged: this.held?.refusedLogged ?? '' };
    } catch (e) {
      // Out of step with the VSM: start again from a snapshot.
      this.o.log.warn(`${(e as Error).message}${e instanceof PartsError ? ' (parts of an update)' : ''}: resyncing from a snapshot`);
      this.view = undefined;
      this.parts.reset();
      this.stopWatch?.();
      return;
    }
    this.connected = true;
    this.backoffMs = 500;
    this.view = view;
    await this.consider();
  }

  /** Applies the held view if the identity record allows it; otherwise keeps holding it and says why (once per store). */
  private async consider(): Promise<void> {
    const h = this.held;
    if (!h) return;
    const verdict = this.o.identity.judge(h.view, h.vsmId);
    if (!verdict.apply) {
      const key = `${h.vsmId}/${verdict.why}`;
      const message = refusalMessage(this.o.identity.remembered!, h.view, h.vsmId, verdict, this.o.identity.instance);
      if (h.refusedLogged !== key) this.o.log.error(message);
      else this.o.log.debug(message);
      h.refusedLogged = key;
      return;
    }
    this.held = undefined;
    if (h.refusedLogged || verdict.why === 'adopted' || verdict.why === 'removes nothing') {
      const store = h.vsmId || '(no identity)';
      this.o.log.warn(verdict.why === 'same store' ? `VSM store ${store} is back: applying its revision ${h.view.revision}`
        : `applying revision ${h.view.revision} of VSM store ${store} (${verdict.why}): this host follows that store from now on`);
    }
    try {
      const { config, skipped } = viewConfig(this.o.hostConfig, h.view);
      if (skipped.length) this.o.log.warn(`revision ${h.view.revision}: no uplink here for ${skipped.join(', ')} (vem --physnet NAME:IF); their ports left out`);
      await this.o.apply(config);
      [this.revision, this.vsmId] = [h.view.revision, h.vsmId];
      this.o.identity.applied(h.view, h.vsmId);
      void this.sendReport(); // at once: the VSM measures how far this host lags from it
    } catch (e) {
      this.o.log.error(`revision ${h.view.revision} not applied, keeping ${this.revision}: ${(e as Error).message}`);
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.reportTimer);
    this.stopWatch?.();
    this.client.close();
  }
}
