// `"xdp": true` on a VTEP: the uplink gets the XDP program in native mode (a pinned link that
// survives agent restarts), known-local unicast is decapsulated there, TC still does the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { native } from '../native/index.js';
import { ensureBpf } from './helpers/bpf.js';
import { Topology } from './helpers/topology.js';

ensureBpf();
const T = new Topology(`vxx${process.pid}`);
const config = (self: string, peer: string, xdp: boolean): unknown => ({
  vteps: [{ interface: 'up0', address: `${self}/26`, xdp }],
  segments: [{ vni: 5000, mode: 'unicast', floodList: [peer] }],
  ports: [{ interface: 'vnet0', vni: 5000 }],
});

function xdpProgId(): number | undefined {
  const [l] = JSON.parse(T.get('h2').ip('-j', 'link', 'show', 'dev', 'up0')) as { xdp?: { prog?: { id: number } } }[];
  return l!.xdp?.prog?.id;
}

beforeAll(async () => {
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: '192.0.2.11/26' }]);
  T.addHost('h2', [{ sw: 'ula', addr: '192.0.2.12/26' }]);
  T.addVm('vm1', 'h1', 'vnet0', '02:00:00:00:00:01', '198.51.100.1/24');
  T.addVm('vm2', 'h2', 'vnet0', '02:00:00:00:00:02', '198.51.100.2/24');
  // A veth port takes XDP-redirected frames only with GRO (or XDP) on the VM's side.
  T.get('vm2').exec('ethtool', ['-K', 'eth0', 'gro', 'on']);
  await T.startAgent('h1', config('192.0.2.11', '192.0.2.12', false));
  await T.startAgent('h2', config('192.0.2.12', '192.0.2.11', true));
}, 90_000);

afterAll(() => T.destroy(), 60_000);

describe('XDP on an uplink', () => {
  it('is attached in native mode through a pinned link', () => {
    expect(xdpProgId()).toBeGreaterThan(0);
    expect(existsSync(`/sys/fs/bpf/vxvem/${T.agents.get('h2')!.instance}/xdp_up0`)).toBe(true);
    expect(T.agents.get('h2')!.log.join('')).toMatch(/XDP \(native\) attached to up0/);
  });

  it('carries the traffic: the XDP program runs and the VMs reach each other', () => {
    const n = native();
    const prog = n.progGetFdById(xdpProgId()!);
    // Held through an fd, not the sysctl: a benchmark test switching the sysctl in parallel
    // cannot turn them off under this test.
    const stats = n.enableRunTimeStats();
    try {
      const before = n.progInfo(prog).runCount;
      T.get('vm1').exec('ping', ['-c', '5', '-i', '0.2', '-W', '2', '198.51.100.2']);
      expect(n.progInfo(prog).runCount - before).toBeGreaterThanOrEqual(5);
    } finally {
      n.closeFd(stats);
      n.closeFd(prog);
    }
  });

  it('survives an agent restart attached, and --cleanup detaches it', async () => {
    const a = T.agents.get('h2')!;
    const id = xdpProgId();
    await T.stopAgent('h2', 'SIGKILL');
    expect(xdpProgId()).toBe(id);
    T.get('vm1').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '198.51.100.2']);
    const c = T.get('h2').spawn('node', ['--import', 'tsx', 'src/cli/main.ts', 'vem', '--config', a.configPath, '--instance', a.instance, '--cleanup']);
    await new Promise<void>((r) => {
      let log = '';
      c.stderr!.on('data', (d: Buffer) => (log += d.toString()).includes('running from') && r());
    });
    const exited = new Promise((r) => c.on('exit', r));
    c.kill('SIGTERM');
    await exited;
    expect(xdpProgId()).toBeUndefined();
  });
});
