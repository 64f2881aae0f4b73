// End-to-end VM-to-VM benchmark across two hosts over a veth underlay, three switches measured
// in the same run, interleaved, several rounds, medians:
//   kernel - the kernel's vxlan + Linux bridge on both hosts
//   vxvem  - the standalone VEM on both hosts
//   floor  - no switch at all: a TC program redirecting port <-> uplink (the harness's own cost)
// Everything runs in network namespaces made here and removed afterwards.
//
//   npx tsx bench/e2e.ts [--quick] [--rounds N] [--gro]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataplane } from '../src/maps/dataplane.js';
import { Netns, vethPair } from '../test/helpers/netns.js';
import { REPO } from '../test/helpers/bpf.js';
import { eth, ipv4, udp } from '../test/helpers/packets.js';

type Mode = 'kernel' | 'vxvem' | 'floor';
const args = process.argv.slice(2);
const quick = args.includes('--quick');
// GRO on the uplinks (real NICs have it on; veth has it off unless asked): lets the receiving
// host aggregate inner TCP before delivery, for every switch alike.
const gro = args.includes('--gro');
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : quick ? 1 : 3;
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds N: a positive integer');
const SECS = quick ? 2 : 4;
const VM1 = '02:00:00:00:00:01';
const VM2 = '02:00:00:00:00:02';
const tmp = mkdtempSync(join(tmpdir(), 'vxvem-bench-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Bed {
  vm1: Netns; h1: Netns; h2: Netns; vm2: Netns;
  stop: () => Promise<void>;
}

function buildBase(tag: string): Omit<Bed, 'stop'> {
  const vm1 = Netns.create(`${tag}-vm1`);
  const h1 = Netns.create(`${tag}-h1`);
  const h2 = Netns.create(`${tag}-h2`);
  const vm2 = Netns.create(`${tag}-vm2`);
  for (const vm of [vm1, vm2]) vm.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  vethPair(h1, 'vnet0', vm1, 'eth0');
  vethPair(h2, 'vnet0', vm2, 'eth0');
  vethPair(h1, 'up0', h2, 'up0', { mtu: 1550 });
  vm1.ip('link', 'set', 'eth0', 'address', VM1);
  vm2.ip('link', 'set', 'eth0', 'address', VM2);
  vm1.ip('addr', 'add', '198.51.100.1/24', 'dev', 'eth0');
  vm2.ip('addr', 'add', '198.51.100.2/24', 'dev', 'eth0');
  vm1.ip('neigh', 'replace', '198.51.100.2', 'lladdr', VM2, 'dev', 'eth0', 'nud', 'permanent');
  vm2.ip('neigh', 'replace', '198.51.100.1', 'lladdr', VM1, 'dev', 'eth0', 'nud', 'permanent');
  h1.ip('addr', 'add', '192.0.2.11/24', 'dev', 'up0');
  h2.ip('addr', 'add', '192.0.2.12/24', 'dev', 'up0');
  if (gro) for (const h of [h1, h2]) h.exec('ethtool', ['-K', 'up0', 'gro', 'on']);
  return { vm1, h1, h2, vm2 };
}

async function startAgent(h: Netns, self: string, peer: string, peerVm: string): Promise<() => Promise<void>> {
  const cfg = join(tmp, `${h.name}.json`);
  writeFileSync(cfg, JSON.stringify({
    vteps: [{ interface: 'up0', address: `${self}/24` }],
    segments: [{ vni: 5000, mode: 'unicast', floodList: [peer] }],
    ports: [{ interface: 'vnet0', vni: 5000 }],
    staticMacs: [{ vni: 5000, mac: peerVm, vtep: peer }],
  }));
  const instance = h.name;
  const p = spawn('nsenter', [`--net=${h.path}`, 'node', '--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'vem', '--config', cfg, '--instance', instance, '--cleanup'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    p.stderr!.on('data', (d: Buffer) => (log += d.toString()).includes('running from') && resolve());
    p.once('exit', () => reject(new Error(`agent failed: ${log}`)));
  });
  p.removeAllListeners('exit');
  return async () => {
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await done;
    Dataplane.removePins(instance);
  };
}

function kernelSwitch(h: Netns, self: string, peer: string): void {
  h.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '5000', 'local', self, 'remote', peer, 'dstport', '4789', 'dev', 'up0');
  h.ip('link', 'add', 'br0', 'type', 'bridge');
  for (const d of ['vx0', 'vnet0']) h.ip('link', 'set', d, 'master', 'br0');
  for (const d of ['vx0', 'br0']) h.ip('link', 'set', d, 'up');
}

