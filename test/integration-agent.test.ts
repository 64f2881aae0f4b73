// The agent's lifecycle on real hosts: hitless restart after kill -9, SIGHUP reload (good and
// bad files), ports that appear later, ageing that only frames *from* a MAC refresh, --cleanup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { ensureBpf } from './helpers/bpf.js';
import { RAWPKT, Topology } from './helpers/topology.js';
import { eth, ipv4, udp } from '../testbed/packets.js';

ensureBpf();
const T = new Topology(`vxa${process.pid}`);
const VM1 = '02:00:00:00:00:01';
const VM2 = '02:00:00:00:00:02';

const config = (self: string, peer: string, ports: string[], ageing = 300): Record<string, unknown> => ({
  vteps: [{ interface: 'up0', address: `${self}/26` }],
  segments: [{ vni: 5000, mode: 'unicast', floodList: [peer] }],
  ports: ports.map((p) => ({ interface: p, vni: 5000 })),
  macAgeingSeconds: ageing,
});

const macs = (host: string): { vni: number; mac: string; kind: string; vtep: string }[] =>
  JSON.parse(T.cli(host, ['show', 'macs', '--json', '--instance', T.agents.get(host)!.instance])) as never;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: '192.0.2.11/26' }]);
  T.addHost('h2', [{ sw: 'ula', addr: '192.0.2.12/26' }]);
  T.addVm('vm1', 'h1', 'vnet0', VM1, '198.51.100.1/24');
  T.addVm('vm2', 'h2', 'vnet0', VM2, '198.51.100.2/24');
  await T.startAgent('h1', config('192.0.2.11', '192.0.2.12', ['vnet0', 'vnet1'], 2));
  await T.startAgent('h2', config('192.0.2.12', '192.0.2.11', ['vnet0']));
  T.get('vm1').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '198.51.100.2']);
}, 90_000);

afterAll(() => T.destroy(), 60_000);

describe('restart', () => {
  it('a continuous ping (100/s) survives kill -9 of the agent and its restart with zero loss', async () => {
    const ping = T.get('vm1').spawn('ping', ['-c', '400', '-i', '0.01', '-W', '1', '198.51.100.2']);
    let out = '';
    ping.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<number>((r) => ping.on('exit', (c) => r(c ?? -1)));
    await sleep(800);
    const a = T.agents.get('h1')!;
    await T.stopAgent('h1', 'SIGKILL');
    await sleep(500);
    await T.spawnAgent('h1', a.instance, a.configPath);
    expect(await done).toBe(0);
    expect(out).toMatch(/400 packets transmitted, 400 received, 0% packet loss/);
  });
});

describe('reload', () => {
  it('SIGHUP applies a new file: a port added while running starts forwarding', async () => {
    T.addVm('vm1b', 'h1', 'vnet1', '02:00:00:00:00:04', '198.51.100.4/24'); // named in the file already
    await sleep(1500); // the agent binds ports that appear (1 s poll)
    T.get('vm1b').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '198.51.100.2']);
    const a = T.agents.get('h2')!;
    writeFileSync(a.configPath, JSON.stringify(config('192.0.2.12', '192.0.2.11', ['vnet0', 'vnet5'])));
    a.proc.kill('SIGHUP');
    await sleep(1000);
    expect(a.log.join('')).toMatch(/configuration reloaded/);
    T.get('vm1b').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '198.51.100.2']);
  });

  it('a bad file on SIGHUP is refused with the key named, and traffic is untouched', async () => {
    const a = T.agents.get('h2')!;
    writeFileSync(a.configPath, JSON.stringify({ ...config('192.0.2.12', '192.0.2.11', ['vnet0']), ttl: 0 }));
    a.proc.kill('SIGHUP');
    await sleep(1000);
    expect(a.log.join('')).toMatch(/reload refused, keeping the running configuration: ttl: must be an integer in 1\.\.255/);
    T.get('vm1').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '198.51.100.2']);
  });
});

describe('ageing', () => {
  it('a learned entry ages out while frames are only sent *to* it', async () => {
    // vm2 must stay silent afterwards: no ARP probes at all (they would refresh the entry).
    T.get('vm2').ip('neigh', 'flush', 'all');
    T.get('vm2').ip('neigh', 'replace', '198.51.100.1', 'lladdr', VM1, 'dev', 'eth0', 'nud', 'permanent');
    T.get('vm1').ip('neigh', 'replace', '198.51.100.2', 'lladdr', VM2, 'dev', 'eth0', 'nud', 'permanent');
    T.get('vm1').exec('ping', ['-c', '1', '-W', '2', '198.51.100.2']);
    expect(macs('h1').some((m) => m.mac === VM2)).toBe(true);
    // Frames to vm2's MAC (for an IP vm2 does not own, so it never answers) for 4 s.
    const frame = eth(VM2, VM1, 0x0800, ipv4({ src: '198.51.100.1', dst: '198.51.100.222', proto: 17 }, udp(9, 9, Buffer.alloc(32))));
    T.get('vm1').exec('/usr/bin/python3', [RAWPKT, 'send', 'eth0', '40', frame.toString('hex'), '100']);
    const log = T.agents.get('h1')!.log.join('');
    expect(macs('h1').some((m) => m.mac === VM2), log).toBe(false); // ageing 2 s, swept every 1 s
  });
});

describe('stop', () => {
  it('SIGTERM leaves the dataplane forwarding; --cleanup removes it', async () => {
    const a = T.agents.get('h2')!;
    writeFileSync(a.configPath, JSON.stringify(config('192.0.2.12', '192.0.2.11', ['vnet0'])));
    await T.stopAgent('h2', 'SIGTERM');
    T.get('vm1').exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', '198.51.100.2']); // agent down, traffic flows
    expect(existsSync(`/sys/fs/bpf/vxvem/${a.instance}/vx_macs`)).toBe(true);

    const c = T.get('h2').spawn('node', ['--import', 'tsx', 'src/cli/main.ts', 'vem', '--config', a.configPath, '--instance', a.instance, '--cleanup']);
    let log = '';
    await new Promise<void>((r) => c.stderr!.on('data', (d: Buffer) => (log += d.toString()).includes('running from') && r()));
    const exited = new Promise<number | string | null>((r) => c.on('exit', (code, signal) => r(code ?? signal)));
    c.kill('SIGTERM');
    expect(await exited, log).toBe(0);
    expect(existsSync(`/sys/fs/bpf/vxvem/${a.instance}`)).toBe(false);
    expect(T.get('h2').exec('tc', ['filter', 'show', 'dev', 'up0', 'ingress'])).toBe('');
  });
});
