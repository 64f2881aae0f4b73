// `vxvem demo [--guests qemu] [--keep]`: the tour `make demo` gives a newcomer. Brings a lab up, shows VMs on
// different hosts (and different underlay subnets) talking in both flood modes, over a VLAN and
// through a trunk's subport, measures them with iperf3, prints what the switch learned and
// counted, then takes everything down again.
import { spawn, spawnSync } from 'node:child_process';
import { LAB_DIR, LAB_VSM, labConsoles, down as labDown, up as labUp } from './lab.js';
import { guestTcp, runInVm } from './lab/vm-run.js';
import { UsageError, parsedOf, type Parsed } from './args.js';
import { LAB_VLAN, labPlan, type LabVm } from './lab/plan.js';
import { taggedPing } from './lab/tagged.js';

const say = (s = ''): void => void process.stdout.write(`${s}\n`);
const step = (n: number, s: string): void => say(`\n== ${n}. ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome { what: string; ok: boolean; detail: string }

function inVm(vm: LabVm, cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('nsenter', [`--net=/run/netns/${vm.netns}`, cmd, ...args], { encoding: 'utf8' });
}

/** Guests' consoles by VM name, once the lab is up (`--guests qemu`). */
let consoles: Record<string, string> = {};

async function ping(from: LabVm, to: LabVm): Promise<Outcome> {
  const r = await runInVm(from, consoles, `ping -c 4 -i 0.2 -W 2 ${to.address}`);
  // iputils says "4 received", busybox (the QEMU guests) "4 packets received".
  const got = /(\d+) (?:packets )?received/.exec(r.stdout)?.[1] ?? '0';
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(r.stdout)?.[1];
  return { what: `ping ${from.name} -> ${to.name} (${to.address})`, ok: r.status === 0 && got === '4', detail: `${got}/4 replies${rtt ? `, average ${rtt} ms` : ''}` };
}

async function iperf(from: LabVm, to: LabVm, seconds: number): Promise<Outcome> {
  if (from.qemu || to.qemu) {
    const what = `TCP (busybox nc, 8 MB) ${from.name} -> ${to.name}`;
    const t = await guestTcp(from, to, consoles, 8);
    return { what, ok: t.bytes === 8 << 20, detail: `${((t.bytes * 8) / t.seconds / 1e6).toFixed(0)} Mbit/s (${t.bytes} bytes in ${t.seconds.toFixed(1)} s; QEMU under TCG where there is no usable KVM)` };
  }
  const what = `iperf3 ${from.name} -> ${to.name}, ${seconds} s`;
  const server = spawn('nsenter', [`--net=/run/netns/${to.netns}`, 'iperf3', '-s', '-1', '-B', to.address], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 20; i++) {
      await sleep(150);
      const r = inVm(from, 'iperf3', ['-c', to.address, '-t', String(seconds), '-J']);
      if (r.status !== 0) continue; // the server is not listening yet
      const end = (JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number }; sum_sent: { retransmits: number } } }).end;
      return { what, ok: true, detail: `${(end.sum_received.bits_per_second / 1e9).toFixed(2)} Gbit/s, ${end.sum_sent.retransmits} retransmits` };
    }
    return { what, ok: false, detail: 'no connection' };
  } finally {
    server.kill();
  }
}

async function metricsLines(url: string, prefix: string): Promise<string[]> {
  const text = await (await fetch(url)).text();
  return text.split('\n').filter((l) => l.startsWith(prefix));
}

/** Runs `vxvem show VIEW --FLAG VALUE...` in this process, under the command line it stands for. */
async function show(title: string, view: string, flags: Record<string, string>): Promise<void> {
  say(`\n  $ vxvem show ${view}${Object.entries(flags).map(([k, v]) => ` --${k} ${v}`).join('')}   # ${title}`);
  const { runShow } = await import('./show.js');
  await runShow(parsedOf(flags, [view]));
}

