// VLAN provider networks, network profiles and trunks through the Neutron API, and what the
// VSM's host views carry for them: a VLAN segment names its physical network and VLAN id and has
// no VTEPs; a trunk parent's port carries its subports, which have no port of their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NeutronApi } from '../src/vsm/neutron/http.js';
import { VsmServer } from '../src/vsm/server.js';
import { FileStore } from '../src/vsm/store.js';
import { registerHost } from '../src/vsm/rules.js';
import { hostView } from '../src/vsm/views.js';

const dir = mkdtempSync(join(tmpdir(), 'vxvem-neutron-vlan-'));
let vsm: VsmServer;
let api: NeutronApi;
let plain: NeutronApi;
let base = '';
let plainBase = '';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
async function call(method: string, path: string, body?: unknown, at = base): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${at}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Json) : {} };
}
const revision = (): number => vsm.commit.state().revision;
const vlanNet = (extra: Json = {}): Promise<{ status: number; body: Json }> =>
  call('POST', '/v2.0/networks', { network: { name: 'v', 'provider:network_type': 'vlan', ...extra } });

beforeAll(async () => {
  vsm = new VsmServer(new FileStore(join(dir, 'data')));
  await vsm.listen(`unix:${join(dir, 'vsm.sock')}`);
  api = new NeutronApi(vsm.commit, { vniRange: [7200, 7299], vlanRanges: [{ physnet: 'physnet1', range: [100, 101] }, { physnet: 'provider' }] });
  base = `http://127.0.0.1:${((await api.listen('127.0.0.1', 0)).address() as { port: number }).port}`;
  plain = new NeutronApi(vsm.commit, {});
  plainBase = `http://127.0.0.1:${((await plain.listen('127.0.0.1', 0)).address() as { port: number }).port}`;
  await vsm.commit.change((s) => registerHost(s, { name: 'h1', vteps: [{ interface: 'up0', address: '192.0.2.11', prefixLength: 24 }], physnets: ['physnet1'] }));
});

