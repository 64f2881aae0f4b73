// The fast path (docs/dataplane.md, "Fast path"): a port with a vx_port_fast record is served
// from it alone (port and segment in one lookup), a sender with a vx_peer_segs record likewise
// (segment and trust), with the same results as from the maps they repeat; the agent's
// reconcile keeps the records in step with those maps.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FloodMode, MacKind, PORT_F_SECURE, type Segment } from '../src/maps/layout.js';
import { reconcile } from '../src/agent/reconcile.js';
import { sumCounters } from '../src/maps/tables.js';
import { readSegmentTotals } from '../src/maps/totals.js';
import type { DesiredPort, DesiredState } from '../src/agent/desired.js';
import {
  BASE_CONFIG, LOCAL_VTEP, MCAST_VNI, NH2_MAC, PacketFixture, PEERS, REMOTE_VM, STATS_SLOT, TC_ACT_REDIRECT, TC_ACT_SHOT, UNICAST_VNI, VM1, VM2,
  XDP_REDIRECT, openPort,
} from '../testbed/packet-fixture.js';
import { arpRequest, parseVxlan, pingFrame, vxlanFrame } from '../testbed/packets.js';
import { ensureBpf } from './helpers/bpf.js';

ensureBpf();
let fx: PacketFixture;
beforeAll(() => {
  fx = new PacketFixture('fast');
});
afterAll(() => fx?.close());
beforeEach(() => {
  fx.configure();
  fx.dp.maps.portFast.deleteBatch([...fx.dp.maps.portFast.keys()]);
  fx.dp.maps.peerSegs.deleteBatch([...fx.dp.maps.peerSegs.keys()]);
});

const SEG: Segment = { vni: UNICAST_VNI, mode: FloodMode.Unicast, vtepSlot: 1, group: '0.0.0.0', statsSlot: STATS_SLOT[UNICAST_VNI]! };
const toRemote = () => pingFrame({ dstMac: REMOTE_VM, srcMac: VM1, src: '198.51.100.1', dst: '198.51.100.2', tos: 0x14 });

/** The record the agent writes for a port: its vx_ports entry and its segment's. */
function writeRecord(ifindex: number): void {
  const port = fx.dp.maps.ports.get(ifindex)!;
  fx.dp.maps.portFast.put(ifindex, { port, seg: fx.dp.maps.segments.get(port.vni)! });
}

function learnRemote(): void {
  fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: REMOTE_VM }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: '192.0.2.2', lastSeenNs: process.hrtime.bigint() });
}

