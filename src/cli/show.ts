// Operator commands on the pinned maps of a VEM instance; they work while the agent is down.
//   vxvem show macs|segments|ports|vteps|nexthops|counters [--json] [--instance NAME]
//   vxvem show hosts|networks|profiles [--json] [--vsm ADDR]   (the VSM's view: show-vsm.ts)
//   vxvem mac delete --vni N --mac M [--instance NAME]
//   vxvem mac flush [--vni N] [--instance NAME]
import { flushLearned } from '../agent/ageing.js';
import { parseMac } from '../common/address.js';
import { DEFAULT_VSM_ADDRESS } from '../common/package.js';
import { VNI_MAX } from '../common/vxlan.js';
import { openPinnedMaps } from '../maps/dataplane.js';
import { dropLabel } from '../maps/drop-reasons.js';
import { FloodMode, MAC_F_STATIC, MacKind } from '../maps/layout.js';
import { sumCounters, type DataplaneMaps } from '../maps/tables.js';
import { UsageError, flagInt, flagString, parseArgs, type Parsed } from './args.js';
import { printTable } from './table.js';
import { AdminClient } from '../../proto/clients.js';
import { VSM_VIEWS } from './show-vsm.js';

type Row = Record<string, string | number>;

const VIEWS: Record<string, (m: DataplaneMaps) => Row[]> = {
  macs: (m) => [...m.macs.entries(), ...m.staticMacs.entries()]
    .map(([k, e]) => ({
      vni: k.vni,
      mac: k.mac,
      kind: `${e.kind === MacKind.Local ? 'local' : 'remote'}${e.flags & MAC_F_STATIC ? '-static' : ''}`,
      port: e.kind === MacKind.Local ? e.ifindex : '',
      vtep: e.kind === MacKind.Remote ? e.vtep : '',
      ageSeconds: e.flags & MAC_F_STATIC ? '' : Number((process.hrtime.bigint() - e.lastSeenNs) / 1_000_000_000n),
    }))
    .sort((a, b) => a.vni - b.vni || a.mac.localeCompare(b.mac)),
  segments: (m) => [...m.segments.entries()]
    .map(([vni, s]) => ({
      vni,
      mode: s.mode === FloodMode.Multicast ? 'multicast' : 'unicast',
      group: s.mode === FloodMode.Multicast ? s.group : '',
      vtep: m.vteps.get(s.vtepSlot)?.addr ?? '',
      floodList: (m.flood.get(vni)?.vteps ?? []).join(','),
      ports: (m.segPorts.get(vni)?.ifindex ?? []).join(','),
    }))
    .sort((a, b) => a.vni - b.vni),
  ports: (m) => [...m.ports.entries()].map(([ifindex, p]) => ({ ifindex, vni: p.vni })).sort((a, b) => a.ifindex - b.ifindex),
  vteps: (m) => [...m.vteps.entries()]
    .filter(([slot, v]) => slot > 0 && v.addr !== '0.0.0.0')
    .map(([slot, v]) => ({ slot, address: v.addr, netmask: v.netmask, gateway: v.gateway === '0.0.0.0' ? '' : v.gateway, ifindex: v.ifindex, mac: v.mac, mtu: v.mtu })),
  nexthops: (m) => [...m.neigh.entries()]
    .map(([k, n]) => ({ uplink: k.ifindex, nextHop: k.addr, mac: n.mac }))
    .sort((a, b) => a.uplink - b.uplink || a.nextHop.localeCompare(b.nextHop)),
  counters: (m) => {
    const rows: Row[] = [...m.counters.entries()].map(([vni, per]) => {
      const c = sumCounters(per);
      return { vni, rxPackets: String(c.rxPackets), rxBytes: String(c.rxBytes), txPackets: String(c.txPackets), txBytes: String(c.txBytes), flood: String(c.floodPackets), learned: String(c.learned), moves: String(c.moves) };
    });
    const drops: Row[] = [...m.drops.entries()].map(([k, per]) => ({ vni: k.vni, drop: dropLabel(k.reason), packets: String(per.reduce((a, b) => a + b, 0n)) }));
    return [...rows.sort((a, b) => Number(a.vni) - Number(b.vni)), ...drops.sort((a, b) => Number(a.vni) - Number(b.vni))];
  },
};

function withMaps<T>(p: Parsed, f: (m: DataplaneMaps) => T): T {
  const pinned = openPinnedMaps(flagString(p, 'instance') ?? 'default');
  try {
    return f(pinned.maps);
  } finally {
    pinned.close();
  }
}

export async function runShow(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { json: { kind: 'boolean' }, instance: { kind: 'string' }, vsm: { kind: 'string' } });
  const what = p.positionals[0];
  const vsmView = what ? VSM_VIEWS[what] : undefined;
  const view = what ? VIEWS[what] : undefined;
  if ((!view && !vsmView) || p.positionals.length > 1) throw new UsageError(`show: expected one of ${[...Object.keys(VIEWS), ...Object.keys(VSM_VIEWS)].join('|')}`);
  if (vsmView && p.flags.has('instance')) throw new UsageError(`show ${what} is the VSM's view: it takes --vsm ADDR, not --instance`);
  if (view && p.flags.has('vsm')) throw new UsageError(`show ${what} reads this host's dataplane: it takes --instance NAME, not --vsm`);
  let rows: Row[];
  if (vsmView) {
    const admin = new AdminClient(flagString(p, 'vsm') ?? DEFAULT_VSM_ADDRESS);
    try {
      rows = await vsmView(admin);
    } finally {
      admin.close();
    }
  } else {
    rows = withMaps(p, view!);
  }
  if (p.flags.get('json')) console.log(JSON.stringify(rows, null, 2));
  else printTable(rows);
  return 0;
}

export async function runMac(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { vni: { kind: 'string' }, mac: { kind: 'string' }, instance: { kind: 'string' }, json: { kind: 'boolean' } });
  const action = p.positionals[0];
  const vni = flagInt(p, 'vni', 1, VNI_MAX);
  if (action === 'delete') {
    const mac = flagString(p, 'mac');
    if (vni === undefined || !mac) throw new UsageError('mac delete: --vni N and --mac M are required');
    parseMac(mac.toLowerCase());
    const key = { vni, mac: mac.toLowerCase() };
    const done = withMaps(p, (m) => {
      const e = m.macs.get(key) ?? m.staticMacs.get(key);
      if (!e) throw new Error(`no MAC entry ${key.mac} in VNI ${vni}`);
      if (e.flags & MAC_F_STATIC) throw new Error(`${key.mac} in VNI ${vni} is static: remove it from the configuration`);
      return m.macs.delete(key);
    });
    console.log(p.flags.get('json') ? JSON.stringify({ deleted: done ? 1 : 0 }) : `deleted ${key.mac} from VNI ${vni}`);
    return 0;
  }
  if (action === 'flush') {
    if (p.flags.has('mac')) throw new UsageError('mac flush takes no --mac (use mac delete)');
    const n = withMaps(p, (m) => flushLearned(m, vni));
    console.log(p.flags.get('json') ? JSON.stringify({ deleted: n }) : `flushed ${n} learned entries${vni === undefined ? '' : ` from VNI ${vni}`}`);
    return 0;
  }
  throw new UsageError('mac: expected delete or flush');
}