/** The floor program in a host: vnet0 <-> up0 by redirect, attached by a helper inside it. */
function floorSwitch(h: Netns): void {
  h.exec('node', ['--import', 'tsx', join(REPO, 'bench', 'floor-attach.ts')]);
}

async function build(mode: Mode, tag: string): Promise<Bed> {
  const b = buildBase(tag);
  const destroy = () => [b.vm1, b.h1, b.h2, b.vm2].forEach((n) => n.delete());
  if (mode === 'kernel') {
    kernelSwitch(b.h1, '192.0.2.11', '192.0.2.12');
    kernelSwitch(b.h2, '192.0.2.12', '192.0.2.11');
    return { ...b, stop: async () => destroy() };
  }
  if (mode === 'floor') {
    floorSwitch(b.h1);
    floorSwitch(b.h2);
    return { ...b, stop: async () => destroy() };
  }
  const stops = [await startAgent(b.h1, '192.0.2.11', '192.0.2.12', VM2), await startAgent(b.h2, '192.0.2.12', '192.0.2.11', VM1)];
  return { ...b, stop: async () => { for (const s of stops) await s(); destroy(); } };
}

/**
 * IPv4 packets that reached VM2's IP stack (/proc/net/snmp follows the reader's namespace).
 * Interface counters would miss frames delivered with bpf_redirect_peer, which skips the veth.
 */
