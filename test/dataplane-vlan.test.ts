// VLAN segments and trunk subports (bpf/lib/vlan.h, trunk.h; docs/dataplane.md, "VLAN segments"),
// first through BPF_PROG_TEST_RUN (tags in-band, as the test run leaves them), then on the
// fixture's real veths with the programs attached, where the core moves received tags into the
// skb's metadata and scapy's capture shows the tags the programs pushed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { vlanSegmentId } from '../src/common/vlan.js';
import { attachIngress, detachIngress } from '../src/maps/attach.js';
import { FloodMode, MAC_F_TRUNK, MacKind, PORT_F_TRUNK } from '../src/maps/layout.js';
import {
  PacketFixture, REMOTE_VM, TC_ACT_OK, TC_ACT_REDIRECT, TC_ACT_SHOT, UNICAST_VNI, VM1, VM3, openPort,
} from '../testbed/packet-fixture.js';
import { arpRequest, pingFrame } from '../testbed/packets.js';
import { sendAndCapture, tagged } from '../testbed/vlan-wire.js';
import { ensureBpf } from './helpers/bpf.js';

ensureBpf();
let fx: PacketFixture;
beforeAll(() => {
  fx = new PacketFixture('vlan');
});
afterAll(() => fx?.close());

/** VLAN 100 and 200 on the physical network in slot 1 (the fixture's uplink); VXLAN VNI 100 beside them. */
const SEG100 = vlanSegmentId(1, 100);
const SEG200 = vlanSegmentId(1, 200);
const VXLAN100 = 100;

/*
 * p3: untagged member of VLAN 100. p1: a trunk parent, natively in VNI 5000, whose subport 10 is
 * VLAN 100 and subport 30 is VLAN 200. p2: VXLAN VNI 100, which must never see VLAN 100.
 */
function configureVlan(): void {
  fx.configure();
  const m = fx.dp.maps;
  m.physnets.put(1, { ifindex: fx.uplink, flags: 0 });
  m.uplinkPhysnet.put(fx.uplink, 1);
  for (const id of [SEG100, SEG200]) m.segments.put(id, { vni: id, mode: FloodMode.Vlan, vtepSlot: 0, group: '0.0.0.0', statsSlot: 0 });
  m.segments.put(VXLAN100, { vni: VXLAN100, mode: FloodMode.Unicast, vtepSlot: 1, group: '0.0.0.0', statsSlot: 0 });
  m.ports.put(fx.port.p3, openPort(SEG100));
  m.ports.put(fx.port.p2, openPort(VXLAN100));
  m.ports.put(fx.port.p1, openPort(UNICAST_VNI, { flags: PORT_F_TRUNK }));
  m.trunkIn.deleteBatch([...m.trunkIn.keys()]);
  m.trunkOut.deleteBatch([...m.trunkOut.keys()]);
  m.trunkIn.put({ ifindex: fx.port.p1, id: 10 }, SEG100);
  m.trunkOut.put({ ifindex: fx.port.p1, id: SEG100 }, 10);
  m.trunkIn.put({ ifindex: fx.port.p1, id: 30 }, SEG200);
  m.trunkOut.put({ ifindex: fx.port.p1, id: SEG200 }, 30);
  m.segPorts.put(UNICAST_VNI, { ifindex: [fx.port.p1] });
  m.segPorts.put(SEG100, { ifindex: [fx.port.p3] });
  m.segPorts.put(VXLAN100, { ifindex: [fx.port.p2] });
  m.segPorts.delete(SEG200);
  m.segTrunks.put(SEG100, { ifindex: [fx.port.p1] });
  m.segTrunks.put(SEG200, { ifindex: [fx.port.p1] });
}
beforeEach(() => configureVlan());

const ping = (dst: string, src: string) => pingFrame({ dstMac: dst, srcMac: src, src: '198.51.100.2', dst: '198.51.100.3' });
const learned = (seg: number, mac: string) => fx.dp.maps.macs.get({ vni: seg, mac });
const localVm3 = () => fx.dp.maps.macs.put({ vni: SEG100, mac: VM3 }, { kind: MacKind.Local, flags: 0, ifindex: fx.port.p3, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });

