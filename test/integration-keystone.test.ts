// The VSM's Neutron API behind Keystone: Debian's keystone started here (testbed/keystone.ts)
// with two projects, driven with the openstack CLI as their members and as the admin. Tokens
// are validated by Keystone (401 in keystonemiddleware's form otherwise); a member sees and
// changes its project's networks, subnets and ports and the shared networks, and may not set
// provider, sharing or binding attributes; quotas are the admin's to set; Nova's calls work
// with a member's token and Nova's service token, and Nova's events carry the VSM's token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VemClient } from '../proto/clients.js';
import { freePort } from './helpers/free-port.js';
import { KeystoneServer, type Credentials } from '../testbed/keystone.js';
import { FakeNova, NovaNeutron, http } from './helpers/nova.js';
import { VsmProcess } from './helpers/vsm-process.js';

const ks = new KeystoneServer();
const nova = new FakeNova();
const vsmProc = new VsmProcess();
const dir = mkdtempSync(join(tmpdir(), 'vxvem-ks-'));
const VSM = `unix:${join(dir, 'vsm.sock')}`;
const alice: Credentials = { user: 'alice', password: 'alice-secret', project: 'p-alice' };
const bob: Credentials = { user: 'bob', password: 'bob-secret', project: 'p-bob' };
/** The VSM's own service user (admin in `service`, as the install guides make Neutron's), and Nova's. */
const neutronUser: Credentials = { user: 'neutron', password: 'neutron-secret', project: 'service' };
const novaUser: Credentials = { user: 'nova', password: 'nova-secret', project: 'service' };
let endpoint = '';
const projectId: Record<string, string> = {};

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const rest = (method: string, path: string, token?: string, body?: unknown) => http(method, `${endpoint}${path}`, token ? { 'x-auth-token': token } : {}, body);
const names = (rows: { Name: string }[]): string[] => rows.map((r) => r.Name).sort();
const refused = (args: string[], c: Credentials, why: RegExp): void => {
  const r = ks.openstack(args, c);
  expect(r.status, `${args.join(' ')} as ${c.user}: ${r.out}`).not.toBe(0);
  expect(r.err).toMatch(why);
};

beforeAll(async () => {
  await ks.start();
  for (const c of [alice, bob]) ks.addUser(c);
  for (const c of [neutronUser, novaUser]) ks.addUser(c, 'admin');
  for (const p of [alice.project, bob.project]) projectId[p] = ks.os<{ id: string }>(['project', 'show', p]).id;
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  await nova.start();
  ks.os(['service', 'create', '--name', 'neutron', 'network']);
  ks.os(['endpoint', 'create', '--region', 'RegionOne', 'network', 'public', endpoint]);
  // Nova's (its stand-in's) endpoint: the CLI looks it up for `quota set` even for network quotas.
  ks.os(['service', 'create', '--name', 'nova', 'compute']);
  ks.os(['endpoint', 'create', '--region', 'RegionOne', 'compute', 'public', nova.url]);
  const conf = join(dir, 'neutron.conf');
  writeFileSync(conf, [
    '[DEFAULT]', 'core_plugin = vxvem', '', '[keystone_authtoken]', `www_authenticate_uri = ${ks.url}`, `auth_url = ${ks.url}/v3`,
    'auth_type = password', 'user_domain_name = Default', 'project_domain_name = Default', `project_name = ${neutronUser.project}`,
    `username = ${neutronUser.user}`, `password = ${neutronUser.password}`, '',
  ].join('\n'));
  await vsmProc.start(['--listen', VSM, '--data', join(dir, 'data'), '--metrics', 'off', '--neutron', String(port), '--keystone-config', conf, '--nova-url', nova.url]);
}, 600_000);

