// Flood replication: broadcast frames from one VM into a unicast-only segment with N remote
// VTEPs (16 and 64), vxvem's head-end replication against the kernel vxlan's all-zeros FDB
// entries, in the same run. The N VTEPs are N addresses on one receiving host, which counts
// the copies it gets (IP InReceives). Copies per second, medians of interleaved rounds.
//
//   npx tsx bench/flood.ts [--quick] [--rounds N]
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataplane } from '../src/maps/dataplane.js';
import { REPO } from '../test/helpers/bpf.js';
import { Netns, vethPair } from '../test/helpers/netns.js';
import { arpRequest } from '../test/helpers/packets.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : quick ? 1 : 3;
const SECS = quick ? 2 : 4;
const tmp = mkdtempSync(join(tmpdir(), 'vxvem-flood-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const remotes = (n: number) => Array.from({ length: n }, (_, i) => `192.0.2.${100 + i}`);

function ipInReceives(ns: Netns): number {
  const lines = ns.exec('cat', ['/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Ip:'));
  return Number(lines[1]!.split(/\s+/)[lines[0]!.split(/\s+/).indexOf('InReceives')]);
}

async function measure(mode: 'kernel' | 'vxvem', n: number, tag: string): Promise<number> {
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
      h1.ip('link', 'add', 'br0', 'type', 'bridge');
      for (const d of ['vx0', 'vnet0']) h1.ip('link', 'set', d, 'master', 'br0');
      for (const d of ['vx0', 'br0']) h1.ip('link', 'set', d, 'up');
      for (const a of remotes(n)) h1.exec('bridge', ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', a]);
    } else {
      const cfg = join(tmp, `${tag}.json`);
      writeFileSync(cfg, JSON.stringify({
        vteps: [{ interface: 'up0', address: '192.0.2.11/24' }],
        segments: [{ vni: 5000, mode: 'unicast', floodList: remotes(n) }],
        ports: [{ interface: 'vnet0', vni: 5000 }],
      }));
      const p = spawn('nsenter', [`--net=${h1.path}`, 'node', '--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'vem', '--config', cfg, '--instance', tag, '--cleanup'], { stdio: ['ignore', 'ignore', 'pipe'] });
      await new Promise<void>((resolve, reject) => {
        let log = '';
        p.stderr!.on('data', (d: Buffer) => (log += d.toString()).includes('running from') && resolve());
        p.once('exit', () => reject(new Error(log)));
      });
      p.removeAllListeners('exit');
      stopAgent = async () => {
        const done = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await done;
        Dataplane.removePins(tag);
      };
    }
    // Resolve every remote first (the kernel ARPs on demand; vxvem's agent resolved them at start).
    for (const a of remotes(n)) h1.exec('ping', ['-c', '1', '-W', '1', a]);
    const frame = arpRequest('02:00:00:00:00:01', '198.51.100.1', '198.51.100.99');
    const cfgFile = join(tmp, `${tag}.cfg`);
    writeFileSync(cfgFile, `{ ${[...frame].map((x) => `0x${x.toString(16)}`).join(', ')} }\n`);
    const before = ipInReceives(rx);
    const t0 = process.hrtime.bigint();
    const g = vm1.spawn('trafgen', ['-o', 'eth0', '-i', cfgFile, '-P', '1', '-q']);
    await sleep(SECS * 1000);
    const exited = new Promise((r) => g.once('exit', r));
    execFileSync('pkill', ['-KILL', '-f', `trafgen -o eth0 -i ${cfgFile}`]);
    await exited;
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    await sleep(200);
    return Math.round((ipInReceives(rx) - before) / secs);
  } finally {
    await stopAgent?.();
    for (const ns of [vm1, h1, rx]) ns.delete();
  }
}

async function main(): Promise<void> {
  const rows: { vteps: number; kernel: number; vxvem: number; ratio: number }[] = [];
  for (const n of [16, 64]) {
    const s: Record<'kernel' | 'vxvem', number[]> = { kernel: [], vxvem: [] };
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['kernel', 'vxvem'] as const) {
        const v = await measure(mode, n, `vxf${process.pid}${mode[0]}${n}r${r}`);
        s[mode].push(v);
        console.error(`flood to ${n} VTEPs, round ${r + 1}/${rounds}, ${mode}: ${v} copies/s`);
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    rows.push({ vteps: n, kernel: med(s.kernel), vxvem: med(s.vxvem), ratio: +(med(s.vxvem) / med(s.kernel)).toFixed(2) });
  }
  mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO, 'bench', 'results', 'flood.json'), JSON.stringify({ date: new Date().toISOString(), rounds, secondsPerRun: SECS, rows }, null, 2));
  const md = ['| remote VTEPs | kernel copies/s | vxvem copies/s | vxvem / kernel |', '|---|---|---|---|', ...rows.map((r) => `| ${r.vteps} | ${r.kernel} | ${r.vxvem} | ${r.ratio} |`)].join('\n');
  writeFileSync(join(REPO, 'bench', 'results', 'flood.md'), `# Flood replication (broadcast, unicast-only segment), medians of ${rounds} round(s)\n\n${md}\n`);
  console.log(md);
}

main().finally(() => rmSync(tmp, { recursive: true, force: true }));
