// What each host needs: its segments (mode, group, designated VTEP, flood list), its ports,
// and the other hosts' port MACs as static entries behind their designated VTEPs.
import type { HostView } from '../../proto/index.js';
import { derived, floodList, type VsmState } from './model.js';

export function hostView(s: VsmState, host: string): HostView {
  const d = derived(s);
  const mine = d.designated.get(host) ?? new Map<number, string>();
  const segments = [...mine.keys()].map((vni) => d.segmentByVni.get(vni)!);
  return {
    revision: String(s.revision),
    segments: segments.map((seg) => ({
      vni: seg.vni, mode: seg.mode, group: seg.group ?? '', designatedVtep: mine.get(seg.vni)!,
      floodList: seg.mode === 'unicast' ? floodList(s, host, seg.vni) : [],
    })),
    ports: segments
      .flatMap((seg) => (d.portsByNetwork.get(seg.name) ?? []).filter((p) => p.host === host).map((p) => ({ interface: p.interface, vni: seg.vni, mac: p.mac })))
      .sort((a, b) => a.interface.localeCompare(b.interface)),
    staticMacs: segments
      .flatMap((seg) => (d.portsByNetwork.get(seg.name) ?? []).filter((p) => p.host !== host).flatMap((p) => {
        const vtep = d.designated.get(p.host)?.get(seg.vni);
        return vtep ? [{ vni: seg.vni, mac: p.mac, vtep }] : [];
      }))
      .sort((a, b) => a.vni - b.vni || a.mac.localeCompare(b.mac)),
  };
}
