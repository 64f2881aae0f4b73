// End-to-end VM-to-VM benchmark across two hosts over a veth underlay. Every switch is measured
// in the same run, interleaved, over several rounds; medians are reported:
//   kernel      the kernel's vxlan + Linux bridge on both hosts
//   vxvem       the standalone VEM on both hosts (TC both ways)
//   vxvem-xdp   the same with XDP decap on the uplinks (VM side: GRO on, tx checksum off)
//   vxvem-csum  the same with valid outer UDP checksums (encapsulation by the kernel device)
//   floor       no switch at all: a TC program redirecting port <-> uplink, the harness's cost
// Everything runs in network namespaces made here and removed afterwards.
//
//   npx tsx bench/e2e.ts [--quick] [--rounds N] [--gro]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Netns, vethPair } from '../test/helpers/netns.js';
import { eth, ipv4, udp } from '../test/helpers/packets.js';
import { REPO, benchOptions, cpuBusyNs, ipInReceives, median, sleep, startAgent, trafgen, writeResults, type BenchOptions } from './lib.js';

export const MODES = ['kernel', 'vxvem', 'vxvem-xdp', 'vxvem-csum', 'floor'] as const;
type Mode = (typeof MODES)[number];
const VM1 = '02:00:00:00:00:01';
const VM2 = '02:00:00:00:00:02';
const H1 = '192.0.2.11';
const H2 = '192.0.2.12';

interface Bed {
  vm1: Netns; h1: Netns; h2: Netns; vm2: Netns;
  stop: () => Promise<void>;
}

function buildBase(tag: string, o: BenchOptions): Omit<Bed, 'stop'> {
  const [vm1, h1, h2, vm2] = ['vm1', 'h1', 'h2', 'vm2'].map((n) => Netns.create(`${tag}-${n}`)) as [Netns, Netns, Netns, Netns];
  for (const vm of [vm1, vm2]) vm.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  vethPair(h1, 'vnet0', vm1, 'eth0');
  vethPair(h2, 'vnet0', vm2, 'eth0');
  vethPair(h1, 'up0', h2, 'up0', { mtu: 1550 });
  for (const [vm, mac, addr, peer, peerMac] of [[vm1, VM1, '198.51.100.1', '198.51.100.2', VM2], [vm2, VM2, '198.51.100.2', '198.51.100.1', VM1]] as const) {
    vm.ip('link', 'set', 'eth0', 'address', mac);
    vm.ip('addr', 'add', `${addr}/24`, 'dev', 'eth0');
    vm.ip('neigh', 'replace', peer, 'lladdr', peerMac, 'dev', 'eth0', 'nud', 'permanent');
  }
  h1.ip('addr', 'add', `${H1}/24`, 'dev', 'up0');
  h2.ip('addr', 'add', `${H2}/24`, 'dev', 'up0');
  if (o.gro) for (const h of [h1, h2]) h.exec('ethtool', ['-K', 'up0', 'gro', 'on']);
  return { vm1, h1, h2, vm2 };
}

function kernelSwitch(h: Netns, self: string, peer: string): void {
  h.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '5000', 'local', self, 'remote', peer, 'dstport', '4789', 'dev', 'up0');
  h.ip('link', 'add', 'br0', 'type', 'bridge');
  for (const d of ['vx0', 'vnet0']) h.ip('link', 'set', d, 'master', 'br0');
  for (const d of ['vx0', 'br0']) h.ip('link', 'set', d, 'up');
}

const vemConfig = (self: string, peer: string, peerVm: string, extra: { xdp?: boolean; udpChecksum?: boolean }) => ({
  vteps: [{ interface: 'up0', address: `${self}/24`, xdp: extra.xdp ?? false }],
  segments: [{ vni: 5000, mode: 'unicast', floodList: [peer] }],
  ports: [{ interface: 'vnet0', vni: 5000 }],
  staticMacs: [{ vni: 5000, mac: peerVm, vtep: peer }],
  udpChecksum: extra.udpChecksum ?? false,
});

