// Neutron's default policy for networks, subnets and ports: an admin sees and changes
// everything and alone sets provider, sharing and binding attributes; a member sees its
// project's objects, shared networks (and their subnets) and the ports on its networks, and
// changes what it owns. What a request may not see answers 404, as if it did not exist; what it
// sees but may not change answers 403 PolicyNotAuthorized.
import type { PortObj, SegmentObj, SubnetObj, VsmState } from '../objects.js';
import type { Commit } from '../rules.js';
import type { RequestContext } from './context.js';
import { badRequest, forbidden, notFound } from './errors.js';
import type { Kind } from './resources.js';

type View = Record<string, unknown>;
type Obj = SegmentObj | SubnetObj | PortObj;

const SINGULAR: Record<Kind, string> = { networks: 'network', subnets: 'subnet', ports: 'port' };
const WHAT: Record<Kind, string> = { networks: 'Network', subnets: 'Subnet', ports: 'Port' };

/** Attributes only an admin may set, per kind. */
const ADMIN_WRITES: Record<Kind, string[]> = {
  networks: ['provider:network_type', 'provider:segmentation_id', 'provider:physical_network', 'shared', 'router:external', 'vxvem.mode', 'vxvem.group'],
  subnets: [],
  ports: ['binding:host_id', 'binding:profile', 'n1kv:profile'],
};

/** Attributes only an admin sees. */
const ADMIN_READS: Record<Kind, string[]> = {
  networks: ['provider:network_type', 'provider:segmentation_id', 'provider:physical_network', 'vxvem.mode', 'vxvem.group'],
  subnets: [],
  ports: ['binding:host_id', 'binding:profile', 'binding:vif_type', 'binding:vif_details', 'vxvem.interface'],
};

const projectOf = (o: Obj | undefined): string => String(o?.neutron?.project_id ?? '');

function attrsOf(body: unknown, kind: Kind): Record<string, unknown> | undefined {
  const o = (body as Record<string, unknown> | null)?.[SINGULAR[kind]];
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
}

export class Policy {
  constructor(private readonly vsm: Commit) {}

  private get s(): VsmState {
    return this.vsm.state();
  }

  private networkOf(kind: Kind, o: Obj): SegmentObj | undefined {
    return kind === 'networks' ? (o as SegmentObj) : this.s.segments[(o as SubnetObj | PortObj).network];
  }

  private ownsNetwork(ctx: RequestContext, network: SegmentObj | undefined): boolean {
    return !!ctx.projectId && projectOf(network) === ctx.projectId;
  }

  private shared(network: SegmentObj | undefined): boolean {
    return network?.neutron?.shared === true;
  }

  visible(ctx: RequestContext, kind: Kind, o: Obj): boolean {
    if (ctx.isAdmin || (ctx.projectId && projectOf(o) === ctx.projectId)) return true;
    const net = this.networkOf(kind, o);
    if (kind === 'ports') return this.ownsNetwork(ctx, net);
    return this.ownsNetwork(ctx, net) || this.shared(net);
  }

  /** The object, or the 404 Neutron answers when it is not there for this request. */
  seen<T extends Obj>(ctx: RequestContext, kind: Kind, id: string, o: T | undefined): T {
    if (!o || o.origin !== 'neutron' || !this.visible(ctx, kind, o)) throw notFound(`${WHAT[kind]}NotFound`, `${WHAT[kind]} ${id} could not be found.`);
    return o;
  }

  /** The view without what only an admin sees. */
  hide(ctx: RequestContext, kind: Kind, v: View): View {
    if (ctx.isAdmin) return v;
    const out = { ...v };
    for (const k of ADMIN_READS[kind]) delete out[k];
    return out;
  }

  /** A create body checked against the policy, with the request's project filled in when it names none. */
  create(ctx: RequestContext, kind: Kind, body: unknown): unknown {
    const a = attrsOf(body, kind);
    if (!a) return body; // not a body: resources.ts answers 400
    const asked = [a.project_id, a.tenant_id].filter((x): x is string => typeof x === 'string');
    if (asked.length === 2 && asked[0] !== asked[1]) throw badRequest("'project_id' and 'tenant_id' do not match");
    if (asked.length && asked[0] !== ctx.projectId && !ctx.isAdmin) {
      throw badRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges");
    }
    this.attributes(ctx, 'create', kind, a, kind === 'networks' ? undefined : this.network(ctx, a.network_id));
    if (kind === 'subnets') this.netOwner(ctx, 'create_subnet', this.network(ctx, a.network_id));
    return asked.length || !ctx.projectId ? body : { [SINGULAR[kind]]: { ...a, project_id: ctx.projectId } };
  }

  update(ctx: RequestContext, kind: Kind, o: Obj, body: unknown): void {
    const net = this.networkOf(kind, o);
    if (kind === 'subnets') this.netOwner(ctx, 'update_subnet', net);
    else if (!ctx.isAdmin && projectOf(o) !== ctx.projectId && !(kind === 'ports' && this.ownsNetwork(ctx, net))) throw forbidden(`update_${SINGULAR[kind]}`);
    const a = attrsOf(body, kind);
    if (a) this.attributes(ctx, 'update', kind, a, net);
  }

  remove(ctx: RequestContext, kind: Kind, o: Obj): void {
    const net = this.networkOf(kind, o);
    if (kind === 'subnets') this.netOwner(ctx, 'delete_subnet', net);
    else if (!ctx.isAdmin && projectOf(o) !== ctx.projectId && !(kind === 'ports' && this.ownsNetwork(ctx, net))) throw forbidden(`delete_${SINGULAR[kind]}`);
  }

  /** The network a subnet or port is made on, if this request may see it (404 otherwise, as for one that does not exist). */
  private network(ctx: RequestContext, id: unknown): SegmentObj | undefined {
    if (typeof id !== 'string') return undefined; // resources.ts answers the missing network_id
    const net = this.s.segments[id];
    return net ? this.seen(ctx, 'networks', id, net) : undefined;
  }

  private netOwner(ctx: RequestContext, rule: string, net: SegmentObj | undefined): void {
    if (!ctx.isAdmin && net && !this.ownsNetwork(ctx, net)) throw forbidden(rule);
  }

  /** Attributes for admins only, and a port's address, MAC, port security and network device owner for the network's owner (or an admin). */
  private attributes(ctx: RequestContext, op: 'create' | 'update', kind: Kind, a: Record<string, unknown>, net: SegmentObj | undefined): void {
    if (ctx.isAdmin) return;
    const rule = (attr: string): string => `${op}_${SINGULAR[kind]}:${attr}`;
    for (const k of ADMIN_WRITES[kind]) if (a[k] !== undefined) throw forbidden(rule(k));
    if (kind !== 'ports' || this.ownsNetwork(ctx, net)) return;
    if (a.mac_address !== undefined) throw forbidden(rule('mac_address'));
    // Port security is the network owner's: a member may not open a hole in another's network.
    if (a.port_security_enabled !== undefined) throw forbidden(rule('port_security_enabled'));
    if (a.allowed_address_pairs !== undefined) throw forbidden(rule('allowed_address_pairs'));
    if (Array.isArray(a.fixed_ips) && a.fixed_ips.some((f) => typeof f === 'object' && f !== null && 'ip_address' in f)) throw forbidden(rule('fixed_ips:ip_address'));
    if (typeof a.device_owner === 'string' && a.device_owner.startsWith('network:')) throw forbidden(rule('device_owner'));
  }
}