function ipInReceives(ns: Netns): number {
  const lines = ns.exec('cat', ['/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Ip:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf('InReceives')]);
}

/** Interface counters of `dev` in `ns` (sysfs would show the root namespace's devices). */
function stats(ns: Netns, dev: string): { rx: number; tx: number } {
  const [l] = JSON.parse(ns.ip('-j', '-s', 'link', 'show', 'dev', dev)) as { stats64: { rx: { packets: number }; tx: { packets: number } } }[];
  return { rx: l!.stats64.rx.packets, tx: l!.stats64.tx.packets };
}

/** 64-byte UDP frames VM1 -> VM2 from trafgen; delivered packets per second at VM2. */
async function pps(bed: Bed, workers: 'pinned' | 'per-cpu'): Promise<{ pps: number; sent: number; delivered: number }> {
  const frame = eth(VM2, VM1, 0x0800, ipv4({ src: '198.51.100.1', dst: '198.51.100.2', proto: 17 }, udp(9, 9, Buffer.alloc(18))));
  const cfg = join(tmp, 'frame.cfg');
  writeFileSync(cfg, `{ ${[...frame].map((x) => `0x${x.toString(16)}`).join(', ')} }\n`);
  // VM2 has no socket on port 9: silence its ICMP errors (load on the return path) with a rate
  // limit interval of days.
  bed.vm2.exec('sysctl', ['-qw', 'net.ipv4.icmp_ratelimit=1000000000']);
  const before = ipInReceives(bed.vm2);
  const txBefore = stats(bed.vm1, 'eth0').tx;
  const t0 = process.hrtime.bigint();
  const g = bed.vm1.spawn('trafgen', ['-o', 'eth0', '-i', cfg, ...(workers === 'pinned' ? ['-P', '1'] : []), '-q']);
  await sleep(SECS * 1000);
  const exited = new Promise((r) => g.once('exit', r));
  // trafgen's per-CPU workers do not all stop on the parent's SIGINT: end every one of them.
  execFileSync('pkill', ['-KILL', '-f', `trafgen -o eth0 -i ${cfg}`]);
  await exited;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await sleep(200);
  const delivered = ipInReceives(bed.vm2) - before;
  const sent = stats(bed.vm1, 'eth0').tx - txBefore;
  return { pps: Math.round(delivered / secs), sent, delivered };
}

function tcp(bed: Bed, streams: number): { gbps: number; retransmits: number } {
  bed.vm2.exec('iperf3', ['-s', '-D', '-1', '-B', '198.51.100.2']);
  const out = JSON.parse(bed.vm1.exec('iperf3', ['-c', '198.51.100.2', '-t', String(SECS), '-P', String(streams), '-J'])) as {
    end: { sum_received: { bits_per_second: number }; sum_sent: { retransmits: number } };
  };
  return { gbps: +(out.end.sum_received.bits_per_second / 1e9).toFixed(2), retransmits: out.end.sum_sent.retransmits };
}

function latency(bed: Bed): { p50us: number; p99us: number } {
  const out = bed.vm1.exec('ping', ['-c', quick ? '200' : '1000', '-i', '0.002', '-q', '198.51.100.2', '-W', '1']);
  void out;
  const lines = bed.vm1.exec('ping', ['-c', quick ? '200' : '1000', '-i', '0.002', '198.51.100.2']).split('\n');
  const t = lines.map((l) => /time=([\d.]+) ms/.exec(l)?.[1]).filter((x): x is string => !!x).map((x) => Number(x) * 1000).sort((a, b) => a - b);
  return { p50us: Math.round(t[Math.floor(t.length / 2)]!), p99us: Math.round(t[Math.floor(t.length * 0.99)]!) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const modes: Mode[] = ['kernel', 'vxvem', 'floor'];
  const samples: Record<Mode, Record<string, number[]>> = { kernel: {}, vxvem: {}, floor: {} };
  const add = (m: Mode, k: string, v: number) => (samples[m][k] ??= []).push(v);
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      console.error(`round ${r + 1}/${rounds} ${mode}: building`);
      const bed = await build(mode, `vxb${process.pid}${mode[0]}${r}`);
      try {
        bed.vm1.exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', '198.51.100.2']);
        console.error('  pps (pinned sender)');
        const pinned = await pps(bed, 'pinned');
        add(mode, 'pps_pinned', pinned.pps);
        add(mode, 'loss_pinned', Math.max(0, +(1 - pinned.delivered / Math.max(1, pinned.sent)).toFixed(4)));
        console.error('  pps (a sender per CPU)');
        add(mode, 'pps_per_cpu', (await pps(bed, 'per-cpu')).pps);
        console.error('  tcp');
        const t1 = tcp(bed, 1);
        add(mode, 'tcp1_gbps', t1.gbps);
        add(mode, 'tcp1_retransmits', t1.retransmits);
        add(mode, 'tcp4_gbps', tcp(bed, 4).gbps);
        console.error('  latency');
        const l = latency(bed);
        add(mode, 'rr_p50_us', l.p50us);
        add(mode, 'rr_p99_us', l.p99us);
        console.error(`round ${r + 1}/${rounds} ${mode}: ${pinned.pps} pps pinned, ${t1.gbps} Gbit/s`);
      } finally {
        await bed.stop();
      }
    }
  }
  const metrics = Object.keys(samples.kernel);
  const rows = metrics.map((k) => {
    const med = Object.fromEntries(modes.map((m) => [m, median(samples[m][k]!)])) as Record<Mode, number>;
    const ratio = (a: number, b: number): number | null => (b === 0 ? null : +(a / b).toFixed(2));
    return { metric: k, ...med, vxvemVsKernel: ratio(med.vxvem, med.kernel), vxvemOfFloor: ratio(med.vxvem, med.floor) };
  });
  const extra = rows.find((r) => r.metric === 'pps_pinned')!;
  const usPerPacket = Object.fromEntries(modes.map((m) => [m, +(1e6 / extra[m]).toFixed(2)]));
  const result = { date: new Date().toISOString(), rounds, secondsPerRun: SECS, rows, usPerPacketPinned: usPerPacket, samples };
  mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO, 'bench', 'results', 'e2e.json'), JSON.stringify(result, null, 2));
  const md = [
    `| metric | kernel | vxvem | floor | vxvem / kernel | vxvem / floor |`,
    `|---|---|---|---|---|---|`,
    ...rows.map((r) => `| ${r.metric} | ${r.kernel} | ${r.vxvem} | ${r.floor} | ${r.vxvemVsKernel ?? '-'} | ${r.vxvemOfFloor ?? '-'} |`),
  ].join('\n');
  writeFileSync(join(REPO, 'bench', 'results', 'e2e.md'), `# VM to VM across two hosts (veth underlay), medians of ${rounds} round(s)\n\n${md}\n\nus per packet (pinned sender): ${JSON.stringify(usPerPacket)}\n`);
  console.log(md);
  console.log(`us per packet (pinned sender): ${JSON.stringify(usPerPacket)}`);
}

main().finally(() => rmSync(tmp, { recursive: true, force: true }));
