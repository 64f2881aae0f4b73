// Neutron's trunk extension (`openstack network trunk ...`): /v2.0/trunks with add_subports,
// remove_subports and get_subports. A trunk is reached through its parent port: a request sees
// and changes a trunk when it may see and change that port (policy.ts). Errors as Neutron's
// trunk plugin names them; every change is one model change (trunks.ts in the VSM).
import { randomUUID } from 'node:crypto';
import { VLAN_MAX, VLAN_MIN } from '../../common/vlan.js';
import { VsmError, type PortObj, type TrunkObj, type VsmState } from '../objects.js';
import type { Commit } from '../rules.js';
import { changeTrunk, createTrunk, deleteTrunk, type Subport } from '../trunks.js';
import { checkBody, type AttrSpec } from './attrs.js';
import type { RequestContext } from './context.js';
import type { PortState } from './core.js';
import { badRequest, conflict, fromVsmError, NeutronError, notFound } from './errors.js';
import type { Policy } from './policy.js';

type View = Record<string, unknown>;

const TRUNK_ATTRS: AttrSpec = {
  name: { kind: 'string', create: true, update: true, maxLength: 255 }, description: { kind: 'string', create: true, update: true, maxLength: 255 },
  port_id: { kind: 'string', create: true }, sub_ports: { kind: 'list', create: true }, admin_state_up: { kind: 'bool', create: true, update: true },
  project_id: { kind: 'string', create: true }, tenant_id: { kind: 'string', create: true }, tags: { kind: 'list', create: true, update: true },
};

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** `sub_ports` as asked: [{port_id, segmentation_type: vlan, segmentation_id}]; `idsOnly` for remove_subports. */
function subportsOf(v: unknown, idsOnly = false): Subport[] {
  if (!Array.isArray(v)) throw badRequest("Invalid input for sub_ports. Reason: it is not a list.", 'InvalidInput');
  return v.map((x) => {
    const o = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
    if (typeof o.port_id !== 'string') throw badRequest("Invalid input for sub_ports. Reason: each subport needs a 'port_id'.", 'InvalidInput');
    if (idsOnly) return { port: o.port_id, vlan: 0 };
    if (o.segmentation_type !== undefined && o.segmentation_type !== 'vlan') {
      throw badRequest(`Invalid input for sub_ports. Reason: segmentation_type '${String(o.segmentation_type)}' is not supported (vlan only).`, 'InvalidInput');
    }
    const id = Number(o.segmentation_id);
    if (!Number.isInteger(id) || id < VLAN_MIN || id > VLAN_MAX) {
      throw badRequest(`Invalid input for sub_ports. Reason: segmentation_id ${JSON.stringify(o.segmentation_id)} is not in ${VLAN_MIN}..${VLAN_MAX}.`, 'InvalidInput');
    }
    return { port: o.port_id, vlan: id };
  });
}

/** A model refusal in the trunk plugin's terms. */
function trunkError(e: unknown): unknown {
  if (!(e instanceof VsmError)) return e;
  if (e.code === 'conflict' && /is already a subport/.test(e.message)) return conflict('PortInUseAsSubPort', e.message);
  if (e.code === 'conflict' && /is the parent of trunk|already the parent/.test(e.message)) return conflict('TrunkPortInUse', e.message);
  if (e.code === 'conflict' && /VLAN \d+ is already used/.test(e.message)) return conflict('DuplicateSubPort', e.message);
  if (e.code === 'conflict' && /is bound to host/.test(e.message)) return conflict('PortInUse', e.message);
  return fromVsmError(e);
}

export class Trunks {
  constructor(private readonly vsm: Commit, private readonly policy: Policy, private readonly ports: PortState) {}

  private get s(): VsmState {
    return this.vsm.state();
  }

  private view(parent: PortObj): View {
    const t = parent.trunk!;
    const n = t.neutron ?? {};
    return {
      id: t.id, name: n.name ?? '', description: n.description ?? '', port_id: parent.name,
      sub_ports: t.subports.map((x) => ({ port_id: x.port, segmentation_type: 'vlan', segmentation_id: x.vlan })),
      status: this.ports.status(parent) === 'ACTIVE' ? 'ACTIVE' : 'DOWN', admin_state_up: n.admin_state_up ?? true,
      project_id: n.project_id ?? '', tenant_id: n.project_id ?? '', tags: n.tags ?? [],
      created_at: n.created_at, updated_at: n.updated_at, revision_number: n.revision_number ?? 0,
    };
  }

  /** The parent port of trunk `id`, if the request may see it. */
  private parent(ctx: RequestContext, id: string): PortObj {
    const p = Object.values(this.s.ports).find((x) => x.trunk?.id === id);
    if (!p || !this.policy.visible(ctx, 'ports', p)) throw notFound('TrunkNotFound', `Trunk ${id} could not be found.`);
    return p;
  }

  private port(ctx: RequestContext, id: string): PortObj {
    return this.policy.seen(ctx, 'ports', id, this.s.ports[id]);
  }