export async function run(p: Parsed): Promise<number> {
  const qemu = p.flags.get('guests') === 'qemu';
  if (p.flags.get('guests') !== undefined && !qemu && p.flags.get('guests') !== 'netns') throw new UsageError('demo: --guests must be netns or qemu');
  const plan = labPlan({ hosts: 3, vmsPerHost: 2, vtepsPerHost: 1, guests: qemu ? 'qemu' : 'netns' });
  const vm = (name: string): LabVm => plan.vms.find((v) => v.name === name)!;
  const results: Outcome[] = [];
  const report = (o: Outcome): void => {
    results.push(o);
    say(`  ${o.ok ? 'ok  ' : 'FAIL'} ${o.what}: ${o.detail}`);
  };
  const t0 = Date.now();
  say('vxvem demo: a VXLAN switch in eBPF, shown on a small data centre made of network namespaces.');
  say('Three hypervisor hosts (h1 and h3 in underlay subnet 192.0.2.0/25, h2 in 192.0.2.128/25, a router');
  say('between them), two VMs on each, and VLAN 100 between h1 and h2 with a trunked VM on h1; a VSM');
  say('supervises, each host runs a VEM agent with the BPF dataplane.');
  say('Nothing leaves the namespaces; everything is removed at the end.');
  if (qemu) say('--guests qemu: h1-vm1 and h2-vm1 are QEMU guests on taps, with their addresses and MTU from DHCP.');

  await labDown();
  let failed = false;
  try {
    step(1, 'bring the lab up');
    await labUp(parsedOf({ hosts: '3', 'vms-per-host': '2', ...(qemu ? { guests: 'qemu' } : {}) }));
    consoles = labConsoles();

    step(2, 'ping between VMs on different hosts: two VXLAN networks, a VLAN and a trunk');
    say('  web (VNI 10010) floods unicast-only: the VEM copies broadcast frames to each remote VTEP itself.');
    say('  db (VNI 10020) floods to multicast group 239.1.0.20, routed across the underlay router.');
    for (const [a, b] of [['h1-vm1', 'h2-vm1'], ['h1-vm1', 'h3-vm1'], ['h3-vm1', 'h2-vm1'], ['h1-vm2', 'h2-vm2'], ['h1-vm2', 'h3-vm2'], ['h3-vm2', 'h2-vm2']] as const) {
      report(await ping(vm(a), vm(b)));
    }
    const across = await ping(vm('h1-vm1'), vm('h2-vm2'));
    report({ what: 'isolation: web VM h1-vm1 must not reach db VM h2-vm2', ok: across.detail.startsWith('0/'), detail: across.detail });

    say(`\n  ${LAB_VLAN.name} is VLAN 100 on physical network physnet1: each host's phy0 meets the others on a plain`);
    say('  bridge, and the VEMs tag and untag the frames themselves (no encapsulation, no VLAN devices).');
    report(await ping(vm('h1-vl'), vm('h2-vl')));
    const trunked = vm('h1-trunk');
    const sub = trunked.trunk!;
    say(`  h1-trunk is a trunk port: untagged it is on ${LAB_VLAN.name}; the frames it tags ${sub.vlan} are on ${sub.network}`);
    say(`  (subport ${trunked.name}.${sub.vlan}, its address ${sub.address}), crossing to h2 over VXLAN and coming back tagged.`);
    report(await ping(trunked, vm('h2-vl')));
    const web = vm('h2-vm1');
    const t = taggedPing(trunked.netns, 'eth0', { vid: sub.vlan, mac: trunked.mac, me: sub.address, peer: web.address });
    report({ what: `tagged ping ${trunked.name} (VLAN ${sub.vlan}, ${sub.address}) -> ${web.name} (${web.address})`, ok: t.ok, detail: t.detail });

    step(3, `TCP throughput between hosts in different subnets (iperf3${qemu ? '; busybox nc in the QEMU guests' : ''})`);
    for (const [a, b] of [['h1-vm1', 'h2-vm1'], ['h1-vm2', 'h2-vm2']] as const) {
      say(`  measuring ${a} -> ${b} ...`);
      report(await iperf(vm(a), vm(b), 3));
    }

    step(4, 'what the dataplane of h1 learned and counted (read from its pinned BPF maps)');
    await show('MAC table: static entries pushed by the VSM, local ones learned', 'macs', { instance: 'lab-h1' });
    await show('per-VNI counters, summed over CPUs', 'counters', { instance: 'lab-h1' });

    step(5, 'what the VSM knows');
    await show('each host\'s designated VTEP and flood list', 'networks', { vsm: LAB_VSM });

    step(6, 'Prometheus metrics');
    const h1 = plan.hosts[0]!;
    say(`  agents: ${plan.hosts.map((h) => `http://${h.metrics}/metrics`).join('  ')}`);
    say(`  VSM:    http://${plan.vsmMetrics}/metrics`);
    for (const l of await metricsLines(`http://${h1.metrics}/metrics`, 'vxvem_vni_packets_total')) say(`  ${l}`);
    for (const l of await metricsLines(`http://${plan.vsmMetrics}/metrics`, 'vxvem_vsm_hosts_connected')) say(`  ${l}`);
  } catch (e) {
    failed = true;
    say(`\nthe demo stopped: ${(e as Error).message}`);
  } finally {
    if (p.flags.get('keep') && !failed) {
      say(`\nthe lab stays up (--keep): explore it (\`vxvem lab status\`), logs in ${LAB_DIR}; \`vxvem lab down\` removes it`);
    } else {
      step(7, 'take everything down');
      await labDown();
    }
  }
  const bad = results.filter((r) => !r.ok);
  say(`\n== summary (${Math.round((Date.now() - t0) / 1000)} s)`);
  say(`  ${results.length - bad.length} of ${results.length} checks passed${bad.length ? `; failed: ${bad.map((b) => b.what).join('; ')}` : ''}${failed ? '; the demo did not finish' : ''}.`);
  for (const r of results.filter((x) => x.what.startsWith('iperf3') || x.what.startsWith('TCP'))) say(`  ${r.what}: ${r.detail}`);
  say('  Next: `vxvem lab up` to keep a lab running, `vxvem help` for every command, README.md for the rest.');
  return bad.length || failed ? 1 : 0;
}
