// The Neutron v2.0 REST endpoint of the VSM: the subset the openstack CLI and Nova use for
// networks, subnets, ports and quotas, plus the N1KV profile collections (read-only). Every
// reply carries X-Openstack-Request-Id; errors are NeutronError bodies; with a token or
// Keystone configured, everything but the version document needs X-Auth-Token (auth.ts).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { boundPortsOf } from '../bound-ports.js';
import type { Commit } from '../rules.js';
import { StoreUnavailableError, retryStale } from '../store-errors.js';
import { authenticator, type Authenticate } from './auth.js';
import type { RequestContext } from './context.js';
import type { VlanRange } from '../../common/vlan.js';
import { bulkItems, createBulk } from './bulk.js';
import { CoreResources } from './core.js';
import { NeutronError, badRequest, notFound } from './errors.js';
import { applyQuery } from './filters.js';
import type { Keystone } from './keystone.js';
import type { NovaEvent } from './nova-notifier.js';
import { Policy } from './policy.js';
import { PortStatus } from './port-status.js';
import { Quotas } from './quotas.js';
import { NeutronResources, type Kind } from './resources.js';
import { DEFAULT_RANGES, networkProfiles, type SegmentRanges } from './segments.js';
import { Trunks } from './trunks.js';

const EXTENSIONS = [
  { alias: 'provider', name: 'Provider Network', description: 'Expose mapping of virtual networks to physical networks (vxlan segmentation ids).' },
  { alias: 'binding', name: 'Port Binding', description: 'Expose port bindings of a virtual port to external application (binding:host_id, binding:profile).' },
  { alias: 'n1kv', name: 'Cisco N1KV Extensions', description: 'Policy profiles of ports (n1kv:profile) and network profiles.' },
  { alias: 'policy_profile', name: 'Policy Profile', description: 'The VSM\'s port policies, read-only.' },
  { alias: 'network_profile', name: 'Network Profile', description: 'The VSM\'s VXLAN network profile, read-only.' },
  { alias: 'vxvem', name: 'vxvem flooding', description: 'vxvem.mode (unicast or multicast) and vxvem.group on networks.' },
  { alias: 'quotas', name: 'Quota management support', description: 'Expose functions for quotas management per project' },
  { alias: 'quota_details', name: 'Quota details management support', description: 'Expose functions for quotas usage statistics per project' },
  { alias: 'trunk', name: 'Trunk Extension', description: 'Provides support for trunk ports (VLAN subports)' },
  { alias: 'trunk-details', name: 'Trunk port details', description: 'Expose trunk_details on trunk parent ports' },
  { alias: 'ip-substring-filtering', name: 'IP address substring filtering', description: 'Provides IP address substring filtering when listing ports' },
  // What the resources already carry, listed so that clients (and Tempest) know it.
  { alias: 'project-id', name: 'project_id field enabled', description: 'project_id alongside tenant_id on every resource.' },
  { alias: 'standard-attr-description', name: 'standard-attr-description', description: 'A description on networks, subnets and ports.' },
  { alias: 'standard-attr-timestamp', name: 'Resource timestamps', description: 'created_at and updated_at on networks, subnets and ports.' },
  { alias: 'standard-attr-revisions', name: 'Resource revision numbers', description: 'revision_number, raised by every change of a network, subnet or port; a subnet\'s change raises its network\'s too.' },
  { alias: 'revision-if-match', name: 'If-Match constraints on revision_number', description: 'PUT and DELETE with If-Match: revision_number=N fail with 412 unless N is current.' },
  { alias: 'net-mtu', name: 'Network MTU', description: 'The MTU a network carries (mtu).' },
  { alias: 'net-mtu-writable', name: 'Network MTU (writable)', description: 'mtu set on create and update, up to what VXLAN on the underlay carries.' },
  { alias: 'port-security', name: 'Port Security', description: 'port_security_enabled on networks and ports, enforced by the VEM.' },
  { alias: 'allowed-address-pairs', name: 'Allowed Address Pairs', description: 'Further source addresses (and MACs) a port with port security may use.' },
].map((e) => ({ ...e, updated: '2026-01-01T00:00:00-00:00', links: [] }));

