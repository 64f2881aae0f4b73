// Operator commands on the pinned maps of a VEM instance; they work while the agent is down.
// Interfaces are shown by name (iface-names.ts finds the agent's network namespace).
//   vxvem show macs [--vni N] [--mac M] [--port P] [--count]       (show-macs.ts)
//   vxvem show segments|ports|vteps|nexthops|counters|drops [--vni N]
//     ... [--json] [--instance NAME] [--netns NAME]
//   vxvem show hosts|networks|profiles [--json] [--vsm ADDR]      (the VSM's view: show-vsm.ts)
//   vxvem mac delete --vni N --mac M [--instance NAME]
//   vxvem mac flush [--vni N] [--instance NAME]
import { flushLearned } from '../agent/ageing.js';
import { parseMac } from '../common/address.js';
import { VNI_MAX } from '../common/vxlan.js';
import { openPinnedMaps } from '../maps/dataplane.js';
import { FloodMode, MAC_F_STATIC } from '../maps/layout.js';
import { readDropTotals, readSegmentTotals } from '../maps/totals.js';
import type { DataplaneMaps } from '../maps/tables.js';
import { adminClient } from './admin.js';
import { UsageError, flagInt, flagString, type Parsed } from './args.js';
import { dataplaneVteps, dropRows } from './dataplane-rows.js';
import { withDataplane, type DataplaneView } from './dataplane-view.js';
import { macsView } from './show-macs.js';
import { VSM_VIEWS, runVsmView } from './show-vsm.js';
import { printRows } from './table.js';

/** The VNI to show, when one is asked for (0: drops whose VNI was not known). */
const vniFlag = (p: Parsed, min = 1): number | undefined => flagInt(p, 'vni', min, VNI_MAX);

/** The views of the dataplane (their flags: tree/agent.ts). */
export const VIEWS: Record<string, DataplaneView> = {
  macs: macsView,
  segments: (d) => {
    const vni = vniFlag(d.p);
    const vteps = new Map(dataplaneVteps(d.maps, d.names).map((v) => [v.slot, v.address]));
    const rows = [...d.maps.segments.entries()]
      .filter(([n]) => vni === undefined || n === vni)
      .sort(([a], [b]) => a - b)
      .map(([n, s]) => ({
        vni: n,
        mode: s.mode === FloodMode.Multicast ? 'multicast' : 'unicast',
        group: s.mode === FloodMode.Multicast ? s.group : null,
        vtep: vteps.get(s.vtepSlot) ?? null,
        floodList: d.maps.flood.get(n)?.vteps ?? [],
        ports: (d.maps.segPorts.get(n)?.ifindex ?? []).map((i) => d.names.name(i)),
      }));
    return { rows };
  },
  ports: (d) => {
    const vni = vniFlag(d.p);
    const rows = [...d.maps.ports.entries()]
      .filter(([, p]) => vni === undefined || p.vni === vni)
      .map(([ifindex, p]) => ({ port: d.names.name(ifindex), ifindex, vni: p.vni }))
      .sort((a, b) => a.vni - b.vni || a.port.localeCompare(b.port));
    return { rows };
  },
  vteps: (d) => ({ rows: dataplaneVteps(d.maps, d.names) }),
  nexthops: (d) => ({
    rows: [...d.maps.neigh.entries()]
      .map(([k, n]) => ({ uplink: d.names.name(k.ifindex), nextHop: k.addr, mac: n.mac }))
      .sort((a, b) => a.uplink.localeCompare(b.uplink) || a.nextHop.localeCompare(b.nextHop, undefined, { numeric: true })),
  }),
  counters: (d) => {
    const vni = vniFlag(d.p);
    const rows = [...readSegmentTotals(d.maps)]
      .filter(([n]) => vni === undefined || n === vni)
      .sort(([a], [b]) => a - b)
      .map(([n, c]) => ({ vni: n, rxPackets: c.rxPackets, rxBytes: c.rxBytes, txPackets: c.txPackets, txBytes: c.txBytes, flood: c.floodPackets, learned: c.learned, moves: c.moves }));
    const drops = readDropTotals(d.maps).filter((x) => vni === undefined || x.vni === vni).reduce((a, x) => a + x.packets, 0);
    return { rows, ...(drops ? { footer: `${drops} packets dropped: vxvem show drops` } : {}) };
  },
  drops: (d) => {
    const rows = dropRows(d.maps, vniFlag(d.p, 0));
    const total = rows.reduce((a, r) => a + r.packets, 0);
    return { rows, footer: `${total} packet${total === 1 ? '' : 's'} dropped` };
  },
};

/** `show VIEW [NET]`: positionals are the view and its argument (tree/agent.ts checks the flags of each). */
export async function runShow(p: Parsed): Promise<number> {
  const what = p.positionals[0]!;
  if (VSM_VIEWS[what]) return runVsmView(what, p, adminClient);
  const view = VIEWS[what];
  if (!view) throw new UsageError(`show: expected one of ${[...Object.keys(VIEWS), ...Object.keys(VSM_VIEWS)].join('|')}`);
  const json = p.flags.get('json') === true;
  withDataplane(p, (d) => {
    const r = view(d);
    if (r.count) console.log(json ? JSON.stringify(r.count) : r.footer);
    else {
      printRows(r.rows, json);
      if (!json && r.footer && r.rows.length) console.log(r.footer);
    }
  });
  return 0;
}

function withMaps<T>(p: Parsed, f: (m: DataplaneMaps) => T): T {
  const pinned = openPinnedMaps(flagString(p, 'instance') ?? 'default');
  try {
    return f(pinned.maps);
  } finally {
    pinned.close();
  }
}

/** `mac delete|flush`: positionals[0] is the action. */
export async function runMac(p: Parsed): Promise<number> {
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
    const n = withMaps(p, (m) => flushLearned(m, vni));
    console.log(p.flags.get('json') ? JSON.stringify({ deleted: n }) : `flushed ${n} learned entries${vni === undefined ? '' : ` from VNI ${vni}`}`);
    return 0;
  }
  throw new UsageError('mac: expected delete or flush');
}
