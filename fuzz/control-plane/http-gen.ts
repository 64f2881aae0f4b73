// Neutron API requests for the control-plane fuzzer: bodies that are not JSON, not objects,
// wrongly typed, with unknown attributes or values Neutron refuses, over 1 MiB; ids that do not
// exist; methods and paths the API does not have; no or a wrong token; valid changes and reads.
import type { Rng } from '../rng.js';
import { BAD_IPV4, BAD_MACS, BAD_NAMES, type HttpRequest, type Known, type Msg } from './messages.js';

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

function req(token: string, method: string, path: string, body?: Buffer | unknown, auth = true): HttpRequest {
  const b = body === undefined ? undefined : Buffer.isBuffer(body) ? body : json(body);
  // Content-Length always: without it Node sends a GET's or DELETE's body unframed, which is the client's error, not the API's.
  return { method, path, headers: { ...(auth ? { 'x-auth-token': token } : {}), ...(b ? { 'content-type': 'application/json', 'content-length': String(b.length) } : {}) }, ...(b ? { body: b } : {}) };
}

const missing = (rng: Rng): string => `00000000-0000-4000-8000-${rng.u32().toString(16).padStart(12, '0')}`;

/** Requests Neutron refuses: each must get a 4xx NeutronError and change nothing. */
function wrong(rng: Rng, k: Known, token: string): Msg {
  const n = k.neutron;
  const bad = (label: string, method: string, path: string, body?: unknown, auth = true): Msg => ({ label: `neutron: ${label}`, refuse: true, http: req(token, method, path, body, auth) });
  const collection = rng.pick(['networks', 'subnets', 'ports'] as const);
  const single = collection.slice(0, -1);
  const some = (c: 'networks' | 'subnets' | 'ports'): string => rng.pick(n[c].length ? n[c] : [missing(rng)]);
  const makers: (() => Msg)[] = [
    () => bad('a body that is not JSON', 'POST', `/v2.0/${collection}`, Buffer.from(rng.pick(['{', '{"network":', 'nul', '\u0000\u0001', '{"a":1}}', '\'x\'']))),
    () => bad('a body that is not the resource object', 'POST', `/v2.0/${collection}`, rng.pick([null, [], 'x', 1, {}, { [single]: 'x' }, { [single]: [] }, { [single]: null }, { other: {} }])),
    // All or nothing: the good first item must not be written either.
    () => bad('a bulk create with one bad item', 'POST', `/v2.0/${collection}`, { [collection]: [{ name: 'a' }, { name: 'b', [rng.pick(['foo', 'status'])]: 1 }] }),
    () => bad('an unknown attribute', 'POST', `/v2.0/${collection}`, { [single]: { [rng.pick(['foo', 'id', 'status', 'created_at', '__proto__', 'constructor'])]: 1 } }),
    () => bad('wrongly typed attributes', 'POST', `/v2.0/${collection}`, { [single]: { name: rng.pick([5, true, null, [], {}]) } }),
    () => bad('a network that is not VXLAN', 'POST', '/v2.0/networks', { network: { name: 'x', 'provider:network_type': rng.pick(['vlan', 'flat', 'geneve', '']) } }),
    () => bad('a segmentation id out of range', 'POST', '/v2.0/networks', { network: { 'provider:segmentation_id': rng.pick([0, 16777216, -1, 1.5, 'abc', '', '1e3', 2 ** 53]) } }),
    () => bad('a segmentation id in use', 'POST', '/v2.0/networks', { network: { 'provider:segmentation_id': k.busy.vni } }),
    () => bad('a bad flood mode or group', 'POST', '/v2.0/networks', { network: rng.chance(0.5) ? { 'vxvem.mode': rng.pick(['x', 'Unicast', 'multicast']) } : { 'vxvem.mode': 'multicast', 'vxvem.group': rng.pick(['1.2.3.4', '224.0.0.1', ...BAD_IPV4]) } }),
    () => bad('an external or physical network', 'POST', '/v2.0/networks', { network: rng.chance(0.5) ? { 'router:external': true } : { 'provider:physical_network': 'physnet1' } }),
    () => bad('a subnet without its network, or on a missing one', 'POST', '/v2.0/subnets', { subnet: rng.chance(0.5) ? { cidr: '203.0.113.0/24' } : { network_id: missing(rng), cidr: '203.0.113.0/24' } }),
    () => bad('a subnet with a bad CIDR, version or gateway', 'POST', '/v2.0/subnets', {
      subnet: { network_id: some('networks'), ...rng.pick([{ cidr: rng.pick(['x', '198.51.100.1/24', '198.51.100.0/33', '']) }, { cidr: '203.0.113.0/24', ip_version: rng.pick([6, '6', 5]) }, { cidr: '203.0.113.0/24', gateway_ip: rng.pick(['203.0.114.1', ...BAD_IPV4.filter(Boolean)]) }]) },
    }),
    () => bad('a subnet with bad allocation pools', 'POST', '/v2.0/subnets', { subnet: { network_id: some('networks'), cidr: '203.0.113.0/24', allocation_pools: rng.pick([[1], [null], [{ start: 'x', end: 'y' }], [{ start: '203.0.113.9', end: '203.0.113.2' }], [{ start: '10.0.0.1', end: '10.0.0.9' }], [{}]]) } }),
    () => bad('a port without its network, or on a missing one', 'POST', '/v2.0/ports', { port: rng.chance(0.5) ? { name: 'p' } : { network_id: missing(rng) } }),
    () => bad('a port with a bad MAC', 'POST', '/v2.0/ports', { port: { network_id: some('networks'), mac_address: rng.pick(BAD_MACS) } }),
    () => bad('a port with a MAC in use on its network', 'POST', '/v2.0/ports', { port: { network_id: n.networks[0] ?? missing(rng), mac_address: k.busy.neutronMac } }),
    () => bad('a port with bad fixed IPs', 'POST', '/v2.0/ports', { port: { network_id: some('networks'), fixed_ips: rng.pick([[null], [1], ['x'], [{ ip_address: 'x' }], [{ subnet_id: missing(rng) }], [{ ip_address: '192.0.2.77' }]]) } }),
    () => bad('a port with a missing policy profile', 'POST', '/v2.0/ports', { port: { network_id: some('networks'), 'n1kv:profile': `no-${rng.u32()}` } }),
    () => bad('a port with a bad host name', 'POST', '/v2.0/ports', { port: { network_id: some('networks'), 'binding:host_id': rng.pick(BAD_NAMES.filter(Boolean)) } }),
    () => bad('address pairs without port security, or malformed', 'POST', '/v2.0/ports', { port: { network_id: some('networks'), ...(rng.chance(0.5) ? { port_security_enabled: false, allowed_address_pairs: [{ ip_address: '198.51.100.9' }] } : { allowed_address_pairs: rng.pick([[1], [null], [{}], [{ ip_address: 'x' }], [{ ip_address: '198.51.100.9', mac_address: 'zz' }]]) }) } }),
    () => bad('an id that does not exist', rng.pick(['GET', 'PUT', 'DELETE']), `/v2.0/${collection}/${rng.chance(0.7) ? missing(rng) : rng.pick(['x', '%00', '%2e%2e%2fx', 'a'.repeat(300)])}`, { [single]: { name: 'x' } }),
    () => bad('an update with a bad body', 'PUT', `/v2.0/${collection}/${some(collection)}`, rng.pick([null, [], { [single]: 'x' }, { [single]: { id: 'x' } }, { [single]: { name: 5 } }, { [single]: { network_id: 'x' } }])),
    () => bad('a network with ports deleted', 'DELETE', `/v2.0/networks/${n.networks[0] ?? missing(rng)}`),
    () => bad('a subnet a port has an address from deleted', 'DELETE', `/v2.0/subnets/${n.subnets[0] ?? missing(rng)}`),
    () => bad('a bound port given another MAC', 'PUT', `/v2.0/ports/${n.ports[0] ?? missing(rng)}`, { port: { mac_address: '02:00:00:ee:00:01' } }),
    () => bad('a subnet updated with a bad gateway or pools', 'PUT', `/v2.0/subnets/${some('subnets')}`, { subnet: rng.chance(0.5) ? { gateway_ip: rng.pick(BAD_IPV4.filter(Boolean)) } : { allocation_pools: rng.pick([[1], [{ start: 'x', end: 'y' }], [{ start: '10.0.0.1', end: '10.0.0.2' }]]) } }),
    () => bad('a port updated with bad fixed IPs or pairs', 'PUT', `/v2.0/ports/${some('ports')}`, { port: rng.chance(0.5) ? { fixed_ips: rng.pick([[null], [{ ip_address: 'x' }], [{ subnet_id: missing(rng) }]]) } : { allowed_address_pairs: rng.pick([[1], [{ ip_address: 'x' }]]) } }),
    () => bad('a method the resource does not have', rng.pick(['PATCH', 'PUT', 'DELETE', 'OPTIONS']), `/v2.0/${collection}`),
    () => bad('a write to a read-only collection', rng.pick(['POST', 'PUT', 'DELETE']), `/v2.0/${rng.pick(['policy_profiles', 'network_profiles', 'extensions'])}`, {}),
    () => bad('a path the API does not have', 'GET', rng.pick(['/v2.0/routers', '/v2.0/networks/x/y', '/v3/networks', '/v2.0/extensions/nope', '/v2.0/policy_profiles/nope', '/v2.0//networks/x/y/z'])),
    () => bad('no token or a wrong one', rng.pick(['GET', 'POST', 'DELETE']), `/v2.0/${collection}${rng.chance(0.5) ? `/${some(collection)}` : ''}`, rng.chance(0.5) ? undefined : { [single]: {} }, false),
    () => bad('a body over 1 MiB', 'POST', `/v2.0/${collection}`, { [single]: { name: 'n'.repeat(1_100_000) } }),
  ];
  const m = rng.pick(makers)();
  if (m.label === 'neutron: no token or a wrong one' && rng.chance(0.5)) m.http!.headers['x-auth-token'] = `${token}x`;
  return m;
}

