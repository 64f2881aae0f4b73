// The Neutron v2.0 endpoint through plain HTTP: documents, CRUD with Neutron's wrapped bodies
// and status codes, filters, allocation of VNIs, MACs and addresses, and bad input answered with
// the right NeutronError while nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NeutronApi } from '../src/vsm/neutron/http.js';
import { VsmServer } from '../src/vsm/server.js';
import { FileStore } from '../src/vsm/store.js';

const dir = mkdtempSync(join(tmpdir(), 'vxvem-neutron-'));
let vsm: VsmServer;
let api: NeutronApi;
let base = '';
let tokenApi: NeutronApi;
let tokenBase = '';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, at = base): Promise<{ status: number; body: Json; requestId: string | null }> {
  const r = await fetch(`${at}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Json) : {}, requestId: r.headers.get('x-openstack-request-id') };
}

beforeAll(async () => {
  vsm = new VsmServer(new FileStore(join(dir, 'data')));
  await vsm.listen(`unix:${join(dir, 'vsm.sock')}`);
  api = new NeutronApi(vsm.commit, { vniRange: [7000, 7002] });
  const s = await api.listen('127.0.0.1', 0);
  base = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  tokenApi = new NeutronApi(vsm.commit, { token: 's3cret' });
  const t = await tokenApi.listen('127.0.0.1', 0);
  tokenBase = `http://127.0.0.1:${(t.address() as { port: number }).port}`;
});

