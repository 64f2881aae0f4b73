// Flood replication: broadcast frames from one VM into a unicast-only segment with N remote
// VTEPs (16 and 64), vxvem's head-end replication against the kernel vxlan's all-zeros FDB
// entries, in the same run. The N VTEPs are N addresses on one receiving host, which counts
// the copies it gets (IP InReceives). Copies per second, medians of interleaved rounds.
//
//   npx tsx bench/flood.ts [--quick] [--rounds N]
import { pathToFileURL } from 'node:url';
import { Netns, vethPair } from '../testbed/netns.js';
import { arpRequest } from '../testbed/packets.js';
import { benchOptions, ipInReceives, kernelBridge, median, sleep, startAgent, trafgen, writeResults, type BenchOptions } from './lib.js';

const remotes = (n: number) => Array.from({ length: n }, (_, i) => `192.0.2.${100 + i}`);

async function measure(mode: 'kernel' | 'vxvem', n: number, tag: string, o: BenchOptions): Promise<number> {
  const vm1 = Netns.create(`${tag}-vm1`);
  const h1 = Netns.create(`${tag}-h1`);
  const rx = Netns.create(`${tag}-rx`);
  let stopAgent: (() => Promise<void>) | undefined;
  try {
    vm1.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    vethPair(h1, 'vnet0', vm1, 'eth0');
    vethPair(h1, 'up0', rx, 'up0', { mtu: 1550 });
    h1.ip('addr', 'add', '192.0.2.11/24', 'dev', 'up0');
    for (const a of remotes(n)) rx.ip('addr', 'add', `${a}/24`, 'dev', 'up0');
    rx.exec('sysctl', ['-qw', 'net.ipv4.icmp_ratelimit=1000000000']);
    if (mode === 'kernel') {
      h1.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '5000', 'local', '192.0.2.11', 'dstport', '4789', 'dev', 'up0');
      kernelBridge(h1);
      for (const d of ['vx0', 'vnet0']) h1.ip('link', 'set', d, 'master', 'br0');
      for (const d of ['vx0', 'br0']) h1.ip('link', 'set', d, 'up');
      for (const a of remotes(n)) h1.exec('bridge', ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', a]);
    } else {
      stopAgent = await startAgent(h1, {
        vteps: [{ interface: 'up0', address: '192.0.2.11/24' }],
        segments: [{ vni: 5000, mode: 'unicast', floodList: remotes(n) }],
        ports: [{ interface: 'vnet0', vni: 5000 }],
      });
    }
    // Resolve every remote first (the kernel ARPs on demand; vxvem's agent resolved them at start).
    for (const a of remotes(n)) h1.exec('ping', ['-c', '1', '-W', '1', a]);
    const frame = arpRequest('02:00:00:00:00:01', '198.51.100.1', '198.51.100.99');
    const before = ipInReceives(rx);
    const secs = await trafgen(vm1, 'eth0', frame, o.secs, false);
    await sleep(200);
    return Math.round((ipInReceives(rx) - before) / secs);
  } finally {
    await stopAgent?.();
    for (const ns of [vm1, h1, rx]) ns.delete();
  }
}

export interface FloodRow {
  vteps: number;
  kernel: number;
  vxvem: number;
  ratio: number;
}

export async function runFlood(o: BenchOptions): Promise<{ rows: FloodRow[]; markdown: string }> {
  const rows: FloodRow[] = [];
  for (const n of [16, 64]) {
    const s: Record<'kernel' | 'vxvem', number[]> = { kernel: [], vxvem: [] };
    for (let r = 0; r < o.rounds; r++) {
      for (const mode of ['kernel', 'vxvem'] as const) {
        const v = await measure(mode, n, `vxf${process.pid}${mode[0]}${n}r${r}`, o);
        s[mode].push(v);
        console.error(`flood to ${n} VTEPs, round ${r + 1}/${o.rounds}, ${mode}: ${v} copies/s`);
      }
    }
    rows.push({ vteps: n, kernel: median(s.kernel), vxvem: median(s.vxvem), ratio: +(median(s.vxvem) / median(s.kernel)).toFixed(2) });
  }
  const markdown = [
    `Broadcast into a unicast-only segment, copies/s at the receiving host, medians of ${o.rounds} round(s).`,
    '',
    '| remote VTEPs | kernel | vxvem | vxvem / kernel |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.vteps} | ${r.kernel} | ${r.vxvem} | ${r.ratio} |`),
  ].join('\n');
  return { rows, markdown };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const o = benchOptions();
  const { rows, markdown } = await runFlood(o);
  writeResults('flood', { date: new Date().toISOString(), options: o, rows }, `# Flood replication\n\n${markdown}\n`);
  console.log(markdown);
}