const SINGULAR: Record<Kind, string> = { networks: 'network', subnets: 'subnet', ports: 'port' };

export interface NeutronOptions {
  /** Required X-Auth-Token (from --neutron-token-file); absent: no authentication. */
  token?: string;
  /** Tokens validated by Keystone, with Neutron's policy per project (instead of `token`). */
  keystone?: Keystone;
  vniRange?: [number, number];
  /** Physical networks VLAN networks may use, with the ranges tenants' VLANs come from (--vlan-range). */
  vlanRanges?: VlanRange[];
  log?: (line: string) => void;
  /** Where Nova is told what happened to its servers' ports (nova-notifier.ts); absent: nowhere. */
  notify?: (e: NovaEvent) => void;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1 << 20) throw new NeutronError(413, 'HTTPRequestEntityTooLarge', 'Request body too large (1 MiB at most).');
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw badRequest('Malformed request body: not valid JSON.');
  }
}

export class NeutronApi {
  readonly resources: NeutronResources;
  readonly ports: PortStatus;
  private readonly quotas: Quotas;
  private readonly core: CoreResources;
  private readonly authenticate: Authenticate;
  private readonly ranges: SegmentRanges;
  private readonly trunks: Trunks;
  private server?: Server;

  constructor(private readonly vsm: Commit, private readonly o: NeutronOptions = {}) {
    this.ranges = { vni: o.vniRange ?? DEFAULT_RANGES.vni, vlans: o.vlanRanges ?? [] };
    this.resources = new NeutronResources(vsm, this.ranges);
    this.ports = new PortStatus(vsm, boundPortsOf(vsm), (e) => o.notify?.(e));
    this.quotas = new Quotas(vsm);
    this.trunks = new Trunks(vsm, new Policy(vsm), this.ports);
    this.core = new CoreResources({ resources: this.resources, vsm, policy: new Policy(vsm), ports: this.ports, quotas: this.quotas });
    this.authenticate = authenticator(o);
  }

