// What each host needs: its segments (mode, group, designated VTEP, flood list), its ports
// (with their port security and storm rate), and the other hosts' port MACs as static entries
// behind their designated VTEPs. The flood list and the static entries' VTEPs are also the
// only remote VTEPs the host accepts the segment's traffic from.
//
// A view is kept as one part per segment. A part depends only on the segment, the network's
// port list, the VNI's designations and the network's subnets (DHCP), all replaced (never
// edited) when they change, so parts are memoised on those objects: after a change, a host's
// view reuses every part it did not touch, and the delta to send compares parts by identity
// before looking inside. A port added to one network costs its hosts that one part, not their
// whole views.
import { diffEntries } from '../../proto/delta.js';
import type { HostDelta, HostPortMsg, HostSegmentMsg, HostView, StaticMacMsg } from '../../proto/index.js';
import { derived, floodList } from './indexes.js';
import type { PortObj, SegmentObj, VsmState } from './objects.js';
import { hostPort } from './port-security.js';

export interface ViewPart {
  segment: HostSegmentMsg;
  ports: HostPortMsg[];
  staticMacs: StaticMacMsg[];
}

export interface ViewParts {
  revision: string;
  parts: Map<number, ViewPart>;
}

const NO_PORTS: PortObj[] = [];
const NO_SUBNET_CHANGE = {};
// port list -> segment -> designation token -> subnet token -> host -> part
const partCache = new WeakMap<PortObj[], WeakMap<SegmentObj, WeakMap<object, WeakMap<object, Map<string, ViewPart>>>>>();

function part(s: VsmState, host: string, seg: SegmentObj, designatedVtep: string): ViewPart {
  const d = derived(s);
  const ports = d.portsByNetwork.get(seg.name) ?? NO_PORTS;
  const token = d.designationToken.get(seg.vni)!;
  let bySeg = partCache.get(ports);
  if (!bySeg) partCache.set(ports, (bySeg = new WeakMap()));
  let byToken = bySeg.get(seg);
  if (!byToken) bySeg.set(seg, (byToken = new WeakMap()));
  let bySubnets = byToken.get(token);
  if (!bySubnets) byToken.set(token, (bySubnets = new WeakMap()));
  const subnets = d.subnetToken.get(seg.name) ?? NO_SUBNET_CHANGE;
  let byHost = bySubnets.get(subnets);
  if (!byHost) bySubnets.set(subnets, (byHost = new Map()));
  const hit = byHost.get(host);
  if (hit) return hit;
  // A VLAN segment has no VTEPs: its remote MACs are learned on the physical network's uplink.
  const vlan = seg.mode === 'vlan';
  const made: ViewPart = {
    segment: {
      vni: seg.vni, mode: seg.mode, group: seg.group ?? '', designatedVtep: vlan ? '' : designatedVtep,
      floodList: seg.mode === 'unicast' ? floodList(s, host, seg.vni) : [], physicalNetwork: seg.physnet ?? '', vlan: seg.vlan ?? 0,
    },
    // A subport has no interface: its parent's port carries it.
    ports: ports.filter((p) => p.host === host && !p.subportOf).map((p) => hostPort(s, p, seg.vni)),
    staticMacs: vlan ? [] : ports.filter((p) => p.host !== host).flatMap((p) => {
      const vtep = d.designated.get(p.host)?.get(seg.vni);
      return vtep ? [{ vni: seg.vni, mac: p.mac, vtep }] : [];
    }),
  };
  byHost.set(host, made);
  return made;
}

export function hostViewParts(s: VsmState, host: string): ViewParts {
  const d = derived(s);
  const mine = d.designated.get(host) ?? new Map<number, string>();
  const parts = new Map<number, ViewPart>();
  for (const [vni, vtep] of mine) parts.set(vni, part(s, host, d.segmentByVni.get(vni)!, vtep));
  return { revision: String(s.revision), parts };
}

/** The flat, sorted view (snapshots, the admin service). */
export function flatten(v: ViewParts): HostView {
  const parts = [...v.parts.values()];
  return {
    revision: v.revision,
    segments: parts.map((p) => p.segment).sort((a, b) => a.vni - b.vni),
    ports: parts.flatMap((p) => p.ports).sort((a, b) => a.interface.localeCompare(b.interface)),
    staticMacs: parts.flatMap((p) => p.staticMacs).sort((a, b) => a.vni - b.vni || a.mac.localeCompare(b.mac)),
  };
}

export function hostView(s: VsmState, host: string): HostView {
  return flatten(hostViewParts(s, host));
}

/** The delta between two views of one host, looking only inside parts that are not the same object. */
export function partsDelta(from: ViewParts, to: ViewParts): HostDelta {
  const delta: HostDelta = {
    baseRevision: from.revision, revision: to.revision,
    upsertSegments: [], removeSegments: [], upsertPorts: [], removePorts: [], upsertStaticMacs: [], removeStaticMacs: [],
  };
  const add = (a: ViewPart | undefined, b: ViewPart | undefined): void => {
    const segs = diffEntries(a ? [a.segment] : [], b ? [b.segment] : [], (x) => x.vni);
    const ports = diffEntries(a?.ports ?? [], b?.ports ?? [], (x) => x.interface);
    const macs = diffEntries(a?.staticMacs ?? [], b?.staticMacs ?? [], (x) => `${x.vni}/${x.mac}`);
    delta.upsertSegments.push(...segs.upsert);
    delta.removeSegments.push(...segs.remove.map((x) => x.vni));
    delta.upsertPorts.push(...ports.upsert);
    delta.removePorts.push(...ports.remove.map((x) => x.interface));
    delta.upsertStaticMacs.push(...macs.upsert);
    delta.removeStaticMacs.push(...macs.remove);
  };
  for (const [vni, b] of to.parts) {
    const a = from.parts.get(vni);
    if (a !== b) add(a, b);
  }
  for (const [vni, a] of from.parts) if (!to.parts.has(vni)) add(a, undefined);
  // An interface that moved between segments in one change: removed from one part, upserted in
  // another. applyDelta removes before it upserts, but a remove of what is upserted is noise.
  const upserted = new Set(delta.upsertPorts.map((p) => p.interface));
  delta.removePorts = delta.removePorts.filter((i) => !upserted.has(i));
  return delta;
}
