// VLAN networks and trunks made the way OpenStack makes them: the real `openstack` CLI against the
// VSM's Neutron endpoint (`--vlan-range physnet1:100-199`), two VEMs following the VSM with their
// physical network's uplink (`--physnet physnet1:up0`, the VTEPs' uplink too) on a plain bridge.
// VMs on the two hosts ping over the VLAN, the wire shows the tag, a trunk's VM reaches a VXLAN
// network through its subport, and bad requests are refused with Neutron's errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureBpf } from './helpers/bpf.js';
import { freePort } from './helpers/free-port.js';
import { Netns, vethPair } from '../testbed/netns.js';
import { Topology } from './helpers/topology.js';
import { until } from './helpers/until.js';
import { VsmProcess } from './helpers/vsm-process.js';
import { taggedPing } from '../testbed/vlan-wire.js';

ensureBpf();
const T = new Topology(`vxq${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-vlan-neutron-'));
const VSM = `unix:${join(dir, 'vsm.sock')}`;
const HOSTS = { h1: '192.0.2.41', h2: '192.0.2.42' } as const;
let endpoint = '';
const vsm = new VsmProcess();
const vms: Netns[] = [];

function openstack(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync('openstack', ['--os-auth-type', 'none', '--os-endpoint', endpoint, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
function os<R = Record<string, unknown>>(...args: string[]): R {
  const r = openstack(...args, '-f', 'json');
  if (r.status !== 0) throw new Error(`openstack ${args.join(' ')}: ${r.err}`);
  return JSON.parse(r.out) as R;
}
type Port = { id: string; mac_address: string; fixed_ips: { ip_address: string }[] };
const ipOf = (p: Port): string => p.fixed_ips[0]!.ip_address;

/** Nova's plug: a tap named after the port, the VM's MAC, and (unless it only tags) its address. */
function plug(host: string, port: Port, name: string, addr = true): Netns {
  const vm = Netns.create(`${T.tag}-${name}`);
  vms.push(vm);
  vm.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  vethPair(T.get(host), `tap${port.id.slice(0, 11)}`, vm, 'eth0');
  vm.ip('link', 'set', 'eth0', 'address', port.mac_address);
  if (addr) vm.ip('addr', 'add', `${ipOf(port)}/25`, 'dev', 'eth0');
  return vm;
}
const pings = (vm: Netns, to: string): boolean => spawnSync('nsenter', [`--net=${vm.path}`, 'ping', '-c', '1', '-W', '1', to]).status === 0;

beforeAll(async () => {
  endpoint = `http://127.0.0.1:${await freePort()}`;
  await vsm.start(['--listen', VSM, '--data', join(dir, 'data'), '--metrics', 'off', '--neutron', endpoint.replace('http://', ''), '--vlan-range', 'physnet1:100-199']);
  T.addSwitch('ula');
  for (const [h, a] of Object.entries(HOSTS)) T.addHost(h, [{ sw: 'ula', addr: `${a}/24` }]);
  for (const [h, a] of Object.entries(HOSTS)) await T.startVsmAgent(h, VSM, [`up0:${a}/24`], { args: ['--physnet', 'physnet1:up0'] });
}, 120_000);