describe('a port with a fast-path record', () => {
  it('encapsulates to the byte what the port and segment entries give', () => {
    learnRemote();
    const slow = fx.run('from_port', toRemote(), fx.port.p1);
    writeRecord(fx.port.p1);
    const fast = fx.run('from_port', toRemote(), fx.port.p1);
    expect(fast.retval).toBe(TC_ACT_REDIRECT);
    // Equal but for the outer IPv4 ID and checksum, which differ per packet.
    const o = parseVxlan(fast.data);
    expect(o).toMatchObject({ dstMac: NH2_MAC, srcMac: fx.uplinkMac, src: LOCAL_VTEP, dst: '192.0.2.2', tos: 0x14, ipChecksumOk: true, vni: UNICAST_VNI });
    const mask = (b: Buffer) => { const c = Buffer.from(b); c.fill(0, 18, 20); c.fill(0, 24, 26); return c; };
    expect(mask(fast.data).equals(mask(slow.data))).toBe(true);
    expect(fx.counters(UNICAST_VNI)).toMatchObject({ txPackets: 2n });
  });

  it('needs neither vx_ports nor vx_segments: the record alone serves the port', () => {
    learnRemote();
    writeRecord(fx.port.p1);
    fx.dp.maps.ports.delete(fx.port.p1);
    fx.dp.maps.segments.delete(UNICAST_VNI);
    const r = fx.run('from_port', toRemote(), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(parseVxlan(r.data)).toMatchObject({ dst: '192.0.2.2', vni: UNICAST_VNI });
  });

  it('applies the port security of the record', () => {
    fx.dp.maps.portFast.put(fx.port.p1, { port: openPort(UNICAST_VNI, { flags: PORT_F_SECURE, mac: VM2 }), seg: SEG });
    expect(fx.run('from_port', toRemote(), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/spoofed_source`]: 1 });
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: VM1 })).toBeUndefined();
  });

  it('floods by the segment of the record: its local ports and its flood list', () => {
    writeRecord(fx.port.p1);
    const r = fx.run('from_port', arpRequest(VM1, '198.51.100.1', '198.51.100.9'), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    // p2 locally, then one copy per VTEP of the flood list (the original goes to the last).
    expect(fx.counters(UNICAST_VNI).floodPackets).toBe(BigInt(1 + PEERS.length));
    expect(parseVxlan(r.data).dst).toBe(PEERS[PEERS.length - 1]);
  });
});

describe('a sender with a fast-path record', () => {
  const fromRemote = (src = '192.0.2.2') => vxlanFrame({
    dstMac: fx.uplinkMac, srcMac: '02:00:00:00:aa:02', src, dst: LOCAL_VTEP, vni: UNICAST_VNI,
    inner: pingFrame({ dstMac: VM1, srcMac: REMOTE_VM, src: '198.51.100.2', dst: '198.51.100.1' }),
  });
  const localVm1 = () => fx.dp.maps.macs.put({ vni: UNICAST_VNI, mac: VM1 }, { kind: MacKind.Local, flags: 0, ifindex: fx.port.p1, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });

  it('needs neither vx_segments nor vx_peers: TC and XDP decapsulate from the record alone', () => {
    localVm1();
    fx.dp.maps.peerSegs.put({ vni: UNICAST_VNI, addr: '192.0.2.2' }, SEG);
    fx.dp.maps.peers.delete({ vni: UNICAST_VNI, addr: '192.0.2.2' });
    fx.dp.maps.segments.delete(UNICAST_VNI);
    const r = fx.run('from_uplink', fromRemote(), fx.uplink);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.subarray(0, 6).equals(Buffer.from([2, 0, 0, 0, 1, 1]))).toBe(true);
    expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: REMOTE_VM })).toMatchObject({ kind: MacKind.Remote, vtep: '192.0.2.2' });
    expect(fx.runXdp(fromRemote()).retval).toBe(XDP_REDIRECT);
  });

  it('a sender without one is still judged by vx_peers: unknown VTEPs stay out', () => {
    localVm1();
    fx.dp.maps.peerSegs.put({ vni: UNICAST_VNI, addr: '192.0.2.2' }, SEG);
    expect(fx.run('from_uplink', fromRemote('192.0.2.3'), fx.uplink).retval).toBe(TC_ACT_REDIRECT); // in vx_peers
    expect(fx.run('from_uplink', fromRemote('192.0.2.77'), fx.uplink).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/unknown_vtep`]: 1 });
  });
});

