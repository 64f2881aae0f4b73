// The VSM's view of this host as the agent's configuration: the host's own VTEPs and settings,
// plus the view's segments, ports and static MACs taken value by value, each checked by the
// validators a configuration file goes through, then by the rules across the whole.
import type { HostView } from '../../proto/index.js';
import { checkConfig, floodMode, group, ifname, ipv4, unicastMac, vni, type HostConfig, type SegmentConfig, type VemConfig } from './config.js';

export function configFromView(host: HostConfig, view: HostView): VemConfig {
  const segments = view.segments.map((s, i): SegmentConfig => {
    const key = `segments[${i}]`;
    const seg: SegmentConfig = { vni: vni(s.vni, `${key}.vni`), mode: floodMode(s.mode, `${key}.mode`), floodList: [], vtep: ipv4(s.designatedVtep, `${key}.vtep`) };
    if (seg.mode === 'multicast') seg.group = group(s.group, `${key}.group`);
    else seg.floodList = s.floodList.map((f, j) => ipv4(f, `${key}.floodList[${j}]`));
    return seg;
  });
  const config: VemConfig = {
    ...host,
    segments,
    ports: view.ports.map((p, i) => ({ interface: ifname(p.interface, `ports[${i}].interface`), vni: p.vni })),
    staticMacs: view.staticMacs.map((m, i) => ({ vni: m.vni, mac: unicastMac(m.mac, `staticMacs[${i}].mac`), vtep: ipv4(m.vtep, `staticMacs[${i}].vtep`) })),
  };
  checkConfig(config);
  return config;
}
