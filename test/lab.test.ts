// `vxvem lab` as a newcomer runs it: up makes a routed data centre whose VMs talk in both flood
// modes across the router; status tells the truth; down removes everything, also after a crash.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { MONITORING, alertNames, dashboardQueries, selectors } from './helpers/monitoring.js';
import { PrometheusServer, until } from './helpers/prometheus.js';
import { RAWPKT } from './helpers/topology.js';
import { pingFrame } from '../testbed/packets.js';
import { labPlan } from '../src/cli/lab/plan.js';
import { smcrouteConfig } from '../src/cli/lab/network.js';
import { taggedPing } from '../src/cli/lab/tagged.js';

ensureBpf();
const vxvem = (...args: string[]) => spawnSync('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { encoding: 'utf8' });
const labNamespaces = (): string[] => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith('vxlab-'));
const labPins = (): string[] => (existsSync('/sys/fs/bpf/vxvem') ? readdirSync('/sys/fs/bpf/vxvem').filter((d) => d.startsWith('lab-')) : []);
const ping = (vm: string, addr: string) => spawnSync('nsenter', [`--net=/run/netns/vxlab-${vm}`, 'ping', '-c', '2', '-i', '0.2', '-W', '2', addr], { encoding: 'utf8' });
const plan = labPlan({ hosts: 3, vmsPerHost: 2, vtepsPerHost: 2 });
const vmAddr = (name: string) => plan.vms.find((v) => v.name === name)!.address;

afterAll(() => {
  vxvem('lab', 'down');
}, 60_000);

describe('lab plan', () => {
  it('addresses are unique and inside the documentation ranges; VMs alternate networks', () => {
    const big = labPlan({ hosts: 8, vmsPerHost: 4, vtepsPerHost: 4 });
    const vteps = big.hosts.flatMap((h) => h.vteps.map((v) => v.address));
    const vms = [...big.vms.map((v) => v.address), ...big.vms.flatMap((v) => (v.trunk ? [v.trunk.address] : []))];
    expect(new Set(vteps).size).toBe(32);
    expect(new Set(vms).size).toBe(32 + 3 + 1); // + VLAN VMs on h1 and h2, the trunked VM and its subport
    for (const a of [...vteps, ...vms]) expect(a).toMatch(/^(192\.0\.2|198\.51\.100)\.\d+$/);
    for (const h of big.hosts) for (const v of h.vteps) expect(Number(v.address.split('.')[3]) < 128).toBe(h.subnet === 'a');
    expect(big.vms.filter((v) => v.host === 'h1').map((v) => v.network)).toEqual(['web', 'db', 'web', 'db', 'vl100', 'vl100']);
    expect(smcrouteConfig(big)).toContain('mroute from rt0 group 239.1.0.20 to rt1');
    // --guests qemu: two guests, the first web VM of h1 and of h2; the rest stay namespaces.
    expect(labPlan({ hosts: 3, vmsPerHost: 2, vtepsPerHost: 1, guests: 'qemu' }).vms.filter((v) => v.qemu).map((v) => v.name)).toEqual(['h1-vm1', 'h2-vm1']);
    expect(big.vms.some((v) => v.qemu)).toBe(false);
  });

  it('bad sizes are usage errors', () => {
    for (const args of [['--hosts', '9'], ['--hosts', '1'], ['--vteps', '5'], ['--vms-per-host', '0'], ['--hosts', 'x'], ['--guests', 'kvm']]) {
      const r = vxvem('lab', 'up', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--/);
    }
    expect(vxvem('lab', 'sideways').status).toBe(2);
    expect(labNamespaces()).toEqual([]);
  });
});