  async listen(host: string, port: number): Promise<Server> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`neutron: cannot listen on ${host}:${port}: ${e.code ?? e.message}`)));
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return server;
  }

  close(): void {
    this.server?.close();
    this.ports.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = `req-${randomUUID()}`;
    const send = (status: number, body?: unknown, extra: Record<string, string> = {}): void => {
      const headers: Record<string, string> = { ...extra, 'x-openstack-request-id': requestId };
      if (body === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      headers['content-type'] = 'application/json';
      res.writeHead(status, headers).end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://neutron');
    const path = url.pathname.replace(/\.json$/, '').replace(/\/+$/, '') || '/';
    try {
      if (path === '/' && req.method === 'GET') {
        const self = `http://${req.headers.host ?? 'localhost'}/v2.0/`;
        send(200, { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: self, rel: 'self' }] }] });
        return;
      }
      const ctx = await this.authenticate(req);
      const status = await this.route(req, ctx, path, url.searchParams, send);
      if (status) this.o.log?.(`neutron: ${req.method} ${path} -> ${status} from ${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'} (request ${requestId})`);
    } catch (e) {
      const err = e instanceof NeutronError ? e
        : e instanceof StoreUnavailableError ? new NeutronError(503, 'ServiceUnavailable', (e as Error).message)
          : new NeutronError(500, 'HTTPInternalServerError', `Request failed: ${(e as Error).message}`);
      if (err.status >= 500) this.o.log?.(`neutron ${req.method} ${path}: ${err.message}`);
      send(err.status, err.body(), err.headers);
    }
  }

  /** What a subnet is filtered on without showing it: `shared`, its network's. */
  private subnetHidden(o: Record<string, unknown>): Record<string, unknown> {
    return { shared: this.vsm.state().segments[String(o.network_id)]?.neutron?.shared === true };
  }

  /** Dispatches one request; returns the status sent for writes (logged), 0 for reads. */
  private async route(req: IncomingMessage, ctx: RequestContext, path: string, q: URLSearchParams, send: (status: number, body?: unknown) => void): Promise<number> {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'v2.0') throw notFound('HTTPNotFound', `The resource could not be found: ${path}`);
    const [, collection, id, ...more] = parts;
    const method = req.method ?? 'GET';
    if (collection === 'quotas') {
      let body: Promise<unknown> | undefined;
      return retryStale(() => this.quotas.route(ctx, method, parts.slice(2), () => (body ??= readJson(req)), send));
    }
    if (!collection) {
      if (method !== 'GET') throw new NeutronError(405, 'HTTPMethodNotAllowed', `${method} is not allowed here.`);
      send(200, { resources: ['networks', 'subnets', 'ports', 'quotas', 'policy_profiles', 'network_profiles', 'trunks'].map((name) => ({ name: name.slice(0, -1), collection: name, links: [{ href: `/v2.0/${name}`, rel: 'self' }] })) });
      return 0;
    }
    if (collection === 'trunks' && more.length <= 1) {
      let body: Promise<unknown> | undefined;
      return retryStale(() => this.trunks.route(ctx, method, id, more[0], () => (body ??= readJson(req)), send));
    }
    if (more.length) throw notFound('HTTPNotFound', `The resource could not be found: ${path}`);
    if (collection === 'extensions') {
      if (method !== 'GET') throw new NeutronError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on extensions.`);
      if (!id) return send(200, { extensions: EXTENSIONS }), 0;
      const ext = EXTENSIONS.find((e) => e.alias === id);
      if (!ext) throw notFound('ExtensionNotFound', `Extension with alias ${id} does not exist`);
      send(200, { extension: ext });
      return 0;
    }
    if (collection === 'policy_profiles' || collection === 'network_profiles') {
      if (method !== 'GET') throw new NeutronError(405, 'HTTPMethodNotAllowed', `${collection} are read-only.`);
      const items = collection === 'policy_profiles'
        ? this.resources.policyProfiles()
        : networkProfiles(this.ranges);
      if (!id) return send(200, { [collection]: applyQuery(items, q) }), 0;
      const one = items.find((x) => x.id === id);
      if (!one) throw notFound(collection === 'policy_profiles' ? 'PolicyProfileNotFound' : 'NetworkProfileNotFound', `${collection === 'policy_profiles' ? 'Policy' : 'Network'} Profile ${id} could not be found.`);
      send(200, { [collection.slice(0, -1)]: one });
      return 0;
    }
    if (collection !== 'networks' && collection !== 'subnets' && collection !== 'ports') throw notFound('HTTPNotFound', `The resource could not be found: ${path}`);
    const kind: Kind = collection;
    const c = this.core;
    const single = SINGULAR[kind];
    if (!id) {
      if (method === 'GET') return send(200, { [kind]: applyQuery(c.list(ctx, kind), q, kind === 'subnets' ? (o) => this.subnetHidden(o) : undefined) }), 0;
      if (method !== 'POST') throw new NeutronError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on ${kind}.`);
      // Each write is validated and committed whole, again if another replica changed the state first.
      const body = await readJson(req);
      const items = bulkItems(body, kind);
      if (items) send(201, { [kind]: await retryStale(() => createBulk({ vsm: this.vsm, ports: this.ports, ranges: this.ranges }, ctx, kind, items)) });
      else send(201, { [single]: await retryStale(() => c.create(ctx, kind, body)) });
      return 201;
    }
    // Neutron's revision-if-match: a write constrained to the revision the client last saw.
    const constrained = /revision_number=(\d+)/.exec(String(req.headers['if-match'] ?? ''));
    const checkRevision = (): void => {
      const current = c.show(ctx, kind, id).revision_number;
      if (constrained && Number(constrained[1]) !== current) {
        throw new NeutronError(412, 'RevisionNumberConstraintFailed', `Constrained to ${constrained[1]}, but current revision is ${String(current)}`);
      }
    };
    switch (method) {
      case 'GET': send(200, { [single]: applyQuery([c.show(ctx, kind, id)], q)[0] }); return 0;
      case 'PUT': {
        const body = await readJson(req);
        send(200, { [single]: await retryStale(() => (checkRevision(), c.update(ctx, kind, id, body))) });
        return 200;
      }
      case 'DELETE':
        await retryStale(() => (checkRevision(), c.remove(ctx, kind, id)));
        send(204);
        return 204;
      default: throw new NeutronError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on ${single}.`);
    }
  }
}