afterAll(async () => {
  await vsmProc.stop().catch(() => undefined);
  nova.close();
  await ks.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('tokens', () => {
  it('no token, or one Keystone does not know: 401 as keystonemiddleware answers; the version document is open', async () => {
    for (const token of [undefined, 'gAAAAAmade-up']) {
      const r = await rest('GET', '/v2.0/networks', token);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
      expect(r.headers['www-authenticate']).toBe(`Keystone uri="${ks.url}"`);
    }
    expect((await rest('GET', '/')).status).toBe(200);
    expect((await rest('GET', '/v2.0/networks', await ks.issue(alice))).status).toBe(200);
  });
});

describe('projects', () => {
  it('the admin makes a shared network with provider attributes; each member sees its own networks and the shared one', () => {
    expect(ks.os(['network', 'create', '--share', '--provider-network-type', 'vxlan', '--provider-segment', '10200', 'shared'])).toMatchObject({ 'provider:segmentation_id': 10200, shared: true });
    ks.os(['subnet', 'create', '--network', 'shared', '--subnet-range', '198.51.100.0/24', 'shared-v4']);
    ks.os(['network', 'create', 'a-net'], alice);
    ks.os(['subnet', 'create', '--network', 'a-net', '--subnet-range', '192.0.2.0/24', 'a-v4'], alice);
    ks.os(['network', 'create', 'b-net'], bob);
    expect(names(ks.os(['network', 'list'], alice))).toEqual(['a-net', 'shared']);
    expect(names(ks.os(['network', 'list'], bob))).toEqual(['b-net', 'shared']);
    expect(names(ks.os(['network', 'list']))).toEqual(['a-net', 'b-net', 'shared']);
    expect(names(ks.os(['subnet', 'list'], bob))).toEqual(['shared-v4']);
    expect(ks.os(['network', 'show', 'a-net'], alice)).toMatchObject({ project_id: projectId[alice.project] });
    // Provider attributes are the admin's to see.
    expect(ks.os<Json>(['network', 'show', 'shared'], alice)['provider:segmentation_id'] ?? null).toBeNull();
    refused(['network', 'show', 'b-net'], alice, /No Network found|not found/i);
  }, 240_000);

  it('a member may not set provider attributes, share, or change what it does not own', () => {
    refused(['network', 'create', '--provider-network-type', 'vxlan', '--provider-segment', '10300', 'mine'], alice, /create_network:provider:network_type\) is disallowed by policy/);
    refused(['network', 'create', '--share', 'mine'], alice, /create_network:shared\) is disallowed by policy/);
    refused(['network', 'set', '--name', 'taken', 'shared'], alice, /update_network\) is disallowed by policy/);
    refused(['network', 'delete', 'shared'], alice, /delete_network\) is disallowed by policy/);
    refused(['subnet', 'create', '--network', 'shared', '--subnet-range', '203.0.113.0/24', 'mine'], alice, /create_subnet\) is disallowed by policy/);
    refused(['network', 'delete', 'a-net'], bob, /No Network found|not found/i);
    expect(names(ks.os(['network', 'list']))).toEqual(['a-net', 'b-net', 'shared']);
  }, 240_000);

  it('ports: a member\'s port on the shared network is its own; binding is the admin\'s', () => {
    const p = ks.os<Json>(['port', 'create', '--network', 'shared', 'a-port'], alice);
    expect(p).toMatchObject({ project_id: projectId[alice.project], status: 'DOWN' });
    expect(p.binding_host_id ?? null).toBeNull(); // hidden from members
    expect(names(ks.os(['port', 'list'], alice))).toEqual(['a-port']);
    expect(names(ks.os(['port', 'list'], bob))).toEqual([]);
    refused(['port', 'show', p.id], bob, /No Port found|not found/i);
    refused(['port', 'create', '--network', 'shared', '--host', 'h1', 'bound'], alice, /create_port:binding:host_id\) is disallowed by policy/);
    refused(['port', 'create', '--network', 'shared', '--fixed-ip', 'ip-address=198.51.100.77', 'fixed'], alice, /create_port:fixed_ips:ip_address\) is disallowed by policy/);
    expect(ks.openstack(['port', 'set', '--host', 'h1', 'a-port']).status).toBe(0); // the admin binds it (as Nova's service user does)
    expect(ks.os(['port', 'show', 'a-port'])).toMatchObject({ binding_host_id: 'h1' });
    expect(ks.openstack(['port', 'delete', 'a-port'], alice).status).toBe(0);
  }, 240_000);

  it('quotas: the admin sets a project\'s, its member reads it and is held to it', async () => {
    const set = ks.openstack(['quota', 'set', '--ports', '1', alice.project]);
    expect(set.status, set.err).toBe(0);
    const aliceToken = await ks.issue(alice);
    expect((await rest('GET', `/v2.0/quotas/${projectId[alice.project]}`, aliceToken)).body.quota).toMatchObject({ port: 1 });
    expect((await rest('GET', `/v2.0/quotas/${projectId[bob.project]}`, aliceToken)).status).toBe(403);
    ks.os(['port', 'create', '--network', 'a-net', 'first'], alice);
    refused(['port', 'create', '--network', 'a-net', 'second'], alice, /Quota exceeded for resources: \['port'\]/);
    const mine = await rest('PUT', `/v2.0/quotas/${projectId[alice.project]}`, aliceToken, { quota: { port: 5 } });
    expect([mine.status, mine.body.NeutronError?.message]).toEqual([403, '(rule:update_quota) is disallowed by policy']);
    const admin = await ks.issue(ks.admin);
    expect((await rest('DELETE', `/v2.0/quotas/${projectId[alice.project]}`, admin)).status).toBe(204);
    ks.os(['port', 'create', '--network', 'a-net', 'second'], alice);
    expect(ks.openstack(['port', 'delete', 'first', 'second'], alice).status).toBe(0);
  }, 240_000);
});

describe('Nova', () => {
  it('a boot with the member\'s token and Nova\'s service token; Nova hears network-vif-plugged under the VSM\'s token', async () => {
    const neutron = new NovaNeutron(endpoint, { 'x-auth-token': await ks.issue(alice) }, { 'x-auth-token': await ks.issue(novaUser) });
    // A VEM of host h1, through the VEM service as any agent talks to it.
    const vem = new VemClient(VSM);
    await vem.register({ host: 'h1', vteps: [{ interface: 'up0', address: '192.0.2.51', prefixLength: 24, gateway: '' }], uplinkMtu: 1500, version: 't' });
    const net = ks.os<{ id: string }>(['network', 'show', 'a-net'], alice).id;
    const inst = { uuid: randomUUID(), projectId: projectId[alice.project]!, host: 'h1' };
    expect(await neutron.validateNetworks(inst.projectId, net, 1)).toBe(1);
    const vif = await neutron.allocate(inst, { network: net });
    expect(vif.port).toMatchObject({ status: 'DOWN', 'binding:vif_type': 'tap', tenant_id: inst.projectId });
    await vem.report({ host: 'h1', appliedRevision: '0', learned: [], boundPorts: [vif.devname], boundPortsKnown: true });
    const e = await nova.waitFor('network-vif-plugged', vif.port.id);
    expect(e.server_uuid).toBe(inst.uuid);
    // The token Nova got is the VSM's service user's, as Keystone says.
    const who = await http('GET', `${ks.url}/v3/auth/tokens`, { 'x-auth-token': await ks.issue(ks.admin), 'x-subject-token': e.token! });
    expect(who.body.token.user.name).toBe('neutron');
    await neutron.deallocate(inst, []);
    await nova.waitFor('network-vif-deleted', vif.port.id);
    vem.close();
  }, 60_000);
});
