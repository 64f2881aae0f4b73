// TCP between two real QEMU guests (virtio-net on taps) on two hosts over a veth underlay:
//   kernel   the kernel's vxlan + Linux bridge on both hosts, each tap a bridge port
//   vxvem    the standalone VEM on both hosts, each tap a port
// The same two guests serve every mode: booted once, then the switches take turns under them,
// interleaved over the rounds. g1's tap is pre-created Nova-style, g2's is QEMU's own. Guest MTU
// 1450. Each run moves N MiB with busybox dd | nc one way, then the other; the figure is the
// sender's wall time (its nc exits once the receiver has everything). Without a usable KVM the
// guests run under TCG (testbed/qemu.ts), so absolute figures are an emulated CPU's.
//
//   npx tsx bench/qemu-tcp.ts [--quick] [--rounds N] [--gro] [--mib N]
import { pathToFileURL } from 'node:url';
import { Netns, vethPair } from '../testbed/netns.js';
import { QemuGuest, qemuAccel, tcpTransfer } from '../testbed/qemu.js';
import { benchOptions, kernelBridge, median, startAgent, writeResults, type BenchOptions } from './lib.js';

const MODES = ['kernel', 'vxvem'] as const;
type Mode = (typeof MODES)[number];
const H = ['192.0.2.11', '192.0.2.12'] as const;
const G = ['198.51.100.1', '198.51.100.2'] as const;
const TAPS = ['tap7c3e9a01-d2', 'vnet9'] as const; // Nova-style pre-created, QEMU-created
const MTU = 1450;
const METRICS = ['g1_to_g2_mbps', 'g2_to_g1_mbps', 'retrans_segs'] as const;
type Metric = (typeof METRICS)[number];

interface Bed {
  hosts: [Netns, Netns];
  guests: [QemuGuest, QemuGuest];
  close: () => Promise<void>;
}