afterAll(async () => {
  api.close();
  tokenApi.close();
  await vsm.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('documents', () => {
  it('GET / names v2.0 as CURRENT with a self link; extensions advertise provider, binding, n1kv', async () => {
    const v = await call('GET', '/');
    expect(v.status).toBe(200);
    expect(v.body.versions[0]).toMatchObject({ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self' }] });
    expect(v.requestId).toMatch(/^req-[0-9a-f-]{36}$/);
    const e = await call('GET', '/v2.0/extensions');
    expect(e.body.extensions.map((x: Json) => x.alias)).toEqual(expect.arrayContaining(['provider', 'binding', 'n1kv']));
    expect((await call('GET', '/v2.0/extensions/binding')).body.extension.alias).toBe('binding');
    expect((await call('GET', '/v2.0/nothing')).status).toBe(404);
  });
});

describe('networks, subnets, ports', () => {
  let net = '';
  let subnet = '';
  let port = '';

  it('network: VNI as a string (as the CLI sends it), wrapped bodies, 201', async () => {
    const r = await call('POST', '/v2.0/networks', { network: { name: 'web', admin_state_up: true, 'provider:network_type': 'vxlan', 'provider:segmentation_id': '5000' } });
    expect(r.status).toBe(201);
    expect(r.body.network).toMatchObject({ name: 'web', 'provider:segmentation_id': 5000, 'provider:network_type': 'vxlan', status: 'ACTIVE', 'vxvem.mode': 'unicast' });
    net = r.body.network.id;
    expect(vsm.snapshot.segments[net]).toMatchObject({ vni: 5000, origin: 'neutron' });
  });

  it('a free VNI from the configured range when none is given; multicast through vxvem.mode', async () => {
    const a = await call('POST', '/v2.0/networks', { network: { name: 'auto' } });
    expect(a.body.network['provider:segmentation_id']).toBe(7000);
    const m = await call('POST', '/v2.0/networks', { network: { name: 'mc', 'vxvem.mode': 'multicast', 'vxvem.group': '239.1.0.9' } });
    expect(m.body.network).toMatchObject({ 'provider:segmentation_id': 7001, 'vxvem.mode': 'multicast', 'vxvem.group': '239.1.0.9' });
    for (const id of [a.body.network.id, m.body.network.id]) expect((await call('DELETE', `/v2.0/networks/${id}`)).status).toBe(204);
  });

  it('subnet: default gateway and pool; port: generated MAC, first free address, policy from n1kv:profile', async () => {
    const s = await call('POST', '/v2.0/subnets', { subnet: { name: 'web-v4', network_id: net, ip_version: 4, cidr: '198.51.100.0/24' } });
    expect(s.status).toBe(201);
    expect(s.body.subnet).toMatchObject({ gateway_ip: '198.51.100.1', allocation_pools: [{ start: '198.51.100.2', end: '198.51.100.254' }] });
    subnet = s.body.subnet.id;
    const p = await call('POST', '/v2.0/ports', { port: { name: 'p1', network_id: net, 'binding:host_id': 'h1', 'n1kv:profile': 'default' } });
    expect(p.status).toBe(201);
    expect(p.body.port.mac_address).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);
    expect(p.body.port).toMatchObject({ fixed_ips: [{ subnet_id: subnet, ip_address: '198.51.100.2' }], 'binding:host_id': 'h1', 'n1kv:profile': 'default', status: 'ACTIVE' });
    port = p.body.port.id;
    expect(vsm.snapshot.ports[port]).toMatchObject({ host: 'h1', interface: `tap${port.slice(0, 11)}`, origin: 'neutron' });
    const q = await call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:profile': { n1kv_profile: 'default' } } });
    expect(q.body.port).toMatchObject({ fixed_ips: [{ ip_address: '198.51.100.3' }], 'binding:host_id': '', status: 'DOWN' });
    expect((await call('DELETE', `/v2.0/ports/${q.body.port.id}`)).status).toBe(204);
  });

  it('list filters (by id, by name, any field) and fields=', async () => {
    expect((await call('GET', '/v2.0/networks?name=web')).body.networks.map((n: Json) => n.id)).toEqual([net]);
    expect((await call('GET', `/v2.0/networks?id=${net}`)).body.networks).toHaveLength(1);
    expect((await call('GET', '/v2.0/networks?name=nope')).body.networks).toEqual([]);
    expect((await call('GET', '/v2.0/ports?binding:host_id=h1&fields=id&fields=name')).body.ports).toEqual([{ id: port, name: 'p1' }]);
    expect((await call('GET', `/v2.0/subnets?network_id=${net}`)).body.subnets.map((x: Json) => x.id)).toEqual([subnet]);
    expect((await call('GET', '/v2.0/policy_profiles')).body.policy_profiles.map((x: Json) => x.name)).toContain('default');
    expect((await call('GET', '/v2.0/network_profiles')).body.network_profiles[0].segment_type).toBe('vxlan');
    expect((await call('POST', '/v2.0/policy_profiles', { policy_profile: {} })).status).toBe(405);
  });

  it('PUT: rename, rebind a port to another host (its interface stays), MAC of a bound port refused', async () => {
    const n = await call('PUT', `/v2.0/networks/${net}`, { network: { name: 'web2' } });
    expect(n.body.network).toMatchObject({ name: 'web2', 'provider:segmentation_id': 5000 });
    const p = await call('PUT', `/v2.0/ports/${port}`, { port: { 'binding:host_id': 'h2', name: 'p1b' } });
    expect(p.body.port).toMatchObject({ name: 'p1b', 'binding:host_id': 'h2', fixed_ips: [{ ip_address: '198.51.100.2' }] });
    expect(vsm.snapshot.ports[port]).toMatchObject({ host: 'h2', interface: `tap${port.slice(0, 11)}` });
    const m = await call('PUT', `/v2.0/ports/${port}`, { port: { mac_address: '02:00:00:00:00:99' } });
    expect([m.status, m.body.NeutronError.type]).toEqual([409, 'PortBound']);
  });

  it('port security: fixed_ips and allowed_address_pairs are the port\'s sources; port_security_enabled=false turns it off', async () => {
    const pairs = [{ ip_address: '198.51.100.64/26' }, { ip_address: '198.51.100.200', mac_address: '02:00:00:00:00:AA' }];
    const p = await call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'h1', allowed_address_pairs: pairs } });
    expect(p.status).toBe(201);
    const id = p.body.port.id as string;
    const mac = p.body.port.mac_address as string;
    expect(p.body.port).toMatchObject({
      port_security_enabled: true,
      allowed_address_pairs: [{ ip_address: '198.51.100.64/26', mac_address: mac }, { ip_address: '198.51.100.200', mac_address: '02:00:00:00:00:aa' }],
    });
    const ip = p.body.port.fixed_ips[0].ip_address as string;
    expect(vsm.snapshot.ports[id]).toMatchObject({ addresses: [ip], allowedPairs: [{ address: '198.51.100.64/26' }, { address: '198.51.100.200', mac: '02:00:00:00:00:aa' }] });
    expect(vsm.snapshot.ports[id]!.portSecurity).toBeUndefined();

    const refused = await call('PUT', `/v2.0/ports/${id}`, { port: { port_security_enabled: false } });
    expect([refused.status, refused.body.NeutronError.type]).toEqual([409, 'AddressPairAndPortSecurityRequired']);
    const off = await call('PUT', `/v2.0/ports/${id}`, { port: { port_security_enabled: false, allowed_address_pairs: [] } });
    expect(off.body.port).toMatchObject({ port_security_enabled: false, allowed_address_pairs: [] });
    expect(vsm.snapshot.ports[id]).toMatchObject({ portSecurity: false, addresses: [ip] });
    expect((await call('PUT', `/v2.0/ports/${id}`, { port: { name: 'renamed' } })).body.port.port_security_enabled).toBe(false);

    const before = vsm.snapshot.revision;
    for (const [body, status, type] of [
      [{ port: { network_id: net, port_security_enabled: false, allowed_address_pairs: pairs } }, 409, 'AddressPairAndPortSecurityRequired'],
      [{ port: { network_id: net, allowed_address_pairs: [{ mac_address: '02:00:00:00:00:01' }] } }, 400, 'InvalidInput'],
      [{ port: { network_id: net, allowed_address_pairs: [{ ip_address: '198.51.100.0/33' }] } }, 400, 'InvalidInput'],
      [{ port: { network_id: net, allowed_address_pairs: [pairs[0], pairs[0]] } }, 400, 'DuplicateAddressPairInRequest'],
    ] as const) {
      const r = await call('POST', '/v2.0/ports', body);
      expect([r.status, r.body.NeutronError?.type], JSON.stringify(body)).toEqual([status, type]);
    }
    expect(vsm.snapshot.revision).toBe(before);
    expect((await call('DELETE', `/v2.0/ports/${id}`)).status).toBe(204);
  });

  it('in use: a network with ports, a subnet with addresses', async () => {
    const n = await call('DELETE', `/v2.0/networks/${net}`);
    expect([n.status, n.body.NeutronError.type]).toEqual([409, 'NetworkInUse']);
    const s = await call('DELETE', `/v2.0/subnets/${subnet}`);
    expect([s.status, s.body.NeutronError.type]).toEqual([409, 'SubnetInUse']);
  });

  it('bad input: the right NeutronError, and nothing written', async () => {
    const before = vsm.snapshot.revision;
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/v2.0/networks', '{"network": {', 400, 'HTTPBadRequest'],
      ['POST', '/v2.0/networks', { network: { name: 'x', colour: 'red' } }, 400, 'HTTPBadRequest'],
      ['POST', '/v2.0/networks', { network: { name: 7 } }, 400, 'InvalidInput'],
      ['POST', '/v2.0/networks', { network: { 'provider:segmentation_id': 0 } }, 400, 'InvalidInput'],
      ['POST', '/v2.0/networks', { network: { 'provider:segmentation_id': 16777216 } }, 400, 'InvalidInput'],
      ['POST', '/v2.0/networks', { network: { 'provider:network_type': 'vlan' } }, 400, 'InvalidInput'],
      ['POST', '/v2.0/networks', { network: { 'provider:segmentation_id': 5000 } }, 409, 'TunnelIdInUse'],
      ['POST', '/v2.0/networks', { networks: [{}] }, 400, 'HTTPBadRequest'],
      ['POST', '/v2.0/subnets', { subnet: { network_id: 'nope', cidr: '198.51.100.0/24' } }, 404, 'NetworkNotFound'],
      ['POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '198.51.100.128/25' } }, 400, 'InvalidInput'],
      ['POST', '/v2.0/ports', { port: { network_id: net, mac_address: vsm.snapshot.ports[port]!.mac } }, 409, 'MacAddressInUse'],
      ['POST', '/v2.0/ports', { port: { network_id: net, mac_address: 'zz:zz' } }, 400, 'InvalidInput'],
      ['POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: '198.51.100.2' }] } }, 409, 'IpAddressInUse'],
      ['POST', '/v2.0/ports', { port: { network_id: net, 'n1kv:profile': 'gold' } }, 404, 'PolicyProfileNotFound'],
      ['GET', '/v2.0/ports/00000000-0000-0000-0000-000000000000', undefined, 404, 'PortNotFound'],
      ['PUT', '/v2.0/networks/nope', { network: { name: 'x' } }, 404, 'NetworkNotFound'],
      ['PUT', `/v2.0/networks/${net}`, { network: { 'provider:segmentation_id': 9 } }, 400, 'HTTPBadRequest'],
      ['DELETE', '/v2.0/subnets/nope', undefined, 404, 'SubnetNotFound'],
    ];
    for (const [method, path, body, status, type] of cases) {
      const r = await call(method, path, body);
      expect([r.status, r.body.NeutronError?.type], `${method} ${path} ${JSON.stringify(body)}`).toEqual([status, type]);
      expect(r.body.NeutronError.message.length).toBeGreaterThan(5);
      expect(r.requestId).toMatch(/^req-/);
    }
    expect(vsm.snapshot.revision).toBe(before);
  });

  it('with a token: GET / open, everything else 401 without X-Auth-Token', async () => {
    expect((await call('GET', '/', undefined, {}, tokenBase)).status).toBe(200);
    const r = await call('GET', '/v2.0/networks', undefined, {}, tokenBase);
    expect([r.status, r.body.NeutronError.type]).toEqual([401, 'HTTPUnauthorized']);
    expect((await call('GET', '/v2.0/networks', undefined, { 'x-auth-token': 'wrong' }, tokenBase)).status).toBe(401);
    expect((await call('GET', '/v2.0/networks', undefined, { 'x-auth-token': 's3cret' }, tokenBase)).status).toBe(200);
  });

  it('sync removes what the VSM made itself and keeps Neutron\'s objects', async () => {
    await vsm.commit.change((s) => {
      s.segments.legacy = { name: 'legacy', vni: 6000, mode: 'unicast', origin: 'vsm' };
    });
    const r = await vsm.sync();
    expect(r.removed).toEqual([{ kind: 'network', name: 'legacy', origin: 'vsm', reason: 'not in OpenStack (the source of truth)' }]);
    expect(vsm.snapshot.segments[net]).toBeDefined();
    expect(vsm.snapshot.ports[port]).toBeDefined();
    expect((await vsm.sync()).removed).toEqual([]);
  });

  it('delete in order: port, then the network takes its subnet with it', async () => {
    expect((await call('DELETE', `/v2.0/ports/${port}`)).status).toBe(204);
    expect((await call('DELETE', `/v2.0/networks/${net}`)).status).toBe(204);
    expect((await call('GET', '/v2.0/subnets')).body.subnets).toEqual([]);
    expect(Object.keys(vsm.snapshot.segments)).toEqual([]);
  });
});
