// The Neutron v2.0 endpoint through plain HTTP: documents, CRUD with Neutron's wrapped bodies
// and status codes, filters, allocation of VNIs, MACs and addresses, and bad input answered with
// the right NeutronError while nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VemClient } from '../proto/clients.js';
import { NeutronApi } from '../src/vsm/neutron/http.js';
import { KeystoneConfigError, parseKeystoneConfig } from '../src/vsm/neutron/keystone.js';
import { NovaNotifier, type NovaEvent } from '../src/vsm/neutron/nova-notifier.js';
import { createServer } from 'node:http';
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
    expect(p.body.port).toMatchObject({ fixed_ips: [{ subnet_id: subnet, ip_address: '198.51.100.2' }], 'binding:host_id': 'h1', 'n1kv:profile': 'default' });
    // As with ML2: DOWN until the host's agent reports it wired; no agent on h1, so the binding failed.
    expect(p.body.port).toMatchObject({ status: 'DOWN', 'binding:vif_type': 'binding_failed' });
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
      ['POST', '/v2.0/networks', { networks: [{ mtu: 9000 }] }, 400, 'InvalidInput'], // bulk: one bad item refuses all (neutron-rules.test.ts)
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

describe('what Nova relies on', () => {
  const P1 = 'aaaaaaaa111111111111111111111111';
  const SERVER = '0b9c1f7e-1a6e-4a53-9c1c-0123456789ab';
  let net = '';
  let sub = '';
  const events: NovaEvent[] = [];
  let novaApi: NeutronApi;
  let novaBase = '';
  let vem: VemClient;

  beforeAll(async () => {
    novaApi = new NeutronApi(vsm.commit, { notify: (e) => events.push(e) });
    novaBase = `http://127.0.0.1:${((await novaApi.listen('127.0.0.1', 0)).address() as { port: number }).port}`;
    net = (await call('POST', '/v2.0/networks', { network: { name: 'n', tenant_id: P1 } })).body.network.id;
    sub = (await call('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '192.0.2.0/24', tenant_id: P1 } })).body.subnet.id;
    // A VEM of host h7, through the VEM service as any agent talks to it.
    vem = new VemClient(`unix:${join(dir, 'vsm.sock')}`);
    await vem.register({ host: 'h7', vteps: [{ interface: 'up0', address: '198.51.100.7', prefixLength: 24, gateway: '' }], uplinkMtu: 1500, version: 't' });
  });
  afterAll(() => {
    vem.close();
    novaApi.close();
  });
  /** Through the API that tells Nova (the status tracker of `api` tells nobody). */
  const nc = (method: string, path: string, body?: unknown) => call(method, path, body, {}, novaBase);
  const bound = (...interfaces: string[]) => vem.report({ host: 'h7', appliedRevision: '0', learned: [], boundPorts: interfaces, boundPortsKnown: true });
  const tap = (id: string) => `tap${id.slice(0, 11)}`;

  it('fixed_ips filters: ip_address, subnet_id, ip_address_substr, on one allocation; bad ones are 400', async () => {
    const a = (await call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: '192.0.2.10' }] } })).body.port;
    const b = (await call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: '192.0.2.110' }] } })).body.port;
    const ids = async (query: string) => (await call('GET', `/v2.0/ports?network_id=${net}&${query}`)).body.ports.map((p: Json) => p.id).sort();
    expect(await ids('fixed_ips=ip_address%3D192.0.2.10')).toEqual([a.id]);
    expect(await ids('fixed_ips=ip_address%3D192.0.2.99')).toEqual([]);
    expect(await ids('fixed_ips=ip_address%3D192.0.2.10&fixed_ips=ip_address%3D192.0.2.110')).toEqual([a.id, b.id].sort());
    expect(await ids(`fixed_ips=subnet_id%3D${sub}&fixed_ips=ip_address%3D192.0.2.110`)).toEqual([b.id]);
    expect(await ids('fixed_ips=subnet_id%3Dnope&fixed_ips=ip_address%3D192.0.2.110')).toEqual([]);
    expect(await ids('fixed_ips=ip_address_substr%3D2.11')).toEqual([b.id]);
    expect(await ids('fixed_ips=ip_address_substr%3D192.0.2.1')).toEqual([a.id, b.id].sort());
    for (const bad of ['fixed_ips=192.0.2.10', 'fixed_ips=mac%3Dx']) expect((await call('GET', `/v2.0/ports?${bad}`)).status).toBe(400);
    for (const p of [a, b]) await call('DELETE', `/v2.0/ports/${p.id}`);
  });

  it('status: DOWN until the host reports the port bound, ACTIVE, DOWN again when the tap goes; Nova told each change', async () => {
    const p = (await nc('POST', '/v2.0/ports', { port: { network_id: net, device_id: SERVER, device_owner: 'compute:nova', 'binding:host_id': 'h7' } })).body.port;
    expect(p).toMatchObject({ status: 'DOWN', 'binding:vif_type': 'tap', 'binding:vif_details': { port_filter: true, connectivity: 'l2' } });
    const status = async () => (await nc('GET', `/v2.0/ports/${p.id}`)).body.port.status;
    await bound(tap(p.id));
    expect(await status()).toBe('ACTIVE');
    expect((await nc('GET', `/v2.0/ports?status=ACTIVE&fields=id`)).body.ports).toEqual([{ id: p.id }]);
    await bound();
    expect(await status()).toBe('DOWN');
    await bound(tap(p.id));
    expect(events.filter((e) => e.tag === p.id).map((e) => [e.name, e.server_uuid, e.status])).toEqual([
      ['network-vif-plugged', SERVER, 'completed'], ['network-vif-unplugged', SERVER, 'completed'], ['network-vif-plugged', SERVER, 'completed']]);
    // Nova unbinds: binding:host_id null (and "") clears the binding; DOWN, and no event (no longer a server's port).
    const u = await nc('PUT', `/v2.0/ports/${p.id}`, { port: { device_id: '', device_owner: '', 'binding:host_id': null } });
    expect(u.body.port).toMatchObject({ 'binding:host_id': '', status: 'DOWN', 'binding:vif_type': 'unbound', 'binding:vif_details': {} });
    expect(vsm.snapshot.ports[p.id]!.host).toBe('');
    expect((await nc('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'h7' } })).body.port.status).toBe('ACTIVE');
    expect((await nc('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': '' } })).body.port['binding:host_id']).toBe('');
    expect(events.filter((e) => e.tag === p.id)).toHaveLength(3);
    await nc('PUT', `/v2.0/ports/${p.id}`, { port: { device_id: SERVER, device_owner: 'compute:nova', 'binding:host_id': 'h7' } });
    await nc('DELETE', `/v2.0/ports/${p.id}`);
    expect(events.filter((e) => e.tag === p.id).map((e) => e.name).slice(3)).toEqual(['network-vif-plugged', 'network-vif-deleted']);
  });

  it('quotas: defaults, set, used, enforced on create (OverQuota), deleted back to the defaults', async () => {
    expect((await call('GET', `/v2.0/quotas/${P1}`)).body.quota).toEqual({ network: 100, subnet: 100, port: 500 });
    expect((await call('GET', `/v2.0/quotas/${P1}/default`)).body.quota).toEqual({ network: 100, subnet: 100, port: 500 });
    const set = await call('PUT', `/v2.0/quotas/${P1}`, { quota: { network: '1', subnet: 1, port: -1 } });
    expect([set.status, set.body.quota]).toEqual([200, { network: 1, subnet: 1, port: -1 }]);
    expect((await call('GET', '/v2.0/quotas')).body.quotas).toEqual([{ network: 1, subnet: 1, port: -1, project_id: P1, tenant_id: P1 }]);
    expect((await call('GET', `/v2.0/quotas/${P1}/details`)).body.quota.network).toEqual({ limit: 1, used: 1, reserved: 0 });
    const over = await call('POST', '/v2.0/networks', { network: { name: 'n2', project_id: P1 } });
    expect([over.status, over.body.NeutronError.type, over.body.NeutronError.message]).toEqual([409, 'OverQuota', "Quota exceeded for resources: ['network']."]);
    expect((await call('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '203.0.113.0/24', tenant_id: P1 } })).status).toBe(409);
    expect((await call('POST', '/v2.0/networks', { network: { name: 'other-project', project_id: 'bbbb' } })).status).toBe(201);
    for (const [body, type] of [[{ quota: { router: 1 } }, 'HTTPBadRequest'], [{ quota: { port: -2 } }, 'InvalidInput'], [{ quota: { port: 'x' } }, 'InvalidInput']] as const) {
      const r = await call('PUT', `/v2.0/quotas/${P1}`, body);
      expect([r.status, r.body.NeutronError?.type], JSON.stringify(body)).toEqual([400, type]);
    }
    expect((await call('PUT', `/v2.0/quotas/${P1}`, { quota: { network: 0, check_limit: true } })).status).toBe(400);
    expect((await call('POST', '/v2.0/quotas', { quota: {} })).status).toBe(501);
    expect((await call('DELETE', `/v2.0/quotas/${P1}`)).status).toBe(204);
    expect((await call('GET', '/v2.0/quotas')).body.quotas).toEqual([]);
    expect((await call('GET', `/v2.0/quotas/${P1}`)).body.quota.network).toBe(100);
  });

  it('quotas are kept by the store: a restarted VSM has them', async () => {
    await call('PUT', `/v2.0/quotas/${P1}`, { quota: { port: 7 } });
    const again = new FileStore(join(dir, 'data')).load();
    expect(again.quotas[P1]).toEqual({ project: P1, limits: { port: 7 } });
    await call('DELETE', `/v2.0/quotas/${P1}`);
    expect(new FileStore(join(dir, 'data')).load().quotas).toEqual({});
  });

  it('a host\'s first report after a VSM start is learnt, not told to Nova', async () => {
    const p = (await nc('POST', '/v2.0/ports', { port: { network_id: net, device_id: SERVER, device_owner: 'compute:nova', 'binding:host_id': 'h8' } })).body.port;
    // h8 registers after the port exists (as after a restart, when the VSM has heard nothing yet).
    await vem.register({ host: 'h8', vteps: [{ interface: 'up0', address: '198.51.100.8', prefixLength: 24, gateway: '' }], uplinkMtu: 1500, version: 't' });
    const fresh = new NeutronApi(vsm.commit, { notify: (e) => events.push({ ...e, tag: `fresh:${e.tag}` }) });
    await vem.report({ host: 'h8', appliedRevision: '0', learned: [], boundPorts: [tap(p.id)], boundPortsKnown: true });
    expect((await nc('GET', `/v2.0/ports/${p.id}`)).body.port.status).toBe('ACTIVE');
    // novaApi knew the port DOWN (it saw it created): it tells Nova; `fresh` learnt it now and does not.
    expect(events.filter((e) => e.tag === p.id).map((e) => e.name)).toEqual(['network-vif-plugged']);
    expect(events.filter((e) => e.tag === `fresh:${p.id}`)).toEqual([]);
    // A port made through another API (another replica's) that this one never saw: DOWN before the report that binds it.
    const q = (await call('POST', '/v2.0/ports', { port: { network_id: net, device_id: SERVER, device_owner: 'compute:nova', 'binding:host_id': 'h8' } })).body.port;
    await vem.report({ host: 'h8', appliedRevision: '0', learned: [], boundPorts: [tap(p.id), tap(q.id)], boundPortsKnown: true });
    expect(events.filter((e) => e.tag === q.id || e.tag === `fresh:${q.id}`).map((e) => e.name)).toEqual(['network-vif-plugged', 'network-vif-plugged']);
    fresh.close();
    for (const x of [p, q]) await nc('DELETE', `/v2.0/ports/${x.id}`);
  });
});

describe('Nova notifier and Keystone configuration', () => {
  it('events are batched into one request, retried past a 5xx, sent again with a new token after a 401', async () => {
    const got: { events: NovaEvent[]; token: string }[] = [];
    const answers = [503, 401, 200];
    const nova = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const status = answers.shift() ?? 200;
        const events = (JSON.parse(body) as { events: NovaEvent[] }).events;
        got.push({ events, token: String(req.headers['x-auth-token']) });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ events: events.map((e) => ({ ...e, code: 200 })) }));
      });
    });
    await new Promise<void>((r) => nova.listen(0, '127.0.0.1', r));
    let n = 0;
    const tokens = { token: () => Promise.resolve(`t${n}`), invalidate: () => void n++ };
    const lines: string[] = [];
    const notifier = new NovaNotifier({ url: `http://127.0.0.1:${(nova.address() as { port: number }).port}/v2.1/`, tokens, log: (l) => lines.push(l) });
    const e = (tag: string): NovaEvent => ({ name: 'network-vif-plugged', server_uuid: 'S', tag, status: 'completed' });
    notifier.send(e('a'));
    notifier.send(e('b'));
    await notifier.idle();
    expect(got.map((g) => [g.events.map((x) => x.tag).join(), g.token])).toEqual([['a,b', 't0'], ['a,b', 't0'], ['a,b', 't1']]);
    expect(notifier.counts).toEqual({ sent: 2, failed: 0 });
    expect(lines).toEqual([]);
    nova.close();
  });

  it('[keystone_authtoken] as neutron.conf has it; what is missing is named', () => {
    const c = parseKeystoneConfig('[DEFAULT]\nusername = no\n[keystone_authtoken]\n# a comment\nauth_url = http://ks:5000/v3/\nusername = neutron\npassword = p=w\nproject_name = service\n', 'f');
    expect(c).toEqual({ authUrl: 'http://ks:5000', username: 'neutron', password: 'p=w', projectName: 'service', userDomainName: 'Default', projectDomainName: 'Default', wwwAuthenticateUri: 'http://ks:5000' });
    expect(() => parseKeystoneConfig('[keystone_authtoken]\nauth_url = http://ks:5000\n', 'f')).toThrow(new KeystoneConfigError('f: [keystone_authtoken] has no username'));
    expect(() => parseKeystoneConfig('[keystone_authtoken]\nauth_url = ks\nusername = u\npassword = p\nproject_name = x\n', 'f')).toThrow(/not an http/);
  });
});
