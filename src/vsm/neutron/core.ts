// Networks, subnets and ports as a request sees them: what the policy lets it see and do
// (policy.ts), the model's views (resources.ts) with the ports' runtime state (status and
// binding, port-status.ts), quotas checked before a create, and Nova told of what a write did
// to its servers' ports.
import type { PortObj, SegmentObj, SubnetObj } from '../objects.js';
import type { Commit } from '../rules.js';
import type { RequestContext } from './context.js';
import type { Policy } from './policy.js';
import type { PortStatus } from './port-status.js';
import type { QuotaResource, Quotas } from './quotas.js';
import type { Kind, NeutronResources } from './resources.js';

type View = Record<string, unknown>;
type Obj = SegmentObj | SubnetObj | PortObj;

const RESOURCE: Record<Kind, QuotaResource> = { networks: 'network', subnets: 'subnet', ports: 'port' };
const SINGULAR: Record<Kind, string> = { networks: 'network', subnets: 'subnet', ports: 'port' };

/** The project a create is for: the body's project_id or tenant_id ('' for none). */
function projectOf(body: unknown, kind: Kind): string {
  const o = (body as Record<string, Record<string, unknown> | undefined> | null)?.[SINGULAR[kind]];
  const asked = o?.project_id ?? o?.tenant_id;
  return typeof asked === 'string' ? asked : '';
}

export interface CoreParts {
  resources: NeutronResources;
  vsm: Commit;
  policy: Policy;
  ports: PortState;
  quotas: Quotas;
}

/** What a request needs of the ports' runtime state (a bulk create stages its notices, bulk.ts). */
export type PortState = Pick<PortStatus, 'written' | 'deleted' | 'status' | 'binding'>;

export class CoreResources {
  constructor(private readonly p: CoreParts) {}

  private obj(kind: Kind, id: string): Obj | undefined {
    const s = this.p.vsm.state();
    return (kind === 'networks' ? s.segments : kind === 'subnets' ? s.subnets : s.ports)[id];
  }

  /** The model's view with a port's status and binding (as its host's VEM and registration make them), less what the request may not see. */
  private present(ctx: RequestContext, kind: Kind, v: View): View {
    const p = kind === 'ports' ? (this.obj(kind, String(v.id)) as PortObj | undefined) : undefined;
    const full = p ? { ...v, status: this.p.ports.status(p), ...this.p.ports.binding(p) } : v;
    return this.p.policy.hide(ctx, kind, full);
  }

  list(ctx: RequestContext, kind: Kind): View[] {
    return this.p.resources.list(kind)
      .filter((v) => this.p.policy.visible(ctx, kind, this.obj(kind, String(v.id))!))
      .map((v) => this.present(ctx, kind, v));
  }

  show(ctx: RequestContext, kind: Kind, id: string): View {
    this.p.policy.seen(ctx, kind, id, this.obj(kind, id));
    return this.present(ctx, kind, this.p.resources.show(kind, id));
  }

  async create(ctx: RequestContext, kind: Kind, asked: unknown): Promise<View> {
    const body = this.p.policy.create(ctx, kind, asked);
    this.p.quotas.check(projectOf(body, kind), RESOURCE[kind]);
    const r = this.p.resources;
    const v = await (kind === 'networks' ? r.createNetwork(body) : kind === 'subnets' ? r.createSubnet(body) : r.createPort(body));
    if (kind === 'ports') this.p.ports.written(String(v.id));
    return this.present(ctx, kind, v);
  }

  async update(ctx: RequestContext, kind: Kind, id: string, body: unknown): Promise<View> {
    this.p.policy.update(ctx, kind, this.p.policy.seen(ctx, kind, id, this.obj(kind, id)), body);
    const r = this.p.resources;
    const v = await (kind === 'networks' ? r.updateNetwork(id, body) : kind === 'subnets' ? r.updateSubnet(id, body) : r.updatePort(id, body));
    if (kind === 'ports') this.p.ports.written(id);
    return this.present(ctx, kind, v);
  }

  async remove(ctx: RequestContext, kind: Kind, id: string): Promise<void> {
    const gone = this.p.policy.seen(ctx, kind, id, this.obj(kind, id));
    this.p.policy.remove(ctx, kind, gone);
    const r = this.p.resources;
    await (kind === 'networks' ? r.deleteNetwork(id) : kind === 'subnets' ? r.deleteSubnet(id) : r.deletePort(id));
    if (kind === 'ports') this.p.ports.deleted(gone as PortObj);
  }
}