describe('tagged frames on the physical network\'s uplink', () => {
  it('a known VLAN: tag removed, sender learned behind the uplink, delivered to the local port', () => {
    localVm3();
    const r = fx.run('from_uplink', tagged(ping(VM3, REMOTE_VM), 100), fx.uplink);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.equals(ping(VM3, REMOTE_VM))).toBe(true);
    expect(learned(SEG100, REMOTE_VM)).toMatchObject({ kind: MacKind.Remote, vtep: '0.0.0.0', ifindex: 0 });
    expect(fx.counters(SEG100).rxPackets).toBe(1n);
    expect(fx.drops()).toEqual({});
  });

  it('broadcast: one copy per local port and trunk subport of the segment, none back to the uplink', () => {
    const r = fx.run('from_uplink', tagged(arpRequest(REMOTE_VM, '198.51.100.2', '198.51.100.3'), 100), fx.uplink);
    expect(r.retval).toBe(TC_ACT_SHOT); // every copy was a clone
    expect(fx.counters(SEG100).floodPackets).toBe(2n);
    expect(fx.counters(VXLAN100).floodPackets).toBe(0n);
    expect(fx.drops()).toEqual({});
  });

  it('to a MAC that is itself behind the uplink: split horizon', () => {
    fx.dp.maps.macs.put({ vni: SEG100, mac: VM1 }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });
    expect(fx.run('from_uplink', tagged(ping(VM1, REMOTE_VM), 100), fx.uplink).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${SEG100}/split_horizon`]: 1 });
  });

  it.each([
    ['a VLAN with no segment here', 300],
    ['VLAN 4095 (reserved)', 4095],
  ])('%s: a counted drop, under segment 0', (_name, vid) => {
    expect(fx.run('from_uplink', tagged(ping(VM3, REMOTE_VM), vid), fx.uplink).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ '0/unknown_vlan': 1 });
  });

  it.each([
    ['an untagged non-VXLAN frame on the physical network\'s uplink', () => ping(VM3, REMOTE_VM), true],
    ['a tagged frame on an uplink that is no physical network\'s', () => tagged(ping(VM3, REMOTE_VM), 100), false],
  ])('%s goes to the kernel untouched', (_name, build, physnet) => {
    if (!physnet) fx.dp.maps.uplinkPhysnet.delete(fx.uplink);
    const frame = build();
    const r = fx.run('from_uplink', frame, fx.uplink);
    expect(r.retval).toBe(TC_ACT_OK);
    expect(r.data.equals(frame)).toBe(true);
    expect(fx.drops()).toEqual({});
  });
});

describe('frames from a port of a VLAN segment', () => {
  it('to a MAC behind the uplink: redirected to the uplink, no encapsulation', () => {
    fx.dp.maps.macs.put({ vni: SEG100, mac: REMOTE_VM }, { kind: MacKind.Remote, flags: 0, ifindex: 0, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });
    const frame = ping(REMOTE_VM, VM3);
    const r = fx.run('from_port', frame, fx.port.p3);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.equals(frame)).toBe(true); // the tag is in the skb's metadata, not in the bytes
    expect(learned(SEG100, VM3)).toMatchObject({ kind: MacKind.Local, ifindex: fx.port.p3 });
    expect(fx.counters(SEG100).txPackets).toBe(1n);
  });

  it('a static MAC of the segment is sent to the uplink too', () => {
    fx.dp.maps.staticMacs.put({ vni: SEG100, mac: REMOTE_VM }, { kind: MacKind.Remote, flags: 1, ifindex: 0, vtep: '0.0.0.0', lastSeenNs: 0n });
    expect(fx.run('from_port', ping(REMOTE_VM, VM3), fx.port.p3).retval).toBe(TC_ACT_REDIRECT);
    expect(fx.drops()).toEqual({});
  });

  it('broadcast: the trunk subport\'s copy, then the one tagged copy on the uplink', () => {
    const r = fx.run('from_port', arpRequest(VM3, '198.51.100.3', '198.51.100.2'), fx.port.p3);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(fx.counters(SEG100).floodPackets).toBe(2n);
    expect(fx.drops()).toEqual({});
  });

  it('a physical network with no uplink here: a counted drop', () => {
    fx.dp.maps.physnets.put(1, { ifindex: 0, flags: 0 });
    expect(fx.run('from_port', arpRequest(VM3, '198.51.100.3', '198.51.100.2'), fx.port.p3).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${SEG100}/no_uplink`]: 1 });
  });
});

