// OpenStack drives vxvem through the real `openstack` CLI (python3-openstackclient) against the
// VSM's Neutron endpoint: networks, subnets and ports are made, listed, shown, set and deleted;
// ports created with --host bind when their tap interfaces appear (Nova's naming) and the VMs
// talk across hosts; the VSM restarts with everything still there; `vxvem sync` removes what
// was made on the VSM while Neutron's ports keep forwarding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { freePort } from './helpers/free-port.js';
import { Netns, vethPair } from '../testbed/netns.js';
import { Topology } from './helpers/topology.js';
import { VsmProcess } from './helpers/vsm-process.js';

ensureBpf();
const T = new Topology(`vxn${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-neutron-int-'));
const VSM = `unix:${join(dir, 'vsm.sock')}`;
const HOSTS = { h1: '192.0.2.31', h2: '192.0.2.32' } as const;
let endpoint = '';
const vms: Netns[] = [];

const vsmProc = new VsmProcess();
const startVsm = (extra: string[] = []): Promise<void> =>
  vsmProc.start(['--listen', VSM, '--data', join(dir, 'data'), '--metrics', 'off', '--neutron', endpoint.replace('http://', ''), ...extra]);
const stopVsm = (): Promise<void> => vsmProc.stop();

/** `openstack ARGS` as an operator runs it; JSON output parsed when asked with -f json. */
function openstack(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync('openstack', ['--os-auth-type', 'none', '--os-endpoint', endpoint, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
function os<T = Record<string, unknown>>(...args: string[]): T {
  const r = openstack(...args, '-f', 'json');
  if (r.status !== 0) throw new Error(`openstack ${args.join(' ')}: ${r.err}`);
  return JSON.parse(r.out) as T;
}
const vxvem = (...args: string[]) => spawnSync('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args, '--vsm', VSM], { encoding: 'utf8' });

type Port = { id: string; name: string; mac_address: string; fixed_ips: { ip_address: string }[]; binding_host_id?: string };
const ipOf = (p: Port): string => p.fixed_ips[0]!.ip_address;

/** What Nova does when it plugs a VM: a tap interface named after the port, the VM's MAC and address. */
function plug(host: string, port: Port, name: string): Netns {
  const vm = Netns.create(`${T.tag}-${name}`);
  vms.push(vm);
  vm.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  const tap = `tap${port.id.slice(0, 11)}`;
  vethPair(T.get(host), tap, vm, 'eth0');
  vm.ip('link', 'set', 'eth0', 'address', port.mac_address);
  vm.ip('addr', 'add', `${ipOf(port)}/24`, 'dev', 'eth0');
  return vm;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A port's status as `openstack port show` says it, once it is `want` (DOWN until its host's VEM binds it). */
async function statusUntil(port: string, want: 'ACTIVE' | 'DOWN', ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const got = os<{ status: string }>('port', 'show', port).status;
    if (got === want) return;
    if (Date.now() > end) throw new Error(`port ${port} is ${got}, not ${want}`);
    await sleep(200);
  }
}
async function pingUntil(vm: Netns, addr: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (spawnSync('nsenter', [`--net=${vm.path}`, 'ping', '-c', '1', '-W', '1', addr]).status === 0) return;
    if (Date.now() > end) throw new Error(`${vm.name} cannot reach ${addr}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  endpoint = `http://127.0.0.1:${await freePort()}`;
  await startVsm();
  T.addSwitch('ula');
  for (const [h, a] of Object.entries(HOSTS)) T.addHost(h, [{ sw: 'ula', addr: `${a}/24` }]);
  for (const [h, a] of Object.entries(HOSTS)) await T.startVsmAgent(h, VSM, [`up0:${a}/24`]);
}, 120_000);

