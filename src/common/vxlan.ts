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

/**
 * How hypervisors name the host side of a VM's NIC: Nova, libvirt and QEMU taps (`tap*`,
 * `vnet*`) and veth pairs (`veth*`). A port takes only such an interface, never one of the
 * host's own (`eth0`, `lo`, an uplink): the VEM would otherwise switch, and let a VM spoof, the
 * host's traffic.
 */
export const VM_INTERFACE_PATTERNS: readonly string[] = ['tap*', 'vnet*', 'veth*'];

/** A pattern of VM interface names: a literal prefix of 2+ characters, then any of `*` and `?`. */
export function interfacePatternProblem(pattern: string): string | undefined {
  if (!/^(?=.{2,15}$)[A-Za-z0-9_.:-]{2}[A-Za-z0-9_.:*?-]*$/.test(pattern)) {
    return `pattern ${JSON.stringify(pattern)} must start with 2 or more literal interface-name characters (then letters, digits, '*' and '?')`;
  }
  return undefined;
}

function patternRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** `name` as a port's interface: a Linux name matching one of `patterns` (default VM_INTERFACE_PATTERNS). */
export function vmInterfaceProblem(name: string, patterns: readonly string[] = VM_INTERFACE_PATTERNS): string | undefined {
  const bad = interfaceNameProblem(name);
  if (bad) return bad;
  if (patterns.some((p) => patternRegExp(p).test(name))) return undefined;
  return `${JSON.stringify(name)} is not a VM interface (${patterns.join(', ')}): a port never takes a host interface`;
}

/** Addresses and address pairs one secure port may list (each is an entry of the dataplane's source table). */
export const MAX_PORT_SOURCES = 32;
/** Highest storm-control rate, in flooded frames per second per port. */
export const MAX_STORM_PPS = 10_000_000;

export function stormPpsProblem(pps: number): string | undefined {
  if (Number.isInteger(pps) && pps >= 0 && pps <= MAX_STORM_PPS) return undefined;
  return `storm rate ${pps} is not an integer in 0..${MAX_STORM_PPS} (frames per second, 0 = no limit)`;
}

/** An IPv4 source a port may send from: `A.B.C.D` or `A.B.C.D/LEN`. */
export function portSourceProblem(address: string): string | undefined {
  const [addr, len, more] = address.split('/');
  try {
    parseIpv4(addr ?? '');
  } catch (e) {
    if (!(e instanceof AddressError)) throw e;
    return `${JSON.stringify(address)} is not an IPv4 address or A.B.C.D/LEN`;
  }
  if (more !== undefined || (len !== undefined && (!/^\d{1,2}$/.test(len) || Number(len) > 32))) {
    return `${JSON.stringify(address)} is not an IPv4 address or A.B.C.D/LEN`;
  }
  return undefined;
}
