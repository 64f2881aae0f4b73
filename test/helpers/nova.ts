// What Nova does with the Neutron API, request by request, as nova/network/neutron.py does it
// (validate_networks, allocate_for_instance with _create_port_minimal and
// _update_ports_for_instance, _build_network_info_model, deallocate_for_instance with
// _unbind_ports), and a stand-in for Nova's server external events API that records what
// Neutron (here the VSM) tells it.
//
// Nova itself is not installable here (it needs its whole control plane: database, message
// queue, placement, a hypervisor driver), so its external events endpoint is this small server
// on loopback: the one mock of these tests.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { until } from './until.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * One HTTP request on a connection of its own. Tests block their event loop in the openstack CLI
 * (spawnSync) for seconds, long enough for a server to close an idle kept-alive connection that
 * fetch would then reuse.
 */
export function http(method: string, url: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; body: Json; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, agent: false, headers: { accept: 'application/json', ...(data ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Json) : {}, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

export interface RecordedEvent { name: string; server_uuid: string; tag: string; status?: string; token?: string }

/** Nova's `POST /v2.1/os-server-external-events`: records each event, answers as Nova does (200, a code per event). */
export class FakeNova {
  readonly events: RecordedEvent[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v2.1/os-server-external-events') {
          res.writeHead(404).end();
          return;
        }
        const events = (JSON.parse(body) as { events: RecordedEvent[] }).events;
        const token = req.headers['x-auth-token'] as string | undefined;
        for (const e of events) this.events.push({ ...e, ...(token ? { token } : {}) });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events: events.map((e) => ({ ...e, code: 200 })) }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/v2.1`;
  }

  /** The events for a port, in the order they came. */
  of(port: string): string[] {
    return this.events.filter((e) => e.tag === port).map((e) => e.name);
  }

  /** Resolves once `name` came for the port (Nova's wait_for_instance_event), or fails after `ms`. */
  async waitFor(name: string, port: string, ms = 20_000): Promise<RecordedEvent> {
    const found = () => this.events.find((x) => x.name === name && x.tag === port);
    await until(`${name} for port ${port} (events so far: ${this.events.map((e) => e.name).join(', ')})`, found, (e) => e !== undefined, ms);
    return found()!;
  }

  close(): void {
    this.server?.close();
  }
}

export interface Instance { uuid: string; projectId: string; host: string; az?: string }

/** Nova's Neutron client: `user` and `admin` are the headers of its two clients (the user's token, Nova's service token). */
export class NovaNeutron {
  constructor(private readonly endpoint: string, private readonly user: Record<string, string> = {}, private readonly admin: Record<string, string> = {}) {}

  call(method: string, path: string, body?: unknown, admin = false): Promise<{ status: number; body: Json }> {
    return http(method, `${this.endpoint}${path}`, admin ? this.admin : this.user, body);
  }

  private async ok(method: string, path: string, body?: unknown, admin = false): Promise<Json> {
    const r = await this.call(method, path, body, admin);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /**
   * validate_networks (nova-api, before scheduling): the network exists and has subnets, a fixed
   * IP asked for is held by no port, and how many instances the project's port quota allows.
   */
  async validateNetworks(projectId: string, network: string, count: number, fixedIp?: string): Promise<number> {
    if (fixedIp) {
      const held = await this.ok('GET', `/v2.0/ports?network_id=${network}&fixed_ips=${encodeURIComponent(`ip_address=${fixedIp}`)}&fields=device_id`);
      if (held.ports.length) throw new Error(`FixedIpAlreadyInUse: ${fixedIp} (instance ${held.ports[0].device_id})`);
    }
    const nets = (await this.ok('GET', `/v2.0/networks?id=${network}`)).networks as Json[];
    if (nets.length !== 1) throw new Error(`NetworkNotFound: ${network}`);
    if (!nets[0]!.subnets.length) throw new Error(`NetworkRequiresSubnet: ${network}`);
    const quota = (await this.ok('GET', `/v2.0/quotas/${projectId}`)).quota as Json;
    if (quota.port === -1) return count;
    const ports = (await this.ok('GET', `/v2.0/ports?tenant_id=${projectId}&fields=id`)).ports as Json[];
    const free = quota.port - ports.length;
    if (free < 0) throw new Error('PortLimitExceeded');
    return Math.min(count, free);
  }

  /**
   * allocate_for_instance (nova-compute on the chosen host): a port made by the user's client
   * (or the one asked for), then bound by the admin client to the instance and host; returns
   * the VIF as _build_vif_model makes it (`active` false: Nova waits for network-vif-plugged).
   */
  async allocate(inst: Instance, req: { network?: string; port?: string; fixedIp?: string }): Promise<{ port: Json; active: boolean; devname: string; created: boolean }> {
    await this.ok('GET', '/v2.0/extensions');
    let portId = req.port;
    let network = req.network;
    if (portId) {
      const p = (await this.ok('GET', `/v2.0/ports/${portId}`, undefined, true)).port as Json;
      if (p.tenant_id !== inst.projectId) throw new Error(`PortNotUsable: ${portId}`);
      if (p.device_id) throw new Error(`PortInUse: ${portId}`);
      if (p['binding:vif_type'] === 'binding_failed') throw new Error(`PortBindingFailed: ${portId}`);
      network = p.network_id;
    }
    const nets = (await this.ok('GET', `/v2.0/networks?id=${network}`)).networks as Json[];
    if (!nets.length) throw new Error(`NetworkNotFound: ${network}`);
    if (!portId) {
      const created = await this.call('POST', '/v2.0/ports', { port: {
        device_id: inst.uuid, network_id: network, admin_state_up: true, tenant_id: inst.projectId,
        ...(req.fixedIp ? { fixed_ips: [{ ip_address: req.fixedIp }] } : {}),
      } });
      if (created.status === 409 && created.body.NeutronError?.type === 'OverQuota') throw new Error('PortLimitExceeded');
      if (created.status !== 201) throw new Error(`create_port: ${created.status} ${JSON.stringify(created.body)}`);
      portId = created.body.port.id as string;
    }
    const updated = (await this.ok('PUT', `/v2.0/ports/${portId}`, { port: {
      device_id: inst.uuid, device_owner: `compute:${inst.az ?? 'nova'}`, 'binding:host_id': inst.host,
    } }, true)).port as Json;
    if (updated['binding:vif_type'] === 'binding_failed') throw new Error(`PortBindingFailed: ${portId}`);
    return { ...(await this.vif(inst, portId)), created: !req.port };
  }

  /** _build_network_info_model for one port: the port by device_id, its subnets, DHCP ports, floating IPs, the network's provider attributes. */
  async vif(inst: Instance, portId: string): Promise<{ port: Json; active: boolean; devname: string }> {
    const ports = (await this.ok('GET', `/v2.0/ports?tenant_id=${inst.projectId}&device_id=${inst.uuid}`, undefined, true)).ports as Json[];
    const port = ports.find((p) => p.id === portId);
    if (!port) throw new Error(`port ${portId} not listed for instance ${inst.uuid}`);
    for (const ip of port.fixed_ips as Json[]) {
      const fips = await this.call('GET', `/v2.0/floatingips?fixed_ip_address=${ip.ip_address}&port_id=${portId}`, undefined, true);
      if (fips.status !== 404 && fips.status !== 200) throw new Error(`list_floatingips: ${fips.status}`);
    }
    const subnetIds = [...new Set((port.fixed_ips as Json[]).map((f) => f.subnet_id as string))];
    const subnets = (await this.ok('GET', `/v2.0/subnets?${subnetIds.map((s) => `id=${s}`).join('&')}`, undefined, true)).subnets as Json[];
    for (const s of subnets) await this.ok('GET', `/v2.0/ports?network_id=${s.network_id}&device_owner=network:dhcp`, undefined, true);
    await this.ok('GET', `/v2.0/networks/${port.network_id}?fields=provider:physical_network&fields=provider:network_type`, undefined, true);
    return { port, active: port.admin_state_up === false || port.status === 'ACTIVE', devname: `tap${portId}`.slice(0, 14) };
  }

  /** deallocate_for_instance: ports Nova made are deleted, ports the user gave are unbound (device_id, owner, host and profile cleared). */
  async deallocate(inst: Instance, preexisting: string[]): Promise<void> {
    const ports = ((await this.ok('GET', `/v2.0/ports?device_id=${inst.uuid}`)).ports as Json[]).map((p) => p.id as string);
    for (const id of preexisting) {
      const p = (await this.ok('GET', `/v2.0/ports/${id}?fields=binding:profile&fields=network_id`)).port as Json;
      await this.ok('GET', `/v2.0/networks/${p.network_id}?fields=dns_domain`);
      await this.ok('PUT', `/v2.0/ports/${id}`, { port: { device_id: '', device_owner: '', 'binding:host_id': null, 'binding:profile': p['binding:profile'] ?? {} } }, true);
    }
    for (const id of ports.filter((x) => !preexisting.includes(x))) {
      const r = await this.call('DELETE', `/v2.0/ports/${id}`);
      if (r.status !== 204 && r.status !== 404) throw new Error(`delete_port ${id}: ${r.status}`);
    }
  }
}