afterAll(async () => {
  api.close();
  plain.close();
  await vsm.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('VLAN networks', () => {
  it('a provider VLAN on a physical network; a tenant VLAN from the range; each shows its type, id, profile and MTU 1500', async () => {
    const p = await vlanNet({ 'provider:physical_network': 'provider', 'provider:segmentation_id': 7 });
    expect(p.status).toBe(201);
    expect(p.body.network).toMatchObject({ 'provider:network_type': 'vlan', 'provider:physical_network': 'provider', 'provider:segmentation_id': 7, mtu: 1500, 'n1kv:profile': 'vlan-provider' });
    const t = await vlanNet();
    expect(t.body.network).toMatchObject({ 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 100, 'n1kv:profile': 'vlan-physnet1' });
    const x = await call('POST', '/v2.0/networks', { network: { name: 'x' } });
    expect(x.body.network).toMatchObject({ 'provider:network_type': 'vxlan', mtu: 1450, 'n1kv:profile': 'vxlan-default' });
    // The same number as a VLAN and as a VNI are different segments.
    expect((await call('POST', '/v2.0/networks', { network: { 'provider:segmentation_id': 7 } })).status).toBe(201);
  });

  it('bad VLAN input is refused with Neutron\'s errors and nothing is written', async () => {
    const before = revision();
    const cases: [Json, number, string, RegExp][] = [
      [{ 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 0 }, 400, 'InvalidInput', /segmentation_id out of range \(1 through 4094\)/],
      [{ 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 4095 }, 400, 'InvalidInput', /out of range/],
      [{ 'provider:physical_network': 'physnet9', 'provider:segmentation_id': 5 }, 400, 'InvalidInput', /physical_network 'physnet9' unknown/],
      [{ 'provider:segmentation_id': 5 }, 400, 'InvalidInput', /requires physical_network/],
      [{ 'provider:physical_network': 'provider', 'provider:segmentation_id': 7 }, 409, 'VlanIdInUse', /VLAN 7 on physical network provider is in use/],
      [{ 'provider:physical_network': 'physnet1', mtu: 1501 }, 400, 'InvalidInput', /maximum is 1500/],
      [{ 'provider:physical_network': 'provider' }, 503, 'NoNetworkAvailable', /No tenant network/], // provider-only: no range
    ];
    for (const [attrs, status, type, message] of cases) {
      const r = await vlanNet(attrs);
      expect([r.status, r.body.NeutronError?.type], JSON.stringify(attrs)).toEqual([status, type]);
      expect(r.body.NeutronError.message).toMatch(message);
    }
    // Without --vlan-range the VSM has no VLAN type driver.
    const none = await vlanNet({ 'provider:physical_network': 'physnet1' });
    expect(none.status).toBe(201); // the one id left in physnet1's range
    expect((await vlanNet({ 'provider:physical_network': 'physnet1' })).body.NeutronError.type).toBe('NoNetworkAvailable');
    expect((await call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 5 } }, plainBase)).body.NeutronError.message)
      .toMatch(/network_type value 'vlan' not supported/);
    expect(revision()).toBe(before + 1);
  });

  it('network profiles: one for VXLAN, one per physical network with its range, one for trunks', async () => {
    const r = await call('GET', '/v2.0/network_profiles');
    expect(r.body.network_profiles.map((p: Json) => [p.id, p.segment_type, p.segment_range])).toEqual([
      ['vxlan-default', 'vxlan', '7200-7299'], ['vlan-physnet1', 'vlan', '100-101'], ['vlan-provider', 'vlan', ''], ['trunk-default', 'trunk', '1-4094'],
    ]);
    expect((await call('GET', '/v2.0/network_profiles/vlan-physnet1')).body.network_profile.physical_network).toBe('physnet1');
  });

  it('a host\'s view of a VLAN segment names the physical network and VLAN, with no designated VTEP and no static MACs', async () => {
    const net = (await vlanNet({ 'provider:physical_network': 'provider', 'provider:segmentation_id': 20 })).body.network;
    const a = (await call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'h1' } })).body.port;
    await vsm.commit.change((s) => registerHost(s, { name: 'h2', vteps: [{ interface: 'up0', address: '192.0.2.12', prefixLength: 24 }] }));
    await call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'h2' } });
    const v = hostView(vsm.commit.state(), 'h1');
    const seg = v.segments.find((x) => x.mode === 'vlan' && x.vlan === 20)!;
    expect(seg).toMatchObject({ physicalNetwork: 'provider', designatedVtep: '', floodList: [] });
    expect(seg.vni).toBeGreaterThanOrEqual(1 << 24);
    expect(v.ports.find((p) => p.vni === seg.vni)?.mac).toBe(a.mac_address);
    expect(v.staticMacs.filter((m) => m.vni === seg.vni)).toEqual([]);
    // h1 has no uplink for physical network 'provider': its port's binding failed, as ML2 says.
    expect((await call('GET', `/v2.0/ports/${a.id}`)).body.port['binding:vif_type']).toBe('binding_failed');
    // An admin's provider VLAN may be any id, in the tenants' range or not; h1 has physnet1.
    const onPhysnet1 = (await vlanNet({ 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 21 })).body.network;
    const b = (await call('POST', '/v2.0/ports', { port: { network_id: onPhysnet1.id, 'binding:host_id': 'h1' } })).body.port;
    expect(b['binding:vif_type']).toBe('tap');
  });
});

