// Shared pieces of the benchmarks: command-line options, a VEM agent started inside a host
// namespace, trafgen runs, and the counters the figures come from.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { native } from '../native/index.js';
import { Dataplane } from '../src/maps/dataplane.js';
import { packageRoot } from '../src/common/package.js';
import type { Netns } from '../testbed/netns.js';

export const REPO = packageRoot();

export interface BenchOptions {
  quick: boolean;
  rounds: number;
  /** Seconds per timed run. */
  secs: number;
  /** GRO on the underlay veths (real NICs have it on). */
  gro: boolean;
  /** The underlay veths segment what they send, as a NIC's TSO does before the wire (wireLike). */
  wire: boolean;
}

export function benchOptions(argv = process.argv.slice(2)): BenchOptions {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--rounds');
  const rounds = at >= 0 ? Number(argv[at + 1]) : quick ? 1 : 3;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds N: a positive integer');
  return { quick, rounds, secs: quick ? 1 : 4, gro: argv.includes('--gro'), wire: argv.includes('--wire') };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const tmp = mkdtempSync(join(tmpdir(), 'vxvem-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

export function tmpFile(name: string, content: string): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

/**
 * A Linux bridge for the kernel rows, with bridge netfilter off in its namespace. When
 * br_netfilter is loaded (by anything on the machine), every bridged frame otherwise takes the
 * iptables hooks and a route lookup (br_nf_pre_routing): vxvem's path has no such hook, and the
 * kernel row's figure would depend on what else the machine loaded.
 */
export function kernelBridge(h: Netns, name = 'br0'): void {
  h.ip('link', 'add', name, 'type', 'bridge');
  if (!existsSync('/proc/sys/net/bridge')) return; // br_netfilter not loaded: no hooks to turn off
  h.exec('sysctl', ['-qw', 'net.bridge.bridge-nf-call-iptables=0', 'net.bridge.bridge-nf-call-ip6tables=0', 'net.bridge.bridge-nf-call-arptables=0']);
}

/**
 * Makes a veth uplink send like a NIC onto a wire: segmented to the MTU (a NIC's TSO does it
 * before the wire; a veth otherwise hands a 64 KB super-frame to the other side whole, which no
 * wire carries). Here the segmenting is software, on the sender's CPU, for every row alike.
 */
export function wireLike(h: Netns, dev: string): void {
  h.exec('ethtool', ['-K', dev, 'tso', 'off', 'tx-udp_tnl-segmentation', 'off', 'tx-udp_tnl-csum-segmentation', 'off',
    'tx-udp-segmentation', 'off', 'tx-gso-list', 'off']);
}

/** Starts `vxvem vem` in `h` from `config`; the returned function stops it with --cleanup. */
export async function startAgent(h: Netns, config: unknown): Promise<() => Promise<void>> {
  const cfg = tmpFile(`${h.name}.json`, JSON.stringify(config));
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

/** IPv4 packets that reached a namespace's IP stack (/proc/net/snmp follows the reader's netns). */
export function ipInReceives(ns: Netns): number {
  const lines = ns.exec('cat', ['/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Ip:'));
  return Number(lines[1]!.split(/\s+/)[lines[0]!.split(/\s+/).indexOf('InReceives')]);
}

/** Busy CPU time of the whole machine so far, ns (/proc/stat: all but idle and iowait). */
export function cpuBusyNs(): number {
  const f = execFileSync('cat', ['/proc/stat'], { encoding: 'utf8' }).split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  const hz = 100; // USER_HZ
  return ((user + nice + system + irq + softirq + steal) / hz) * 1e9;
}

/**
 * trafgen in `ns` sending `frame` out of `dev` for `secs` (one pinned worker, or one per CPU).
 * trafgen's per-CPU workers do not all stop on the parent's SIGINT, so every one is killed.
 */
export async function trafgen(ns: Netns, dev: string, frame: Buffer, secs: number, perCpu: boolean): Promise<number> {
  const cfg = tmpFile(`frame-${ns.name}.cfg`, `{ ${[...frame].map((x) => `0x${x.toString(16)}`).join(', ')} }\n`);
  const t0 = process.hrtime.bigint();
  const g = ns.spawn('trafgen', ['-o', dev, '-i', cfg, ...(perCpu ? [] : ['-P', '1']), '-q']);
  let err = '';
  g.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise((r) => g.once('exit', r)); // listening from the start: it may die early
  await sleep(secs * 1000);
  if (g.exitCode !== null || g.signalCode !== null) throw new Error(`trafgen in ${ns.name} stopped early: ${err.trim()}`);
  try {
    execFileSync('pkill', ['-KILL', '-f', `trafgen -o ${dev} -i ${cfg}`]);
  } catch {
    // already gone
  }
  await exited;
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Results go to bench/results/, or to $VXVEM_BENCH_RESULTS (tests use a temporary directory). */
export function writeResults(name: string, json: unknown, markdown: string): void {
  const dir = process.env.VXVEM_BENCH_RESULTS ?? join(REPO, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(json, null, 2));
  writeFileSync(join(dir, `${name}.md`), markdown);
}

interface NetShow { xdp?: { id?: number; multi_attachments?: { id: number }[] }[]; tc?: { id: number }[] }

/**
 * Run time so far (ns) of every BPF program attached in namespace `nsPath` (TC and XDP), from
 * the kernel's own per-program statistics (statistics must be on: setBpfStats()).
 */
export function bpfRunNs(nsPath: string): number {
  const net = (JSON.parse(execFileSync('nsenter', [`--net=${nsPath}`, 'bpftool', '-j', 'net', 'show'], { encoding: 'utf8' })) as NetShow[])[0] ?? {};
  const ids = new Set<number>();
  for (const x of net.xdp ?? []) for (const id of [x.id, ...(x.multi_attachments ?? []).map((a) => a.id)]) if (id) ids.add(id);
  for (const t of net.tc ?? []) ids.add(t.id);
  let total = 0;
  for (const id of ids) total += (JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show', 'id', String(id)], { encoding: 'utf8' })) as { run_time_ns?: number }).run_time_ns ?? 0;
  return total;
}

let statsFd: number | undefined;

/**
 * Switches the kernel's BPF run-time statistics on (held through an fd, so that nobody else's
 * sysctl switches them off under us) or off. They cost every program two clock reads per run,
 * so they are on only for the run that measures them.
 */
export function setBpfStats(on: boolean): void {
  if (on && statsFd === undefined) statsFd = native().enableRunTimeStats();
  if (!on && statsFd !== undefined) {
    native().closeFd(statsFd);
    statsFd = undefined;
  }
}
