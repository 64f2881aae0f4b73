// A VEM dataplane loaded inside a private network namespace with real veth ports and an
// uplink, maps filled directly (no agent), for BPF_PROG_TEST_RUN packet tests and bench/prog-run.ts.
import { native, type TestRunResult } from '../native/index.js';
import { Dataplane } from '../src/maps/dataplane.js';
import { macEventCodec, CFG_F_TOS_INHERIT, FloodMode, MAC_F_STATIC, MacKind, PORT_OPEN, type MacEvent, type Port, type VxvemConfig } from '../src/maps/layout.js';
import { sumCounters } from '../src/maps/tables.js';
import { dropLabel } from '../src/maps/drop-reasons.js';
import { Netns, vethPair } from './netns.js';
import { arpRequest } from './packets.js';

export const TC_ACT_OK = 0;
export const TC_ACT_SHOT = 2;
export const TC_ACT_REDIRECT = 7;
export const XDP_DROP = 1;
export const XDP_PASS = 2;
export const XDP_REDIRECT = 4;

export const VM1 = '02:00:00:00:01:01';
export const VM2 = '02:00:00:00:01:02';
export const VM3 = '02:00:00:00:01:03';
export const REMOTE_VM = '02:00:00:00:02:01';
export const STATIC_VM = '02:00:00:00:0f:01';
export const NH2_MAC = '02:00:00:00:aa:02';
export const NH3_MAC = '02:00:00:00:aa:03';
export const LOCAL_VTEP = '192.0.2.1';
export const UNICAST_VNI = 5000;
export const MCAST_VNI = 6000;
/** The segments' counter slots in vx_seg_stats, as reconcile hands them out (stats-slots.ts). */
export const STATS_SLOT: Readonly<Record<number, number>> = { [UNICAST_VNI]: 1, [MCAST_VNI]: 2 };
export const GROUP = '239.1.1.1';
/** The remote VTEPs the unicast segment floods to, and so trusts. */
export const PEERS = ['192.0.2.2', '192.0.2.3'];
/** The trusted underlay of the multicast segment: the local VTEP's subnet, as the agent defaults it. */
export const UNDERLAY = { prefixlen: 24, addr: '192.0.2.0' };

/** A port entry without port security or limits (tests add what they check). */
export const openPort = (vni: number, extra: Partial<Port> = {}): Port => ({ vni, flags: 0, icmpLastNs: 0n, ...PORT_OPEN, ...extra });

export const BASE_CONFIG: Omit<VxvemConfig, 'version'> = {
  flags: CFG_F_TOS_INHERIT, ttl: 64, tos: 0, srcPortMin: 49152, srcPortMax: 65535, tunnelIfindex: 0, icmpRateNs: 0n,
};

/** GSO metadata of a test frame, as a tap's virtio-net header leaves it (gso_segs 0). */
export interface GsoMeta { gsoSize: number; gsoSegs?: number }

/**
 * __sk_buff image for a TC test run: the device the frame arrives on (offset 40, `ifindex`),
 * optionally GSO metadata (`gso_segs` at 164, `gso_size` at 176).
 */
export function skbCtx(ifindex: number, gso?: GsoMeta): Buffer {
  const ctx = Buffer.alloc(192);
  ctx.writeUInt32LE(ifindex, 40);
  if (gso) {
    ctx.writeUInt32LE(gso.gsoSegs ?? 0, 164);
    ctx.writeUInt32LE(gso.gsoSize, 176);
  }
  return ctx;
}

/** What a fixture drives: a loaded dataplane, by default Dataplane.open's (fuzz/ loads one with small maps). */
export type FixtureDataplane = Pick<Dataplane, 'instance' | 'maps' | 'progFd' | 'close'>;

/** The source of each reset's barrier frame (never used by a test). */
const BARRIER_MAC = '02:00:00:ba:77:1e';

export class PacketFixture {
  readonly ns: Netns;
  readonly dp: FixtureDataplane;
  readonly port: Record<'p1' | 'p2' | 'p3', number>;
  readonly uplink: number;
  readonly uplinkMac: string;
  private readonly events: MacEvent[] = [];
  /**
   * Events reach JS from the addon's poll thread, possibly after the next test has begun: each
   * reset sends a barrier frame, and events are kept only once its own learn event has come.
   */
  private barrierSeen = true;
  private readonly ring;

  constructor(readonly tag: string, open: (instance: string) => FixtureDataplane = (instance) => Dataplane.open({ instance, macTableSize: 4096 })) {
    // Built from the root namespace, then this thread moves into it for good.
    this.ns = Netns.create(`vxt-${tag}-${process.pid}`);
    const peer = this.ns;
    for (const p of ['p1', 'p2', 'p3']) vethPair(this.ns, p, peer, `${p}x`);
    vethPair(this.ns, 'up0', peer, 'up0x', { mtu: 1500 });
    this.ns.ip('addr', 'add', `${LOCAL_VTEP}/24`, 'dev', 'up0');
    native().netnsEnter(this.ns.path);
    this.port = { p1: this.ns.ifindex('p1'), p2: this.ns.ifindex('p2'), p3: this.ns.ifindex('p3') };
    this.uplink = this.ns.ifindex('up0');
    this.uplinkMac = this.ns.mac('up0');
    this.dp = open(`test-${tag}-${process.pid}`);
    this.ring = native().ringBuffer(this.dp.maps.eventsFd, (r) => {
      const e = macEventCodec.decode(r);
      if (e.mac === BARRIER_MAC) {
        this.events.length = 0;
        this.barrierSeen = true;
      } else if (this.barrierSeen) {
        this.events.push(e);
      }
    });
    this.configure();
  }

