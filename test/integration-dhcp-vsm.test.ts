// DHCP from the VEM in VSM mode (docs/dataplane.md, "DHCP"): a Neutron subnet with enable_dhcp
// gives a port's guest its fixed IP, the subnet's gateway and DNS servers and the network's MTU
// through its host's VEM, as Nova's guests get them from OVN's native DHCP; a subnet update
// reaches the guest at its next renewal; a subnet with DHCP off gets no answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPinnedMaps } from '../src/maps/dataplane.js';
import { Netns, vethPair } from '../testbed/netns.js';
import { ensureBpf } from './helpers/bpf.js';
import { freePort } from './helpers/free-port.js';
import { Topology } from './helpers/topology.js';
import { until } from './helpers/until.js';
import { VsmProcess } from './helpers/vsm-process.js';

ensureBpf();
const T = new Topology(`vxdv${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-dhcp-vsm-'));
const VSM = `unix:${join(dir, 'vsm.sock')}`;
const H1 = '192.0.2.71';
const vsm = new VsmProcess();
let endpoint = '';
const vms: Netns[] = [];
const clients: ChildProcess[] = [];

type Json = Record<string, unknown>;
async function neutron(method: string, path: string, body?: unknown): Promise<Json> {
  const r = await fetch(`${endpoint}/v2.0/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? (JSON.parse(text) as Json) : {};
}
type Port = { id: string; mac_address: string; fixed_ips: { ip_address: string }[] };

beforeAll(async () => {
  endpoint = `http://127.0.0.1:${await freePort()}`;
  await vsm.start(['--listen', VSM, '--data', join(dir, 'data'), '--metrics', 'off', '--neutron', endpoint.replace('http://', '')]);
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: `${H1}/24`, mtu: 1500 }]);
  await T.startVsmAgent('h1', VSM, [`up0:${H1}/24`]);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.kill('SIGKILL');
  await vsm.stop().catch(() => undefined);
  for (const v of vms) v.delete();
  await T.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Nova's plug: the port's tap on its host, the guest's MAC, no address (DHCP gives it). */
function plug(port: Port, name: string): Netns {
  const vm = Netns.create(`${T.tag}-${name}`);
  vms.push(vm);
  vm.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  const tap = `tap${port.id.slice(0, 11)}`;
  vethPair(T.get('h1'), tap, vm, 'eth0');
  T.get('h1').exec('sysctl', ['-qw', `net.ipv6.conf.${tap}.disable_ipv6=1`]);
  vm.ip('link', 'set', 'eth0', 'address', port.mac_address);
  return vm;
}

/** busybox udhcpc in `vm`, logging each lease event (bound, renew) with what came with it. */
function udhcpc(vm: Netns, name: string, args: string[]): { log: string; proc: ChildProcess } {
  const log = join(dir, `${name}.log`);
  const script = join(dir, `${name}.sh`);
  writeFileSync(script, `#!/bin/sh
case "$1" in
  bound|renew)
    ip addr replace "$ip/$mask" dev "$interface"
    [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
    echo "$1 ip=$ip mask=$mask router=$router dns=$dns mtu=$mtu" >> "${log}" ;;
esac
`, { mode: 0o755 });
  const proc = vm.spawn('busybox', ['udhcpc', '-f', '-i', 'eth0', '-s', script, '-O', 'mtu', ...args]);
  clients.push(proc);
  return { log, proc };
}
/** The options of every vx_dhcp record of h1's VEM. */
function dhcpRecords(): Buffer[] {
  const { maps, close } = openPinnedMaps(T.agents.get('h1')!.instance);
  try {
    return [...maps.dhcp.entries()].map(([, v]) => v.options);
  } finally {
    close();
  }
}
const events = (log: string): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

describe('DHCP from the VEM, configured through Neutron', () => {
  let net = '';
  let subnet = '';

  it('a subnet with enable_dhcp: the guest gets its fixed IP, gateway, DNS and the network\'s MTU; an update comes with the renewal', async () => {
    net = ((await neutron('POST', 'networks', { network: { name: 'web', mtu: 1400 } })).network as Json).id as string;
    subnet = ((await neutron('POST', 'subnets', { subnet: { network_id: net, cidr: '198.51.100.0/24', gateway_ip: '198.51.100.1', dns_nameservers: ['198.51.100.53'] } })).subnet as Json).id as string;
    const port = (await neutron('POST', 'ports', { port: { network_id: net, 'binding:host_id': 'h1' } })).port as Port;
    const vm = plug(port, 'vm1');
    const c = udhcpc(vm, 'vm1', ['-t', '20', '-T', '1']);
    const ip = port.fixed_ips[0]!.ip_address;
    await until('vm1 bound', () => events(c.log), (e) => e.length > 0, 30_000);
    expect(events(c.log)[0]).toBe(`bound ip=${ip} mask=24 router=198.51.100.1 dns=198.51.100.53 mtu=1400`);
    expect((JSON.parse(vm.exec('ip', ['-j', 'link', 'show', 'eth0'])) as { mtu: number }[])[0]!.mtu).toBe(1400);

    await neutron('PUT', `subnets/${subnet}`, { subnet: { dns_nameservers: ['198.51.100.54', '198.51.100.55'] } });
    // Once the VEM has the new view (option 6 with both servers in the port's record), a renewal gets it.
    const newDns = Buffer.from([6, 8, 198, 51, 100, 54, 198, 51, 100, 55]);
    await until('VEM has the new DNS servers', dhcpRecords, (r) => r.some((o) => o.includes(newDns)), 30_000);
    c.proc.kill('SIGUSR1');
    await until('renewed', () => events(c.log), (e) => e.some((l) => l.startsWith('renew')), 30_000);
    expect(events(c.log).find((l) => l.startsWith('renew'))).toBe(`renew ip=${ip} mask=24 router=198.51.100.1 dns=198.51.100.54 198.51.100.55 mtu=1400`);
  }, 90_000);

  it('a subnet with enable_dhcp off: nobody answers', async () => {
    await neutron('PUT', `subnets/${subnet}`, { subnet: { enable_dhcp: false } });
    const port = (await neutron('POST', 'ports', { port: { network_id: net, 'binding:host_id': 'h1' } })).port as Port;
    const vm = plug(port, 'vm2');
    await until('port bound', async () => ((await neutron('GET', `ports/${port.id}`)).port as Json).status, (s) => s === 'ACTIVE', 30_000);
    await until('no DHCP record left on the VEM', dhcpRecords, (r) => r.length === 0, 30_000);
    const c = udhcpc(vm, 'vm2', ['-n', '-q', '-t', '3', '-T', '1']);
    const code = await new Promise<number | null>((r) => c.proc.once('exit', (n) => r(n)));
    expect(code).not.toBe(0);
    expect(events(c.log)).toEqual([]);
  }, 60_000);
});
