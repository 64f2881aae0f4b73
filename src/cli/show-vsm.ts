// The VSM's view for operators: `vxvem show hosts|networks|profiles [--vsm ADDR] [--json]`.
// networks: one row per (network, host) with the VTEP the VSM designated on that host and the
// flood list it sent (unicast-only head-end replication), so a missing copy can be traced.
import { AdminClient } from '../../proto/clients.js';

type Row = Record<string, string | number>;

export const VSM_VIEWS: Record<string, (a: AdminClient) => Promise<Row[]>> = {
  hosts: async (a) => (await a.listHosts()).map((h) => ({
    host: h.name,
    state: h.connected ? 'connected' : 'disconnected',
    vteps: h.vteps.map((v) => `${v.interface}:${v.address}/${v.prefixLength}${v.gateway ? `@${v.gateway}` : ''}`).join(' '),
    uplinkMtu: h.uplinkMtu || '',
    version: h.version,
    appliedRevision: h.appliedRevision,
    lastReport: Number(h.lastReportMs) ? `${Math.round((Date.now() - Number(h.lastReportMs)) / 1000)}s ago` : 'never',
    segments: h.segments.length,
    learned: h.learned.length,
  })).sort((x, y) => x.host.localeCompare(y.host)),

  networks: async (a) => {
    const [networks, subnets, ports, hosts] = await Promise.all([a.listNetworks(), a.listSubnets(), a.listPorts(), a.listHosts()]);
    const rows: Row[] = [];
    for (const n of [...networks].sort((x, y) => x.vni - y.vni)) {
      const base = { network: n.name, vni: n.vni, mode: n.mode, group: n.group, subnets: subnets.filter((s) => s.network === n.name).map((s) => s.cidr).join(',') };
      const on = hosts.filter((h) => h.segments.some((s) => s.vni === n.vni)).sort((x, y) => x.name.localeCompare(y.name));
      if (!on.length) rows.push({ ...base, host: '', designated: '', floodList: '', ports: '' });
      for (const h of on) {
        const seg = h.segments.find((s) => s.vni === n.vni)!;
        rows.push({
          ...base, host: h.name, designated: seg.designatedVtep,
          floodList: n.mode === 'multicast' ? `(group ${n.group})` : seg.floodList.join(','),
          ports: ports.filter((p) => p.network === n.name && p.host === h.name).map((p) => p.name).sort().join(','),
        });
      }
    }
    return rows;
  },

  profiles: async (a) => (await a.listProfiles()).map((x) => ({ profile: x.name, policy: x.policy, network: x.network, ports: x.ports.length, members: x.ports.join(',') })),
};
