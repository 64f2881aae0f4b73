// The VSM's view of this host as the agent's configuration: the host's own VTEPs, physical
// networks and settings, plus the view's segments, ports and static MACs taken value by value,
// each checked by the validators a configuration file goes through, then by the rules across the
// whole. The VSM keys VLAN segments by ids of its own (>= 2^24); this host keys them by its
// physical networks' slots (src/common/vlan.ts), so every segment reference is translated.
import type { HostPortMsg, HostSegmentMsg, HostView } from '../../proto/index.js';
import { isVlanSegment } from '../common/vlan.js';
import { checkConfig, floodMode, group, ifname, ipv4, unicastMac, vni, type HostConfig, type PortConfig, type SegmentConfig, type VemConfig } from './config.js';
import { dhcpFrom } from './dhcp-config.js';
import { SECURITY_DEFAULTS, portSecurityFrom } from './security-config.js';
import { ConfigError } from './config-values.js';
import { SegmentIds, vlanId } from './vlan-config.js';

/** A port of the view, with its port security, storm limit, DHCP and trunk as the VSM's policy and Neutron set them. */
function portFromView(p: HostPortMsg, key: string, local: (id: number, key: string) => number | undefined): PortConfig {
  const security = portSecurityFrom({
    mac: p.mac, portSecurity: p.portSecurity ?? false, addresses: p.addresses ?? [], stormPps: p.stormPps ?? 0,
    allowedPairs: (p.allowedPairs ?? []).map((x) => ({ mac: x.mac, address: x.address })),
  }, key);
  const trunk = (p.trunk ?? []).flatMap((t, j) => {
    const segment = local(t.vni, `${key}.trunk[${j}]`);
    return segment === undefined ? [] : [{ vid: vlanId(t.vlan, `${key}.trunk[${j}].vlan`), segment }];
  });
  const port: PortConfig = { interface: ifname(p.interface, `${key}.interface`), vni: local(p.vni, `${key}.vni`)!, ...security, ...(trunk.length ? { trunk } : {}) };
  if (p.dhcpAddress) {
    port.dhcp = dhcpFrom({
      address: p.dhcpAddress, dns: p.dhcpDns ?? [],
      ...(p.dhcpGateway ? { gateway: p.dhcpGateway } : {}), ...(p.dhcpMtu ? { mtu: p.dhcpMtu } : {}),
    }, `${key}.dhcp`);
  }
  return port;
}

function segmentFromView(s: HostSegmentMsg, key: string, ids: SegmentIds): SegmentConfig {
  if (s.mode === 'vlan') {
    const vid = vlanId(s.vlan, `${key}.vlan`);
    const id = ids.vlan(vid, s.physicalNetwork, `${key}.physicalNetwork`);
    return { vni: id, mode: 'vlan', vlan: ids.vlanRef(id)!, floodList: [] };
  }
  const seg: SegmentConfig = { vni: vni(s.vni, `${key}.vni`), mode: floodMode(s.mode, `${key}.mode`), floodList: [], vtep: ipv4(s.designatedVtep, `${key}.vtep`) };
  if (seg.mode === 'multicast') seg.group = group(s.group, `${key}.group`);
  else seg.floodList = s.floodList.map((f, j) => ipv4(f, `${key}.floodList[${j}]`));
  return seg;
}

export interface ViewConfig {
  config: VemConfig;
  /** VLAN segments of the view on physical networks this host has no uplink for: left out, with their ports. */
  skipped: string[];
}

export function configFromView(host: HostConfig, view: HostView): VemConfig {
  return viewConfig(host, view).config;
}

export function viewConfig(host: HostConfig, view: HostView): ViewConfig {
  const ids = new SegmentIds(host.physicalNetworks ?? {});
  const local = new Map<number, number>();
  const skipped: string[] = [];
  const skippedIds = new Set<number>();
  const segments = view.segments.flatMap((s, i): SegmentConfig[] => {
    if (s.mode === 'vlan' && !ids.slots.has(s.physicalNetwork)) {
      // The VSM reports such a port's binding as failed; the rest of the view still applies.
      skipped.push(`VLAN ${s.vlan} on ${s.physicalNetwork}`);
      skippedIds.add(s.vni);
      return [];
    }
    const seg = segmentFromView(s, `segments[${i}]`, ids);
    local.set(s.vni, seg.vni);
    return [seg];
  });
  // A VXLAN segment's id is its VNI on every host; an unknown one is left to checkConfig to name.
  const toLocal = (id: number, key: string): number | undefined => {
    if (skippedIds.has(id)) return undefined;
    const mine = local.get(id) ?? (isVlanSegment(id) ? undefined : id);
    if (mine === undefined) throw new ConfigError(key, `segment ${id} is not in the view`);
    return mine;
  };
  const config: VemConfig = {
    ...SECURITY_DEFAULTS,
    ...host,
    segments,
    ports: view.ports.filter((p) => !skippedIds.has(p.vni)).map((p, i) => portFromView(p, `ports[${i}]`, toLocal)),
    staticMacs: view.staticMacs.filter((m) => !skippedIds.has(m.vni)).map((m, i) => ({ vni: toLocal(m.vni, `staticMacs[${i}].vni`)!, mac: unicastMac(m.mac, `staticMacs[${i}].mac`), vtep: ipv4(m.vtep, `staticMacs[${i}].vtep`) })),
  };
  checkConfig(config);
  return { config, skipped };
}
