// Prometheus metrics of a VEM agent. Dataplane families are read from the pinned maps once per
// scrape (per-CPU values summed by src/maps/totals.ts, never in BPF); health gauges come from
// the agent itself.
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { dropLabel } from '../maps/drop-reasons.js';
import type { DataplaneMaps } from '../maps/tables.js';
import { countMacs, readDropTotals, readSegmentTotals, type DropTotal, type MacCount, type SegmentTotals } from '../maps/totals.js';

/** What the agent tells the metrics about itself. */
export interface AgentHealth {
  mode: 'file' | 'vsm';
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

/** The dataplane's figures at one instant, summed over CPUs. */
interface DataplaneReading {
  counters: Map<number, SegmentTotals>;
  drops: DropTotal[];
  macs: MacCount[];
}

export class VemMetrics {
  readonly registry = new Registry();
  private reading: DataplaneReading = { counters: new Map(), drops: [], macs: [] };
  private macsReadAt = -Infinity;
  private macsReadMs = 0;
  private macScan?: Promise<void>;
  private readonly families: DataplaneFamily[];

  constructor(private readonly maps: DataplaneMaps, health: AgentHealth) {
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
        name: 'vxvem_mac_entries', help: 'MAC table entries by VNI and kind (local, remote, static).', type: 'gauge',
        samples(out, n) {
          for (const m of reading().macs) out.push(`${n}{vni="${m.vni}",kind="${m.kind}"} ${m.entries}`);
        },
      },
    ];

    const gauge = (name: string, help: string, read: () => number, labelNames: string[] = [], labels: Labels = {}): void => {
      new Gauge({ name, help, labelNames, registers: [this.registry], collect() { this.set(labels, read()); } });
    };
    gauge('vxvem_agent_info', 'Constant 1, labelled with how the agent runs.', () => 1, ['mode', 'instance', 'version'], { mode: health.mode, instance: health.instance, version: health.version });
    gauge('vxvem_agent_vsm_connected', '1 while the watch stream to the VSM is up.', () => (health.vsmConnected() ? 1 : 0));
    gauge('vxvem_agent_vsm_identity_mismatch', '1 while the VSM\'s view is refused: another store, or an older revision of this one, that would remove segments or ports (the dataplane keeps what it has until adopted).',
      () => (health.vsmIdentityMismatch?.() ? 1 : 0));
    gauge('vxvem_agent_config_revision', 'Configuration revision applied to the dataplane.', () => health.revision());
    gauge('vxvem_agent_last_sync_timestamp_seconds', 'When the configuration was last applied (Unix time); 0 = never.', () => health.lastSyncMs() / 1000);
    gauge('vxvem_agent_mac_scan_seconds', 'Time the last MAC table scan for vxvem_mac_entries took.', () => this.macsReadMs / 1000);
  }

  /** Counts MAC entries in the background; scrapes serve the last completed count. */
  private scanMacs(): Promise<void> {
    this.macScan ??= (async () => {
      const t0 = performance.now();
      try {
        this.reading.macs = await countMacs(this.maps);
      } finally {
        this.macsReadAt = performance.now();
        this.macsReadMs = this.macsReadAt - t0;
        this.macScan = undefined;
      }
    })();
    return this.macScan;
  }

  /**
   * Reads the counters, then renders every family. The MAC count is refreshed in the background
   * once older than 20 times its own scan time (every scrape for small tables); only the first
   * scrape waits for it.
   */
  async scrape(): Promise<string> {
    this.reading = { counters: readSegmentTotals(this.maps), drops: readDropTotals(this.maps), macs: this.reading.macs };
    if (performance.now() - this.macsReadAt >= this.macsReadMs * 20) {
      const scan = this.scanMacs();
      if (this.macsReadAt === -Infinity) await scan;
    }
    return this.families.map(render).join('\n') + '\n' + (await this.registry.metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
