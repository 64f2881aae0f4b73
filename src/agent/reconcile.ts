// Applies a DesiredState to the maps by difference: additions and changes first, removals
// last, no flush, so traffic on everything that stays never sees a gap.
import { MAC_F_STATIC, MacKind, VXVEM_MAX_PHYSNETS, configCodec, type MacKey, type Vtep, type VxvemConfig } from '../maps/layout.js';
import type { DataplaneMaps } from '../maps/tables.js';
import type { TypedMap } from '../maps/typed-map.js';
import type { DesiredState } from './desired.js';
import { withStatsSlots } from './stats-slots.js';

export interface ReconcileResult {
  /** Map writes and deletes performed (0 when nothing changed). */
  changes: number;
  /** Ports removed from vx_ports (their filters are detached by the caller). */
  removedPorts: number[];
}

const ZERO_VTEP: Vtep = { addr: '0.0.0.0', gateway: '0.0.0.0', netmask: '0.0.0.0', ifindex: 0, mac: '00:00:00:00:00:00', mtu: 0, flags: 0 };

const macKeyStr = (k: MacKey): string => `${k.vni}/${k.mac}`;

function sameConfig(a: VxvemConfig, b: Omit<VxvemConfig, 'version'>): boolean {
  return configCodec.encode({ ...a, version: 0 }).equals(configCodec.encode({ ...b, version: 0 }));
}

/** Current VTEP slot -> address, for stable slot assignment. */
export function currentSlots(maps: DataplaneMaps): Map<number, string> {
  const out = new Map<number, string>();
  for (const [slot, v] of maps.vteps.entries()) if (slot > 0 && v.addr !== '0.0.0.0') out.set(slot, v.addr);
  return out;
}

/**
 * A set-like map (key -> small value): writes what is wanted now and returns the removal of
 * the rest, to run in the removal phase. Returns the number of changes through `count`.
 */
function syncSet<K, V>(m: TypedMap<K, V>, want: { key: K; value: V }[], id: (k: K) => string, count: (n: number) => void): () => void {
  const keep = new Set<string>();
  for (const { key, value } of want) {
    keep.add(id(key));
    if (m.putIfChanged(key, value)) count(1);
  }
  return () => {
    const stale = [...m.keys()].filter((k) => !keep.has(id(k)));
    count(m.deleteBatch(stale));
  };
}

/** The port is in the segment: its own, or one of its trunk subports'. */
function portInSegment(want: DesiredState, ifindex: number, seg: number): boolean {
  const p = want.ports.get(ifindex);
  return !!p && (p.vni === seg || [...p.trunk.values()].includes(seg));
}