/** Valid requests: changes (that may still be refused by the state, clearly) and reads. */
function valid(rng: Rng, k: Known, token: string, index: number): Msg {
  const n = k.neutron;
  const makers: (() => Msg)[] = [
    () => ({
      label: 'neutron: create a network', refuse: false, changes: true,
      http: req(token, 'POST', '/v2.0/networks', { network: { name: `fz${index}`, 'provider:segmentation_id': 200000 + index } }),
      record: (kn, body) => void kn.neutron.networks.push(((body as { network?: { id?: string } })?.network?.id) ?? ''),
    }),
    () => ({
      label: 'neutron: create a subnet', refuse: false, changes: true,
      http: req(token, 'POST', '/v2.0/subnets', { subnet: { network_id: rng.pick(n.networks), cidr: `10.${(index >> 8) & 255}.${index & 255}.0/24` } }),
      record: (kn, body) => void kn.neutron.subnets.push(((body as { subnet?: { id?: string } })?.subnet?.id) ?? ''),
    }),
    () => ({
      label: 'neutron: create a port', refuse: false, changes: true,
      http: req(token, 'POST', '/v2.0/ports', { port: { network_id: rng.pick(n.networks), ...(rng.chance(0.5) ? { 'binding:host_id': k.busy.host } : {}) } }),
      record: (kn, body) => void kn.neutron.ports.push(((body as { port?: { id?: string } })?.port?.id) ?? ''),
    }),
    () => ({ label: 'neutron: update a network', refuse: false, changes: true, http: req(token, 'PUT', `/v2.0/networks/${rng.pick(n.networks)}`, { network: { name: `renamed${index}`, description: 'x'.repeat(rng.below(100)) } }) }),
    () => {
      const id = rng.pick(n.ports.slice(1)) as string | undefined; // never the first: it keeps its network busy
      return { label: 'neutron: delete a port', refuse: false, changes: true, http: req(token, 'DELETE', `/v2.0/ports/${id ?? missing(rng)}`), record: (kn) => void (id && kn.neutron.ports.splice(kn.neutron.ports.indexOf(id), 1)) };
    },
    () => ({ label: 'neutron: a list, filtered', refuse: false, changes: false, http: req(token, 'GET', `/v2.0/${rng.pick(['networks', 'subnets', 'ports', 'policy_profiles', 'network_profiles', 'extensions'])}?${rng.pick(['', 'name=x', 'fields=id&fields=name', 'name=a&name=b', 'admin_state_up=true', 'x=%ff'])}`) }),
    () => ({ label: 'neutron: the version document', refuse: false, changes: false, http: req(token, 'GET', rng.pick(['/', '/v2.0', '/v2.0/'])) }),
  ];
  return rng.pick(makers)();
}

export function httpMessage(rng: Rng, k: Known, token: string, index: number): Msg {
  return rng.chance(0.8) ? wrong(rng, k, token) : valid(rng, k, token, index);
}
