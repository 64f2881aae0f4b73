// Prometheus metrics of the VSM: configuration size, VEM streams and how far each host lags.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { VsmServer } from './server.js';

export class VsmMetrics {
  readonly registry = new Registry();

  constructor(vsm: VsmServer) {
    collectDefaultMetrics({ register: this.registry });
    // Gauges named *_total (promtool rejects them); the same figures exist without the suffix.
    for (const n of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(n);
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    };
    const perHost = (name: string, help: string, read: (h: ReturnType<VsmServer['hostStatus']>[number]) => number): void => {
      new Gauge({
        name, help, labelNames: ['host'], registers,
        collect() {
          this.reset(); // hosts that went away must not linger
          for (const h of vsm.hostStatus()) this.set({ host: h.host }, read(h));
        },
      });
    };
    gauge('vxvem_vsm_revision', 'Revision of the configuration.', () => vsm.snapshot.revision);
    gauge('vxvem_vsm_networks', 'VXLAN networks (segments) configured.', () => Object.keys(vsm.snapshot.segments).length);
    gauge('vxvem_vsm_ports', 'VM ports configured.', () => Object.keys(vsm.snapshot.ports).length);
    gauge('vxvem_vsm_hosts_registered', 'Hosts (VEMs) registered.', () => Object.keys(vsm.snapshot.hosts).length);
    gauge('vxvem_vsm_hosts_connected', 'Hosts with a watch stream open.', () => vsm.hostStatus().filter((h) => h.connected).length);
    for (const [name, help, key] of [
      ['vxvem_vsm_deltas_sent_total', 'Revisioned deltas written to VEM streams.', 'deltas'],
      ['vxvem_vsm_snapshots_sent_total', 'Full host views written to VEM streams (first contact or resume impossible).', 'snapshots'],
    ] as const) {
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(vsm.sentCounts[key]); } });
    }
    perHost('vxvem_vsm_host_connected', '1 while the host has a watch stream open.', (h) => (h.connected ? 1 : 0));
    perHost('vxvem_vsm_host_applied_revision', 'Revision the host last reported applied.', (h) => h.appliedRevision);
    perHost('vxvem_vsm_host_stream_lag_seconds', 'Time since the oldest update sent to the host that it has not yet reported applied (0 = in step).', (h) => h.lagSeconds);
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