async function bed(tag: string, o: BenchOptions): Promise<Bed> {
  const hosts = [Netns.create(`${tag}-h1`), Netns.create(`${tag}-h2`)] as [Netns, Netns];
  const started: QemuGuest[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(started.map((g) => g.stop().catch(() => undefined)));
    hosts.forEach((h) => h.delete());
  };
  try {
    vethPair(hosts[0], 'up0', hosts[1], 'up0', { mtu: 1550 });
    hosts.forEach((h, i) => h.ip('addr', 'add', `${H[i]}/24`, 'dev', 'up0'));
    if (o.gro) for (const h of hosts) h.exec('ethtool', ['-K', 'up0', 'gro', 'on']);
    // One at a time: two TCG boots at once on a shared 2-core machine only slow each other.
    for (const i of [0, 1] as const) {
      const g = await QemuGuest.start({
        name: `g${i + 1}`, host: hosts[i], tap: TAPS[i], preCreateTap: i === 0,
        mac: `02:00:00:00:00:0${i + 1}`, addr: `${G[i]}/24`, mtu: MTU,
      });
      started.push(g);
      console.error(`qemu-tcp: g${i + 1} ready in ${g.bootMs} ms`);
    }
    return { hosts, guests: started as [QemuGuest, QemuGuest], close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** One switch on both hosts; the returned function takes it down again (guests and taps stay). */
async function setup(mode: Mode, b: Bed): Promise<() => Promise<void>> {
  if (mode === 'kernel') {
    b.hosts.forEach((h, i) => {
      h.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '5000', 'local', H[i], 'remote', H[1 - i]!, 'dstport', '4789', 'dev', 'up0');
      kernelBridge(h);
      for (const d of ['vx0', TAPS[i]]) h.ip('link', 'set', d, 'master', 'br0');
      for (const d of ['vx0', 'br0']) h.ip('link', 'set', d, 'up');
    });
    return async () => b.hosts.forEach((h) => ['br0', 'vx0'].forEach((d) => h.ip('link', 'del', d)));
  }
  const stops = await Promise.all(
    b.hosts.map((h, i) =>
      startAgent(h, {
        vteps: [{ interface: 'up0', address: `${H[i]}/24` }],
        segments: [{ vni: 5000, mode: 'unicast', floodList: [H[1 - i]] }],
        ports: [{ interface: TAPS[i], vni: 5000 }],
      }),
    ),
  );
  return async () => void (await Promise.all(stops.map((s) => s())));
}

async function measure(b: Bed, blocks: number): Promise<Record<Metric, number>> {
  const [g1, g2] = b.guests;
  await g1.until(`ping -c 1 -W 1 ${G[1]}`, 30_000);
  const retrans0 = (await g1.snmp('Tcp', 'RetransSegs')) + (await g2.snmp('Tcp', 'RetransSegs'));
  const mbps = async (from: QemuGuest, to: QemuGuest, addr: string, port: number): Promise<number> => {
    const r = await tcpTransfer(from, to, addr, { port, blocks, timeoutMs: 600_000 });
    if (r.bytes !== blocks * 65536) throw new Error(`${r.bytes} of ${blocks * 65536} bytes arrived`);
    return +((r.bytes * 8) / r.seconds / 1e6).toFixed(1);
  };
  const fwd = await mbps(g1, g2, G[1], 5001);
  const rev = await mbps(g2, g1, G[0], 5002);
  const retrans = (await g1.snmp('Tcp', 'RetransSegs')) + (await g2.snmp('Tcp', 'RetransSegs')) - retrans0;
  return { g1_to_g2_mbps: fwd, g2_to_g1_mbps: rev, retrans_segs: retrans };
}

export async function runQemuTcp(o: BenchOptions, mib: number) {
  const samples = Object.fromEntries(MODES.map((m) => [m, Object.fromEntries(METRICS.map((k) => [k, [] as number[]]))])) as Record<Mode, Record<Metric, number[]>>;
  const b = await bed(`vxqb${process.pid}`, o);
  const boot = b.guests.map((g) => g.bootMs);
  try {
    for (let r = 0; r < o.rounds; r++) {
      for (const mode of MODES) {
        const down = await setup(mode, b);
        try {
          const m = await measure(b, (mib * 1024 * 1024) / 65536);
          for (const k of METRICS) samples[mode][k].push(m[k]);
          console.error(`qemu-tcp round ${r + 1}/${o.rounds} ${mode}: ${m.g1_to_g2_mbps} / ${m.g2_to_g1_mbps} Mbit/s, ${m.retrans_segs} retransmitted`);
        } finally {
          await down();
        }
      }
    }
  } finally {
    await b.close();
  }
  const rows = METRICS.map((metric) => {
    const kernel = median(samples.kernel[metric]);
    const vxvem = median(samples.vxvem[metric]);
    return { metric, kernel, vxvem, ratio: kernel === 0 ? null : +(vxvem / kernel).toFixed(2), samples: { kernel: samples.kernel[metric], vxvem: samples.vxvem[metric] } };
  });
  const accel = qemuAccel().accel;
  const title = `QEMU guests (${accel === 'tcg' ? 'TCG: emulated CPUs, no KVM' : 'KVM'}, 1 vCPU, 256 MB, virtio-net, vhost off, MTU ${MTU}) on taps of two hosts over a veth underlay${o.gro ? ' (GRO on)' : ''}; ${mib} MiB per transfer, medians of ${o.rounds} interleaved round(s).`;
  const markdown = [
    title,
    '',
    '| metric | kernel vxlan + bridge | vxvem | vxvem / kernel |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.metric} | ${r.kernel} | ${r.vxvem} | ${r.ratio ?? '-'}x |`),
    '',
    `Guest boot to network (ms): ${boot.join(', ')}.`,
  ].join('\n');
  return { accel, boot, rows, markdown };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const o = benchOptions();
  const at = process.argv.indexOf('--mib');
  const mib = at >= 0 ? Number(process.argv[at + 1]) : o.quick ? 16 : 64;
  if (!Number.isInteger(mib) || mib < 1) throw new Error('--mib N: a positive integer');
  const { accel, boot, rows, markdown } = await runQemuTcp(o, mib);
  writeResults('qemu-tcp', { date: new Date().toISOString(), options: { ...o, mib }, accel, bootMs: boot, rows }, `# QEMU guests, TCP\n\n${markdown}\n`);
  console.log(markdown);
}
