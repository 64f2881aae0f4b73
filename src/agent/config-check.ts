// `vxvem vem --config FILE --check`: what applying a file would change, computed as the agent
// computes it (the desired state from the file and the live interfaces, against the pinned
// maps of the instance) with nothing written: no map, pin, filter, group or tunnel device.
// With no pinned dataplane everything is to add.
import { existsSync, readFileSync } from 'node:fs';
import {
  CFG_F_TOS_INHERIT, CFG_F_UDP_CSUM, FloodMode, MAC_F_STATIC, PORT_F_IP_LOCK, PORT_F_SECURE, type DhcpLease, type Port, type Segment, type Vtep, type VxvemConfig,
} from '../maps/layout.js';
import { openPinnedMaps } from '../maps/dataplane.js';
import { instancePinDir } from '../maps/paths.js';
import type { DataplaneMaps } from '../maps/tables.js';
import { parseVemConfig } from './config.js';
import { desiredFromConfig, type DesiredState } from './desired.js';
import { describeDhcp } from './dhcp-options.js';
import { listLinks } from './links.js';
import { currentSlots } from './reconcile.js';
import { DEFAULT_MAX_MACS_PER_PORT } from './security-config.js';

/** One object as the check shows it: its identity and its fields, rendered. */
type Fields = Record<string, string>;
type View = Map<string, Fields>;

const KINDS = ['config', 'vtep', 'segment', 'port', 'static-mac'] as const;
type Kind = (typeof KINDS)[number];
type Views = Record<Kind, View>;

export interface CheckResult {
  /** One line per change: `add|change|remove KIND ID: details`, in dependency order. */
  changes: string[];
  /** `wait port NAME: ...` for each port whose interface does not exist (yet): no change now. */
  waiting: string[];
  /** Whether the instance had pinned state to compare with. */
  pinned: boolean;
}

function configFields(c: Omit<VxvemConfig, 'version'>): Fields {
  return {
    ttl: String(c.ttl),
    tos: c.flags & CFG_F_TOS_INHERIT ? 'inherit' : String(c.tos),
    srcPortRange: `${c.srcPortMin}-${c.srcPortMax}`,
    udpChecksum: String((c.flags & CFG_F_UDP_CSUM) !== 0),
  };
}

function prefixOf(netmask: string): number {
  return netmask.split('.').reduce((n, o) => n + (Number(o).toString(2).match(/1/g)?.length ?? 0), 0);
}

function vtepFields(v: Vtep, name: (ifindex: number) => string): Fields {
  return {
    interface: name(v.ifindex), prefix: `/${prefixOf(v.netmask)}`,
    gateway: v.gateway === '0.0.0.0' ? 'none' : v.gateway, mtu: String(v.mtu), mac: v.mac,
  };
}

function segmentFields(s: Segment, slotAddr: Map<number, string>, flood: string[] | undefined): Fields {
  if (s.mode === FloodMode.Vlan) return { mode: 'vlan', physnetSlot: String(Math.floor(s.vni / 4096) % 4096), vlan: String(s.vni % 4096) };
  const out: Fields = { mode: s.mode === FloodMode.Multicast ? 'multicast' : 'unicast', vtep: slotAddr.get(s.vtepSlot) ?? `slot ${s.vtepSlot}` };
  if (s.mode === FloodMode.Multicast) out.group = s.group;
  else out.flood = flood?.length ? flood.join(',') : 'none';
  return out;
}

/**
 * A port's fields; the security ones only where they are not the open default (port security:
 * the MAC it sends from, and how many (MAC, prefix) sources it has; a storm rate; a MAC limit
 * other than the default); DHCP from the VEM, when the port has it.
 */
function portFields(ifindex: number, p: Pick<Port, 'vni' | 'flags' | 'mac' | 'maxMacs' | 'stormPps'>, sources: number, dhcp?: DhcpLease): Fields {
  const out: Fields = { vni: String(p.vni), ifindex: String(ifindex) };
  if (dhcp) out.dhcp = describeDhcp(dhcp);
  if (p.flags & PORT_F_SECURE) out.portSecurity = p.mac;
  if (p.flags & PORT_F_IP_LOCK) out.sources = String(sources);
  if (p.stormPps) out.stormPps = String(p.stormPps);
  if (p.maxMacs !== DEFAULT_MAX_MACS_PER_PORT) out.maxMacs = String(p.maxMacs);
  return out;
}

const emptyViews = (): Views => ({ config: new Map(), vtep: new Map(), segment: new Map(), port: new Map(), 'static-mac': new Map() });

