// The VSM's view for operators: `vxvem show hosts|networks [NET]|profiles [--vsm ADDR] [--json]`.
// networks: one row per (network, host) with the VTEP the VSM designated on that host and the
// flood list it sent (unicast-only head-end replication), so a missing copy can be traced.
// Networks made through Neutron show their OpenStack name and project, and NET may be either
// the network's name (its UUID, for those) or its OpenStack name.
import type { AdminClient } from '../../proto/clients.js';
import type { HostInfoMsg } from '../../proto/index.js';
import { UsageError, type Parsed } from './args.js';
import { vtepText, type VtepRow } from './dataplane-rows.js';
import { resolveName } from './names.js';
import { printRows, type Row } from './table.js';

interface VsmView {
  rows(a: AdminClient, arg: string | undefined): Promise<Row[]>;
  /** The table's cells, where they differ from the JSON's. */
  text?(r: Row): Row;
  /** Whether the view takes one NAME. */
  arg?: boolean;
}

const orNull = (s: string): string | null => s || null;

/** What a host's VEM last reported, with the types of the CLI's JSON. */
function reported(h: HostInfoMsg): { vteps: VtepRow[]; uplinkMtu: number | null; version: string | null; appliedRevision: number; lastReport: string | null } {
  const ms = Number(h.lastReportMs);
  return {
    vteps: h.vteps.map((v) => ({ interface: v.interface, address: v.address, prefixLength: v.prefixLength, gateway: orNull(v.gateway) })),
    uplinkMtu: h.uplinkMtu || null,
    version: orNull(h.version),
    appliedRevision: Number(h.appliedRevision),
    lastReport: ms ? new Date(ms).toISOString() : null,
  };
}

/** A VSM host as `show hosts` prints it. */
function hostRow(h: HostInfoMsg): Row {
  const r = reported(h);
  return {
    host: h.name, state: h.connected ? 'connected' : 'disconnected', vteps: r.vteps, uplinkMtu: r.uplinkMtu, version: r.version,
    appliedRevision: r.appliedRevision, lastReport: r.lastReport, segments: h.segments.length, learned: h.learned.length,
  };
}

/** A VSM host in full, as `host list|show --json` print it: segments and learned MACs too. */
export function hostJson(h: HostInfoMsg): object {
  return {
    name: h.name, connected: h.connected, ...reported(h), designated: h.designated,
    segments: h.segments.map((x) => ({ ...x, group: orNull(x.group) })),
    learned: h.learned.map((m) => ({ vni: m.vni, mac: m.mac, vtep: orNull(m.vtep), interface: orNull(m.interface) })),
  };
}

export const VSM_VIEWS: Record<string, VsmView> = {
  hosts: {
    rows: async (a) => (await a.listHosts()).map(hostRow).sort((x, y) => String(x.host).localeCompare(String(y.host))),
    text: (r) => ({
      ...r,
      vteps: (r.vteps as VtepRow[]).map(vtepText).join(' '),
      lastReport: r.lastReport ? `${Math.round((Date.now() - Date.parse(String(r.lastReport))) / 1000)}s ago` : 'never',
    }),
  },

  networks: {
    arg: true,
    rows: async (a, only) => {
      const [all, subnets, ports, hosts] = await Promise.all([a.listNetworks(), a.listSubnets(), a.listPorts(), a.listHosts()]);
      const networks = only === undefined ? all : [resolveName(all, only, 'network')];
      const rows: Row[] = [];
      for (const n of [...networks].sort((x, y) => x.vni - y.vni)) {
        const base = {
          network: n.name, displayName: orNull(n.displayName), project: orNull(n.project), vni: n.vni, mode: n.mode, group: orNull(n.group),
          subnets: subnets.filter((s) => s.network === n.name).map((s) => s.cidr),
        };
        const on = hosts.filter((h) => h.segments.some((s) => s.vni === n.vni)).sort((x, y) => x.name.localeCompare(y.name));
        if (!on.length) rows.push({ ...base, host: null, designated: null, floodList: null, ports: [] });
        for (const h of on) {
          const seg = h.segments.find((s) => s.vni === n.vni)!;
          rows.push({
            ...base, host: h.name, designated: seg.designatedVtep,
            // Multicast networks flood to their group: no list.
            floodList: n.mode === 'multicast' ? null : seg.floodList,
            ports: ports.filter((p) => p.network === n.name && p.host === h.name).map((p) => p.name).sort(),
          });
        }
      }
      return rows;
    },
    text: (r) => ({ ...r, floodList: r.mode === 'multicast' ? `(group ${String(r.group)})` : r.floodList }),
  },

  profiles: {
    rows: async (a) => (await a.listProfiles()).map((x) => ({ profile: x.name, policy: x.policy, network: x.network, ports: x.ports.length, members: x.ports })),
  },
};

/** `connect` makes the client as the admin flags say (admin.ts; passed in: admin.ts imports this module). */
export async function runVsmView(what: string, p: Parsed, connect: (p: Parsed) => AdminClient): Promise<number> {
  const view = VSM_VIEWS[what]!;
  const arg = p.positionals[1];
  if (p.positionals.length > (view.arg ? 2 : 1)) throw new UsageError(`show ${what}: unexpected ${JSON.stringify(p.positionals.at(-1))}`);
  const admin = connect(p);
  let rows: Row[];
  try {
    rows = await view.rows(admin, arg);
  } finally {
    admin.close();
  }
  const json = p.flags.get('json') === true;
  printRows(json || !view.text ? rows : rows.map(view.text), json);
  return 0;
}
