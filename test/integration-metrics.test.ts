// Metrics as operators get them: a real Prometheus (Debian's) scrapes a VSM and two VEM agents
// (each driving its host namespace through --netns, its /metrics bound on the host's loopback);
// every family is present with the values the dataplane holds, and promtool accepts the output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { freePort } from './helpers/free-port.js';
import { PrometheusServer, until } from './helpers/prometheus.js';
import { RAWPKT, Topology } from './helpers/topology.js';
import { pingFrame, vxlanFrame } from '../testbed/packets.js';

ensureBpf();
const T = new Topology(`vxp${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-metrics-'));
const VSM = `unix:${join(dir, 'vsm.sock')}`;
const HOSTS = { h1: '192.0.2.21', h2: '192.0.2.22' } as const;
const procs: ChildProcess[] = [];
const addr: Record<string, string> = {};

function startProc(args: string[], ready: string): Promise<ChildProcess> {
  const p = spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  let log = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (log.includes(ready)) resolve(p);
    };
    p.stdout!.on('data', onData);
    p.stderr!.on('data', onData);
    p.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${log}`)));
  });
}

const vxvem = (...args: string[]): string[] => ['node', '--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args];
const cli = (...args: string[]): string => execFileSync(vxvem(...args, '--vsm', VSM)[0]!, vxvem(...args, '--vsm', VSM).slice(1), { encoding: 'utf8' });

async function scrape(target: string): Promise<string> {
  const r = await fetch(`http://${addr[target]}/metrics`);
  expect(r.status).toBe(200);
  return r.text();
}

/** The value of one sample in exposition text; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

let prometheus: PrometheusServer | undefined;
const promQuery = (q: string) => prometheus!.query(q);

beforeAll(async () => {
  for (const t of ['vsm', 'h1', 'h2']) addr[t] = `127.0.0.1:${await freePort()}`;
  await startProc(vxvem('vsm', '--listen', VSM, '--data', join(dir, 'data'), '--metrics', addr.vsm!), 'metrics on');
  T.addSwitch('ula');
  for (const [h, a] of Object.entries(HOSTS)) T.addHost(h, [{ sw: 'ula', addr: `${a}/24` }]);
  T.addVm('vm1', 'h1', 'vnet0', '02:00:00:00:00:01', '198.51.100.1/24');
  T.addVm('vm2', 'h2', 'vnet0', '02:00:00:00:00:02', '198.51.100.2/24');
  T.addVm('m1', 'h1', 'vnetm', '02:00:00:00:01:01', '198.51.100.101/24');
  T.addVm('m2', 'h2', 'vnetm', '02:00:00:00:01:02', '198.51.100.102/24');
  for (const [h, a] of Object.entries(HOSTS)) await T.startVsmAgent(h, VSM, [`up0:${a}/24`], { metrics: addr[h] });
  cli('net', 'create', 'web', '--vni', '5000');
  cli('net', 'create', 'mc', '--vni', '6000', '--mode', 'multicast', '--group', '239.1.0.60');
  cli('port', 'create', 'p1', '--net', 'web', '--host', 'h1', '--mac', '02:00:00:00:00:01', '--interface', 'vnet0');
  cli('port', 'create', 'p2', '--net', 'web', '--host', 'h2', '--mac', '02:00:00:00:00:02', '--interface', 'vnet0');
  cli('port', 'create', 'q1', '--net', 'mc', '--host', 'h1', '--mac', '02:00:00:00:01:01', '--interface', 'vnetm');
  cli('port', 'create', 'q2', '--net', 'mc', '--host', 'h2', '--mac', '02:00:00:00:01:02', '--interface', 'vnetm');
  await until('ping web', async () => spawnSync('nsenter', [`--net=${T.get('vm1').path}`, 'ping', '-c', '1', '-W', '1', '198.51.100.2']).status, (s) => s === 0);
  await until('ping mc', async () => spawnSync('nsenter', [`--net=${T.get('m1').path}`, 'ping', '-c', '1', '-W', '1', '198.51.100.102']).status, (s) => s === 0);
  T.get('vm1').exec('ping', ['-c', '5', '-i', '0.05', '198.51.100.2']);
  // Five VXLAN frames for a VNI no host has: h1 drops and counts them as unknown_vni, under VNI 0.
  const bad = vxlanFrame({
    dstMac: T.get('h1').mac('up0'), srcMac: T.get('h2').mac('up0'), src: HOSTS.h2, dst: HOSTS.h1, vni: 7777,
    inner: pingFrame({ dstMac: '02:00:00:00:00:01', srcMac: '02:00:00:00:00:09', src: '198.51.100.9', dst: '198.51.100.1' }),
  });
  T.get('h2').exec('python3', [RAWPKT, 'send', 'up0', '5', bad.toString('hex'), '1']);

  prometheus = await PrometheusServer.start(dir, { 'vxvem-vem': [addr.h1!, addr.h2!], 'vxvem-vsm': [addr.vsm!] });
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  for (const p of procs.reverse()) {
    if (p.exitCode !== null || p.signalCode !== null) continue;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await done;
  }
  await T.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('VEM metrics', () => {
  it('per-VNI counters equal the dataplane\'s own counters (summed over CPUs)', async () => {
    const text = await scrape('h1');
    const shown = JSON.parse(T.cli('h1', ['show', 'counters', '--json', '--instance', T.agents.get('h1')!.instance])) as Record<string, string | number>[];
    const web = shown.find((r) => r.vni === 5000 && r.txPackets !== undefined)!;
    // The pings above and the ARP exchange: at least 6 frames each way on h1.
    expect(Number(web.txPackets)).toBeGreaterThanOrEqual(6);
    expect(Number(web.rxPackets)).toBeGreaterThanOrEqual(6);
    // VMs are quiet (no IPv6): nothing moves between the CLI read and the scrape.
    expect(sample(text, 'vxvem_vni_packets_total', { vni: '5000', direction: 'tx' })).toBe(Number(web.txPackets));
    expect(sample(text, 'vxvem_vni_packets_total', { vni: '5000', direction: 'rx' })).toBe(Number(web.rxPackets));
    expect(sample(text, 'vxvem_vni_bytes_total', { vni: '5000', direction: 'tx' })).toBe(Number(web.txBytes));
    expect(sample(text, 'vxvem_vni_flood_packets_total', { vni: '5000' })).toBe(Number(web.flood));
    expect(sample(text, 'vxvem_vni_learned_total', { vni: '5000' })).toBe(Number(web.learned));
    expect(sample(text, 'vxvem_vni_mac_moves_total', { vni: '5000' })).toBe(0);
    expect(sample(text, 'vxvem_drops_total', { vni: '0', reason: 'unknown_vni' })).toBe(5);
    expect(sample(text, 'vxvem_mac_entries', { vni: '5000', kind: 'local' })).toBe(1);
    expect(sample(text, 'vxvem_vni_packets_total', { vni: '6000', direction: 'tx' })).toBeGreaterThanOrEqual(2);
  });

  it('agent health: VSM connected, the revision it applied, when', async () => {
    const text = await scrape('h2');
    const hosts = JSON.parse(cli('host', 'show', 'h2', '--json')) as { appliedRevision: string }[];
    expect(sample(text, 'vxvem_agent_vsm_connected')).toBe(1);
    expect(sample(text, 'vxvem_agent_config_revision')).toBe(Number(hosts[0]!.appliedRevision));
    expect(sample(text, 'vxvem_agent_info', { mode: 'vsm' })).toBe(1);
    const synced = sample(text, 'vxvem_agent_last_sync_timestamp_seconds')!;
    expect(Date.now() / 1000 - synced).toBeLessThan(120);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('map fill: segments, ports and MACs present against each map\'s capacity; no event lost', async () => {
    const text = await scrape('h1');
    const entries = (map: string) => sample(text, 'vxvem_map_entries', { map });
    expect(entries('vx_segments')).toBe(2);
    expect(entries('vx_ports')).toBe(2);
    expect(entries('vx_seg_ports')).toBe(2);
    expect(entries('vx_flood')).toBe(1); // web is unicast-only: h2's VTEP
    expect(entries('vx_groups')).toBe(1);
    const macs = JSON.parse(T.cli('h1', ['show', 'macs', '--json', '--instance', T.agents.get('h1')!.instance])) as unknown[];
    expect(entries('vx_macs')).toBe(macs.length);
    expect(sample(text, 'vxvem_map_capacity', { map: 'vx_segments' })).toBe(16384);
    expect(sample(text, 'vxvem_events_lost_total')).toBe(0);
    expect(sample(text, 'vxvem_agent_ports_waiting')).toBe(0);
    expect(sample(text, 'vxvem_agent_reload_failures_total')).toBe(0);
  });

  it('a port whose interface does not exist yet is counted as waiting until it goes', async () => {
    cli('port', 'create', 'p9', '--net', 'web', '--host', 'h1', '--mac', '02:00:00:00:00:09', '--interface', 'vnet9');
    await until('p9 waiting', () => scrape('h1'), (t) => sample(t, 'vxvem_agent_ports_waiting') === 1);
    cli('port', 'delete', 'p9');
    await until('p9 gone', () => scrape('h1'), (t) => sample(t, 'vxvem_agent_ports_waiting') === 0);
    // Both hosts in step again before the VSM's figures are checked.
    await until('hosts in step', () => scrape('vsm'), (t) => ['h1', 'h2'].every((h) => sample(t, 'vxvem_vsm_host_applied_revision', { host: h }) === sample(t, 'vxvem_vsm_revision')));
  });

  it('promtool accepts every exposition (agents and VSM)', async () => {
    for (const t of ['h1', 'h2', 'vsm']) {
      const r = spawnSync('promtool', ['check', 'metrics'], { input: await scrape(t), encoding: 'utf8' });
      expect(`${t}: ${r.stdout}${r.stderr}`.trim()).toBe(`${t}:`);
      expect(r.status).toBe(0);
    }
  });

  it('anything but GET /metrics is refused', async () => {
    expect((await fetch(`http://${addr.h1}/nope`)).status).toBe(404);
    expect((await fetch(`http://${addr.h1}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('VSM metrics', () => {
  it('hosts connected, updates sent, every host in step', async () => {
    const text = await scrape('vsm');
    expect(sample(text, 'vxvem_vsm_hosts_registered')).toBe(2);
    expect(sample(text, 'vxvem_vsm_hosts_connected')).toBe(2);
    expect(sample(text, 'vxvem_vsm_networks')).toBe(2);
    expect(sample(text, 'vxvem_vsm_ports')).toBe(4);
    expect(sample(text, 'vxvem_vsm_snapshots_sent_total')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'vxvem_vsm_deltas_sent_total')).toBeGreaterThanOrEqual(4);
    for (const h of ['h1', 'h2']) {
      expect(sample(text, 'vxvem_vsm_host_connected', { host: h })).toBe(1);
      expect(sample(text, 'vxvem_vsm_host_stream_lag_seconds', { host: h })).toBe(0);
      expect(sample(text, 'vxvem_vsm_host_applied_revision', { host: h })).toBe(sample(text, 'vxvem_vsm_revision'));
    }
  });

  it('a host that stops shows as disconnected', async () => {
    await T.stopAgent('h2');
    const text = await until('h2 disconnected', () => scrape('vsm'), (t) => sample(t, 'vxvem_vsm_host_connected', { host: 'h2' }) === 0, 5000);
    expect(sample(text, 'vxvem_vsm_hosts_connected')).toBe(1);
  });
});

describe('Prometheus scrapes it all', () => {
  it('every target up and every family stored', async () => {
    const up = await until('targets up', () => promQuery('up'), (r) => r.length === 3 && r.filter((x) => x.value[1] === '1').length >= 2);
    expect(up.find((x) => x.metric.instance === addr.h1)?.value[1]).toBe('1');
    expect(up.find((x) => x.metric.instance === addr.vsm)?.value[1]).toBe('1');
    for (const family of [
      'vxvem_vni_packets_total', 'vxvem_vni_bytes_total', 'vxvem_vni_flood_packets_total', 'vxvem_vni_learned_total',
      'vxvem_vni_mac_moves_total', 'vxvem_drops_total', 'vxvem_mac_entries', 'vxvem_agent_vsm_connected',
      'vxvem_agent_config_revision', 'vxvem_agent_last_sync_timestamp_seconds', 'vxvem_vsm_hosts_connected',
      'vxvem_vsm_deltas_sent_total', 'vxvem_vsm_host_stream_lag_seconds',
    ]) {
      const r = await until(family, () => promQuery(family), (x) => x.length > 0);
      expect(r.length, family).toBeGreaterThan(0);
    }
    const tx = await promQuery(`vxvem_vni_packets_total{instance="${addr.h1}",vni="5000",direction="tx"}`);
    expect(Number(tx[0]!.value[1])).toBeGreaterThanOrEqual(6);
    const drops = await promQuery(`vxvem_drops_total{instance="${addr.h1}",reason="unknown_vni"}`);
    expect(drops.map((d) => [d.metric.vni, d.value[1]])).toEqual([['0', '5']]);
  });

  it('the agent\'s name is the vem label; instance stays the scrape target (no exported_instance)', async () => {
    const info = await until('agent info', () => promQuery('vxvem_agent_info'), (r) => r.length > 0);
    const h1 = info.find((x) => x.metric.vem === T.agents.get('h1')!.instance);
    expect(h1?.metric.instance).toBe(addr.h1);
    for (const x of info) expect(Object.keys(x.metric)).not.toContain('exported_instance');
  });
});

describe('file mode: reload failures', () => {
  it('a SIGHUP with a bad file counts one failure; a waiting port is counted', async () => {
    T.addHost('h3', [{ sw: 'ula', addr: '192.0.2.23/24' }]);
    const agent = await T.startAgent('h3', {
      vteps: [{ interface: 'up0', address: '192.0.2.23/24' }],
      segments: [{ vni: 9000, mode: 'unicast', floodList: [] }],
      ports: [{ interface: 'vnetz', vni: 9000 }],
    });
    // Without --metrics the agent serves the default address inside its host.
    const scrapeH3 = async () => T.get('h3').exec('curl', ['-sf', 'http://127.0.0.1:9469/metrics']);
    const text = await until('h3 metrics', scrapeH3, (t) => sample(t, 'vxvem_agent_ports_waiting') === 1);
    expect(sample(text, 'vxvem_agent_reload_failures_total')).toBe(0);
    expect(sample(text, 'vxvem_agent_info', { mode: 'file', vem: agent.instance })).toBe(1);
    writeFileSync(agent.configPath, '{ "vteps": [');
    agent.proc.kill('SIGHUP');
    await until('reload failure counted', scrapeH3, (t) => sample(t, 'vxvem_agent_reload_failures_total') === 1);
  });
});

describe('bad metrics arguments', () => {
  it('a malformed --metrics, --metrics-max-vnis or an unknown --netns is a usage error, nothing started', () => {
    const cap = spawnSync(vxvem()[0]!, [...vxvem('vem', '--config', '/nonexistent', '--metrics', 'off', '--metrics-max-vnis', '-1').slice(1)], { encoding: 'utf8' });
    expect(cap.status).toBe(2);
    expect(cap.stderr).toMatch(/--metrics-max-vnis: "-1" is not an integer/);
    const bad = spawnSync(vxvem()[0]!, [...vxvem('vem', '--config', '/nonexistent', '--metrics', 'localhost:x').slice(1)], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--metrics: expected HOST:PORT/);
    const ns = spawnSync(vxvem()[0]!, [...vxvem('vem', '--config', '/nonexistent', '--metrics', 'off', '--netns', 'vxvem-no-such-ns').slice(1)], { encoding: 'utf8' });
    expect(ns.status).toBe(2);
    expect(ns.stderr).toMatch(/--netns vxvem-no-such-ns/);
  });
});
