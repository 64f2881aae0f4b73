// The end-to-end measurements, from VM1's side. What happens at VM2 goes through `Far`: a local
// namespace on the veth harness, the other machine's bench server on real hosts.
import { spawnSync } from 'node:child_process';
import type { Netns } from '../testbed/netns.js';
import { bpfRunNs, cpuBusyNs, setBpfStats, ipInReceives, median, sleep, trafgen, type BenchOptions } from './lib.js';
import { MODES, VMS, type Mode } from './e2e-side.js';

export interface Far {
  /** IPv4 packets that reached VM2's IP stack so far. */
  received(): Promise<number>;
  /** Starts a one-shot iperf3 server in VM2 and resolves once it listens. */
  iperfServer(secs: number): Promise<void>;
  /** Busy CPU ns of VM2's machine so far; undefined when it is this machine. */
  cpuNs(): Promise<number | undefined>;
  /** Silences VM2's ICMP port-unreachable replies to the UDP flood. */
  quiet(): Promise<void>;
  /** Run time so far (ns) of the BPF programs attached on VM2's host (bpfRunNs). */
  bpfRunNs(): Promise<number>;
  /** Switches BPF run-time statistics on VM2's machine. */
  bpfStats(on: boolean): Promise<void>;
}

/** A Far that is a namespace on this machine. */
export function localFar(vm2: Netns, h2: Netns): Far {
  return {
    received: async () => ipInReceives(vm2),
    iperfServer: async (secs) => void vm2.exec('timeout', [String(secs + 20), 'iperf3', '-s', '-D', '-1', '-B', VMS[1].addr]),
    cpuNs: async () => undefined,
    quiet: async () => void vm2.exec('sysctl', ['-qw', 'net.ipv4.icmp_ratelimit=1000000000']),
    bpfRunNs: async () => bpfRunNs(h2.path),
    bpfStats: async () => undefined, // the same machine: setBpfStats covers it
  };
}

export interface PpsResult {
  pps: number;
  /** Busy CPU per delivered packet: this machine (both sides on veth) and, on two hosts, the receiver's. */
  cpuNsPerPacket: number;
  receiverCpuNsPerPacket?: number;
  /** BPF program run time per delivered packet on each side (0 for the kernel's vxlan). */
  bpfTxNsPerPacket: number;
  bpfRxNsPerPacket: number;
}

/** 64-byte UDP frames VM1 -> VM2 from trafgen: delivered pps at VM2's IP layer and CPU per packet. */
export async function pps(vm1: Netns, h1: Netns, far: Far, frame: Buffer, o: BenchOptions, perCpu: boolean, withBpfStats = false): Promise<PpsResult> {
  await far.quiet();
  if (withBpfStats) {
    setBpfStats(true);
    await far.bpfStats(true);
  }
  try {
    return await ppsRun(vm1, h1, far, frame, o, perCpu);
  } finally {
    if (withBpfStats) {
      setBpfStats(false);
      await far.bpfStats(false);
    }
  }
}

async function ppsRun(vm1: Netns, h1: Netns, far: Far, frame: Buffer, o: BenchOptions, perCpu: boolean): Promise<PpsResult> {
  const before = await far.received();
  const [tx0, rx0] = [bpfRunNs(h1.path), await far.bpfRunNs()];
  const cpu0 = cpuBusyNs();
  const farCpu0 = await far.cpuNs();
  let secs: number;
  try {
    secs = await trafgen(vm1, 'eth0', frame, o.secs, perCpu);
  } catch (e) {
    // e.g. the XDP row on veth: GRO on the VM side gives trafgen's TX ring EAGAIN under load.
    console.error(`  pps: ${(e as Error).message}`);
    return { pps: 0, cpuNsPerPacket: 0, bpfTxNsPerPacket: 0, bpfRxNsPerPacket: 0 };
  }
  const cpu = cpuBusyNs() - cpu0;
  const farCpu1 = await far.cpuNs();
  await sleep(200);
  const delivered = Math.max(1, (await far.received()) - before);
  const [tx1, rx1] = [bpfRunNs(h1.path), await far.bpfRunNs()];
  const r: PpsResult = {
    pps: Math.round(delivered / secs), cpuNsPerPacket: Math.round(cpu / delivered),
    bpfTxNsPerPacket: Math.round((tx1 - tx0) / delivered), bpfRxNsPerPacket: Math.round((rx1 - rx0) / delivered),
  };
  if (farCpu0 !== undefined && farCpu1 !== undefined) r.receiverCpuNsPerPacket = Math.round((farCpu1 - farCpu0) / delivered);
  return r;
}

