// MTU on real hosts: VMs with jumbo-capable interfaces behind 1550-byte uplinks learn the
// overlay MTU from vxvem's ICMP; raising the uplink MTU is picked up and jumbo frames flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBpf } from './helpers/bpf.js';
import { Topology } from './helpers/topology.js';

ensureBpf();
const T = new Topology(`vxm${process.pid}`);

const K1 = '192.0.2.21';
const config = (self: string, peer: string): unknown => ({
  vteps: [{ interface: 'up0', address: `${self}/26` }],
  segments: [{ vni: 5000, mode: 'unicast', floodList: [peer, K1] }],
  ports: [{ interface: 'vnet0', vni: 5000 }],
});

beforeAll(async () => {
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: '192.0.2.11/26' }]);
  T.addHost('h2', [{ sw: 'ula', addr: '192.0.2.12/26' }]);
  T.addVm('vm1', 'h1', 'vnet0', '02:00:00:00:00:01', '198.51.100.1/24', 9000);
  T.addVm('vm2', 'h2', 'vnet0', '02:00:00:00:00:02', '198.51.100.2/24', 9000);
  // A kernel vxlan host whose vxlan MTU exceeds the underlay's: it fragments outer packets.
  T.addHost('k1', [{ sw: 'ula', addr: `${K1}/26` }]);
  T.addVm('kv1', 'k1', 'vnet0', '02:00:00:00:00:21', '198.51.100.21/24', 9000);
  T.addKernelVtep('k1', { local: K1, vni: 5000, remotes: ['192.0.2.11', '192.0.2.12'], mtu: 9000 });
  await T.startAgent('h1', config('192.0.2.11', '192.0.2.12'));
  await T.startAgent('h2', config('192.0.2.12', '192.0.2.11'));
}, 90_000);

afterAll(() => T.destroy(), 60_000);

const ping = (size: number, df = true, from = 'vm1', to = '198.51.100.2') =>
  T.get(from).exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '-s', String(size), '-M', df ? 'do' : 'dont', to]);

describe('path MTU', () => {
  it('a 1500-byte DF packet fits a 1550-byte underlay', () => {
    ping(1472);
  });

  it('a larger DF packet gets ICMP frag-needed with MTU 1500, and the VM caches it', () => {
    let out = '';
    try {
      out = ping(2000);
    } catch (e) {
      out = (e as Error).message;
    }
    expect(out).toMatch(/mtu = 1500|Message too long|Frag needed/i);
    expect(T.get('vm1').exec('ip', ['route', 'get', '198.51.100.2'])).toMatch(/mtu 1500/);
    const drops = JSON.parse(T.cli('h1', ['show', 'drops', '--json', '--instance', T.agents.get('h1')!.instance])) as { reason: string; packets: number }[];
    expect(drops.find((d) => d.reason === 'mtu_icmp_sent')?.packets).toBeGreaterThanOrEqual(1);
  });

  it('a larger packet without DF is delivered: the outer packet is fragmented and reassembled', () => {
    expect(ping(3000, false)).toMatch(/2 received/);
    const drops = JSON.parse(T.cli('h2', ['show', 'drops', '--json', '--instance', T.agents.get('h2')!.instance])) as unknown[];
    expect(drops).toEqual([]);
  });

  it('the same with the kernel vxlan on the other side, both ways', () => {
    expect(ping(3000, false, 'vm1', '198.51.100.21')).toMatch(/2 received/);
    expect(ping(3000, false, 'kv1', '198.51.100.2')).toMatch(/2 received/);
  });

  it('jumbo frames flow once the underlay carries them (uplink MTU picked up live)', async () => {
    for (const ul of JSON.parse(T.underlay.ip('-j', 'link', 'show')) as { ifname: string }[]) {
      if (ul.ifname !== 'lo') T.underlay.ip('link', 'set', ul.ifname, 'mtu', '9050');
    }
    for (const h of ['h1', 'h2', 'k1']) T.get(h).ip('link', 'set', 'up0', 'mtu', '9050');
    T.get('vm1').ip('route', 'flush', 'cache');
    await new Promise((r) => setTimeout(r, 2500)); // agents poll interfaces every second
    const vteps = JSON.parse(T.cli('h1', ['show', 'vteps', '--json', '--instance', T.agents.get('h1')!.instance])) as { mtu: number }[];
    expect(vteps[0]!.mtu).toBe(9050);
    ping(8972);
  });
});