  /** The baseline state every test starts from. */
  configure(config: Omit<VxvemConfig, 'version'> = BASE_CONFIG): void {
    const m = this.dp.maps;
    m.config.put(0, { ...config, version: 1 });
    m.vteps.put(1, { addr: LOCAL_VTEP, gateway: '0.0.0.0', netmask: '255.255.255.0', ifindex: this.uplink, mac: this.uplinkMac, mtu: 1500, flags: 0 });
    m.segments.put(UNICAST_VNI, { vni: UNICAST_VNI, mode: FloodMode.Unicast, vtepSlot: 1, group: '0.0.0.0', statsSlot: STATS_SLOT[UNICAST_VNI]! });
    m.segments.put(MCAST_VNI, { vni: MCAST_VNI, mode: FloodMode.Multicast, vtepSlot: 1, group: GROUP, statsSlot: STATS_SLOT[MCAST_VNI]! });
    m.groups.put(GROUP, 1);
    m.ports.put(this.port.p1, openPort(UNICAST_VNI));
    m.ports.put(this.port.p2, openPort(UNICAST_VNI));
    m.ports.put(this.port.p3, openPort(MCAST_VNI));
    m.portState.deleteBatch([...m.portState.keys()]);
    m.portAddrs.deleteBatch([...m.portAddrs.keys()]);
    m.dhcp.deleteBatch([...m.dhcp.keys()]);
    m.segPorts.put(UNICAST_VNI, { ifindex: [this.port.p1, this.port.p2] });
    m.segPorts.put(MCAST_VNI, { ifindex: [this.port.p3] });
    m.flood.put(UNICAST_VNI, { vteps: PEERS });
    m.peers.deleteBatch([...m.peers.keys()]);
    for (const addr of PEERS) m.peers.put({ vni: UNICAST_VNI, addr }, 1);
    m.trusted.deleteBatch([...m.trusted.keys()]);
    m.trusted.put(UNDERLAY, 1);
    m.neigh.put({ ifindex: this.uplink, addr: '192.0.2.2' }, { mac: NH2_MAC, updatedNs: 0n });
    m.neigh.put({ ifindex: this.uplink, addr: '192.0.2.3' }, { mac: NH3_MAC, updatedNs: 0n });
    this.resetFdb();
    this.resetCounters();
  }

  resetFdb(): void {
    const m = this.dp.maps;
    m.macs.deleteBatch([...m.macs.keys()]);
    m.staticMacs.deleteBatch([...m.staticMacs.keys()]);
    m.staticMacs.put({ vni: UNICAST_VNI, mac: STATIC_VM }, { kind: MacKind.Remote, flags: MAC_F_STATIC, ifindex: 0, vtep: '192.0.2.3', lastSeenNs: 0n });
  }

  resetCounters(): void {
    const m = this.dp.maps;
    this.barrierSeen = false;
    this.run('from_port', arpRequest(BARRIER_MAC, '198.51.100.250', '198.51.100.251'), this.port.p1);
    m.macs.delete({ vni: UNICAST_VNI, mac: BARRIER_MAC });
    m.portState.delete(this.port.p1); // the barrier's learn counted towards p1's MAC limit
    for (const k of [...m.counters.keys()]) m.counters.delete(k);
    for (const slot of Object.values(STATS_SLOT)) m.segStats.putAll(slot, sumCounters([]));
    for (const k of [...m.drops.keys()]) m.drops.delete(k);
    for (const k of [...m.dhcpCounters.keys()]) m.dhcpCounters.delete(k);
    this.events.length = 0;
  }

  run(program: 'from_port' | 'from_uplink', data: Buffer, ifindex: number, gso?: GsoMeta): TestRunResult {
    const obj = program === 'from_port' ? 'from-port' : 'from-uplink';
    return native().progTestRun(this.dp.progFd(obj, program), { data, ctx: skbCtx(ifindex, gso), dataSizeOut: data.length + 512 });
  }

  /** The uplink's XDP program on `data` (verdicts: 1 drop, 2 pass, 4 redirect). */
  runXdp(data: Buffer): TestRunResult {
    return native().progTestRun(this.dp.progFd('xdp-uplink', 'xdp_uplink'), { data, dataSizeOut: data.length + 512 });
  }

  /** A segment's counters: its stats slot's (if its value names one) and any counted by VNI. */
  counters(vni: number): ReturnType<typeof sumCounters> {
    const m = this.dp.maps;
    const slot = m.segments.get(vni)?.statsSlot ?? 0;
    return sumCounters([...(m.counters.get(vni) ?? []), ...(slot ? m.segStats.get(slot) ?? [] : [])]);
  }

  /** Drops as { "vni/label": count }. */
  drops(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, per] of this.dp.maps.drops.entries()) out[`${k.vni}/${dropLabel(k.reason)}`] = Number(per.reduce((a, b) => a + b, 0n));
    return out;
  }

  /** Events since the last reset, once at least `min` have come (or the deadline passed). */
  async takeEvents(min = 1, timeoutMs = 10_000): Promise<MacEvent[]> {
    const until = Date.now() + timeoutMs;
    while ((!this.barrierSeen || this.events.length < min) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    return this.events.splice(0);
  }

  close(): void {
    this.ring.close();
    const instance = this.dp.instance;
    this.dp.close();
    Dataplane.removePins(instance);
    this.ns.delete();
  }
}
