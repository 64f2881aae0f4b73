// The VSM's view of this host as the agent's configuration: the host's own VTEPs and settings,
// plus the view's segments, ports and static MACs taken value by value, each checked by the
// validators a configuration file goes through, then by the rules across the whole.
import type { HostPortMsg, HostView } from '../../proto/index.js';
import { checkConfig, floodMode, group, ifname, ipv4, unicastMac, vni, type HostConfig, type PortConfig, type SegmentConfig, type VemConfig } from './config.js';
import { dhcpFrom } from './dhcp-config.js';
import { SECURITY_DEFAULTS, portSecurityFrom } from './security-config.js';

/** A port of the view, with its port security, storm limit and DHCP as the VSM's policy and Neutron set them. */
function portFromView(p: HostPortMsg, key: string): PortConfig {
  const security = portSecurityFrom({
    mac: p.mac, portSecurity: p.portSecurity ?? false, addresses: p.addresses ?? [], stormPps: p.stormPps ?? 0,
    allowedPairs: (p.allowedPairs ?? []).map((x) => ({ mac: x.mac, address: x.address })),
  }, key);
  const port: PortConfig = { interface: ifname(p.interface, `${key}.interface`), vni: p.vni, ...security };
  if (p.dhcpAddress) {
    port.dhcp = dhcpFrom({
      address: p.dhcpAddress, dns: p.dhcpDns ?? [],
      ...(p.dhcpGateway ? { gateway: p.dhcpGateway } : {}), ...(p.dhcpMtu ? { mtu: p.dhcpMtu } : {}),
    }, `${key}.dhcp`);
  }
  return port;
}

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
    ...SECURITY_DEFAULTS,
    segments,
    ports: view.ports.map((p, i) => portFromView(p, `ports[${i}]`)),
    staticMacs: view.staticMacs.map((m, i) => ({ vni: m.vni, mac: unicastMac(m.mac, `staticMacs[${i}].mac`), vtep: ipv4(m.vtep, `staticMacs[${i}].vtep`) })),
  };
  checkConfig(config);
  return config;
}
