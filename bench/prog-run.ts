// Cost per packet of the BPF programs, measured by the kernel through BPF_PROG_TEST_RUN:
// encapsulation (port -> remote VTEP), decapsulation with learning (uplink -> port), and a
// broadcast flooded to 16 remote VTEPs (head-end replication, plus one local copy).
//
// Why one run per call and not `repeat`: for skb programs the kernel repeats on the same skb
// without restoring it, so a second encapsulation would wrap the first. Each call builds a
// fresh skb; the figure is the kernel-measured run time of that single run (no syscall cost).
//
//   npx tsx bench/prog-run.ts [runs] [case]   (default 1,000,000 per case; `case`: only the cases
//                                             whose name contains it, results not written; for perf)
import { native } from '../native/index.js';
import { MacKind, PORT_F_IP_LOCK, PORT_F_SECURE } from '../src/maps/layout.js';
import { PacketFixture, REMOTE_VM, UNICAST_VNI, VM1, VM3, skbCtx } from '../testbed/packet-fixture.js';
import { arpRequest, pingFrame, vxlanFrame } from '../testbed/packets.js';
import { writeResults } from './lib.js';

const runs = Number(process.argv[2] ?? 1_000_000);
const only = process.argv[3];
const fx = new PacketFixture('bench');

function measure(name: string, program: 'from_port' | 'from_uplink', frame: Buffer, ifindex: number, expectRetval: number): Record<string, number | string> | undefined {
  if (only && !name.includes(only)) return undefined;
  const obj = program === 'from_port' ? 'from-port' : 'from-uplink';
  const fd = fx.dp.progFd(obj, program);
  const ctx = skbCtx(ifindex);
  const durations = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const r = native().progTestRun(fd, { data: frame, ctx, dataSizeOut: frame.length + 128 });
    if (r.retval !== expectRetval) throw new Error(`${name}: verdict ${r.retval}, expected ${expectRetval}`);
    durations[i] = r.duration;
  }
  durations.sort();
  const mean = durations.reduce((a, b) => a + b, 0) / runs;
  return { case: name, runs, meanNs: +mean.toFixed(1), p50Ns: durations[runs >> 1]!, p99Ns: durations[Math.floor(runs * 0.99)]! };
}

try {
  const m = fx.dp.maps;
  m.macs.put({ vni: UNICAST_VNI, mac: REMOTE_VM }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: '192.0.2.2', lastSeenNs: process.hrtime.bigint() });
  m.macs.put({ vni: UNICAST_VNI, mac: VM1 }, { kind: MacKind.Local, flags: 0, ifindex: fx.port.p1, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });
  const remotes = Array.from({ length: 16 }, (_, i) => `192.0.2.${100 + i}`);
  m.flood.put(UNICAST_VNI, { vteps: remotes });
  for (const r of remotes) m.neigh.put({ ifindex: fx.uplink, addr: r }, { mac: '02:00:00:00:aa:ff', updatedNs: 0n });

  // The agent writes each port's fast-path record (port + segment in one value): as it does.
  for (const port of [fx.port.p1, fx.port.p2]) {
    const entry = m.ports.get(port)!;
    m.portFast.put(port, { port: entry, seg: m.segments.get(entry.vni)! });
  }

  // p3: a port with port security (its MAC and first IPv4 address checked), in the unicast segment.
  m.portFast.put(fx.port.p3, {
    port: { vni: UNICAST_VNI, flags: PORT_F_SECURE | PORT_F_IP_LOCK, icmpLastNs: 0n, mac: VM3, maxMacs: 0, ipv4: '198.51.100.3', stormPps: 0 },
    seg: m.segments.get(UNICAST_VNI)!,
  });
  const fromSecure = pingFrame({ dstMac: REMOTE_VM, srcMac: VM3, src: '198.51.100.3', dst: '198.51.100.2' });
  // ... and each trusted (VNI, VTEP) pair with its segment.
  for (const k of m.peers.keys()) m.peerSegs.put(k, m.segments.get(k.vni)!);

  const inner = pingFrame({ dstMac: REMOTE_VM, srcMac: VM1, src: '198.51.100.1', dst: '198.51.100.2' });
  const encapsulated = vxlanFrame({ dstMac: fx.uplinkMac, srcMac: '02:00:00:00:aa:02', src: '192.0.2.2', dst: '192.0.2.1', vni: UNICAST_VNI,
    inner: pingFrame({ dstMac: VM1, srcMac: REMOTE_VM, src: '198.51.100.2', dst: '198.51.100.1' }) });
  m.macs.put({ vni: UNICAST_VNI, mac: '02:00:00:00:01:02' }, { kind: MacKind.Local, flags: 0, ifindex: fx.port.p2, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });
  const toLocal = pingFrame({ dstMac: '02:00:00:00:01:02', srcMac: VM1, src: '198.51.100.1', dst: '198.51.100.2' });
  const results = [
    // Breakdown rows: the floor of a single timed run, then the port path without encapsulation.
    measure('floor: not a port (3 lookups, pass)', 'from_port', inner, fx.uplink, 0),
    measure('local switching (learn refresh + lookup + redirect)', 'from_port', toLocal, fx.port.p1, 7),
    measure('encap (known remote, 98-byte ICMP)', 'from_port', inner, fx.port.p1, 7),
    measure('encap from a secure port (MAC and IPv4 checked)', 'from_port', fromSecure, fx.port.p3, 7),
    measure('decap + learn (known local destination)', 'from_uplink', encapsulated, fx.uplink, 7),
    measure('flood to 16 remote VTEPs + 1 local port (ARP)', 'from_port', arpRequest(VM1, '198.51.100.1', '198.51.100.9'), fx.port.p1, 7),
  ].filter((r) => r !== undefined);
  const markdown = [
    `BPF_PROG_TEST_RUN, ${runs} single runs per case (a fresh skb each), kernel-measured run time in ns.`,
    '',
    '| case | mean | p50 | p99 |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${r.case} | ${r.meanNs} | ${r.p50Ns} | ${r.p99Ns} |`),
  ].join('\n');
  if (!only) writeResults('prog-run', { date: new Date().toISOString(), runs, results }, `# Program cost per packet\n\n${markdown}\n`);
  console.log(markdown);
} finally {
  fx.close();
}