export function reconcile(maps: DataplaneMaps, want: DesiredState): ReconcileResult {
  let changes = 0;
  const count = (n: number): void => void (changes += n);
  const put = <K, V>(m: { putIfChanged(k: K, v: V): boolean }, k: K, v: V): void => {
    if (m.putIfChanged(k, v)) changes++;
  };

  // Additions and changes, in dependency order: what a program reads first is written first.
  const oldCfg = maps.config.get(0);
  if (!oldCfg || oldCfg.version === 0 || !sameConfig(oldCfg, want.config)) {
    // version 0 means "unconfigured" to the programs: it is written last-but-never-zero.
    maps.config.put(0, { ...want.config, version: ((oldCfg?.version ?? 0) % 0xfffffffe) + 1 });
    changes++;
  }
  const wantSlots = new Set(want.vteps.map((v) => v.slot));
  for (const v of want.vteps) {
    const { slot, interface: _i, xdp: _x, ...value } = v;
    put(maps.vteps, slot, value);
  }
  // Whom to trust comes before the segments that ask.
  const removePeers = syncSet(maps.peers, want.peers.map((key) => ({ key, value: 1 })), (k) => `${k.vni}/${k.addr}`, count);
  const removeTrusted = syncSet(maps.trusted, want.trusted.map((key) => ({ key, value: 1 })), (k) => `${k.addr}/${k.prefixlen}`, count);
  for (const [group] of want.groups) put(maps.groups, group, 1);
  // A VLAN segment's uplink before the segment that sends to it.
  const wantPhysnets = new Map(want.physnets.map((p) => [p.slot, p.ifindex]));
  for (let slot = 1; slot <= VXVEM_MAX_PHYSNETS; slot++) {
    const ifindex = wantPhysnets.get(slot) ?? 0;
    if (ifindex || (maps.physnets.get(slot)?.ifindex ?? 0)) put(maps.physnets, slot, { ifindex, flags: 0 });
  }
  const removeUplinks = syncSet(maps.uplinkPhysnet, want.physnets.map((p) => ({ key: p.ifindex, value: p.slot })), String, count);
  const segments = withStatsSlots(want.segments, maps);
  for (const [vni, seg] of segments) put(maps.segments, vni, seg);
  // Each trusted pair with its segment, for the uplink programs' one lookup (after both).
  const removePeerSegs = syncSet(maps.peerSegs, want.peers.flatMap((key) => {
    const seg = segments.get(key.vni);
    return seg ? [{ key, value: seg }] : [];
  }), (k) => `${k.vni}/${k.addr}`, count);
  for (const [vni, list] of want.flood) put(maps.flood, vni, { vteps: list });
  for (const { key, entry } of want.staticMacs) put(maps.staticMacs, key, entry);
  // A port's allowed sources come before the port entry that makes the program check them.
  const removeAddrs = syncSet(maps.portAddrs, [...want.ports.values()].flatMap((p) => p.addrs.map((a) => ({ key: a.key, value: a.flags }))),
    (k) => `${k.ifindex}/${k.mac}/${k.addr}/${k.prefixlen}`, count);
  // Subports before the PORT_F_TRUNK that makes the program look them up.
  const trunks = [...want.ports.values()].flatMap((p) => [...p.trunk].map(([vid, seg]) => ({ ifindex: p.ifindex, vid, seg })));
  const removeTrunkIn = syncSet(maps.trunkIn, trunks.map((t) => ({ key: { ifindex: t.ifindex, id: t.vid }, value: t.seg })), (k) => `${k.ifindex}/${k.id}`, count);
  const removeTrunkOut = syncSet(maps.trunkOut, trunks.map((t) => ({ key: { ifindex: t.ifindex, id: t.seg }, value: t.vid })), (k) => `${k.ifindex}/${k.id}`, count);
  // A port's DHCP answers come before the port flag that makes the program give them.
  const removeDhcp = syncSet(maps.dhcp, [...want.dhcp].map(([key, value]) => ({ key, value })), String, count);
  for (const [ifindex, p] of want.ports) {
    const cur = maps.ports.get(ifindex);
    const { ifindex: _x, interface: _i, addrs: _a, trunk: _t, ...value } = p;
    if (!cur || Object.entries(value).some(([k, v]) => cur[k as keyof typeof value] !== v)) {
      maps.ports.put(ifindex, { ...value, icmpLastNs: cur?.icmpLastNs ?? 0n });
      changes++;
    }
    // The fast-path record repeats the port and its segment, after both (its own ICMP budget kept).
    const seg = segments.get(p.vni);
    if (seg) put(maps.portFast, ifindex, { port: { ...value, icmpLastNs: maps.portFast.get(ifindex)?.port.icmpLastNs ?? 0n }, seg });
    else if (maps.portFast.delete(ifindex)) changes++;
  }
  for (const [vni, list] of want.segPorts) put(maps.segPorts, vni, { ifindex: list });
  for (const [seg, list] of want.segTrunks) put(maps.segTrunks, seg, { ifindex: list });

  // Removals, after everything that stays is in place.
  const removedPorts: number[] = [];
  removePeerSegs(); // before the pairs and segments they repeat
  // A port's fast-path record goes first: without it the program reads vx_ports again.
  for (const ifindex of [...maps.portFast.keys()]) if (!want.ports.has(ifindex)) { maps.portFast.delete(ifindex); changes++; }
  for (const ifindex of [...maps.ports.keys()]) {
    if (want.ports.has(ifindex)) continue;
    maps.ports.delete(ifindex);
    removedPorts.push(ifindex);
    changes++;
  }
  changes += maps.portState.deleteBatch([...maps.portState.keys()].filter((i) => !want.ports.has(i)));
  removeAddrs();
  removeDhcp();
  const stale = (vni: number): boolean => !want.segments.has(vni);
  for (const vni of [...maps.segPorts.keys()]) if (!want.segPorts.has(vni)) { maps.segPorts.delete(vni); changes++; }
  for (const vni of [...maps.flood.keys()]) if (!want.flood.has(vni)) { maps.flood.delete(vni); changes++; }
  for (const seg of [...maps.segTrunks.keys()]) if (!want.segTrunks.has(seg)) { maps.segTrunks.delete(seg); changes++; }
  removeTrunkIn();
  removeTrunkOut();
  const staticWanted = new Set(want.staticMacs.map((m) => macKeyStr(m.key)));
  changes += maps.staticMacs.deleteBatch([...maps.staticMacs.keys()].filter((k) => !staticWanted.has(macKeyStr(k))));
  const macDeletes: MacKey[] = [];
  for (const [k, e] of maps.macs.entries()) {
    // Static entries live in their own table: a learned (or older agent's static) entry of a
    // static MAC would shadow it, since lookups try the learned table first.
    const gone = stale(k.vni) || e.flags & MAC_F_STATIC || staticWanted.has(macKeyStr(k)) ||
      (e.kind === MacKind.Local && (removedPorts.includes(e.ifindex) || !portInSegment(want, e.ifindex, k.vni)));
    if (gone) macDeletes.push(k);
  }
  changes += maps.macs.deleteBatch(macDeletes);
  removePeers();
  removeTrusted();
  removeUplinks();
  for (const vni of [...maps.segments.keys()]) {
    if (!stale(vni)) continue;
    maps.segments.delete(vni);
    maps.counters.delete(vni);
    changes++;
  }
  for (const g of [...maps.groups.keys()]) if (!want.groups.has(g)) { maps.groups.delete(g); changes++; }
  for (const [slot, v] of maps.vteps.entries()) {
    if (slot > 0 && !wantSlots.has(slot) && v.addr !== '0.0.0.0') {
      maps.vteps.put(slot, ZERO_VTEP);
      changes++;
    }
  }
  return { changes, removedPorts };
}
