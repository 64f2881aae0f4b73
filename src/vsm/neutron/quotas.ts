// Neutron's quotas: per-project limits on networks, subnets and ports (Neutron's defaults unless
// an admin set others), kept in the VSM's store, enforced when an object is created, and the
// quotas API (`/v2.0/quotas[/{project_id}[/default|/details]]`, `/v2.0/quotas/project`).
// Objects without a project (no Keystone and no project_id in the request) are not limited.
import type { QuotaObj, VsmState } from '../objects.js';
import type { Commit } from '../rules.js';
import type { RequestContext } from './context.js';
import { NeutronError, badRequest, conflict, forbidden, notFound } from './errors.js';

export const QUOTA_DEFAULTS = { network: 100, subnet: 100, port: 500 } as const;
export type QuotaResource = keyof typeof QUOTA_DEFAULTS;
const RESOURCES = Object.keys(QUOTA_DEFAULTS) as QuotaResource[];
const TABLES = { network: 'segments', subnet: 'subnets', port: 'ports' } as const;
const LIMIT_MAX = 2 ** 31 - 1;

type Send = (status: number, body?: unknown) => void;

export class Quotas {
  constructor(private readonly vsm: Commit) {}

  private get s(): VsmState {
    return this.vsm.state();
  }

  limits(project: string): Record<QuotaResource, number> {
    return { ...QUOTA_DEFAULTS, ...this.s.quotas[project]?.limits };
  }

  /** The project's Neutron objects of that kind (a scan: quotas are checked once per create). */
  used(project: string, resource: QuotaResource): number {
    let n = 0;
    for (const o of Object.values(this.s[TABLES[resource]])) if (o.origin === 'neutron' && o.neutron?.project_id === project) n++;
    return n;
  }

  /** Throws OverQuota (409) when one more `resource` would take the project past its limit. */
  check(project: string, resource: QuotaResource): void {
    if (!project) return;
    const limit = this.limits(project)[resource];
    if (limit >= 0 && this.used(project, resource) >= limit) throw conflict('OverQuota', `Quota exceeded for resources: ['${resource}'].`);
  }

  /** `/v2.0/quotas/...`: `parts` is what follows `quotas` in the path. Returns the status of a write, 0 for a read. */
  async route(ctx: RequestContext, method: string, parts: string[], body: () => Promise<unknown>, send: Send): Promise<number> {
    const [id, action, ...more] = parts;
    if (more.length || (action !== undefined && action !== 'default' && action !== 'details')) throw notFound('HTTPNotFound', `The resource could not be found: quotas/${parts.join('/')}`);
    if (method === 'POST' && !id) throw new NeutronError(501, 'HTTPNotImplemented', 'POST requests are not supported on this resource.');
    if (!id) {
      if (method !== 'GET') throw new NeutronError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on quotas.`);
      const mine = Object.values(this.s.quotas).filter((q) => ctx.isAdmin || q.project === ctx.projectId);
      send(200, { quotas: mine.map((q) => ({ ...this.limits(q.project), project_id: q.project, tenant_id: q.project })) });
      return 0;
    }
    if ((id === 'project' || id === 'tenant') && !action && method === 'GET') {
      if (!ctx.projectId) throw badRequest('Tenant-id was missing from quota request.', 'QuotaMissingTenant');
      send(200, { [id]: { [`${id}_id`]: ctx.projectId } });
      return 0;
    }
    if (action) {
      if (method !== 'GET') throw new NeutronError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on quotas/${id}/${action}.`);
      if (id !== ctx.projectId && !ctx.isAdmin) throw forbidden('get_quota');
      const quota = action === 'default'
        ? { ...QUOTA_DEFAULTS }
        : Object.fromEntries(RESOURCES.map((r) => [r, { limit: this.limits(id)[r], used: this.used(id, r), reserved: 0 }]));
      send(200, { quota });
      return 0;
    }
    switch (method) {
      case 'GET':
        if (id !== ctx.projectId && !ctx.isAdmin) throw forbidden('get_quota');
        send(200, { quota: this.limits(id) });
        return 0;
      case 'PUT': {
        if (!ctx.isAdmin) throw forbidden('update_quota');
        const asked = checkQuotaBody(await body());
        for (const [r, limit] of Object.entries(asked.limits)) {
          const used = this.used(id, r as QuotaResource);
          if (asked.checkLimit && limit >= 0 && used > limit) throw badRequest(`Quota limit ${limit} for ${r} must be greater than or equal to already used ${used}`);
        }
        const limits = { ...this.s.quotas[id]?.limits, ...asked.limits };
        await this.vsm.change((s) => void (s.quotas = { ...s.quotas, [id]: { project: id, limits } satisfies QuotaObj }), {});
        send(200, { quota: this.limits(id) });
        return 200;
      }
      case 'DELETE':
        if (!ctx.isAdmin) throw forbidden('delete_quota');
        if (this.s.quotas[id]) {
          await this.vsm.change((s) => {
            const { [id]: _gone, ...rest } = s.quotas;
            s.quotas = rest;
          }, {});
        }
        send(204);
        return 204;
      default:
        throw new NeutronError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on quotas/${id}.`);
    }
  }
}

/** `{"quota": {"port": 10, ...}}` (limits as integers or their text, -1 for none; `force` and `check_limit` as Neutron takes them). */
function checkQuotaBody(body: unknown): { limits: Partial<Record<QuotaResource, number>>; checkLimit: boolean } {
  const q = (body as { quota?: unknown } | null)?.quota;
  if (typeof q !== 'object' || q === null || Array.isArray(q)) throw badRequest('Resource body required: expected {"quota": {...}}.');
  const { force: _force, check_limit: checkLimit, ...rest } = q as Record<string, unknown>;
  const unknown = Object.keys(rest).filter((k) => !RESOURCES.includes(k as QuotaResource));
  if (unknown.length) throw badRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`);
  const limits: Partial<Record<QuotaResource, number>> = {};
  for (const [k, v] of Object.entries(rest)) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < -1 || n > LIMIT_MAX) throw badRequest(`Invalid input for ${k}. Reason: '${JSON.stringify(v)}' is not in range -1 through ${LIMIT_MAX}.`, 'InvalidInput');
    limits[k as QuotaResource] = n;
  }
  return { limits, checkLimit: checkLimit === true || checkLimit === 'true' || checkLimit === 'True' };
}