afterAll(async () => {
  await stopVsm().catch(() => undefined);
  for (const v of vms) v.delete();
  await T.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const ports: Record<string, Port> = {};

describe('through the openstack CLI', () => {
  it('network and subnet create, list, show', () => {
    const net = os('network', 'create', '--provider-network-type', 'vxlan', '--provider-segment', '10100', 'web');
    expect(net).toMatchObject({ name: 'web', 'provider:segmentation_id': 10100, 'provider:network_type': 'vxlan' });
    os('subnet', 'create', '--network', 'web', '--subnet-range', '198.51.100.0/24', 'web-v4');
    expect(os<{ Name: string }[]>('network', 'list').map((n) => n.Name)).toEqual(['web']);
    expect(os('network', 'show', 'web')).toMatchObject({ id: net.id, 'provider:segmentation_id': 10100 });
    expect(os('subnet', 'show', 'web-v4')).toMatchObject({ cidr: '198.51.100.0/24', gateway_ip: '198.51.100.1' });
  });

  it('a second network with the same VNI is refused, naming the VNI', () => {
    const r = openstack('network', 'create', '--provider-network-type', 'vxlan', '--provider-segment', '10100', 'web-again');
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/10100/);
  });

  it('ports with --host bind when their taps appear; VMs on two hosts talk', async () => {
    ports.p1 = os<Port>('port', 'create', '--network', 'web', '--host', 'h1', 'p1');
    ports.p2 = os<Port>('port', 'create', '--network', 'web', '--host', 'h2', 'p2');
    expect(ports.p1.mac_address).toMatch(/^fa:16:3e/);
    expect(os('port', 'show', 'p1')).toMatchObject({ status: 'DOWN', binding_vif_type: 'tap' }); // no tap yet
    const vm1 = plug('h1', ports.p1, 'vm1');
    const vm2 = plug('h2', ports.p2, 'vm2');
    const ip2 = ipOf(ports.p2!);
    await pingUntil(vm1, ip2);
    expect(vm2.name).toContain('vm2');
    await statusUntil('p1', 'ACTIVE');
    await statusUntil('p2', 'ACTIVE');
  }, 60_000);

  it('a tap that disappears is unbound; plugged again, it is bound again and forwards', async () => {
    const tap = `tap${ports.p1!.id.slice(0, 11)}`;
    const bound = () => (JSON.parse(T.cli('h1', ['show', 'ports', '--json', '--instance', T.agents.get('h1')!.instance])) as { ifindex: number; vni: number }[]);
    const before = T.get('h1').ifindex(tap);
    expect(bound().map((p) => [p.ifindex, p.vni])).toEqual([[before, 10100]]);
    T.get('h1').ip('link', 'del', tap); // the VM is gone (its namespace keeps nothing)
    const end = Date.now() + 5000;
    while (bound().length && Date.now() < end) await sleep(100);
    expect(bound()).toEqual([]);
    await statusUntil('p1', 'DOWN');
    vms.shift()!.delete();
    const vm1 = plug('h1', ports.p1!, 'vm1b');
    vms.unshift(vm1);
    const ip2 = ipOf(ports.p2!);
    await pingUntil(vm1, ip2);
    expect(bound().map((p) => p.ifindex)).toEqual([T.get('h1').ifindex(tap)]);
    await statusUntil('p1', 'ACTIVE');
  }, 60_000);

  it('set and show; deleting a network with ports is refused', () => {
    expect(openstack('port', 'set', '--name', 'p1-renamed', 'p1').status).toBe(0);
    expect(os('port', 'show', 'p1-renamed')).toMatchObject({ id: ports.p1!.id, binding_host_id: 'h1' });
    const r = openstack('network', 'delete', 'web');
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/in use|ports/i);
  });

  it('the VSM restarts: everything is still listed and forwarding', async () => {
    await stopVsm();
    await startVsm();
    expect(os<{ Name: string }[]>('port', 'list').map((p) => p.Name).sort()).toEqual(['p1-renamed', 'p2']);
    const ip2 = ipOf(ports.p2!);
    await pingUntil(vms[0]!, ip2);
    // Status is not stored: the restarted VSM learns it again from the VEMs as they reconnect.
    await statusUntil('p1-renamed', 'ACTIVE');
    await statusUntil('p2', 'ACTIVE');
  }, 60_000);

  it('vxvem sync removes what was made on the VSM; Neutron\'s ports keep forwarding', async () => {
    const made = vxvem('net', 'create', 'legacy', '--vni', '7000');
    expect(made.status).toBe(0);
    expect(made.stderr).toMatch(/lost at the next synchronisation|next synchronisation removes it/);
    const nets = JSON.parse(vxvem('net', 'list', '--json').stdout) as { name: string; origin: string }[];
    expect(nets.map((n) => n.origin).sort()).toEqual(['neutron', 'vsm']);
    // Pings run through the synchronisation: not one may be lost.
    const ip2 = ipOf(ports.p2!);
    const pinger = spawn('nsenter', [`--net=${vms[0]!.path}`, 'ping', '-c', '20', '-i', '0.1', '-W', '1', ip2], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    pinger.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise((r) => pinger.once('exit', r));
    await sleep(500);
    const s = vxvem('sync');
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/removed network legacy \(origin vsm\)/);
    await done;
    expect(out).toMatch(/20 packets transmitted, 20 received/);
    expect(vsmProc.log).toMatch(/audit: sync removed network legacy \(origin vsm\)/);
    expect((JSON.parse(vxvem('net', 'list', '--json').stdout) as { origin: string }[]).map((n) => n.origin)).toEqual(['neutron']);
  }, 60_000);

  it('delete ports, subnet, network', () => {
    expect(openstack('port', 'delete', 'p1-renamed', 'p2').status).toBe(0);
    expect(openstack('subnet', 'delete', 'web-v4').status).toBe(0);
    expect(openstack('network', 'delete', 'web').status).toBe(0);
    expect(os<unknown[]>('network', 'list')).toEqual([]);
  });
});

describe('periodic synchronisation', () => {
  it('--sync-interval removes VSM-made objects on its own, with an audit line', async () => {
    await stopVsm();
    await startVsm(['--sync-interval', '1']);
    expect(vxvem('net', 'create', 'stray', '--vni', '7100').status).toBe(0);
    const end = Date.now() + 5000;
    while (!vsmProc.log.includes('audit: sync removed network stray') && Date.now() < end) await sleep(100);
    expect(vsmProc.log).toMatch(/audit: sync removed network stray \(origin vsm\): not in OpenStack/);
    expect(JSON.parse(vxvem('net', 'list', '--json').stdout)).toEqual([]);
  }, 30_000);
});

describe('token', () => {
  it('with --neutron-token-file, the CLI needs admin_token', async () => {
    await stopVsm();
    writeFileSync(join(dir, 'token'), 'tok-123\n');
    await startVsm(['--neutron-token-file', join(dir, 'token')]);
    expect(openstack('network', 'list').status).not.toBe(0);
    const r = spawnSync('openstack', ['--os-auth-type', 'admin_token', '--os-token', 'tok-123', '--os-endpoint', endpoint, 'network', 'list', '-f', 'json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);
});
