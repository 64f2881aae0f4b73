// Prometheus metrics of a VEM agent. Dataplane families are read from the pinned maps once per
// scrape (per-CPU values summed by src/maps/totals.ts, never in BPF); health gauges come from
// the agent itself.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { dropLabel } from '../maps/drop-reasons.js';
import type { DataplaneMaps } from '../maps/tables.js';
import {
  countMacs, readDhcpTotals, readDropTotals, readEventsLost, readSegmentTotals, readTableFill, type DhcpTotals, type MacCount, type MapFill, type SegmentTotals,
} from '../maps/totals.js';
import { VniCap, labelDhcp, labelReading, type LabelledReading } from './vni-cap.js';

/** Default of `--metrics-max-vnis`: VNIs with series of their own; the rest are summed as "other". */
export const DEFAULT_MAX_VNIS = 4096;

/** What the agent tells the metrics about itself. */
export interface AgentHealth {
  mode: 'file' | 'vsm';
  /** The agent's instance name: the `vem` label of vxvem_agent_info. */
  instance: string;
  version: string;
  /** VSM mode: whether the watch stream is up. File mode: always false. */
  vsmConnected(): boolean;
  /** VSM mode: whether the VSM's view is refused (another store, or an older revision, that would remove segments or ports). File mode: false. */
  vsmIdentityMismatch?(): boolean;
  /** The configuration revision applied (VSM revision, or the count of file loads). */
  revision(): number;
  /** ms since the epoch of the last successful apply; 0 before the first. */
  lastSyncMs(): number;
  /** Configurations (file reloads, VSM views) the agent could not apply; absent: 0. */
  reloadFailures?(): number;
  /** Ports whose interface does not exist yet; absent: 0. */
  portsWaiting?(): number;
}

type Labels = Record<string, string>;

/**
 * A dataplane family, rendered straight to exposition text. prom-client's generic renderer
 * escapes every label of every sample: 36,000 samples (4,000 VNIs) took 60-120 ms that way,
 * and these labels (numbers, drop-reason identifiers) never need escaping.
 */
interface DataplaneFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  /** Appends `{labels} value` for each sample (the family name is prefixed by render). */
  samples(out: string[], name: string): void;
}

