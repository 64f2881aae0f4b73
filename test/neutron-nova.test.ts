// Nova against the VSM's Neutron API, request by request as nova/network/neutron.py sends them
// (test/helpers/nova.ts), with a real VEM on the host: a server's port stays DOWN until its
// tap is plugged and the VEM binds it, Nova hears network-vif-plugged (then -unplugged and
// -deleted when the server goes) on its external events API, a fixed IP already held is seen
// as held, quotas stop a boot, and a port the user brought is unbound (binding:host_id null).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureBpf } from './helpers/bpf.js';
import { freePort } from './helpers/free-port.js';
import { FakeNova, NovaNeutron, type Instance } from './helpers/nova.js';
import { Netns, vethPair } from '../testbed/netns.js';
import { Topology } from './helpers/topology.js';
import { until } from './helpers/until.js';
import { VsmProcess } from './helpers/vsm-process.js';

ensureBpf();
const T = new Topology(`vxo${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-nova-'));
const VSM = `unix:${join(dir, 'vsm.sock')}`;
const nova = new FakeNova();
const vsmProc = new VsmProcess();
const PROJECT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
let neutron: NovaNeutron;
let net = '';
const vms = new Map<string, Netns>();

/** What libvirt does when the server starts: the tap Nova named, wired to the guest (here a namespace). */
function plug(devname: string, port: { mac_address: string; fixed_ips: { ip_address: string }[] }, name: string): Netns {
  const vm = Netns.create(`${T.tag}-${name}`);
  vms.set(name, vm);
  vm.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  vethPair(T.get('h1'), devname, vm, 'eth0');
  vm.ip('link', 'set', 'eth0', 'address', port.mac_address);
  vm.ip('addr', 'add', `${port.fixed_ips[0]!.ip_address}/24`, 'dev', 'eth0');
  return vm;
}


beforeAll(async () => {
  await nova.start();
  const port = await freePort();
  await vsmProc.start(['--listen', VSM, '--data', join(dir, 'data'), '--metrics', 'off', '--neutron', String(port), '--nova-url', nova.url]);
  neutron = new NovaNeutron(`http://127.0.0.1:${port}`);
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: '192.0.2.41/24' }]);
  await T.startVsmAgent('h1', VSM, ['up0:192.0.2.41/24']);
  // The operator's network, as `openstack network create` / `subnet create` make it.
  net = (await neutron.call('POST', '/v2.0/networks', { network: { name: 'web', tenant_id: PROJECT } })).body.network.id;
  await neutron.call('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '198.51.100.0/24', ip_version: 4, tenant_id: PROJECT } });
}, 120_000);