afterAll(async () => {
  await vsm.stop().catch(() => undefined);
  for (const v of vms) v.delete();
  await T.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const ports: Record<string, Port> = {};

describe('VLAN networks and trunks through the openstack CLI', () => {
  it('a VLAN provider network: VMs on two hosts ping; the wire carries tag 100', async () => {
    const net = os('network', 'create', '--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', '--provider-segment', '100', 'vl100');
    expect(net).toMatchObject({ 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 100, mtu: 1500 });
    os('subnet', 'create', '--network', 'vl100', '--subnet-range', '198.51.100.0/25', 'vl100-v4');
    ports.a = os<Port>('port', 'create', '--network', 'vl100', '--host', 'h1', 'a');
    ports.b = os<Port>('port', 'create', '--network', 'vl100', '--host', 'h2', 'b');
    const a = plug('h1', ports.a, 'a');
    plug('h2', ports.b, 'b');
    const cap = T.underlay.spawn('tshark', ['-i', 'ulap0', '-l', '-a', 'duration:40', '-Y', 'icmp.type == 8', '-T', 'fields', '-e', 'vlan.id', '-e', 'ip.dst']);
    let out = '';
    cap.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<void>((r) => cap.on('close', () => r()));
    await until('a pings b over VLAN 100, seen tagged on the wire', () => pings(a, ipOf(ports.b!)) && out.includes(`100\t${ipOf(ports.b!)}`), (ok) => ok, 30_000);
    cap.kill('SIGINT');
    await done;
    for (const line of out.trim().split('\n').filter((l) => l.endsWith(ipOf(ports.b!)))) expect(line.split('\t')[0]).toBe('100');
  }, 60_000);

  it('a VXLAN network with the same number is another segment', async () => {
    os('network', 'create', '--provider-network-type', 'vxlan', '--provider-segment', '100', 'vx100');
    os('subnet', 'create', '--network', 'vx100', '--subnet-range', '198.51.100.0/25', 'vx100-v4');
    ports.x = os<Port>('port', 'create', '--network', 'vx100', '--host', 'h2', '--fixed-ip', 'ip-address=198.51.100.100', 'x');
    plug('h2', ports.x, 'x');
    const a = vms[0]!;
    expect(pings(a, ipOf(ports.b!))).toBe(true);
    expect(pings(a, '198.51.100.100')).toBe(false); // same subnet, other segment
  }, 60_000);

  it('a trunk: its VM tags 10 to reach a VXLAN network through a subport, the reply comes back tagged 10', async () => {
    os('network', 'create', 'web');
    os('subnet', 'create', '--network', 'web', '--subnet-range', '198.51.100.128/25', 'web-v4');
    const parent = os<Port>('port', 'create', '--network', 'vl100', '--host', 'h1', 'trunk-parent');
    // The subport takes the parent's MAC, as guests' VLAN interfaces have it.
    const sub = os<Port>('port', 'create', '--network', 'web', '--mac-address', parent.mac_address, 'trunk-sub');
    const t = os('network', 'trunk', 'create', '--parent-port', 'trunk-parent', '--subport', 'port=trunk-sub,segmentation-type=vlan,segmentation-id=10', 't1');
    expect(t).toMatchObject({ name: 't1', port_id: parent.id, sub_ports: [{ port_id: sub.id, segmentation_type: 'vlan', segmentation_id: 10 }] });
    expect(os('port', 'show', 'trunk-sub')).toMatchObject({ binding_host_id: 'h1' });
    const web = os<Port>('port', 'create', '--network', 'web', '--host', 'h2', 'web-vm');
    const w = plug('h2', web, 'w');
    const tvm = plug('h1', parent, 't', false);
    w.ip('neigh', 'replace', ipOf(sub), 'lladdr', sub.mac_address, 'dev', 'eth0');
    await until('the trunked VM reaches web-vm through subport 10',
      () => taggedPing(tvm, 'eth0', { vlan: 10, srcMac: parent.mac_address, dstMac: web.mac_address, src: ipOf(sub), dst: ipOf(web) }),
      (r) => r === `reply vlan 10 from ${ipOf(web)}`, 30_000);
  }, 90_000);

  it('trunk list/show/set; subports added and removed; bad requests refused with Neutron\'s errors', () => {
    expect(os<{ Name: string }[]>('network', 'trunk', 'list').map((x) => x.Name)).toEqual(['t1']);
    const spare = os<Port>('port', 'create', '--network', 'vx100', 'spare');
    expect(openstack('network', 'trunk', 'set', '--subport', `port=${spare.id},segmentation-type=vlan,segmentation-id=20`, 't1').status).toBe(0);
    expect((os('network', 'trunk', 'show', 't1').sub_ports as unknown[])).toHaveLength(2);
    const dup = openstack('network', 'trunk', 'set', '--subport', 'port=x,segmentation-type=vlan,segmentation-id=20', 't1');
    expect(dup.status).toBe(1); // VLAN 20 taken; and x is bound
    expect(openstack('network', 'trunk', 'unset', '--subport', 'spare', 't1').status).toBe(0);
    expect((os('network', 'trunk', 'show', 't1').sub_ports as unknown[])).toHaveLength(1);
    const bad: [string[], RegExp][] = [
      [['network', 'create', '--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', '--provider-segment', '0', 'v0'], /out of range/],
      [['network', 'create', '--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', '--provider-segment', '4095', 'v4095'], /out of range/],
      [['network', 'create', '--provider-network-type', 'vlan', '--provider-physical-network', 'physnet7', '--provider-segment', '5', 'v5'], /physnet7/],
      [['network', 'create', '--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', '--provider-segment', '100', 'again'], /VLAN 100 on physical network physnet1 is in use/],
    ];
    for (const [args, msg] of bad) {
      const r = openstack(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.err).toMatch(msg);
    }
    expect(os<{ Name: string }[]>('network', 'list').map((n) => n.Name).sort()).toEqual(['vl100', 'vx100', 'web']);
  }, 90_000);
});
