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

const txPackets = (host: string): number => {
  const rows = JSON.parse(T.cli(host, ['show', 'counters', '--json', '--instance', T.agents.get(host)!.instance])) as { vni: number; txPackets?: string | number }[];
  return Number(rows.find((r) => r.vni === 5000 && r.txPackets !== undefined)?.txPackets ?? 0);
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `f` until `ok` holds; fails with the last value after `ms`. Asserts no speed. */
async function until<T>(what: string, f: () => T, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let v = f();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await sleep(100);
    v = f();
  }
  return v;
}

/** Writes `host`'s file, sends SIGHUP and waits for one more `said` in the agent's log. */
async function reload(host: string, file: unknown, said: string): Promise<void> {
  const a = T.agents.get(host)!;
  const count = (): number => a.log.join('').split(said).length;
  const before = count();
  writeFileSync(a.configPath, JSON.stringify(file));
  a.proc.kill('SIGHUP');
  await until(`${host} logs "${said}"`, count, (n) => n > before, 20_000);
}

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
    // The restarted agent kept the segment's counter slot (stats-slots.ts): nothing was reset,
    // so h1 has counted every request VM1 sent since the start (2 + 400, and ARP).
    expect(txPackets('h1')).toBeGreaterThanOrEqual(402);
  });
});

describe('reload', () => {
  it('SIGHUP applies a new file: a port added while running starts forwarding', async () => {
    T.addVm('vm1b', 'h1', 'vnet1', '02:00:00:00:00:04', '198.51.100.4/24'); // named in the file already
    const vnet1 = T.get('h1').ifindex('vnet1');
    const ports = (): number[] => (JSON.parse(T.cli('h1', ['show', 'ports', '--json', '--instance', T.agents.get('h1')!.instance])) as { ifindex: number }[]).map((p) => p.ifindex);
    await until('h1 binds vnet1 when it appears', ports, (p) => p.includes(vnet1), 20_000);
    T.get('vm1b').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '198.51.100.2']);
    await reload('h2', config('192.0.2.12', '192.0.2.11', ['vnet0', 'vnet5']), 'configuration reloaded');
    T.get('vm1b').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '198.51.100.2']);
  });

  it('a bad file on SIGHUP is refused with the key named, and traffic is untouched', async () => {
    await reload('h2', { ...config('192.0.2.12', '192.0.2.11', ['vnet0']), ttl: 0 }, 'reload refused, keeping the running configuration: ttl: must be an integer in 1..255');
    T.get('vm1').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '198.51.100.2']);
  });
});

describe('ageing', () => {
  const setH1Ageing = (ageing: number): Promise<void> => reload('h1', config('192.0.2.11', '192.0.2.12', ['vnet0', 'vnet1'], ageing), 'configuration reloaded');
  const vm2Known = (): boolean => macs('h1').some((m) => m.mac === VM2);

  it('a learned entry ages out while frames are only sent *to* it', async () => {
    // vm2 must stay silent afterwards: no ARP probes at all (they would refresh the entry).
    T.get('vm2').ip('neigh', 'flush', 'all');
    T.get('vm2').ip('neigh', 'replace', '198.51.100.1', 'lladdr', VM1, 'dev', 'eth0', 'nud', 'permanent');
    T.get('vm1').ip('neigh', 'replace', '198.51.100.2', 'lladdr', VM2, 'dev', 'eth0', 'nud', 'permanent');
    // Learned under a long ageing time, so that however slow the machine, the entry is seen.
    await setH1Ageing(300);
    T.get('vm1').exec('ping', ['-c', '1', '-W', '5', '198.51.100.2']);
    await until('vm2 learned on h1', vm2Known, (known) => known, 20_000);
    // From here on, frames only go *to* vm2's MAC (for an IP vm2 does not own, so it never
    // answers), ten a second, until the entry is gone; then the ageing time drops to 2 s.
    const frame = eth(VM2, VM1, 0x0800, ipv4({ src: '198.51.100.1', dst: '198.51.100.222', proto: 17 }, udp(9, 9, Buffer.alloc(32))));
    const sender = T.get('vm1').spawn('/usr/bin/python3', [RAWPKT, 'send', 'eth0', '100000', frame.toString('hex'), '100']);
    try {
      await setH1Ageing(2);
      await until('vm2 aged out on h1', vm2Known, (known) => !known, 60_000);
      expect(sender.exitCode, 'frames were sent to vm2 all along').toBeNull();
    } finally {
      sender.kill();
    }
  }, 150_000);
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