async function build(mode: Mode, tag: string, o: BenchOptions): Promise<Bed> {
  const b = buildBase(tag, o);
  const destroy = () => [b.vm1, b.h1, b.h2, b.vm2].forEach((n) => n.delete());
  try {
    if (mode === 'kernel') {
      kernelSwitch(b.h1, H1, H2);
      kernelSwitch(b.h2, H2, H1);
      return { ...b, stop: async () => destroy() };
    }
    if (mode === 'floor') {
      for (const h of [b.h1, b.h2]) h.exec('node', ['--import', 'tsx', join(REPO, 'bench', 'floor-attach.ts')]);
      return { ...b, stop: async () => destroy() };
    }
    const extra = { xdp: mode === 'vxvem-xdp', udpChecksum: mode === 'vxvem-csum' };
    if (extra.xdp) {
      // veth takes XDP-redirected frames only with GRO on the VM side, and cannot finish a
      // checksum offloaded by its peer once the frame went through XDP (TOOLCHAIN.md).
      for (const vm of [b.vm1, b.vm2]) vm.exec('ethtool', ['-K', 'eth0', 'gro', 'on', 'tx', 'off']);
    }
    const stops = [await startAgent(b.h1, vemConfig(H1, H2, VM2, extra)), await startAgent(b.h2, vemConfig(H2, H1, VM1, extra))];
    return { ...b, stop: async () => { for (const s of stops) await s(); destroy(); } };
  } catch (e) {
    destroy();
    throw e;
  }
}

/** 64-byte UDP frames VM1 -> VM2: delivered pps at VM2's IP layer, and machine CPU per packet. */
async function pps(bed: Bed, o: BenchOptions, perCpu: boolean): Promise<{ pps: number; cpuNsPerPacket: number }> {
  const frame = eth(VM2, VM1, 0x0800, ipv4({ src: '198.51.100.1', dst: '198.51.100.2', proto: 17 }, udp(9, 9, Buffer.alloc(18))));
  // VM2 has no socket on port 9: a rate-limit interval of days silences its ICMP errors.
  bed.vm2.exec('sysctl', ['-qw', 'net.ipv4.icmp_ratelimit=1000000000']);
  const before = ipInReceives(bed.vm2);
  const cpu0 = cpuBusyNs();
  let secs: number;
  try {
    secs = await trafgen(bed.vm1, 'eth0', frame, o.secs, perCpu);
  } catch (e) {
    // e.g. the XDP row on veth: GRO on the VM side gives trafgen's TX ring EAGAIN under load.
    console.error(`  pps: ${(e as Error).message}`);
    return { pps: 0, cpuNsPerPacket: 0 };
  }
  const cpu = cpuBusyNs() - cpu0;
  await sleep(200);
  const delivered = ipInReceives(bed.vm2) - before;
  return { pps: Math.round(delivered / secs), cpuNsPerPacket: Math.round(cpu / Math.max(1, delivered)) };
}

function tcp(bed: Bed, o: BenchOptions, streams: number): { gbps: number; retransmits: number } {
  const secs = Math.max(2, o.secs);
  // A one-shot server per test; every step is bounded so a broken path costs a zero, not a hang.
  bed.vm2.exec('timeout', [String(secs + 20), 'iperf3', '-s', '-D', '-1', '-B', '198.51.100.2']);
  try {
    const out = JSON.parse(bed.vm1.exec('timeout', [String(secs + 15), 'iperf3', '-c', '198.51.100.2', '-t', String(secs), '-P', String(streams), '-J', '--connect-timeout', '3000'])) as {
      end: { sum_received: { bits_per_second: number }; sum_sent: { retransmits: number } };
    };
    return { gbps: +(out.end.sum_received.bits_per_second / 1e9).toFixed(2), retransmits: out.end.sum_sent.retransmits };
  } catch (e) {
    console.error(`  tcp ${streams} stream(s) failed: ${(e as Error).message.split('\n')[0]}`);
    return { gbps: 0, retransmits: 0 };
  }
}

