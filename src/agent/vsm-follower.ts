// VSM mode: the agent registers its host and VTEPs, then follows the host's view stream. Each
// view becomes a typed VemConfig (view-config.ts), applied by difference. While the VSM is
// unreachable the dataplane keeps its last state; the follower retries with backoff and
// resyncs from a fresh snapshot.
import { VemClient } from '../../proto/clients.js';
import { applyDelta } from '../../proto/delta.js';
import type { HostUpdate, HostView, LearnedMacMsg } from '../../proto/index.js';
import type { HostConfig, VemConfig } from './config.js';
import { configFromView } from './view-config.js';
import type { Logger } from '../common/log.js';

export interface FollowerOptions {
  vsm: string;
  host: string;
  /** The VTEPs (registered with the VSM) and settings every view is applied with. */
  hostConfig: HostConfig;
  /** The smallest MTU of the VTEPs' uplinks, and this agent's version, told to the VSM. */
  uplinkMtu: number;
  version: string;
  log: Logger;
  apply: (config: VemConfig) => Promise<void>;
}

export class VsmFollower {
  private readonly client: VemClient;
  private stopWatch?: () => void;
  private timer?: NodeJS.Timeout;
  private reportTimer?: NodeJS.Timeout;
  private view?: HostView;
  private learned: LearnedMacMsg[] = [];
  private backoffMs = 500;
  private revision = '0';
  private stopped = false;
  connected = false;

  constructor(private readonly o: FollowerOptions) {
    this.client = new VemClient(o.vsm);
  }

  get lastRevision(): string {
    return this.revision;
  }

  start(): void {
    void this.connect();
    // Liveness and learned MACs, once a second while connected.
    this.reportTimer = setInterval(() => void this.sendReport(), 1000);
  }

  /** A MAC the dataplane learned; reported to the VSM with the next report. */
  learnedMac(m: LearnedMacMsg): void {
    if (this.learned.length < 10_000) this.learned.push(m);
  }

  private async sendReport(): Promise<void> {
    if (!this.connected) return;
    const learned = this.learned.splice(0);
    try {
      await this.client.report({ host: this.o.host, appliedRevision: this.revision, learned });
    } catch {
      this.learned.unshift(...learned); // next time
    }
  }

  private retry(why: string): void {
    if (this.stopped) return;
    if (this.connected) this.o.log.warn(`VSM ${this.o.vsm} lost (${why}): forwarding on revision ${this.revision}`);
    const first = this.connected; // a stream that was up: the next replica at once, backoff after that
    this.connected = false;
    this.timer = setTimeout(() => void this.connect(), first ? 0 : this.backoffMs);
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
      });
    } catch (e) {
      this.retry((e as Error).message);
      return;
    }
    this.stopWatch = this.client.watch(this.o.host, this.revision, (u) => void this.onUpdate(u), (err) => this.retry(err?.message ?? 'stream ended'));
  }

  private async onUpdate(u: HostUpdate): Promise<void> {
    let view: HostView;
    try {
      if (u.snapshot) view = u.snapshot;
      else if (u.delta && this.view) view = applyDelta(this.view, u.delta);
      else throw new Error('a delta arrived before any snapshot');
    } catch (e) {
      // Out of step with the VSM: start again from a snapshot.
      this.o.log.warn(`${(e as Error).message}: resyncing from a snapshot`);
      this.revision = '0';
      this.view = undefined;
      this.stopWatch?.();
      return;
    }
    if (!this.connected) this.o.log.info(`following VSM ${this.o.vsm} from revision ${view.revision} (${u.snapshot ? 'snapshot' : 'resumed'})`);
    this.connected = true;
    this.backoffMs = 500;
    this.view = view;
    try {
      await this.o.apply(configFromView(this.o.hostConfig, view));
      this.revision = view.revision;
      void this.sendReport(); // at once: the VSM measures how far this host lags from it
    } catch (e) {
      this.o.log.error(`revision ${view.revision} not applied, keeping ${this.revision}: ${(e as Error).message}`);
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
