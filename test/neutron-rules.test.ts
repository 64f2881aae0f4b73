// Neutron's own rules that Tempest checks: bulk create (all or nothing, the items seeing each
// other), network MTU within what a VXLAN segment carries, names and descriptions at most 255
// characters, attributes of extensions vxvem does not offer refused, nothing written; subnets
// filtered on their network's `shared`, security groups (vxvem has none) not found, If-Match
// revision constraints and a subnet's change raising its network's revision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NeutronApi } from '../src/vsm/neutron/http.js';
import { VsmServer } from '../src/vsm/server.js';
import { FileStore } from '../src/vsm/store.js';

const dir = mkdtempSync(join(tmpdir(), 'vxvem-neutron-rules-'));
let vsm: VsmServer;
let api: NeutronApi;
let base = '';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Json) : {} };
}
const count = async (kind: string): Promise<number> => ((await call('GET', `/v2.0/${kind}`)).body[kind] as unknown[]).length;

beforeAll(async () => {
  vsm = new VsmServer(new FileStore(join(dir, 'data')));
  await vsm.listen(`unix:${join(dir, 'vsm.sock')}`);
  api = new NeutronApi(vsm.commit, { vniRange: [7100, 7104] });
  const s = await api.listen('127.0.0.1', 0);
  base = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
});

