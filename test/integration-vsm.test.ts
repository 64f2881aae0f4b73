// A VSM and VEMs that follow it, on real hosts: networks and ports made through the CLI carry
// traffic; a port on a new host reaches the others' flood lists; the VSM can
// stop and restart without traffic noticing and without losing state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { openPinnedMaps } from '../src/maps/dataplane.js';
import { CFG_F_UDP_CSUM } from '../src/maps/layout.js';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { Topology } from './helpers/topology.js';
import { VsmProcess } from './helpers/vsm-process.js';

ensureBpf();
const T = new Topology(`vxs${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-vsm-int-'));
const VSM = `unix:${join(dir, 'vsm.sock')}`;
const HOSTS = { h1: '192.0.2.11', h2: '192.0.2.12', h3: '192.0.2.13' } as const;
const vsm = new VsmProcess();
const startVsm = (): Promise<void> => vsm.start(['--listen', VSM, '--data', join(dir, 'data'), '--metrics', 'off']);
const stopVsm = (): Promise<void> => vsm.stop();

const cli = (...args: string[]): string =>
  execFileSync('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args, '--vsm', VSM], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const ping = (from: string, to: string) => T.get(from).exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', to]);
/** `show segments`, each flood list as one comma-separated string (easier to compare). */
const segments = (host: string) => (JSON.parse(T.cli(host, ['show', 'segments', '--json', '--instance', T.agents.get(host)!.instance])) as { vni: number; floodList: string[]; vtep: string }[])
  .map((s) => ({ ...s, floodList: s.floodList.join(',') }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => T, ok: (v: T) => boolean, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  let v = f();
  while (!ok(v) && Date.now() < end) {
    await sleep(50);
    v = f();
  }
  if (!ok(v)) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
  return v;
}

beforeAll(async () => {
  await startVsm();
  T.addSwitch('ula');
  for (const [h, a] of Object.entries(HOSTS)) T.addHost(h, [{ sw: 'ula', addr: `${a}/26` }]);
  T.addVm('vm1', 'h1', 'vnet0', '02:00:00:00:00:01', '198.51.100.1/24');
  T.addVm('vm2', 'h2', 'vnet0', '02:00:00:00:00:02', '198.51.100.2/24');
  T.addVm('vm3', 'h3', 'vnet0', '02:00:00:00:00:03', '198.51.100.3/24');
  T.addVm('m1', 'h1', 'vnetm', '02:00:00:00:01:01', '198.51.100.101/24');
  T.addVm('m2', 'h2', 'vnetm', '02:00:00:00:01:02', '198.51.100.102/24');
  for (const [h, a] of Object.entries(HOSTS)) await T.startVsmAgent(h, VSM, [`up0:${a}/26`]);
}, 120_000);

afterAll(async () => {
  await stopVsm().catch(() => undefined);
  await T.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('networks and ports through the CLI', () => {
  it('unicast mode: a network, a subnet and two ports, and the VMs talk', async () => {
    expect(cli('net', 'create', 'web', '--vni', '5000')).toMatch(/web/);
    cli('subnet', 'create', 'web-v4', '--net', 'web', '--cidr', '198.51.100.0/24', '--gateway', '198.51.100.254');
    expect(JSON.parse(cli('subnet', 'list', '--json'))).toEqual([{ name: 'web-v4', network: 'web', cidr: '198.51.100.0/24', gateway: '198.51.100.254', origin: 'vsm', displayName: '', project: '' }]);
    cli('port', 'create', 'p1', '--net', 'web', '--host', 'h1', '--mac', '02:00:00:00:00:01', '--interface', 'vnet0');
    cli('port', 'create', 'p2', '--net', 'web', '--host', 'h2', '--mac', '02:00:00:00:00:02', '--interface', 'vnet0');
    await until('h1 flood list', () => segments('h1').find((s) => s.vni === 5000)?.floodList, (f) => f === HOSTS.h2);
    ping('vm1', '198.51.100.2');
  });

  it('multicast mode', async () => {
    cli('net', 'create', 'mc', '--vni', '6000', '--mode', 'multicast', '--group', '239.1.1.1');
    cli('port', 'create', 'q1', '--net', 'mc', '--host', 'h1', '--mac', '02:00:00:00:01:01', '--interface', 'vnetm');
    cli('port', 'create', 'q2', '--net', 'mc', '--host', 'h2', '--mac', '02:00:00:00:01:02', '--interface', 'vnetm');
    await until('h2 segments', () => segments('h2').map((s) => s.vni), (v) => v.includes(6000));
    await sleep(300); // the IGMP join travels
    ping('m1', '198.51.100.102');
  });

  // How fast is measured by bench/vsm-scale.ts; tests do not assert timings (noisy machines).
  it('a port on a third host reaches the others\' flood lists', async () => {
    cli('port', 'create', 'p3', '--net', 'web', '--host', 'h3', '--mac', '02:00:00:00:00:03', '--interface', 'vnet0');
    await until('h1 flood list', () => segments('h1').find((s) => s.vni === 5000)?.floodList, (f) => f === `${HOSTS.h2},${HOSTS.h3}`, 10_000);
    await until('h2 flood list', () => segments('h2').find((s) => s.vni === 5000)?.floodList, (f) => f === `${HOSTS.h1},${HOSTS.h3}`, 10_000);
    ping('vm3', '198.51.100.1');
  });

  it('host list shows liveness and designated VTEPs; profile list the dynamic profiles', () => {
    const hosts = JSON.parse(cli('host', 'list', '--json')) as { name: string; connected: boolean; designated: Record<string, string> }[];
    expect(hosts.map((h) => [h.name, h.connected, h.designated['5000']])).toEqual([['h1', true, HOSTS.h1], ['h2', true, HOSTS.h2], ['h3', true, HOSTS.h3]]);
    const profiles = JSON.parse(cli('profile', 'list', '--json')) as { name: string; ports: string }[];
    expect(profiles).toEqual([{ name: 'dyn-default-mc', policy: 'default', network: 'mc', ports: 'q1,q2' }, { name: 'dyn-default-web', policy: 'default', network: 'web', ports: 'p1,p2,p3' }]);
  });

  it('show networks|hosts|profiles: the VSM view, with designated VTEPs and flood lists per host', () => {
    const nets = JSON.parse(cli('show', 'networks', '--json')) as Record<string, unknown>[];
    expect(nets.map((r) => [r.network, r.host, r.designated, r.floodList, r.ports])).toEqual([
      ['web', 'h1', HOSTS.h1, [HOSTS.h2, HOSTS.h3], ['p1']],
      ['web', 'h2', HOSTS.h2, [HOSTS.h1, HOSTS.h3], ['p2']],
      ['web', 'h3', HOSTS.h3, [HOSTS.h1, HOSTS.h2], ['p3']],
      ['mc', 'h1', HOSTS.h1, null, ['q1']],
      ['mc', 'h2', HOSTS.h2, null, ['q2']],
    ]);
    expect(nets[0]).toMatchObject({ vni: 5000, mode: 'unicast', group: null, subnets: ['198.51.100.0/24'], displayName: null, project: null });
    expect(nets[3]).toMatchObject({ mode: 'multicast', group: '239.1.1.1' });
    // The table says where a multicast network floods.
    expect(cli('show', 'networks')).toMatch(/\bmc\s.*\bh1\s+192\.0\.2\.11\s+\(group 239\.1\.1\.1\)\s+q1\n/);
    const hosts = JSON.parse(cli('show', 'hosts', '--json')) as Record<string, unknown>[];
    expect(hosts.map((h) => [h.host, h.state, h.segments])).toEqual([['h1', 'connected', 2], ['h2', 'connected', 2], ['h3', 'connected', 1]]);
    expect(hosts[0]!.vteps).toEqual([{ interface: 'up0', address: HOSTS.h1, prefixLength: 26, gateway: null }]);
    expect(typeof hosts[0]!.appliedRevision).toBe('number');
    expect(Date.parse(String(hosts[0]!.lastReport))).toBeGreaterThan(0);
    expect(cli('show', 'hosts')).toMatch(new RegExp(`^h1\\s+connected\\s+up0:${HOSTS.h1.replace(/\./g, '\\.')}/26\\s`, 'm'));
    const text = cli('show', 'profiles');
    expect(text.split('\n')[0]).toMatch(/^PROFILE\s+POLICY\s+NETWORK\s+PORTS\s+MEMBERS$/);
    expect(text).toMatch(/dyn-default-web\s+default\s+web\s+3\s+p1,p2,p3/);
  });

  it('VEMs report liveness, the revision they applied and the MACs they learned', async () => {
    const h1 = await until('h1 report', () => (JSON.parse(cli('host', 'show', 'h1', '--json')) as { appliedRevision: number; uplinkMtu: number; version: string; lastReport: string; learned: { mac: string; interface: string | null; vtep: string | null }[] }[])[0]!,
      (h) => h.learned.some((m) => m.mac === '02:00:00:00:00:01'), 5000);
    expect(h1.learned.find((m) => m.mac === '02:00:00:00:00:01')).toMatchObject({ interface: 'vnet0', vtep: null });
    expect(Date.parse(h1.lastReport)).toBeGreaterThan(0);
    // The other hosts' VMs are known from the VSM (static entries): nothing to learn about them.
    expect(h1.learned.some((m) => m.mac === '02:00:00:00:00:02')).toBe(false);
    expect(h1.appliedRevision).toBeGreaterThan(0);
    expect(h1).toMatchObject({ uplinkMtu: 1550, version: '0.1.0' });
  });

  it('bad input is one clear line and exit 1, nothing changes', () => {
    let err = '';
    try {
      cli('net', 'create', 'again', '--vni', '5000');
    } catch (e) {
      err = String((e as { stderr?: string }).stderr);
    }
    expect(err.trim()).toBe('vxvem: VNI 5000 is used by network web');
    expect((JSON.parse(cli('net', 'list', '--json')) as unknown[]).length).toBe(2);
  });
});

describe('the VEM agent goes away', () => {
  it('kill -9 of a following agent under a continuous ping (100/s): zero loss, then it follows again', async () => {
    const p = T.get('vm1').spawn('ping', ['-c', '300', '-i', '0.01', '-W', '1', '198.51.100.2']);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<number>((r) => p.on('exit', (c) => r(c ?? -1)));
    await sleep(500);
    await T.stopAgent('h1', 'SIGKILL');
    await sleep(300);
    const a = await T.startVsmAgent('h1', VSM, [`up0:${HOSTS.h1}/26`]);
    expect(await done).toBe(0);
    expect(out).toMatch(/300 packets transmitted, 300 received, 0% packet loss/);
    await until('h1 following again', () => a.log.join(''), (l) => l.includes('following VSM'), 5000);
  });

  it('a host that loses a VTEP: its segments move to the remaining one, the others\' flood lists follow', async () => {
    // h2 comes back with two VTEPs: its two segments are spread over them.
    T.get('h2').ip('addr', 'add', '192.0.2.22/26', 'dev', 'up0');
    await T.stopAgent('h2', 'SIGTERM');
    await T.startVsmAgent('h2', VSM, [`up0:${HOSTS.h2}/26`, 'up0:192.0.2.22/26']);
    const designated = async () => (JSON.parse(cli('host', 'show', 'h2', '--json')) as { designated: Record<string, string> }[])[0]!.designated;
    expect(await designated()).toEqual({ 5000: HOSTS.h2, 6000: '192.0.2.22' });
    // Then the first VTEP goes away: segment 5000 moves to the remaining one, everywhere.
    await T.stopAgent('h2', 'SIGTERM');
    await T.startVsmAgent('h2', VSM, ['up0:192.0.2.22/26']);
    await until('h1 flood list moved', () => segments('h1').find((s) => s.vni === 5000)?.floodList, (f) => f === `${HOSTS.h3},192.0.2.22`, 3000);
    expect(await designated()).toEqual({ 5000: '192.0.2.22', 6000: '192.0.2.22' });
    ping('vm1', '198.51.100.2');
  });
});

describe('the VSM goes away', () => {
  it('traffic keeps flowing while it is down; after its restart nothing is lost and VEMs resync', async () => {
    await stopVsm();
    ping('vm1', '198.51.100.2');
    await startVsm();
    expect((JSON.parse(cli('port', 'list', '--json')) as unknown[]).length).toBe(5);
    await until('VEMs reconnected', () => (JSON.parse(cli('host', 'list', '--json')) as { connected: boolean }[]).every((h) => h.connected), (v) => v, 15_000);
    cli('port', 'delete', 'p3');
    await until('h1 flood list after p3 left', () => segments('h1').find((s) => s.vni === 5000)?.floodList, (f) => f === '192.0.2.22', 2000);
    ping('vm1', '198.51.100.2');
  });
});

describe('host flags of a VEM that follows the VSM', () => {
  const vem = (...args: string[]) => ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'vem', '--vsm', VSM, ...args];

  it('a bad value exits 2 naming the flag, with the file key\'s rule', () => {
    for (const [flag, value, message] of [
      ['--ttl', '0', 'vxvem: --ttl: must be an integer in 1..255 (got 0)'],
      ['--tos', 'copy', 'vxvem: --tos: must be an integer in 0..255 (got "copy")'],
      ['--src-port-range', '60000-50000', 'vxvem: --src-port-range: min is above max'],
      ['--mac-ageing', '0', 'vxvem: --mac-ageing: must be an integer in 1..1000000 (got 0)'],
    ]) {
      const r = spawnSync('node', vem('--host', 'h9', '--vtep', 'up0:192.0.2.19/26', '--metrics', 'off', flag!, value!), { encoding: 'utf8' });
      expect([r.status, r.stderr.trim()]).toEqual([2, message]);
    }
  });

  it('--ttl, --tos, --src-port-range and --udp-checksum reach the dataplane, --mac-ageing the ageing', async () => {
    const VTEP = '192.0.2.14';
    T.addHost('h4', [{ sw: 'ula', addr: `${VTEP}/26` }]);
    T.addVm('vm4', 'h4', 'vnet0', '02:00:00:00:00:04', '198.51.100.4/24');
    const instance = `${T.tag}-h4`;
    const proc = T.get('h4').spawn('node', vem('--host', 'h4', '--vtep', `up0:${VTEP}/26`, '--instance', instance, '--metrics', 'off',
      '--ttl', '9', '--tos', '16', '--src-port-range', '50000-50100', '--udp-checksum', '--mac-ageing', '2'));
    const agent = { host: 'h4', instance, configPath: '', proc, log: [] as string[] };
    T.agents.set('h4', agent); // stopped and unpinned with the topology
    await new Promise<void>((resolve, reject) => {
      proc.stderr!.on('data', (d: Buffer) => {
        agent.log.push(d.toString());
        if (d.toString().includes('running from')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`h4's agent exited ${code}:\n${agent.log.join('')}`)));
    });
    const pinned = openPinnedMaps(instance);
    try {
      expect(pinned.maps.config.get(0)).toMatchObject({ ttl: 9, tos: 16, srcPortMin: 50000, srcPortMax: 50100, flags: CFG_F_UDP_CSUM });
    } finally {
      pinned.close();
    }

    cli('port', 'create', 'p4', '--net', 'web', '--host', 'h4', '--mac', '02:00:00:00:00:04', '--interface', 'vnet0');
    await until('h1 floods to h4', () => segments('h1').find((s) => s.vni === 5000)?.floodList ?? '', (f) => f.split(',').includes(VTEP), 10_000);
    await until('h4 has the segment', () => segments('h4').map((s) => s.vni), (v) => v.includes(5000), 10_000);
    ping('vm4', '198.51.100.1'); // checksummed encapsulation with TTL 9 carries traffic
    // The report says vm4's MAC was learned; vm4 is silent from here, so the entry ages out.
    await until('h4 reports vm4', () => (JSON.parse(cli('host', 'show', 'h4', '--json')) as { learned: { mac: string }[] }[])[0]!.learned.map((m) => m.mac),
      (l) => l.includes('02:00:00:00:00:04'), 10_000);
    const macs = () => (JSON.parse(T.cli('h4', ['show', 'macs', '--json', '--instance', instance])) as { mac: string }[]).map((m) => m.mac);
    await until('vm4 aged out on h4 (the default ageing is 300 s)', macs, (l) => !l.includes('02:00:00:00:00:04'), 30_000);
  });
});