afterAll(async () => {
  await vsmProc.stop().catch(() => undefined);
  nova.close();
  for (const v of vms.values()) v.delete();
  await T.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const server = (): Instance => ({ uuid: randomUUID(), projectId: PROJECT, host: 'h1' });
const booted: { inst: Instance; port: string; preexisting: boolean }[] = [];

describe('boot', () => {
  it('a server on a network: port DOWN until its tap is bound, then network-vif-plugged and ACTIVE', async () => {
    const inst = server();
    expect(await neutron.validateNetworks(PROJECT, net, 1)).toBe(1);
    const vif = await neutron.allocate(inst, { network: net });
    expect(vif.port).toMatchObject({ status: 'DOWN', device_id: inst.uuid, device_owner: 'compute:nova', 'binding:host_id': 'h1', 'binding:vif_type': 'tap' });
    expect(vif.port['binding:vif_details']).toMatchObject({ port_filter: true, connectivity: 'l2' });
    expect(vif.active).toBe(false); // so Nova waits for the event before it resumes the guest
    // The VEM has the port in its view but no tap to bind: still DOWN, nothing told.
    await until('the VEM waiting for the tap', () => T.agents.get('h1')!.log.join('').includes(`waiting for port interfaces: ${vif.devname}`), (v) => v, 15_000);
    expect(nova.of(vif.port.id)).toEqual([]);
    expect((await neutron.call('GET', `/v2.0/ports/${vif.port.id}`)).body.port.status).toBe('DOWN');
    plug(vif.devname, vif.port as never, 'vm1');
    const e = await nova.waitFor('network-vif-plugged', vif.port.id);
    expect(e).toMatchObject({ server_uuid: inst.uuid, status: 'completed' });
    expect((await neutron.vif(inst, vif.port.id)).active).toBe(true);
    booted.push({ inst, port: vif.port.id, preexisting: false });
  }, 60_000);

  it('a server on a port the user made, with a fixed IP: two guests on the host reach each other', async () => {
    const mine = await neutron.call('POST', '/v2.0/ports', { port: { network_id: net, tenant_id: PROJECT, fixed_ips: [{ ip_address: '198.51.100.50' }] } });
    expect(mine.status).toBe(201);
    const inst = server();
    const vif = await neutron.allocate(inst, { port: mine.body.port.id });
    expect(vif.port).toMatchObject({ id: mine.body.port.id, status: 'DOWN', fixed_ips: [{ ip_address: '198.51.100.50' }] });
    const vm2 = plug(vif.devname, vif.port as never, 'vm2');
    await nova.waitFor('network-vif-plugged', vif.port.id);
    booted.push({ inst, port: vif.port.id, preexisting: true });
    const first = (await neutron.call('GET', `/v2.0/ports/${booted[0]!.port}`)).body.port;
    const r = spawnSync('nsenter', [`--net=${vm2.path}`, 'ping', '-c', '3', '-i', '0.2', '-W', '1', first.fixed_ips[0].ip_address]);
    expect(r.status, r.stdout.toString()).toBe(0);
  }, 60_000);

  it('a fixed IP already held is refused before scheduling; a free one is not', async () => {
    await expect(neutron.validateNetworks(PROJECT, net, 1, '198.51.100.50')).rejects.toThrow(/FixedIpAlreadyInUse/);
    expect(await neutron.validateNetworks(PROJECT, net, 1, '198.51.100.51')).toBe(1);
  });

  it('the port quota: validate_networks counts what is left, create_port past it is OverQuota', async () => {
    const set = await neutron.call('PUT', `/v2.0/quotas/${PROJECT}`, { quota: { port: 3 } }, true);
    expect(set.body.quota).toMatchObject({ port: 3, network: 100, subnet: 100 });
    expect(await neutron.validateNetworks(PROJECT, net, 5)).toBe(1);
    const inst = server();
    const third = await neutron.allocate(inst, { network: net });
    booted.push({ inst, port: third.port.id, preexisting: false });
    await expect(neutron.allocate(server(), { network: net })).rejects.toThrow('PortLimitExceeded');
    expect((await neutron.call('DELETE', `/v2.0/quotas/${PROJECT}`, undefined, true)).status).toBe(204);
    expect((await neutron.call('GET', `/v2.0/quotas/${PROJECT}`)).body.quota.port).toBe(500);
  }, 60_000);
});

describe('delete', () => {
  it('the guest goes: its tap is unplugged (network-vif-unplugged, DOWN), then its port deleted (network-vif-deleted)', async () => {
    const b = booted[0]!;
    T.get('h1').ip('link', 'del', `tap${b.port}`.slice(0, 14)); // libvirt tears the tap down with the domain
    const e = await nova.waitFor('network-vif-unplugged', b.port);
    expect(e).toMatchObject({ server_uuid: b.inst.uuid, status: 'completed' });
    expect((await neutron.call('GET', `/v2.0/ports/${b.port}`)).body.port.status).toBe('DOWN');
    await neutron.deallocate(b.inst, []);
    await nova.waitFor('network-vif-deleted', b.port);
    expect((await neutron.call('GET', `/v2.0/ports/${b.port}`)).status).toBe(404);
    expect(nova.of(b.port)).toEqual(['network-vif-plugged', 'network-vif-unplugged', 'network-vif-deleted']);
  }, 60_000);

  it('a port the user brought is unbound, not deleted: binding:host_id null, DOWN, unbound, kept', async () => {
    const b = booted[1]!;
    T.get('h1').ip('link', 'del', `tap${b.port}`.slice(0, 14));
    await nova.waitFor('network-vif-unplugged', b.port);
    await neutron.deallocate(b.inst, [b.port]);
    const p = (await neutron.call('GET', `/v2.0/ports/${b.port}`)).body.port;
    expect(p).toMatchObject({ device_id: '', device_owner: '', 'binding:host_id': '', status: 'DOWN', 'binding:vif_type': 'unbound', fixed_ips: [{ ip_address: '198.51.100.50' }] });
    expect((await neutron.call('DELETE', `/v2.0/ports/${b.port}`)).status).toBe(204);
  }, 60_000);

  it('a server whose tap never came: deleting its port tells Nova only that', async () => {
    const b = booted[2]!;
    await neutron.deallocate(b.inst, []);
    await nova.waitFor('network-vif-deleted', b.port);
    expect(nova.of(b.port)).toEqual(['network-vif-deleted']);
    // Events reach Nova in order: by now, the unbound port's delete would have come too, but that
    // port was no longer a server's (Neutron's notifier skips it as well).
    expect(nova.of(booted[1]!.port)).toEqual(['network-vif-plugged', 'network-vif-unplugged']);
    expect(vsmProc.log).not.toMatch(/not delivered|refused/);
  });
});