afterAll(async () => {
  api.close();
  await vsm.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('bulk create', () => {
  it('creates every network of the list, each with its own VNI, in the order asked', async () => {
    const r = await call('POST', '/v2.0/networks', { networks: [{ name: 'bulk-a' }, { name: 'bulk-b' }] });
    expect(r.status).toBe(201);
    expect(r.body.networks.map((n: Json) => n.name)).toEqual(['bulk-a', 'bulk-b']);
    const vnis = r.body.networks.map((n: Json) => n['provider:segmentation_id']);
    expect(new Set(vnis).size).toBe(2);
    expect(vnis.every((v: number) => v >= 7100 && v <= 7104)).toBe(true);
  });

  it('ports of one bulk request get distinct addresses from the subnet made just before', async () => {
    const net = (await call('POST', '/v2.0/networks', { network: { name: 'bulk-ports' } })).body.network;
    const sub = await call('POST', '/v2.0/subnets', { subnets: [{ network_id: net.id, cidr: '192.0.2.0/28', ip_version: 4 }] });
    expect(sub.status).toBe(201);
    const ports = await call('POST', '/v2.0/ports', { ports: [{ network_id: net.id }, { network_id: net.id }, { network_id: net.id }] });
    expect(ports.status).toBe(201);
    const addrs = ports.body.ports.map((p: Json) => p.fixed_ips[0].ip_address);
    expect(new Set(addrs).size).toBe(3);
    expect(new Set(ports.body.ports.map((p: Json) => p.mac_address)).size).toBe(3);
  });

  it('one bad item refuses the whole request and writes nothing', async () => {
    const before = await count('networks');
    const r = await call('POST', '/v2.0/networks', { networks: [{ name: 'ok-1' }, { name: 'bad', mtu: 9000 }] });
    expect(r.status).toBe(400);
    expect(r.body.NeutronError.message).toMatch(/MTU is too big/);
    expect(await count('networks')).toBe(before);
    // The VNI range has room for exactly the rest: a list one longer than that is refused whole.
    const left = 5 - before;
    const over = await call('POST', '/v2.0/networks', { networks: Array.from({ length: left + 1 }, (_, i) => ({ name: `fill-${i}` })) });
    expect(over.status).toBe(503);
    expect(over.body.NeutronError.type).toBe('NoNetworkAvailable');
    expect(await count('networks')).toBe(before);
  });

  it('an empty or non-list bulk body is a 400', async () => {
    expect((await call('POST', '/v2.0/networks', { networks: [] })).status).toBe(400);
    expect((await call('POST', '/v2.0/networks', { networks: { name: 'x' } })).status).toBe(400);
  });
});

describe('attribute rules', () => {
  it('network mtu: at most 1450 (a 1500 underlay less VXLAN), at least 68, on create and update', async () => {
    expect((await call('POST', '/v2.0/networks', { network: { name: 'm1', mtu: 1451 } })).body.NeutronError.message).toBe('Invalid input for operation: Requested MTU is too big, maximum is 1450.');
    expect((await call('POST', '/v2.0/networks', { network: { name: 'm2', mtu: 67 } })).status).toBe(400);
    const n = (await call('POST', '/v2.0/networks', { network: { name: 'm3', mtu: 1400 } })).body.network;
    expect(n.mtu).toBe(1400);
    expect((await call('PUT', `/v2.0/networks/${n.id}`, { network: { mtu: 1500 } })).status).toBe(400);
    expect((await call('GET', `/v2.0/networks/${n.id}`)).body.network.mtu).toBe(1400);
    await call('DELETE', `/v2.0/networks/${n.id}`);
  });

  it('names and descriptions longer than 255 characters are refused; 255 is accepted', async () => {
    const before = await count('networks');
    const long = await call('POST', '/v2.0/networks', { network: { name: 'n'.repeat(256) } });
    expect(long.status).toBe(400);
    expect(long.body.NeutronError.message).toMatch(/exceeds maximum length of 255/);
    expect((await call('POST', '/v2.0/networks', { network: { name: 'x', description: 'd'.repeat(256) } })).status).toBe(400);
    expect(await count('networks')).toBe(before);
    const ok = await call('POST', '/v2.0/networks', { network: { name: 'n'.repeat(255) } });
    expect(ok.status).toBe(201);
    await call('DELETE', `/v2.0/networks/${ok.body.network.id}`);
  });

  it('an attribute of an extension vxvem does not offer (qos_policy_id, dns_domain) is a 400', async () => {
    const r = await call('POST', '/v2.0/networks', { network: { name: 'q', qos_policy_id: null } });
    expect(r.status).toBe(400);
    expect(r.body.NeutronError.message).toMatch(/Unrecognized attribute\(s\) 'qos_policy_id'/);
    expect((await call('POST', '/v2.0/networks', { network: { name: 'q', dns_domain: 'example.org.' } })).status).toBe(400);
  });
});

describe('found by Tempest', () => {
  it('subnets filter on shared, their network\'s (not shown as a subnet attribute)', async () => {
    const shared = (await call('POST', '/v2.0/networks', { network: { name: 'sh', shared: true } })).body.network;
    const priv = (await call('POST', '/v2.0/networks', { network: { name: 'pr' } })).body.network;
    const s1 = (await call('POST', '/v2.0/subnets', { subnet: { network_id: shared.id, cidr: '198.51.100.0/28', ip_version: 4 } })).body.subnet;
    const s2 = (await call('POST', '/v2.0/subnets', { subnet: { network_id: priv.id, cidr: '198.51.100.16/28', ip_version: 4 } })).body.subnet;
    const ids = async (q: string): Promise<string[]> => (await call('GET', `/v2.0/subnets?${q}`)).body.subnets.map((x: Json) => x.id);
    expect(await ids('shared=True')).toEqual([s1.id]);
    expect(await ids('shared=false')).toContain(s2.id);
    expect(await ids('shared=false')).not.toContain(s1.id);
    expect(s1).not.toHaveProperty('shared');
    for (const n of [shared, priv]) expect((await call('DELETE', `/v2.0/networks/${n.id}`)).status).toBe(204);
  });

  it('security groups named on a port do not exist (404), on create and update; an empty list is accepted', async () => {
    const net = (await call('POST', '/v2.0/networks', { network: { name: 'sg' } })).body.network;
    const before = await count('ports');
    const r = await call('POST', '/v2.0/ports', { port: { network_id: net.id, security_groups: ['9f1c2b1e-0000-4000-8000-000000000001'] } });
    expect([r.status, r.body.NeutronError.type]).toEqual([404, 'SecurityGroupNotFound']);
    expect(await count('ports')).toBe(before);
    const p = await call('POST', '/v2.0/ports', { port: { network_id: net.id, security_groups: [] } });
    expect(p.status).toBe(201);
    const u = await call('PUT', `/v2.0/ports/${p.body.port.id}`, { port: { security_groups: ['nope'] } });
    expect([u.status, u.body.NeutronError.message]).toEqual([404, 'Security group nope does not exist']);
    expect((await call('DELETE', `/v2.0/ports/${p.body.port.id}`)).status).toBe(204);
    expect((await call('DELETE', `/v2.0/networks/${net.id}`)).status).toBe(204);
  });
  it('revisions: If-Match: revision_number=N constrains a write (412 unless N is current); a subnet\'s create, update and delete raise its network\'s', async () => {
    const rev = async (id: string): Promise<number> => (await call('GET', `/v2.0/networks/${id}`)).body.network.revision_number;
    const ifMatch = async (method: string, path: string, n: number, body?: unknown) => {
      const r = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', 'if-match': `revision_number=${n}` }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: r.status, body: (r.status === 204 ? {} : await r.json()) as Json };
    };
    const net = (await call('POST', '/v2.0/networks', { network: { name: 'rev' } })).body.network;
    const stale = await ifMatch('PUT', `/v2.0/networks/${net.id}`, net.revision_number - 1, { network: { name: 'rev2' } });
    expect([stale.status, stale.body.NeutronError.type]).toEqual([412, 'RevisionNumberConstraintFailed']);
    expect((await call('GET', `/v2.0/networks/${net.id}`)).body.network.name).toBe('rev');
    expect((await ifMatch('PUT', `/v2.0/networks/${net.id}`, net.revision_number, { network: { name: 'rev2' } })).status).toBe(200);
    const r0 = await rev(net.id);
    const sub = (await call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '198.51.100.32/28', ip_version: 4 } })).body.subnet;
    const r1 = await rev(net.id);
    expect(r1).toBeGreaterThan(r0);
    await call('PUT', `/v2.0/subnets/${sub.id}`, { subnet: { name: 'renamed' } });
    const r2 = await rev(net.id);
    expect(r2).toBeGreaterThan(r1);
    expect((await ifMatch('DELETE', `/v2.0/subnets/${sub.id}`, 0)).status).toBe(412);
    expect((await call('DELETE', `/v2.0/subnets/${sub.id}`)).status).toBe(204);
    expect(await rev(net.id)).toBeGreaterThan(r2);
    expect((await call('DELETE', `/v2.0/networks/${net.id}`)).status).toBe(204);
  });

  it('the extension list names what the resources carry (project-id, revisions, timestamps, port security, ...)', async () => {
    const aliases = (await call('GET', '/v2.0/extensions')).body.extensions.map((e: Json) => e.alias);
    expect(aliases).toEqual(expect.arrayContaining(['project-id', 'standard-attr-description', 'standard-attr-timestamp', 'standard-attr-revisions',
      'revision-if-match', 'net-mtu', 'net-mtu-writable', 'port-security', 'allowed-address-pairs']));
    expect(aliases).not.toContain('security-group');
  });
});
