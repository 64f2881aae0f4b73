// Networks, subnets and ports as a request sees them: the model's views (resources.ts) with
// the ports' runtime state (status and binding, port-status.ts), quotas checked before a create,
// and Nova told of what a write did to its servers' ports.
import type { PortObj } from '../objects.js';
import type { Commit } from '../rules.js';
import type { RequestContext } from './context.js';
import type { PortStatus } from './port-status.js';
import type { QuotaResource, Quotas } from './quotas.js';
import type { Kind, NeutronResources } from './resources.js';

type View = Record<string, unknown>;

const RESOURCE: Record<Kind, QuotaResource> = { networks: 'network', subnets: 'subnet', ports: 'port' };
const SINGULAR: Record<Kind, string> = { networks: 'network', subnets: 'subnet', ports: 'port' };

/** The project a create is for: the body's project_id or tenant_id, else the request's. */
function projectOf(body: unknown, kind: Kind, ctx: RequestContext): string {
  const o = (body as Record<string, Record<string, unknown> | undefined> | null)?.[SINGULAR[kind]];
  const asked = o?.project_id ?? o?.tenant_id;
  return typeof asked === 'string' ? asked : ctx.projectId;
}

export class CoreResources {
  constructor(private readonly r: NeutronResources, private readonly vsm: Commit, private readonly ports: PortStatus, private readonly quotas: Quotas) {}

  private port(id: string): PortObj | undefined {
    return this.vsm.state().ports[id];
  }

  /** The model's view, with a port's status and binding as its host's VEM and registration make them. */
  private complete(kind: Kind, v: View): View {
    if (kind !== 'ports') return v;
    const p = this.port(String(v.id));
    return p ? { ...v, status: this.ports.status(p), ...this.ports.binding(p) } : v;
  }

  list(_ctx: RequestContext, kind: Kind): View[] {
    return this.r.list(kind).map((v) => this.complete(kind, v));
  }

  show(_ctx: RequestContext, kind: Kind, id: string): View {
    return this.complete(kind, this.r.show(kind, id));
  }

  async create(ctx: RequestContext, kind: Kind, body: unknown): Promise<View> {
    this.quotas.check(projectOf(body, kind, ctx), RESOURCE[kind]);
    const v = await (kind === 'networks' ? this.r.createNetwork(body) : kind === 'subnets' ? this.r.createSubnet(body) : this.r.createPort(body));
    if (kind === 'ports') this.ports.written(String(v.id));
    return this.complete(kind, v);
  }

  async update(_ctx: RequestContext, kind: Kind, id: string, body: unknown): Promise<View> {
    const v = await (kind === 'networks' ? this.r.updateNetwork(id, body) : kind === 'subnets' ? this.r.updateSubnet(id, body) : this.r.updatePort(id, body));
    if (kind === 'ports') this.ports.written(id);
    return this.complete(kind, v);
  }

  async remove(_ctx: RequestContext, kind: Kind, id: string): Promise<void> {
    const gone = kind === 'ports' ? this.port(id) : undefined;
    await (kind === 'networks' ? this.r.deleteNetwork(id) : kind === 'subnets' ? this.r.deleteSubnet(id) : this.r.deletePort(id));
    if (gone) this.ports.deleted(gone);
  }
}