describe('trunk subports', () => {
  it('a frame tagged with a subport\'s VLAN id: tag removed, learned in the subport\'s segment as behind the subport', () => {
    localVm3();
    const r = fx.run('from_port', tagged(ping(VM3, VM1), 10), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.equals(ping(VM3, VM1))).toBe(true);
    expect(learned(SEG100, VM1)).toMatchObject({ kind: MacKind.Local, ifindex: fx.port.p1, flags: MAC_F_TRUNK });
    expect(learned(UNICAST_VNI, VM1)).toBeUndefined();
  });

  it('an untagged frame stays in the parent port\'s segment', () => {
    fx.run('from_port', arpRequest(VM1, '198.51.100.1', '198.51.100.9'), fx.port.p1);
    expect(learned(UNICAST_VNI, VM1)).toMatchObject({ kind: MacKind.Local, flags: 0 });
    expect(learned(SEG100, VM1)).toBeUndefined();
  });

  it.each([['a VLAN id with no subport', 99], ['a priority tag (VLAN 0)', 0]])('%s: dropped, counted under the port\'s segment', (_name, vid) => {
    expect(fx.run('from_port', tagged(ping(VM3, VM1), vid), fx.port.p1).retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/unknown_vlan`]: 1 });
  });

  it('a port that is no trunk keeps tagged frames as before (its segment, untouched)', () => {
    const frame = tagged(arpRequest(VM3, '198.51.100.3', '198.51.100.2'), 10);
    fx.run('from_port', frame, fx.port.p3);
    expect(learned(SEG100, VM3)).toMatchObject({ kind: MacKind.Local, flags: 0 });
  });
});

/** The programs attached to the fixture's real veths for one test; the capture sees what leaves. */
function attached(run: () => void): void {
  const devs = [fx.port.p1, fx.port.p2, fx.port.p3];
  for (const d of devs) attachIngress(d, fx.dp.progFd('from-port', 'from_port'));
  attachIngress(fx.uplink, fx.dp.progFd('from-uplink', 'from_uplink'));
  try {
    run();
  } finally {
    for (const d of [...devs, fx.uplink]) detachIngress(d);
  }
}

const arpFrom = (mac: string) => arpRequest(mac, '198.51.100.3', '198.51.100.2');
const byIface = (frames: { iface: string; vlan: number | null; untagged: string }[]) =>
  Object.fromEntries(['up0x', 'p1x', 'p2x', 'p3x'].map((i) => [i, frames.filter((f) => f.iface === i).map((f) => ({ vlan: f.vlan, untagged: f.untagged }))]));

describe('on real veths: the tags on the wire', () => {
  it('a VM of VLAN 100 broadcasts: tagged 100 on the uplink, tagged 10 to the trunk VM, nothing to VXLAN VNI 100', () => {
    attached(() => {
      const frame = arpFrom(VM3);
      const seen = byIface(sendAndCapture(fx.ns, [{ iface: 'p3x', frame }], ['up0x', 'p1x', 'p2x']));
      expect(seen).toEqual({ up0x: [{ vlan: 100, untagged: frame.toString('hex') }], p1x: [{ vlan: 10, untagged: frame.toString('hex') }], p2x: [], p3x: [] });
    });
  });

  it('tagged 100 from the wire: untagged to the VLAN\'s VM, tagged 10 to the trunk VM, nothing to VXLAN VNI 100', () => {
    attached(() => {
      const frame = arpFrom(REMOTE_VM);
      const seen = byIface(sendAndCapture(fx.ns, [{ iface: 'up0x', frame: tagged(frame, 100) }], ['p1x', 'p2x', 'p3x']));
      expect(seen).toEqual({ up0x: [], p1x: [{ vlan: 10, untagged: frame.toString('hex') }], p2x: [], p3x: [{ vlan: null, untagged: frame.toString('hex') }] });
      expect(learned(SEG100, REMOTE_VM)).toMatchObject({ kind: MacKind.Remote, vtep: '0.0.0.0' });
    });
  });

  it('the trunk VM tags 10: its frame reaches VLAN 100 untagged locally and tagged 100 on the uplink', () => {
    attached(() => {
      const frame = arpFrom(VM1);
      const seen = byIface(sendAndCapture(fx.ns, [{ iface: 'p1x', frame: tagged(frame, 10) }], ['up0x', 'p2x', 'p3x']));
      expect(seen).toEqual({ up0x: [{ vlan: 100, untagged: frame.toString('hex') }], p1x: [], p2x: [], p3x: [{ vlan: null, untagged: frame.toString('hex') }] });
    });
  });

  it('unicast to a MAC behind a trunk subport goes out with the subport\'s tag', () => {
    fx.dp.maps.macs.put({ vni: SEG200, mac: VM1 }, { kind: MacKind.Local, flags: MAC_F_TRUNK, ifindex: fx.port.p1, vtep: '0.0.0.0', lastSeenNs: process.hrtime.bigint() });
    attached(() => {
      const frame = ping(VM1, REMOTE_VM);
      const seen = byIface(sendAndCapture(fx.ns, [{ iface: 'up0x', frame: tagged(frame, 200) }], ['p1x', 'p2x', 'p3x']));
      expect(seen).toEqual({ up0x: [], p1x: [{ vlan: 30, untagged: frame.toString('hex') }], p2x: [], p3x: [] });
    });
  });
});
