// A Neutron port's status and binding as Nova reads them. A port is ACTIVE once the VEM of its
// host reports it bound in the dataplane (its tap present and attached), DOWN before that and
// again when the tap goes, as ML2's agents make it. Changes of status are told to Nova as
// Neutron's notifier does: DOWN -> ACTIVE network-vif-plugged, ACTIVE -> DOWN
// network-vif-unplugged, and network-vif-deleted when a port goes; only for ports of a server
// (device_owner compute:*, device_id a UUID).
import type { BoundPorts } from '../bound-ports.js';
import type { PortObj, VsmState } from '../objects.js';
import { portSecurityOn } from '../port-security.js';
import type { Commit } from '../rules.js';
import type { NovaEvent } from './nova-notifier.js';

export type PortStatusValue = 'ACTIVE' | 'DOWN';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function serverOf(p: PortObj): string | undefined {
  const id = String(p.neutron?.device_id ?? '');
  const owner = String(p.neutron?.device_owner ?? '');
  return UUID_RE.test(id) && owner.startsWith('compute:') ? id : undefined;
}

export class PortStatus {
  /**
   * The status last known of each port, to tell changes from what Nova was already told. A port
   * that existed before this VSM started gets one silently, from its host's first report: that
   * report is the VSM learning the host again, not the ports changing. Later reports find a port
   * not known here (made through another replica's API) DOWN before them.
   */
  private readonly last = new Map<string, PortStatusValue>();
  private readonly stop: () => void;

  constructor(private readonly vsm: Commit, private readonly bound: BoundPorts, private readonly notify: (e: NovaEvent) => void) {
    this.stop = bound.onChange((host, added, removed, first) => this.hostChanged(host, new Set([...added, ...removed]), first));
  }

  private get s(): VsmState {
    return this.vsm.state();
  }

  status(p: PortObj): PortStatusValue {
    return p.host && this.bound.has(p.host, p.interface) ? 'ACTIVE' : 'DOWN';
  }

  /**
   * binding:vif_type and binding:vif_details: `tap` (the interface Nova's libvirt driver creates
   * and names tap + the first 11 characters of the port's id) once bound to a host the VSM
   * knows, `binding_failed` for a host no VEM has registered, `unbound` without a host.
   */
  binding(p: PortObj): { 'binding:vif_type': string; 'binding:vif_details': Record<string, unknown> } {
    if (!p.host) return { 'binding:vif_type': 'unbound', 'binding:vif_details': {} };
    const host = this.s.hosts[p.host];
    const seg = this.s.segments[p.network];
    // As ML2 fails a VLAN port on a host with no bridge mapping for its physical network.
    const noPhysnet = seg?.mode === 'vlan' && !(host?.physnets ?? []).includes(seg.physnet!);
    if (!host || noPhysnet) return { 'binding:vif_type': 'binding_failed', 'binding:vif_details': {} };
    // port_filter: the VEM checks the port's sources itself (port security), as Nova is told by ML2's drivers.
    return { 'binding:vif_type': 'tap', 'binding:vif_details': { port_filter: portSecurityOn(this.s, p), connectivity: 'l2' } };
  }

  /** After a port was created or updated through the API: its status now, and Nova told if it changed. */
  written(id: string): void {
    const p = this.s.ports[id];
    if (p?.origin === 'neutron') this.compare(p, undefined);
  }

  /** After a port was deleted (`gone` is the port as it was). */
  deleted(gone: PortObj): void {
    this.last.delete(gone.name);
    const server = serverOf(gone);
    if (server) this.notify({ name: 'network-vif-deleted', server_uuid: server, tag: gone.name });
  }

  close(): void {
    this.stop();
  }

  private hostChanged(host: string, changed: Set<string>, first: boolean): void {
    for (const p of Object.values(this.s.ports)) {
      if (p.host !== host || p.origin !== 'neutron') continue;
      if (first || changed.has(p.interface)) this.compare(p, first ? undefined : 'DOWN');
    }
  }

  /** Records the port's status; tells Nova of a change from the one known (`unknown`: taken as that when none is; undefined: learnt without a word). */
  private compare(p: PortObj, unknown: PortStatusValue | undefined): void {
    const now = this.status(p);
    const before = this.last.get(p.name) ?? unknown;
    this.last.set(p.name, now);
    if (before === undefined || before === now) return;
    const server = serverOf(p);
    if (!server) return;
    const name = now === 'ACTIVE' ? 'network-vif-plugged' : 'network-vif-unplugged';
    this.notify({ name, server_uuid: server, tag: p.name, status: 'completed' });
  }
}