function desiredViews(want: DesiredState): Views {
  const slotAddr = new Map(want.vteps.map((v) => [v.slot, v.addr]));
  const port = new Map<string, Fields>([...want.ports.values()].map((p) => [p.interface, portFields(p.ifindex, p, p.addrs.length, want.dhcp.get(p.ifindex))]));
  return {
    config: new Map([['', configFields(want.config)]]),
    vtep: new Map(want.vteps.map((v) => [v.addr, vtepFields(v, () => v.interface)])),
    segment: new Map([...want.segments].map(([vni, s]) => [String(vni), segmentFields(s, slotAddr, want.flood.get(vni))])),
    port,
    'static-mac': new Map(want.staticMacs.map((m) => [`${m.key.vni} ${m.key.mac}`, { vtep: m.entry.vtep }])),
  };
}

function pinnedViews(maps: DataplaneMaps, name: (ifindex: number) => string): Views {
  const cfg = maps.config.get(0);
  const vteps = [...maps.vteps.entries()].filter(([slot, v]) => slot > 0 && v.addr !== '0.0.0.0');
  const slotAddr = new Map(vteps.map(([slot, v]) => [slot, v.addr]));
  const statics: View = new Map();
  // An older agent kept static entries in the learned table; this one keeps them apart.
  for (const [k, e] of maps.macs.entries()) if (e.flags & MAC_F_STATIC) statics.set(`${k.vni} ${k.mac}`, { vtep: e.vtep });
  for (const [k, e] of maps.staticMacs.entries()) statics.set(`${k.vni} ${k.mac}`, { vtep: e.vtep });
  const sources = new Map<number, number>();
  for (const k of maps.portAddrs.keys()) sources.set(k.ifindex, (sources.get(k.ifindex) ?? 0) + 1);
  const dhcp = new Map(maps.dhcp.entries());
  return {
    config: new Map(cfg && cfg.version !== 0 ? [['', configFields(cfg)]] : []),
    vtep: new Map(vteps.map(([, v]) => [v.addr, vtepFields(v, name)])),
    segment: new Map([...maps.segments.entries()].map(([vni, s]) => [String(vni), segmentFields(s, slotAddr, maps.flood.get(vni)?.vteps)])),
    port: new Map([...maps.ports.entries()].map(([ifindex, p]) => [name(ifindex), portFields(ifindex, p, sources.get(ifindex) ?? 0, dhcp.get(ifindex))])),
    'static-mac': statics,
  };
}

const render = (f: Fields): string => Object.entries(f).map(([k, v]) => `${k} ${v}`).join(', ');
const byId = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/** The change lines, pure: additions and changes in dependency order, then removals in reverse. */
function diffViews(want: Views, have: Views): string[] {
  const label = (kind: Kind, id: string): string => (id === '' ? kind : `${kind} ${id}`);
  const adds: string[] = [];
  const removes: string[][] = [];
  for (const kind of KINDS) {
    const w = want[kind];
    const h = have[kind];
    for (const id of [...w.keys()].sort(byId)) {
      const a = h.get(id);
      const b = w.get(id)!;
      if (!a) {
        adds.push(`add ${label(kind, id)}: ${render(b)}`);
        continue;
      }
      const moved = Object.keys(b).filter((k) => a[k] !== b[k]).map((k) => `${k} ${a[k] ?? 'none'} -> ${b[k]}`);
      if (moved.length) adds.push(`change ${label(kind, id)}: ${moved.join(', ')}`);
    }
    removes.unshift([...h.keys()].filter((id) => !w.has(id)).sort(byId).map((id) => `remove ${label(kind, id)}: ${render(h.get(id)!)}`));
  }
  return [...adds, ...removes.flat()];
}

/**
 * Validates the file (ConfigError names the key) and computes the changes; the file's
 * interfaces are looked up in the current network namespace (DesiredStateError otherwise).
 */
export function checkConfigFile(path: string, instance: string): CheckResult {
  const config = parseVemConfig(JSON.parse(readFileSync(path, 'utf8')) as unknown);
  const links = listLinks();
  const byIndex = new Map([...links.values()].map((l) => [l.ifindex, l.name]));
  const name = (ifindex: number): string => byIndex.get(ifindex) ?? `ifindex ${ifindex}`;
  const pinned = existsSync(instancePinDir(instance)) ? openPinnedMaps(instance) : undefined;
  try {
    const want = desiredFromConfig(config, links, pinned ? currentSlots(pinned.maps) : new Map());
    const have = pinned ? pinnedViews(pinned.maps, name) : emptyViews();
    const waiting = config.ports.filter((p) => want.missingPorts.includes(p.interface))
      .map((p) => `wait port ${p.interface}: vni ${p.vni} (no such interface yet: bound when it appears)`);
    return { changes: diffViews(desiredViews(want), have), waiting, pinned: pinned !== undefined };
  } finally {
    pinned?.close();
  }
}