function latency(bed: Bed, o: BenchOptions): { p50us: number; p99us: number } {
  const lines = bed.vm1.exec('ping', ['-c', o.quick ? '200' : '1000', '-i', '0.002', '-w', '20', '198.51.100.2']).split('\n');
  const t = lines.map((l) => /time=([\d.]+) ms/.exec(l)?.[1]).filter((x): x is string => !!x).map((x) => Number(x) * 1000).sort((a, b) => a - b);
  return { p50us: Math.round(t[Math.floor(t.length / 2)]!), p99us: Math.round(t[Math.floor(t.length * 0.99)]!) };
}

export interface E2eRow {
  metric: string;
  values: Record<Mode, number>;
  /** Per mode: value / kernel and value / floor. */
  vsKernel: Record<Mode, number | null>;
  ofFloor: Record<Mode, number | null>;
}

export async function runE2e(o: BenchOptions): Promise<{ rows: E2eRow[]; markdown: string }> {
  const samples = Object.fromEntries(MODES.map((m) => [m, {} as Record<string, number[]>])) as Record<Mode, Record<string, number[]>>;
  const add = (m: Mode, k: string, v: number) => (samples[m][k] ??= []).push(v);
  for (let r = 0; r < o.rounds; r++) {
    for (const mode of MODES) {
      const bed = await build(mode, `vxb${process.pid}${MODES.indexOf(mode)}${r}`, o);
      try {
        bed.vm1.exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', '198.51.100.2']);
        console.error(`e2e round ${r + 1}/${o.rounds} ${mode}: measuring`);
        const pinned = await pps(bed, o, false);
        add(mode, 'pps_pinned', pinned.pps);
        add(mode, 'cpu_ns_per_packet', pinned.cpuNsPerPacket);
        add(mode, 'pps_per_cpu', (await pps(bed, o, true)).pps);
        const t1 = tcp(bed, o, 1);
        add(mode, 'tcp1_gbps', t1.gbps);
        add(mode, 'tcp1_retransmits', t1.retransmits);
        add(mode, 'tcp4_gbps', tcp(bed, o, 4).gbps);
        const l = latency(bed, o);
        add(mode, 'rr_p50_us', l.p50us);
        add(mode, 'rr_p99_us', l.p99us);
        console.error(`e2e round ${r + 1}/${o.rounds} ${mode}: ${pinned.pps} pps, ${t1.gbps} Gbit/s`);
      } finally {
        await bed.stop();
      }
    }
  }
  const ratio = (a: number, b: number): number | null => (b === 0 ? null : +(a / b).toFixed(2));
  const rows: E2eRow[] = Object.keys(samples.kernel).map((metric) => {
    const values = Object.fromEntries(MODES.map((m) => [m, median(samples[m][metric]!)])) as Record<Mode, number>;
    return {
      metric,
      values,
      vsKernel: Object.fromEntries(MODES.map((m) => [m, ratio(values[m], values.kernel)])) as Record<Mode, number | null>,
      ofFloor: Object.fromEntries(MODES.map((m) => [m, ratio(values[m], values.floor)])) as Record<Mode, number | null>,
    };
  });
  const cell = (r: E2eRow, m: Mode) => (m === 'kernel' || m === 'floor' ? `${r.values[m]}` : `${r.values[m]} (${r.vsKernel[m] ?? '-'}x, ${r.ofFloor[m] ?? '-'} of floor)`);
  const markdown = [
    `VM to VM across two hosts (veth underlay${o.gro ? ', GRO on' : ''}), medians of ${o.rounds} round(s), ${o.secs} s per run.`,
    'Cells: value (ratio to the kernel, fraction of the floor).',
    '',
    `| metric | ${MODES.join(' | ')} |`,
    `|---|${MODES.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.metric} | ${MODES.map((m) => cell(r, m)).join(' | ')} |`),
  ].join('\n');
  return { rows, markdown };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const o = benchOptions();
  const { rows, markdown } = await runE2e(o);
  writeResults(o.gro ? 'e2e-gro' : 'e2e', { date: new Date().toISOString(), options: o, rows }, `# End to end\n\n${markdown}\n`);
  console.log(markdown);
}