function render(f: DataplaneFamily): string {
  const out = [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`];
  f.samples(out, f.name);
  return out.join('\n') + '\n';
}

/** The dataplane's figures at one instant, summed over CPUs, with their `vni` labels chosen. */
interface DataplaneReading extends LabelledReading {
  /** vx_macs, vx_counters and vx_drops (read whole every scrape), then the other tables. */
  fill: MapFill[];
  eventsLost: number;
  /** DHCP replies the VEM sent per VNI (docs/dataplane.md, "DHCP"). */
  dhcp: [vni: string, totals: DhcpTotals][];
}

/** The last background scan: MAC entries per (VNI, kind) and the fill of the smaller tables. */
interface TableScan {
  macs: MacCount[];
  tables: MapFill[];
}

export class VemMetrics {
  readonly registry = new Registry();
  private reading: DataplaneReading = { counters: [], drops: [], macs: [], fill: [], eventsLost: 0, dhcp: [] };
  private scan: TableScan = { macs: [], tables: [] };
  private readonly cap: VniCap;
  private macsReadAt = -Infinity;
  private macsReadMs = 0;
  private macScan?: Promise<void>;
  private readonly families: DataplaneFamily[];

  constructor(private readonly maps: DataplaneMaps, health: AgentHealth, opts: { maxVnis?: number } = {}) {
    this.cap = new VniCap(opts.maxVnis ?? DEFAULT_MAX_VNIS);
    collectDefaultMetrics({ register: this.registry });
    // Gauges named *_total (promtool rejects them); the same figures exist without the suffix.
    for (const n of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(n);
    const reading = (): DataplaneReading => this.reading;
    const perVni = (name: string, help: string, field: keyof SegmentTotals): DataplaneFamily => ({
      name, help, type: 'counter',
      samples(out, n) {
        for (const [vni, c] of reading().counters) out.push(`${n}{vni="${vni}"} ${c[field]}`);
      },
    });
    const directional = (name: string, help: string, rx: keyof SegmentTotals, tx: keyof SegmentTotals): DataplaneFamily => ({
      name, help, type: 'counter',
      samples(out, n) {
        for (const [vni, c] of reading().counters) out.push(`${n}{vni="${vni}",direction="rx"} ${c[rx]}`, `${n}{vni="${vni}",direction="tx"} ${c[tx]}`);
      },
    });
    this.families = [
      directional('vxvem_vni_packets_total', 'Frames per VNI: rx = from the network delivered to VMs, tx = from VMs (encapsulated or switched locally).', 'rxPackets', 'txPackets'),
      directional('vxvem_vni_bytes_total', 'Inner frame bytes per VNI and direction.', 'rxBytes', 'txBytes'),
      perVni('vxvem_vni_flood_packets_total', 'Copies sent by flooding (local ports and remote VTEPs or the group).', 'floodPackets'),
      perVni('vxvem_vni_learned_total', 'MAC entries learned by the dataplane.', 'learned'),
      perVni('vxvem_vni_mac_moves_total', 'MAC moves (port to port, VTEP to VTEP, local to remote and back).', 'moves'),
      {
        name: 'vxvem_drops_total', help: 'Dropped packets by VNI (0 = not known) and reason.', type: 'counter',
        samples(out, n) {
          for (const d of reading().drops) out.push(`${n}{vni="${d.vni}",reason="${dropLabel(d.reason)}"} ${d.packets}`);
        },
      },
      {
        name: 'vxvem_dhcp_replies_total', help: 'DHCP replies the VEM sent to its ports\' clients, by VNI and type (offer, ack, nak).', type: 'counter',
        samples(out, n) {
          for (const [vni, t] of reading().dhcp) out.push(`${n}{vni="${vni}",type="offer"} ${t.offers}`, `${n}{vni="${vni}",type="ack"} ${t.acks}`, `${n}{vni="${vni}",type="nak"} ${t.naks}`);
        },
      },
      {
        name: 'vxvem_mac_entries', help: 'MAC table entries by VNI and kind (local, remote, static).', type: 'gauge',
        samples(out, n) {
          for (const m of reading().macs) out.push(`${n}{vni="${m.vni}",kind="${m.kind}"} ${m.entries}`);
        },
      },
      {
        name: 'vxvem_map_entries', help: 'Entries in each hash map of the dataplane.', type: 'gauge',
        samples(out, n) {
          for (const f of reading().fill) out.push(`${n}{map="${f.map}"} ${f.entries}`);
        },
      },
      {
        name: 'vxvem_map_capacity', help: 'Capacity (max entries) of each hash map of the dataplane; vx_macs is LRU beyond it.', type: 'gauge',
        samples(out, n) {
          for (const f of reading().fill) out.push(`${n}{map="${f.map}"} ${f.capacity}`);
        },
      },
      {
        name: 'vxvem_events_lost_total', help: 'Learn, move and next-hop events the programs dropped because the ring buffer to the agent was full.', type: 'counter',
        samples(out, n) {
          out.push(`${n} ${reading().eventsLost}`);
        },
      },
    ];

    const gauge = (name: string, help: string, read: () => number, labelNames: string[] = [], labels: Labels = {}): void => {
      new Gauge({ name, help, labelNames, registers: [this.registry], collect() { this.set(labels, read()); } });
    };
    // Not `instance`: Prometheus sets that label to the scrape target itself.
    gauge('vxvem_agent_info', 'Constant 1, labelled with how the agent runs.', () => 1, ['mode', 'vem', 'version'], { mode: health.mode, vem: health.instance, version: health.version });
    gauge('vxvem_agent_vsm_connected', '1 while the watch stream to the VSM is up.', () => (health.vsmConnected() ? 1 : 0));
    gauge('vxvem_agent_vsm_identity_mismatch', '1 while the VSM\'s view is refused: another store, or an older revision of this one, that would remove segments or ports (the dataplane keeps what it has until adopted).',
      () => (health.vsmIdentityMismatch?.() ? 1 : 0));
    gauge('vxvem_agent_config_revision', 'Configuration revision applied to the dataplane.', () => health.revision());
    gauge('vxvem_agent_last_sync_timestamp_seconds', 'When the configuration was last applied (Unix time); 0 = never.', () => health.lastSyncMs() / 1000);
    gauge('vxvem_agent_mac_scan_seconds', 'Time the last MAC table scan for vxvem_mac_entries took.', () => this.macsReadMs / 1000);
    gauge('vxvem_agent_ports_waiting', 'Ports of the configuration whose interface does not exist yet.', () => health.portsWaiting?.() ?? 0);
    new Counter({
      name: 'vxvem_agent_reload_failures_total', help: 'Configurations (file reloads, VSM views) refused, or that failed to apply.', registers: [this.registry],
      collect() { this.reset(); this.inc(health.reloadFailures?.() ?? 0); },
    });
  }

  /** Counts MAC entries (and the smaller tables) in the background; scrapes serve the last count. */
  private scanMacs(): Promise<void> {
    this.macScan ??= (async () => {
      const t0 = performance.now();
      try {
        const macs = await countMacs(this.maps);
        this.scan = { macs, tables: readTableFill(this.maps) };
      } finally {
        this.macsReadAt = performance.now();
        this.macsReadMs = this.macsReadAt - t0;
        this.macScan = undefined;
      }
    })();
    return this.macScan;
  }

  /**
   * Reads the counters, then renders every family. The MAC count (and the fill of the smaller
   * tables) is refreshed in the background once older than 20 times its own scan time (every
   * scrape for small tables); only the first scrape waits for it.
   */
  async scrape(): Promise<string> {
    const counters = readSegmentTotals(this.maps);
    const drops = readDropTotals(this.maps);
    if (performance.now() - this.macsReadAt >= this.macsReadMs * 20) {
      const scan = this.scanMacs();
      // Only the first scrape waits. A later scan that fails (the maps closed under it when the
      // agent stops) keeps the last count; the foreground reads above report a real fault.
      if (this.macsReadAt === -Infinity) await scan;
      else scan.catch(() => undefined);
    }
    const { macs, tables } = this.scan;
    const bound = new Set(counters.keys());
    for (const m of macs) bound.add(m.vni);
    this.cap.select(bound, drops.map((d) => d.vni));
    const { maps } = this;
    const fill: MapFill[] = [
      { map: maps.macs.name, entries: macs.reduce((a, m) => a + m.entries, 0), capacity: maps.macs.info.maxEntries },
      { map: maps.counters.name, entries: counters.size, capacity: maps.counters.info.maxEntries },
      { map: maps.drops.name, entries: drops.length, capacity: maps.drops.info.maxEntries },
      ...tables,
    ];
    this.reading = { ...labelReading(this.cap, counters, drops, macs), fill, eventsLost: readEventsLost(maps), dhcp: labelDhcp(this.cap, readDhcpTotals(maps)) };
    return this.families.map(render).join('\n') + '\n' + (await this.registry.metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