describe('lab up, status, down', () => {
  it('up: hosts in two subnets with 2 VTEPs each, VMs talk across the router in both modes', () => {
    const r = vxvem('lab', 'up', '--hosts', '3', '--vms-per-host', '2', '--vteps', '2');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('$ vxvem net create db --vni 10020 --mode multicast --group 239.1.0.20');
    expect(labNamespaces().length).toBe(2 + 3 + 6 + 3); // + two VLAN VMs and the trunked VM
    // h1 is on subnet A, h2 on subnet B: both crossings go through the router.
    expect(ping('h1-vm1', vmAddr('h2-vm1')).status).toBe(0); // web: unicast-only
    expect(ping('h2-vm2', vmAddr('h1-vm2')).status).toBe(0); // db: multicast, routed by smcroute
    expect(ping('h3-vm2', vmAddr('h2-vm2')).status).toBe(0);
    // Segments are isolated: a web VM does not reach a db address.
    expect(ping('h1-vm1', vmAddr('h2-vm2')).status).not.toBe(0);
  }, 120_000);

  it('VLAN 100 on physnet1 between h1 and h2; the trunked VM reaches web through subport 10 only', () => {
    expect(ping('h1-vl', vmAddr('h2-vl')).status).toBe(0);
    expect(ping('h1-trunk', vmAddr('h2-vl')).status).toBe(0); // untagged: the parent's VLAN 100
    const trunk = plan.vms.find((v) => v.name === 'h1-trunk')!;
    const at = (vid: number) => taggedPing(trunk.netns, 'eth0', { vid, mac: trunk.mac, me: trunk.trunk!.address, peer: vmAddr('h2-vm1') });
    expect(at(10)).toEqual({ ok: true, detail: `reply from ${vmAddr('h2-vm1')} (${plan.vms.find((v) => v.name === 'h2-vm1')!.mac}) tagged 10` });
    expect(at(11)).toEqual({ ok: false, detail: 'no ARP reply on VLAN 11' }); // no subport 11: dropped
    const r = vxvem('lab', 'status');
    expect(r.stdout).toMatch(/h1-trunk +vxlab-h1-trunk +h1 +vnet-tr +vl100 \(VLAN 100 on physnet1\) +198\.51\.100\.227 +10=web \(198\.51\.100\.100\)/);
  }, 60_000);

  it('status: every agent running and connected to the VSM', () => {
    const r = vxvem('lab', 'status', '--json');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as { vsmAlive: boolean; hosts: { name: string; connected: boolean; appliedRevision: unknown }[]; missingNamespaces: string[] };
    expect(s.vsmAlive).toBe(true);
    expect(s.hosts.map((h) => [h.name, h.connected])).toEqual([['h1', true], ['h2', true], ['h3', true]]);
    for (const h of s.hosts) expect(typeof h.appliedRevision).toBe('number'); // as `show hosts --json` has it
    expect(s.missingNamespaces).toEqual([]);
    expect(vxvem('lab', 'up').status).toBe(1); // one lab at a time
  });

  it('monitoring: Prometheus scrapes the lab; every dashboard query and every alert\'s series return data', async () => {
    // Drops to show: frames with a multicast source MAC are malformed (h1 counts inner_malformed).
    const vm = plan.vms.find((v) => v.name === 'h1-vm1')!;
    const bad = pingFrame({ dstMac: plan.vms.find((v) => v.name === 'h2-vm1')!.mac, srcMac: '01:00:5e:00:00:01', src: vm.address, dst: vmAddr('h2-vm1') });
    const sendBad = () => execFileSync('nsenter', [`--net=/run/netns/${vm.netns}`, 'python3', RAWPKT, 'send', 'eth0', '3', bad.toString('hex'), '1']);
    sendBad();
    const dir = mkdtempSync(join(tmpdir(), 'vxvem-lab-prom-'));
    const prom = await PrometheusServer.start(dir, { 'vxvem-vem': plan.hosts.map((h) => h.metrics), 'vxvem-vsm': [plan.vsmMetrics] }, [join(MONITORING, 'alerts.yml')]);
    try {
      await until('every target up', () => prom.query('up == 1'), (r) => r.length === plan.hosts.length + 1);
      // Seen once by Prometheus, the drop counter then grows: "increase over the range" has data.
      await until('drops scraped', () => prom.query('vxvem_drops_total{reason="inner_malformed"}'), (r) => r.length > 0);
      sendBad();
      // The dashboard's VEM variable is label_values(vxvem_agent_info, instance): one per host.
      const info = await until('agent info', () => prom.query('vxvem_agent_info'), (r) => r.length === plan.hosts.length);
      expect(info.map((x) => x.metric.instance).sort()).toEqual(plan.hosts.map((h) => h.metrics).sort());
      for (const q of dashboardQueries()) await until(`panel "${q.panel}": ${q.expr}`, () => prom.query(q.expr), (r) => r.length > 0);
      const rules = await until('rules evaluated', () => prom.rules(), (rs) => rs.length > 0 && rs.every((r) => r.health !== 'unknown'));
      expect(rules.map((r) => r.name)).toEqual(alertNames());
      for (const r of rules) {
        expect(r.health, `${r.name}: ${r.lastError}`).toBe('ok');
        for (const sel of selectors(r.query)) await until(`${r.name}: ${sel}`, () => prom.query(sel), (x) => x.length > 0);
      }
    } finally {
      await prom.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('down removes every namespace, process and pin', () => {
    const r = vxvem('lab', 'down');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/stopped 5 processes, removed 14 namespaces/);
    expect(labNamespaces()).toEqual([]);
    expect(labPins()).toEqual([]);
    expect(existsSync('/run/vxvem/lab')).toBe(false);
    expect(vxvem('lab', 'status').status).toBe(1);
  });

  it('down after a crash that lost the state: found by name and command line', () => {
    expect(vxvem('lab', 'up', '--hosts', '2', '--vms-per-host', '1').status).toBe(0);
    const pids = JSON.parse(readFileSync('/run/vxvem/lab/state.json', 'utf8')) as { pids: { vsm: number; vems: Record<string, number> } };
    for (const pid of [pids.pids.vsm, ...Object.values(pids.pids.vems)]) process.kill(pid, 'SIGKILL');
    execFileSync('rm', ['-rf', '/run/vxvem/lab']);
    const st = vxvem('lab', 'status');
    expect(st.status).toBe(1);
    expect(st.stdout).toMatch(/lab namespaces exist/);
    const r = vxvem('lab', 'down');
    expect(r.stdout).toMatch(/stopped 1 processes, removed 9 namespaces and 2 pinned dataplanes/); // smcroute; killed agents left their pins
    expect(labNamespaces()).toEqual([]);
    expect(labPins()).toEqual([]);
    expect(spawnSync('pgrep', ['-f', 'smcrouted.*-i vxlab']).status).toBe(1);
  }, 120_000);

  // What `make demo` runs (the same lab names: so it lives in this file, after the others).
  it('demo: every check passes and nothing is left behind', () => {
    const r = vxvem('demo');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/12 of 12 checks passed\./);
    expect(r.stdout).toMatch(/ok {3}tagged ping h1-trunk \(VLAN 10, 198\.51\.100\.100\) -> h2-vm1 \(198\.51\.100\.17\): reply from 198\.51\.100\.17 \(02:00:00:00:02:01\) tagged 10/);
    expect(r.stdout).toMatch(/iperf3 h1-vm1 -> h2-vm1, 3 s: [\d.]+ Gbit\/s/);
    expect(r.stdout).toMatch(/vxvem_vni_packets_total\{vni="10020",direction="tx"\} [1-9]/);
    expect(labNamespaces()).toEqual([]);
    expect(labPins()).toEqual([]);
  }, 180_000);
});

// QEMU guests on taps (TCG on this machine: each keeps a CPU busy while it boots, so two).
describe('lab up --guests qemu', () => {
  const qemuPids = (): string[] => (spawnSync('pgrep', ['-f', 'qemu-system.* -name vxlab-'], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean);
  /** Tap devices of every namespace: the root one's (`ip -o link`) and whatever lab namespace is left. */
  const taps = (): string[] => [undefined, ...labNamespaces()].flatMap((ns) => execFileSync('ip', [...(ns ? ['-n', ns] : []), '-o', 'link', 'show', 'type', 'tun'], { encoding: 'utf8' }).split('\n').filter(Boolean));
  const tapsBefore = taps();
  const guestPlan = labPlan({ hosts: 2, vmsPerHost: 1, vtepsPerHost: 1, guests: 'qemu' });
  const addr = (name: string) => guestPlan.vms.find((v) => v.name === name)!.address;

  it('down after the lab command was killed with SIGKILL while its guests booted, its state lost: no QEMU, tap or namespace left', async () => {
    const up = spawn('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'lab', 'up', '--hosts', '2', '--vms-per-host', '1', '--guests', 'qemu'], { stdio: 'ignore' });
    const exited = new Promise((r) => up.once('exit', r));
    await until('a lab QEMU runs', async () => qemuPids(), (p) => p.length > 0, 60_000);
    up.kill('SIGKILL');
    await exited;
    // And the state is lost too: QEMU is found by its command line (-name vxlab-VM).
    execFileSync('rm', ['-rf', '/run/vxvem/lab']);
    const r = vxvem('lab', 'down');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(qemuPids()).toEqual([]);
    expect(labNamespaces()).toEqual([]);
    expect(taps()).toEqual(tapsBefore);
  }, 120_000);

  it('up: the guests get their address and MTU 1450 by DHCP and ping across hosts', async () => {
    const r = vxvem('lab', 'up', '--hosts', '2', '--vms-per-host', '1', '--guests', 'qemu');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(qemuPids()).toHaveLength(2);
    // Neither guest has an address on its kernel command line: DHCP gave it.
    expect(execFileSync('ps', ['-o', 'args=', '-p', qemuPids().join(',')], { encoding: 'utf8' })).not.toMatch(/vx\.addr/);
    for (const [vm, other] of [['h1-vm1', 'h2-vm1'], ['h2-vm1', 'h1-vm1']] as const) {
      await until(`${vm} has its lease`, async () => vxvem('lab', 'exec', vm, 'ip -o -4 addr show dev eth0; cat /sys/class/net/eth0/mtu').stdout,
        (out) => out.includes(`inet ${addr(vm)}/25`) && /^1450$/m.test(out), 30_000);
      const ping = vxvem('lab', 'exec', vm, `ping -c 2 -W 3 ${addr(other)}`);
      expect(ping.status, ping.stdout).toBe(0);
    }
    expect(vxvem('lab', 'exec', 'h1-vl', `ping -c 1 -W 2 ${addr('h2-vl')}`).status).toBe(0); // the rest are namespaces
    const st = vxvem('lab', 'status', '--json');
    expect(st.status, st.stdout).toBe(0);
    const s = JSON.parse(st.stdout) as { guests: Record<string, { alive: boolean; address: string; mtu: string; tap: string }> };
    expect(Object.keys(s.guests).sort()).toEqual(['h1-vm1', 'h2-vm1']);
    for (const [name, g] of Object.entries(s.guests)) expect([g.alive, g.address, g.mtu, g.tap.length]).toEqual([true, `${addr(name)}/25`, '1450', 14]);
    expect(vxvem('lab', 'status').stdout).toMatch(/h1-vm1 +qemu pid \d+ +h1 +tap[0-9a-f-]{11} +web \(10010, unicast\) +198\.51\.100\.9\/25 \(DHCP, MTU 1450\)/);
  }, 180_000);

  it('down: no QEMU, tap or namespace left', () => {
    const r = vxvem('lab', 'down');
    expect(r.stdout).toMatch(/stopped 6 processes, removed 7 namespaces/); // 2 VEMs, VSM, smcroute, 2 QEMUs; ul, rt, 2 hosts, 3 VLAN VMs
    expect(qemuPids()).toEqual([]);
    expect(labNamespaces()).toEqual([]);
    expect(labPins()).toEqual([]);
    expect(taps()).toEqual(tapsBefore);
  }, 60_000);

  it('demo --guests qemu: the same checks pass with h1-vm1 and h2-vm1 as guests; TCP between them', () => {
    const r = vxvem('demo', '--guests', 'qemu');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/12 of 12 checks passed\./);
    expect(r.stdout).toMatch(/ok {3}ping h1-vm1 -> h2-vm1 \(198\.51\.100\.17\): 4\/4 replies/);
    expect(r.stdout).toMatch(/ok {3}TCP \(busybox nc, 8 MB\) h1-vm1 -> h2-vm1: \d+ Mbit\/s \(8388608 bytes/);
    expect(qemuPids()).toEqual([]);
    expect(labNamespaces()).toEqual([]);
    expect(taps()).toEqual(tapsBefore);
  }, 180_000);
});
