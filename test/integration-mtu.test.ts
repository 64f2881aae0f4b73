// MTU on real hosts: VMs with jumbo-capable interfaces behind 1550-byte uplinks learn the
// overlay MTU from vxvem's ICMP; raising the uplink MTU is picked up and jumbo frames flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBpf } from './helpers/bpf.js';
import { Topology } from './helpers/topology.js';

ensureBpf();
const T = new Topology(`vxm${process.pid}`);

const config = (self: string, peer: string): unknown => ({
  vteps: [{ interface: 'up0', address: `${self}/26` }],
  segments: [{ vni: 5000, mode: 'unicast', floodList: [peer] }],
  ports: [{ interface: 'vnet0', vni: 5000 }],
});

beforeAll(async () => {
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: '192.0.2.11/26' }]);
  T.addHost('h2', [{ sw: 'ula', addr: '192.0.2.12/26' }]);
  T.addVm('vm1', 'h1', 'vnet0', '02:00:00:00:00:01', '198.51.100.1/24', 9000);
  T.addVm('vm2', 'h2', 'vnet0', '02:00:00:00:00:02', '198.51.100.2/24', 9000);
  await T.startAgent('h1', config('192.0.2.11', '192.0.2.12'));
  await T.startAgent('h2', config('192.0.2.12', '192.0.2.11'));
}, 90_000);

afterAll(() => T.destroy(), 60_000);

const ping = (size: number, df = true) =>
  T.get('vm1').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '-s', String(size), '-M', df ? 'do' : 'dont', '198.51.100.2']);

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
    const drops = JSON.parse(T.cli('h1', ['show', 'counters', '--json', '--instance', T.agents.get('h1')!.instance])) as { drop?: string; packets?: string }[];
    expect(Number(drops.find((d) => d.drop === 'mtu_icmp_sent')?.packets)).toBeGreaterThanOrEqual(1);
  });

  it('jumbo frames flow once the underlay carries them (uplink MTU picked up live)', async () => {
    for (const ul of JSON.parse(T.underlay.ip('-j', 'link', 'show')) as { ifname: string }[]) {
      if (ul.ifname !== 'lo') T.underlay.ip('link', 'set', ul.ifname, 'mtu', '9050');
    }
    for (const h of ['h1', 'h2']) T.get(h).ip('link', 'set', 'up0', 'mtu', '9050');
    T.get('vm1').ip('route', 'flush', 'cache');
    await new Promise((r) => setTimeout(r, 2500)); // agents poll interfaces every second
    const vteps = JSON.parse(T.cli('h1', ['show', 'vteps', '--json', '--instance', T.agents.get('h1')!.instance])) as { mtu: number }[];
    expect(vteps[0]!.mtu).toBe(9050);
    ping(8972);
  });
});