describe('trunks', () => {
  let parentNet = '', subNet = '', parent: Json, sub1: Json, sub2: Json;

  beforeAll(async () => {
    parentNet = (await call('POST', '/v2.0/networks', { network: { name: 'trunk-parent' } })).body.network.id;
    subNet = (await vlanNet({ 'provider:physical_network': 'provider', 'provider:segmentation_id': 30 })).body.network.id;
    parent = (await call('POST', '/v2.0/ports', { port: { network_id: parentNet, name: 'parent' } })).body.port;
    sub1 = (await call('POST', '/v2.0/ports', { port: { network_id: subNet, name: 'sub1' } })).body.port;
    sub2 = (await call('POST', '/v2.0/ports', { port: { network_id: parentNet, name: 'sub2' } })).body.port;
  });

  it('create with a subport; bound parent carries it to the host, tagged; the subport has no port of its own', async () => {
    const t = await call('POST', '/v2.0/trunks', { trunk: { port_id: parent.id, name: 't1', sub_ports: [{ port_id: sub1.id, segmentation_type: 'vlan', segmentation_id: 10 }] } });
    expect(t.status).toBe(201);
    expect(t.body.trunk).toMatchObject({ name: 't1', port_id: parent.id, status: 'DOWN', sub_ports: [{ port_id: sub1.id, segmentation_type: 'vlan', segmentation_id: 10 }] });
    expect((await call('PUT', `/v2.0/ports/${parent.id}`, { port: { 'binding:host_id': 'h1' } })).status).toBe(200);
    expect((await call('GET', `/v2.0/ports/${sub1.id}`)).body.port['binding:host_id']).toBe('h1');
    expect((await call('GET', `/v2.0/ports/${parent.id}`)).body.port.trunk_details).toMatchObject({ trunk_id: t.body.trunk.id, sub_ports: [{ port_id: sub1.id, segmentation_id: 10, mac_address: sub1.mac_address }] });
    const v = hostView(vsm.commit.state(), 'h1');
    const subSeg = v.segments.find((x) => x.vlan === 30)!;
    const p = v.ports.find((x) => x.mac === parent.mac_address)!;
    expect(p.trunk).toEqual([{ vlan: 10, vni: subSeg.vni, mac: sub1.mac_address }]);
    expect(v.ports.some((x) => x.mac === sub1.mac_address)).toBe(false);
    expect((await call('GET', '/v2.0/trunks')).body.trunks.map((x: Json) => x.id)).toEqual([t.body.trunk.id]);
  });

  it('add_subports, get_subports, remove_subports; refusals write nothing', async () => {
    const id = (await call('GET', '/v2.0/trunks')).body.trunks[0].id;
    const before = revision();
    const refused: [string, Json, number, string][] = [
      ['add_subports', { sub_ports: [{ port_id: sub2.id, segmentation_type: 'vlan', segmentation_id: 10 }] }, 409, 'DuplicateSubPort'],
      ['add_subports', { sub_ports: [{ port_id: sub1.id, segmentation_type: 'vlan', segmentation_id: 11 }] }, 409, 'PortInUseAsSubPort'],
      ['add_subports', { sub_ports: [{ port_id: sub2.id, segmentation_type: 'vlan', segmentation_id: 4095 }] }, 400, 'InvalidInput'],
      ['add_subports', { sub_ports: [{ port_id: sub2.id, segmentation_type: 'vxlan', segmentation_id: 11 }] }, 400, 'InvalidInput'],
      ['add_subports', { sub_ports: [{ port_id: parent.id, segmentation_type: 'vlan', segmentation_id: 11 }] }, 400, 'InvalidInput'], // its own parent
      ['remove_subports', { sub_ports: [{ port_id: sub2.id }] }, 404, 'NotFound'],
    ];
    for (const [action, body, status, type] of refused) {
      const r = await call('PUT', `/v2.0/trunks/${id}/${action}`, body);
      expect([r.status, r.body.NeutronError?.type], JSON.stringify(body)).toEqual([status, type]);
    }
    expect(revision()).toBe(before);
    const added = await call('PUT', `/v2.0/trunks/${id}/add_subports`, { sub_ports: [{ port_id: sub2.id, segmentation_type: 'vlan', segmentation_id: 12 }] });
    expect(added.body.sub_ports).toHaveLength(2);
    expect((await call('GET', `/v2.0/trunks/${id}/get_subports`)).body.sub_ports.map((x: Json) => x.segmentation_id)).toEqual([10, 12]);
    const removed = await call('PUT', `/v2.0/trunks/${id}/remove_subports`, { sub_ports: [{ port_id: sub2.id }] });
    expect(removed.body.sub_ports.map((x: Json) => x.port_id)).toEqual([sub1.id]);
    expect((await call('GET', `/v2.0/ports/${sub2.id}`)).body.port['binding:host_id']).toBe('');
  });

  it('a bound port cannot become a subport; parent and subports cannot be deleted; a trunk in use stays', async () => {
    const bound = (await call('POST', '/v2.0/ports', { port: { network_id: subNet, 'binding:host_id': 'h1' } })).body.port;
    const other = (await call('POST', '/v2.0/ports', { port: { network_id: parentNet } })).body.port;
    const r = await call('POST', '/v2.0/trunks', { trunk: { port_id: other.id, sub_ports: [{ port_id: bound.id, segmentation_type: 'vlan', segmentation_id: 5 }] } });
    expect([r.status, r.body.NeutronError.type]).toEqual([409, 'PortInUse']);
    const id = (await call('GET', '/v2.0/trunks')).body.trunks[0].id;
    expect((await call('DELETE', `/v2.0/ports/${parent.id}`)).body.NeutronError.type).toBe('PortInUseAsTrunkParent');
    expect((await call('DELETE', `/v2.0/ports/${sub1.id}`)).body.NeutronError.type).toBe('PortInUseAsSubPort');
    expect((await call('DELETE', `/v2.0/trunks/${id}`)).body.NeutronError.type).toBe('TrunkInUse');
    await call('PUT', `/v2.0/ports/${parent.id}`, { port: { 'binding:host_id': '' } });
    expect((await call('GET', `/v2.0/ports/${sub1.id}`)).body.port['binding:host_id']).toBe('');
    expect((await call('DELETE', `/v2.0/trunks/${id}`)).status).toBe(204);
    expect((await call('GET', `/v2.0/trunks/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/v2.0/ports/${sub1.id}`)).status).toBe(204);
  });
});