  private async commit(fn: (s: VsmState) => void, parent: PortObj, subs: string[]): Promise<void> {
    const networks = [parent.network, ...subs.map((x) => this.s.ports[x]?.network).filter((n): n is string => n !== undefined)];
    try {
      await this.vsm.change(fn, { networks: [...new Set(networks)], hosts: parent.host ? [parent.host] : [] });
    } catch (e) {
      throw trunkError(e);
    }
  }

  list(ctx: RequestContext): View[] {
    return Object.values(this.s.ports).filter((p) => p.trunk && p.origin === 'neutron' && this.policy.visible(ctx, 'ports', p)).map((p) => this.view(p));
  }

  show(ctx: RequestContext, id: string): View {
    return this.view(this.parent(ctx, id));
  }

  async create(ctx: RequestContext, body: unknown): Promise<View> {
    const b = checkBody(body, 'trunk', TRUNK_ATTRS, 'create');
    if (typeof b.port_id !== 'string') throw badRequest("Failed to parse request. Required attribute 'port_id' not specified", 'InvalidInput');
    const parent = this.port(ctx, b.port_id);
    this.policy.update(ctx, 'ports', parent, {});
    const subs = b.sub_ports === undefined ? [] : subportsOf(b.sub_ports);
    for (const x of subs) this.port(ctx, x.port);
    const t = now();
    const trunk: TrunkObj = {
      id: randomUUID(), subports: subs,
      neutron: {
        name: b.name ?? '', description: b.description ?? '', admin_state_up: b.admin_state_up ?? true, tags: b.tags ?? [],
        project_id: typeof b.project_id === 'string' ? b.project_id : typeof b.tenant_id === 'string' ? b.tenant_id : ctx.projectId || String(parent.neutron?.project_id ?? ''),
        created_at: t, updated_at: t, revision_number: 1,
      },
    };
    await this.commit((s) => createTrunk(s, parent.name, trunk), parent, subs.map((x) => x.port));
    return this.show(ctx, trunk.id);
  }

  async update(ctx: RequestContext, id: string, body: unknown): Promise<View> {
    const parent = this.parent(ctx, id);
    this.policy.update(ctx, 'ports', parent, {});
    const b = checkBody(body, 'trunk', TRUNK_ATTRS, 'update');
    const n = parent.trunk!.neutron ?? {};
    const neutron = { ...n, ...b, updated_at: now(), revision_number: Number(n.revision_number ?? 0) + 1 };
    await this.commit((s) => changeTrunk(s, id, [], [], neutron), parent, []);
    return this.show(ctx, id);
  }

  /** PUT add_subports / remove_subports: the trunk as it is after. */
  async subports(ctx: RequestContext, id: string, action: 'add_subports' | 'remove_subports', body: unknown): Promise<View> {
    const parent = this.parent(ctx, id);
    this.policy.update(ctx, 'ports', parent, {});
    const asked = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const subs = subportsOf(asked.sub_ports, action === 'remove_subports');
    for (const x of subs) this.port(ctx, x.port);
    const n = parent.trunk!.neutron ?? {};
    const neutron = { ...n, updated_at: now(), revision_number: Number(n.revision_number ?? 0) + 1 };
    const add = action === 'add_subports' ? subs : [];
    const remove = action === 'remove_subports' ? subs.map((x) => x.port) : [];
    await this.commit((s) => changeTrunk(s, id, add, remove, neutron), parent, subs.map((x) => x.port));
    return this.show(ctx, id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    const parent = this.parent(ctx, id);
    this.policy.remove(ctx, 'ports', parent);
    // As Neutron: a trunk whose parent a VM uses stays until the VM lets go of the port.
    if (parent.host) throw conflict('TrunkInUse', `Trunk ${id} is currently in use.`);
    await this.commit((s) => deleteTrunk(s, id), parent, parent.trunk!.subports.map((x) => x.port));
  }

  /** Routes /v2.0/trunks[/{id}[/{action}]]; returns the status of a write (logged), 0 for reads. */
  async route(ctx: RequestContext, method: string, id: string | undefined, action: string | undefined, body: () => Promise<unknown>, send: (status: number, body?: unknown) => void): Promise<number> {
    const notAllowed = (): NeutronError => new NeutronError(405, 'HTTPMethodNotAllowed', `${method} is not allowed here.`);
    if (!id) {
      if (method === 'GET') return send(200, { trunks: this.list(ctx) }), 0;
      if (method !== 'POST') throw notAllowed();
      send(201, { trunk: await this.create(ctx, await body()) });
      return 201;
    }
    if (action === 'get_subports') {
      if (method !== 'GET') throw notAllowed();
      send(200, { sub_ports: this.show(ctx, id).sub_ports });
      return 0;
    }
    if (action === 'add_subports' || action === 'remove_subports') {
      if (method !== 'PUT') throw notAllowed();
      send(200, await this.subports(ctx, id, action, await body()));
      return 200;
    }
    if (action) throw notFound('HTTPNotFound', `The resource could not be found: trunks/${id}/${action}`);
    switch (method) {
      case 'GET': send(200, { trunk: this.show(ctx, id) }); return 0;
      case 'PUT': send(200, { trunk: await this.update(ctx, id, await body()) }); return 200;
      case 'DELETE': await this.remove(ctx, id); send(204); return 204;
      default: throw notAllowed();
    }
  }
}