describe('the agent keeps the records in step', () => {
  const port = (ifindex: number, extra: Partial<DesiredPort> = {}): DesiredPort => ({
    ifindex, interface: `p${ifindex}`, vni: UNICAST_VNI, flags: 0, mac: '00:00:00:00:00:00', maxMacs: 0, ipv4: '0.0.0.0', stormPps: 0, addrs: [], trunk: new Map(), ...extra,
  });
  const desired = (ports: DesiredPort[], seg: Segment = SEG): DesiredState => ({
    config: BASE_CONFIG,
    vteps: [{ ...fx.dp.maps.vteps.get(1)!, slot: 1, interface: 'up0', xdp: false }],
    segments: new Map([[UNICAST_VNI, seg]]),
    ports: new Map(ports.map((p) => [p.ifindex, p])),
    segPorts: new Map([[UNICAST_VNI, ports.map((p) => p.ifindex)]]),
    flood: new Map([[UNICAST_VNI, PEERS]]),
    groups: new Map(),
    staticMacs: [],
    peers: PEERS.map((addr) => ({ vni: UNICAST_VNI, addr })),
    trusted: [],
    missingPorts: [],
    segTrunks: new Map(),
    physnets: [],
    dhcp: new Map(),
  });

  it('writes each port with its segment, rewrites it when either changes, removes it with the port', () => {
    const { p1, p2 } = fx.port;
    reconcile(fx.dp.maps, desired([port(p1), port(p2, { flags: PORT_F_SECURE, mac: VM2 })]));
    expect(fx.dp.maps.portFast.get(p1)).toEqual({ port: fx.dp.maps.ports.get(p1), seg: SEG });
    expect(fx.dp.maps.portFast.get(p2)).toEqual({ port: fx.dp.maps.ports.get(p2), seg: SEG });

    const moved: Segment = { ...SEG, vtepSlot: 2 };
    reconcile(fx.dp.maps, desired([port(p1, { maxMacs: 8 })], moved));
    expect(fx.dp.maps.portFast.get(p1)).toEqual({ port: { ...fx.dp.maps.ports.get(p1)!, maxMacs: 8 }, seg: moved });
    expect(fx.dp.maps.portFast.get(p2)).toBeUndefined();
    expect(fx.dp.maps.ports.get(p2)).toBeUndefined();
    expect(reconcile(fx.dp.maps, desired([port(p1, { maxMacs: 8 })], moved)).changes).toBe(0);
  });

  it('writes each trusted pair with its segment and removes it with the pair', () => {
    const { p1 } = fx.port;
    reconcile(fx.dp.maps, desired([port(p1)]));
    expect(new Map([...fx.dp.maps.peerSegs.entries()].map(([k, v]) => [k.addr, v]))).toEqual(new Map(PEERS.map((a) => [a, SEG])));
    const state = desired([port(p1)], { ...SEG, vtepSlot: 2 });
    state.peers = [{ vni: UNICAST_VNI, addr: PEERS[0]! }];
    reconcile(fx.dp.maps, state);
    expect([...fx.dp.maps.peerSegs.entries()]).toEqual([[{ vni: UNICAST_VNI, addr: PEERS[0] }, { ...SEG, vtepSlot: 2 }]]);
  });

  describe('counter slots (src/agent/stats-slots.ts)', () => {
    const only = (...vnis: number[]): DesiredState => ({
      ...desired([]),
      segments: new Map(vnis.map((vni) => [vni, { ...SEG, vni, statsSlot: 0 }])),
      segPorts: new Map(),
      flood: new Map(),
      peers: [],
    });
    const slotOf = (vni: number): number | undefined => fx.dp.maps.segments.get(vni)?.statsSlot;

    it('a segment keeps the slot its value names; a new one takes the lowest free slot, zeroed first', () => {
      const stale = { ...sumCounters([]), txPackets: 7n };
      fx.dp.maps.segStats.putAll(3, stale); // left by a segment long gone
      reconcile(fx.dp.maps, only(UNICAST_VNI, MCAST_VNI, 7000));
      expect([slotOf(UNICAST_VNI), slotOf(MCAST_VNI), slotOf(7000)]).toEqual([STATS_SLOT[UNICAST_VNI], STATS_SLOT[MCAST_VNI], 3]);
      expect(sumCounters(fx.dp.maps.segStats.get(3)!)).toEqual(sumCounters([]));
      expect(readSegmentTotals(fx.dp.maps).get(7000)?.txPackets).toBe(0);
    });

    it('packets count into the slot (no hash by VNI), and the readers give them per VNI', () => {
      learnRemote();
      expect(fx.run('from_port', toRemote(), fx.port.p1).retval).toBe(TC_ACT_REDIRECT);
      expect(sumCounters(fx.dp.maps.segStats.get(STATS_SLOT[UNICAST_VNI]!)!)).toMatchObject({ txPackets: 1n });
      expect(sumCounters(fx.dp.maps.counters.get(UNICAST_VNI) ?? [])).toMatchObject({ txPackets: 0n, learned: 1n }); // learning stays by VNI
      expect(readSegmentTotals(fx.dp.maps).get(UNICAST_VNI)).toMatchObject({ txPackets: 1, learned: 1 });
    });

    it('a removed segment\'s slot is handed out one pass later, never in the pass that removes it', () => {
      reconcile(fx.dp.maps, only(UNICAST_VNI, 7000)); // MCAST_VNI goes: its slot is still named until the removal
      expect(slotOf(7000)).toBe(3);
      expect(slotOf(MCAST_VNI)).toBeUndefined();
      reconcile(fx.dp.maps, only(UNICAST_VNI, 7000, 8000));
      expect(slotOf(8000)).toBe(STATS_SLOT[MCAST_VNI]);
      expect(slotOf(7000)).toBe(3);
    });
  });
});
