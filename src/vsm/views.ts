// What each host needs: its segments (mode, group, designated VTEP, flood list), its ports,
// and the other hosts' port MACs as static entries behind their designated VTEPs.
import type { HostView } from '../../proto/index.js';
import { designatedVteps, floodList, type VsmState } from './model.js';

export function hostView(s: VsmState, host: string): HostView {
  const designated = designatedVteps(s);
  const mine = designated.get(host) ?? new Map<number, string>();
  const byName = s.segments;
  const ports = Object.values(s.ports).filter((p) => p.host === host && byName[p.network]);
  const vnis = [...mine.keys()];
  return {
    revision: String(s.revision),
    segments: vnis.map((vni) => {
      const seg = Object.values(byName).find((x) => x.vni === vni)!;
      return {
        vni, mode: seg.mode, group: seg.group ?? '', designatedVtep: mine.get(vni)!,
        floodList: seg.mode === 'unicast' ? floodList(s, host, vni, designated) : [],
      };
    }),
    ports: ports.map((p) => ({ interface: p.interface, vni: byName[p.network]!.vni, mac: p.mac })).sort((a, b) => a.interface.localeCompare(b.interface)),
    staticMacs: Object.values(s.ports)
      .filter((p) => p.host !== host && byName[p.network] && mine.has(byName[p.network]!.vni))
      .flatMap((p) => {
        const vtep = designated.get(p.host)?.get(byName[p.network]!.vni);
        return vtep ? [{ vni: byName[p.network]!.vni, mac: p.mac, vtep }] : [];
      })
      .sort((a, b) => a.vni - b.vni || a.mac.localeCompare(b.mac)),
  };
}
