// DHCP from the VEM (docs/dataplane.md, "DHCP") as the VSM tells a port's host: the port's
// first fixed IP on a Neutron subnet with enable_dhcp (Neutron's default: on), that subnet's
// gateway and DNS servers, and the network's MTU when Neutron set one. No BPF, no I/O.
import type { HostPortMsg } from '../../proto/index.js';
import { parseIpv4 } from '../common/address.js';
import type { PortObj, SegmentObj, SubnetObj, VsmState } from './objects.js';

export type DhcpFields = Pick<HostPortMsg, 'dhcpAddress' | 'dhcpGateway' | 'dhcpDns' | 'dhcpMtu'>;

interface FixedIp {
  subnet_id?: unknown;
  ip_address?: unknown;
}

const isIpv4 = (a: unknown): a is string => {
  if (typeof a !== 'string') return false;
  try {
    parseIpv4(a);
    return true;
  } catch {
    return false;
  }
};

/** The subnet (with DHCP on) the port takes its DHCP address from, and that address. */
export function dhcpSubnet(s: VsmState, p: PortObj): { subnet: SubnetObj; address: string } | undefined {
  const fixed = p.neutron?.fixed_ips;
  if (!Array.isArray(fixed)) return undefined;
  for (const f of fixed as FixedIp[]) {
    const subnet = typeof f.subnet_id === 'string' ? s.subnets[f.subnet_id] : undefined;
    if (subnet && subnet.network === p.network && subnet.neutron?.enable_dhcp !== false && isIpv4(f.ip_address)) return { subnet, address: f.ip_address };
  }
  return undefined;
}

/** The DHCP fields of the port's view entry; none (unset, as from an older VSM) without DHCP. */
export function dhcpFields(found: { subnet: SubnetObj; address: string } | undefined, seg: SegmentObj | undefined): DhcpFields {
  if (!found) return {};
  const { subnet, address } = found;
  const dns = subnet.neutron?.dns_nameservers;
  const mtu = seg?.neutron?.mtu;
  return {
    dhcpAddress: `${address}/${subnet.cidr.split('/')[1]}`,
    dhcpGateway: subnet.gateway ?? '',
    dhcpDns: Array.isArray(dns) ? dns.filter(isIpv4) : [],
    dhcpMtu: typeof mtu === 'number' && Number.isInteger(mtu) && mtu > 0 ? mtu : 0,
  };
}