export async function tcp(vm1: Netns, far: Far, o: BenchOptions, streams: number): Promise<{ gbps: number; retransmits: number }> {
  const secs = Math.max(2, o.secs);
  try {
    // A one-shot server per test; every step is bounded so a broken path costs a zero, not a hang.
    await far.iperfServer(secs);
    const out = JSON.parse(vm1.exec('timeout', [String(secs + 15), 'iperf3', '-c', VMS[1].addr, '-t', String(secs), '-P', String(streams), '-J', '--connect-timeout', '3000'])) as {
      end: { sum_received: { bits_per_second: number }; sum_sent: { retransmits: number } };
    };
    return { gbps: +(out.end.sum_received.bits_per_second / 1e9).toFixed(2), retransmits: out.end.sum_sent.retransmits };
  } catch (e) {
    console.error(`  tcp ${streams} stream(s) failed: ${(e as Error).message.split('\n')[0]}`);
    return { gbps: 0, retransmits: 0 };
  }
}

export function latency(vm1: Netns, o: BenchOptions): { p50us: number; p99us: number } {
  const r = spawnSync('nsenter', [`--net=${vm1.path}`, 'ping', '-c', o.quick ? '200' : '1000', '-i', '0.002', '-w', '20', VMS[1].addr], { encoding: 'utf8' });
  const t = r.stdout.split('\n').map((l) => /time=([\d.]+) ms/.exec(l)?.[1]).filter((x): x is string => !!x).map((x) => Number(x) * 1000).sort((a, b) => a - b);
  if (!t.length) return { p50us: 0, p99us: 0 }; // a broken path: zeros, as for the other figures
  return { p50us: Math.round(t[Math.floor(t.length / 2)]!), p99us: Math.round(t[Math.floor(t.length * 0.99)]!) };
}

/** Every measurement of one mode in one round, added to `add`. */
export async function measureAll(vm1: Netns, h1: Netns, far: Far, frame: Buffer, o: BenchOptions, add: (k: string, v: number) => void): Promise<void> {
  const pinned = await pps(vm1, h1, far, frame, o, false);
  add('pps_pinned', pinned.pps);
  add('cpu_ns_per_packet', pinned.cpuNsPerPacket);
  if (pinned.receiverCpuNsPerPacket !== undefined) add('receiver_cpu_ns_per_packet', pinned.receiverCpuNsPerPacket);
  // A run of its own with the kernel's per-program statistics on (they slow every program).
  const stats = await pps(vm1, h1, far, frame, o, false, true);
  add('bpf_tx_ns_per_packet', stats.bpfTxNsPerPacket);
  add('bpf_rx_ns_per_packet', stats.bpfRxNsPerPacket);
  add('pps_per_cpu', (await pps(vm1, h1, far, frame, o, true)).pps);
  const t1 = await tcp(vm1, far, o, 1);
  add('tcp1_gbps', t1.gbps);
  add('tcp1_retransmits', t1.retransmits);
  add('tcp4_gbps', (await tcp(vm1, far, o, 4)).gbps);
  const l = latency(vm1, o);
  add('rr_p50_us', l.p50us);
  add('rr_p99_us', l.p99us);
}

export interface E2eRow {
  metric: string;
  values: Record<Mode, number>;
  /** Per mode: value / kernel and value / floor. */
  vsKernel: Record<Mode, number | null>;
  ofFloor: Record<Mode, number | null>;
}

export type Samples = Record<Mode, Record<string, number[]>>;

export const emptySamples = (): Samples => Object.fromEntries(MODES.map((m) => [m, {}])) as Samples;

/** Medians per metric and mode, their ratios, and the markdown table. */
export function summarise(samples: Samples, title: string): { rows: E2eRow[]; markdown: string } {
  const ratio = (a: number, b: number): number | null => (b === 0 ? null : +(a / b).toFixed(2));
  const rows: E2eRow[] = Object.keys(samples.kernel).map((metric) => {
    const values = Object.fromEntries(MODES.map((m) => [m, median(samples[m][metric] ?? [0])])) as Record<Mode, number>;
    return {
      metric,
      values,
      vsKernel: Object.fromEntries(MODES.map((m) => [m, ratio(values[m], values.kernel)])) as Record<Mode, number | null>,
      ofFloor: Object.fromEntries(MODES.map((m) => [m, ratio(values[m], values.floor)])) as Record<Mode, number | null>,
    };
  });
  const cell = (r: E2eRow, m: Mode) => (m === 'kernel' || m === 'floor' ? `${r.values[m]}` : `${r.values[m]} (${r.vsKernel[m] ?? '-'}x, ${r.ofFloor[m] ?? '-'} of floor)`);
  const markdown = [
    title,
    'Cells: value (ratio to the kernel, fraction of the floor).',
    '',
    `| metric | ${MODES.join(' | ')} |`,
    `|---|${MODES.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.metric} | ${MODES.map((m) => cell(r, m)).join(' | ')} |`),
  ].join('\n');
  return { rows, markdown };
}
