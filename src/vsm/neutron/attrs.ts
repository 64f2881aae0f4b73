// Request bodies checked against each resource's attributes, as Neutron does: an unknown
// attribute or a wrongly typed value is a 400 naming it, before anything is written.
import { badRequest } from './errors.js';

type Kind = 'string' | 'nullable-string' | 'bool' | 'int-or-string' | 'list' | 'object' | 'any';
export type AttrSpec = Record<string, { kind: Kind; create?: boolean; update?: boolean; maxLength?: number }>;

/** Neutron's column size for names and descriptions. */
export const NAME_MAX = 255;

const both = (kind: Kind) => ({ kind, create: true, update: true });
const createOnly = (kind: Kind) => ({ kind, create: true, update: false });

const COMMON: AttrSpec = {
  name: { ...both('string'), maxLength: NAME_MAX }, description: { ...both('string'), maxLength: NAME_MAX }, tenant_id: createOnly('string'), project_id: createOnly('string'),
  admin_state_up: both('bool'), tags: both('list'),
};

export const NETWORK_ATTRS: AttrSpec = {
  ...COMMON,
  shared: both('bool'), mtu: both('int-or-string'), port_security_enabled: both('bool'),
  'provider:network_type': createOnly('string'), 'provider:segmentation_id': createOnly('int-or-string'),
  'provider:physical_network': createOnly('nullable-string'), 'router:external': both('bool'),
  availability_zone_hints: createOnly('list'), 'vxvem.mode': createOnly('string'), 'vxvem.group': createOnly('string'),
};

export const SUBNET_ATTRS: AttrSpec = {
  ...COMMON,
  network_id: createOnly('string'), ip_version: createOnly('int-or-string'), cidr: createOnly('string'),
  gateway_ip: both('nullable-string'), allocation_pools: both('list'), enable_dhcp: both('bool'),
  dns_nameservers: both('list'), host_routes: both('list'), subnetpool_id: createOnly('nullable-string'),
  ipv6_ra_mode: createOnly('nullable-string'), ipv6_address_mode: createOnly('nullable-string'), service_types: both('list'),
};

export const PORT_ATTRS: AttrSpec = {
  ...COMMON,
  network_id: createOnly('string'), mac_address: both('string'), fixed_ips: both('list'),
  device_id: both('string'), device_owner: both('string'), security_groups: both('list'), port_security_enabled: both('bool'),
  'binding:host_id': both('nullable-string'), 'binding:profile': both('object'), 'binding:vnic_type': both('string'),
  'n1kv:profile': both('string'), allowed_address_pairs: both('list'), extra_dhcp_opts: both('list'), dns_name: both('string'),
};

function typeOk(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'string': return typeof v === 'string';
    case 'nullable-string': return v === null || typeof v === 'string';
    case 'bool': return typeof v === 'boolean';
    case 'int-or-string': return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v));
    case 'list': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'any': return true;
  }
}

/** The body's `{resource: {...}}` object, checked; throws a 400 naming the first problem. */
export function checkBody(body: unknown, resource: string, spec: AttrSpec, op: 'create' | 'update'): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body is not a JSON object.');
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== resource) {
    throw badRequest(`Resource body required: expected {"${resource}": {...}}.`);
  }
  const obj = (body as Record<string, unknown>)[resource];
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw badRequest(`Invalid input: "${resource}" must be an object.`);
  const unknown = Object.keys(obj).filter((k) => !spec[k] || !(op === 'create' ? spec[k].create : spec[k].update));
  if (unknown.length) throw badRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`);
  for (const [k, v] of Object.entries(obj)) {
    const a = spec[k]!;
    if (!typeOk(a.kind, v)) throw badRequest(`Invalid input for ${k}. Reason: '${JSON.stringify(v)}' is not a valid ${a.kind}.`, 'InvalidInput');
    if (a.maxLength !== undefined && typeof v === 'string' && v.length > a.maxLength) {
      throw badRequest(`Invalid input for ${k}. Reason: '${v.slice(0, 20)}...' exceeds maximum length of ${a.maxLength}.`, 'InvalidInput');
    }
  }
  return obj as Record<string, unknown>;
}
