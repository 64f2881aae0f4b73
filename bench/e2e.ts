// End-to-end VM-to-VM benchmark across two hosts over a veth underlay. Every switch is measured
// in the same run, interleaved, over several rounds; medians are reported:
//   kernel      the kernel's vxlan + Linux bridge on both hosts
//   vxvem       the standalone VEM on both hosts (TC both ways)
//   vxvem-xdp   the same with XDP decap on the uplinks (VM side: GRO on, tx checksum off)
//   vxvem-csum  the same with valid outer UDP checksums (encapsulation by the kernel device)
//   floor       no switch at all: a TC program redirecting port <-> uplink, the harness's cost
// Everything runs in network namespaces made here and removed afterwards. Between two machines
// with real NICs: two-hosts.ts.
//
//   npx tsx bench/e2e.ts [--quick] [--rounds N] [--gro] [--wire] [--modes kernel,vxvem]   (--modes: a subset, for checks;
//   --wire: segmentation offloads off on the underlay veths, so that TCP crosses it in MTU-sized frames as on a wire)
import { pathToFileURL } from 'node:url';
import { Netns, vethPair } from '../testbed/netns.js';
import { eth, ipv4, udp } from '../testbed/packets.js';
import { benchOptions, wireLike, writeResults, type BenchOptions } from './lib.js';
import { MODES, VMS, addVm, setupSide, type Mode } from './e2e-side.js';
import { emptySamples, localFar, measureAll, summarise, type E2eRow } from './e2e-measure.js';

const H = ['192.0.2.11', '192.0.2.12'] as const;

/** The 64-byte frame VM1 sends VM2 (UDP to a port nobody listens on). */
export const PPS_FRAME = eth(VMS[1].mac, VMS[0].mac, 0x0800, ipv4({ src: VMS[0].addr, dst: VMS[1].addr, proto: 17 }, udp(9, 9, Buffer.alloc(18))));

/** Fresh namespaces for one mode: vm1 - h1 =veth= h2 - vm2, the switch set up on both hosts. */
async function bed(mode: Mode, tag: string, o: BenchOptions): Promise<{ vm1: Netns; h1: Netns; h2: Netns; vm2: Netns; stop: () => Promise<void> }> {
  const [vm1, h1, h2, vm2] = ['vm1', 'h1', 'h2', 'vm2'].map((n) => Netns.create(`${tag}-${n}`)) as [Netns, Netns, Netns, Netns];
  const all = [vm1, h1, h2, vm2];
  try {
    addVm(h1, vm1, 0);
    addVm(h2, vm2, 1);
    vethPair(h1, 'up0', h2, 'up0', { mtu: 1550 });
    h1.ip('addr', 'add', `${H[0]}/24`, 'dev', 'up0');
    h2.ip('addr', 'add', `${H[1]}/24`, 'dev', 'up0');
    for (const h of [h1, h2]) {
      if (o.wire) wireLike(h, 'up0');
      if (o.gro) h.exec('ethtool', ['-K', 'up0', 'gro', 'on']);
    }
    const stops = [
      await setupSide(mode, { host: h1, vm: vm1, uplink: 'up0', self: H[0], peer: H[1], prefixLength: 24, index: 0, vethXdpQuirks: true }),
      await setupSide(mode, { host: h2, vm: vm2, uplink: 'up0', self: H[1], peer: H[0], prefixLength: 24, index: 1, vethXdpQuirks: true }),
    ];
    return {
      vm1, h1, h2, vm2,
      stop: async () => {
        // Agents stop first (with --cleanup, so their pins go); the namespaces take the rest.
        await Promise.all(stops.map((s) => s().catch(() => undefined)));
        all.forEach((n) => n.delete());
      },
    };
  } catch (e) {
    all.forEach((n) => n.delete());
    throw e;
  }
}

/** The modes to run: all, or the subset `--modes a,b` names (for quick checks; results are then partial). */
function selectedModes(argv = process.argv.slice(2)): readonly Mode[] {
  const at = argv.indexOf('--modes');
  if (at < 0) return MODES;
  const want = (argv[at + 1] ?? '').split(',');
  const bad = want.filter((m) => !(MODES as readonly string[]).includes(m));
  if (bad.length) throw new Error(`unknown modes: ${bad.join(', ')} (known: ${MODES.join(', ')})`);
  return MODES.filter((m) => want.includes(m));
}

export async function runE2e(o: BenchOptions, modes: readonly Mode[] = MODES): Promise<{ rows: E2eRow[]; markdown: string }> {
  const samples = emptySamples();
  for (let r = 0; r < o.rounds; r++) {
    for (const mode of modes) {
      const b = await bed(mode, `vxb${process.pid}${MODES.indexOf(mode)}${r}`, o);
      try {
        b.vm1.exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', VMS[1].addr]);
        console.error(`e2e round ${r + 1}/${o.rounds} ${mode}: measuring`);
        await measureAll(b.vm1, b.h1, localFar(b.vm2, b.h2), PPS_FRAME, o, (k, v) => (samples[mode][k] ??= []).push(v));
        const last = (k: string): number | undefined => samples[mode][k as keyof (typeof samples)[typeof mode]]?.at(-1);
        console.error(`e2e round ${r + 1}/${o.rounds} ${mode}: ${last('pps_pinned')} pps, ${last('tcp1_gbps')} / ${last('tcp4_gbps')} Gbit/s (1 / 4 streams), rr p99 ${last('rr_p99_us')} us, BPF ${last('bpf_tx_ns_per_packet')} / ${last('bpf_rx_ns_per_packet')} ns (tx / rx), CPU ${last('cpu_ns_per_packet')} ns per packet`);
      } finally {
        await b.stop();
      }
    }
  }
  return summarise(samples, `VM to VM across two hosts (veth underlay${o.wire ? ' segmenting like a wire' : ''}${o.gro ? ', GRO on' : ''}), medians of ${o.rounds} round(s), ${o.secs} s per run.`);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const o = benchOptions();
  const modes = selectedModes();
  if (modes.length < MODES.length) {
    // A check, not a result: the per-run lines above are the output; nothing is written.
    await runE2e(o, modes);
    process.exit(0);
  }
  const { rows, markdown } = await runE2e(o);
  writeResults(['e2e', ...(o.wire ? ['wire'] : []), ...(o.gro ? ['gro'] : [])].join('-'), { date: new Date().toISOString(), options: o, rows }, `# End to end\n\n${markdown}\n`);
  console.log(markdown);
}
