// The VXLAN and host rules every side checks the same way (VEM config, VSM model, Neutron, CLI):
// each returns a problem sentence, or undefined when the value is fine, so callers wrap it in
// their own error type (ConfigError, VsmError, a Neutron 400, a usage error).
import { AddressError, parseIpv4 } from './address.js';

export const VNI_MIN = 1;
export const VNI_MAX = 0xffffff;
/** A host terminates VXLAN on 1 to this many VTEPs (mirrors VXVEM_MAX_VTEPS in bpf/). */
export const MAX_VTEPS_PER_HOST = 4;
export const VXLAN_UDP_PORT = 4789;
/** Outer Ethernet + IPv4 + UDP + VXLAN: what a segment's MTU loses to the uplink's. */
export const VXLAN_OVERHEAD = 50;

export function vniProblem(vni: number): string | undefined {
  if (Number.isInteger(vni) && vni >= VNI_MIN && vni <= VNI_MAX) return undefined;
  return `VNI ${vni} is not in ${VNI_MIN}..${VNI_MAX}`;
}

/** 224.0.0.0/4: IPv4 multicast. */
export function isMulticastGroup(addr: string): boolean {
  return parseIpv4(addr) >>> 28 === 0xe;
}

/**
 * A group a segment may flood to: IPv4 multicast outside 224.0.0.0/24, which is link-local
 * control traffic (IGMP, OSPF...) that routers never forward.
 */
export function groupProblem(group: string): string | undefined {
  let v: number;
  try {
    v = parseIpv4(group);
  } catch (e) {
    if (e instanceof AddressError) return `group ${JSON.stringify(group)} is not an IPv4 address`;
    throw e;
  }
  if (v >>> 28 !== 0xe || v >>> 8 === 0xe00000) return `group ${group} is not a routable IPv4 multicast group (224.0.1.0-239.255.255.255)`;
  return undefined;
}

/** Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no '/', no spaces. */
const IFNAME_RE = /^[A-Za-z0-9_.:-]{1,15}$/;

export function interfaceNameProblem(name: string): string | undefined {
  return IFNAME_RE.test(name) ? undefined : `${JSON.stringify(name)} is not a Linux interface name`;
}

/** The tap a port is plugged into, named as Nova and Neutron's agents name it. */
export function tapName(portId: string): string {
  return `tap${portId.slice(0, 11)}`;
}
