// Port security on the VSM (docs/dataplane.md, "Security"): the interface a port may take, the
// sources it may list, a policy's storm rate, and what a host's view says of each port (its MAC,
// whether its sources are checked, its addresses and pairs, its storm rate). No BPF, no I/O.
import type { HostPortMsg, TrunkSubportMsg } from '../../proto/index.js';
import { AddressError, isMulticastMac, normalizeMac } from '../common/address.js';
import { MAX_PORT_SOURCES, portSourceProblem, stormPpsProblem, vmInterfaceProblem } from '../common/vxlan.js';
import { DEFAULT_POLICY, VsmError, type AddressPair, type PolicyObj, type PortObj, type SegmentObj, type SubnetObj, type VsmState } from './objects.js';
import { dhcpFields, dhcpSubnet } from './port-dhcp.js';

export function checkStormPps(pps: number | undefined): void {
  const problem = pps === undefined ? undefined : stormPpsProblem(pps);
  if (problem) throw new VsmError('invalid', problem);
}

/**
 * A port's interface: a VM interface by name (the rule the VEM applies too), and not an uplink
 * its host registered.
 */
export function checkPortInterface(s: VsmState, host: string, iface: string): void {
  const problem = vmInterfaceProblem(iface);
  if (problem) throw new VsmError('invalid', `interface ${problem}`);
  const uplink = s.hosts[host]?.vteps.find((v) => v.interface === iface);
  if (uplink) throw new VsmError('invalid', `interface ${iface} is an uplink of host ${host}`);
}

/** A port's (or an address pair's) MAC: unicast, in lower case. */
export function checkUnicastMac(raw: string): string {
  let mac: string;
  try {
    mac = normalizeMac(raw);
  } catch (e) {
    throw new VsmError('invalid', e instanceof AddressError ? e.message : String(e));
  }
  if (isMulticastMac(mac)) throw new VsmError('invalid', `${mac} is a multicast MAC`);
  return mac;
}

/** Addresses and pairs checked, pair MACs in lower case. */
export function checkPortSources(addresses: string[] = [], pairs: AddressPair[] = []): { addresses: string[]; allowedPairs: AddressPair[] } {
  if (addresses.length + pairs.length > MAX_PORT_SOURCES) throw new VsmError('invalid', `a port lists at most ${MAX_PORT_SOURCES} addresses and address pairs`);
  for (const a of [...addresses, ...pairs.map((p) => p.address)]) {
    const problem = portSourceProblem(a);
    if (problem) throw new VsmError('invalid', problem);
  }
  const allowedPairs = pairs.map((p) => (p.mac === undefined ? { address: p.address } : { address: p.address, mac: checkUnicastMac(p.mac) }));
  return { addresses: [...addresses], allowedPairs };
}

/** Port security of a port: its policy's, unless the port itself (Neutron) turned it off. */
export function portSecurityOn(s: VsmState, p: PortObj): boolean {
  return (s.policies[p.policy] ?? s.policies[DEFAULT_POLICY])?.portSecurity !== false && p.portSecurity !== false;
}

// Port objects and policies are replaced, never edited: a message is reused while both stay,
// so that view deltas compare its address lists by identity (proto/delta.ts).
// Likewise the network (its MTU) and the subnet a port's DHCP answers come from.
const messages = new WeakMap<PortObj, { vni: number; policy: PolicyObj | undefined; seg: SegmentObj | undefined; subnet: SubnetObj | undefined; msg: HostPortMsg }>();

/** A trunk parent's subports as its host sees them: the VLAN id, the subport's segment id and MAC. */
function trunkOf(s: VsmState, p: PortObj): TrunkSubportMsg[] {
  return p.trunk!.subports.flatMap((x) => {
    const sub = s.ports[x.port];
    const seg = sub && s.segments[sub.network];
    return sub && seg ? [{ vlan: x.vlan, vni: seg.vni, mac: sub.mac }] : [];
  });
}

/**
 * The sources a trunk parent's VM may also send from, tagged for its subports: each subport's MAC
 * with its addresses and address pairs. A subport with no address adds none: a parent's MAC is
 * never opened to every source.
 */
function subportPairs(s: VsmState, p: PortObj): { mac: string; address: string }[] {
  return (p.trunk?.subports ?? []).flatMap((x) => {
    const sub = s.ports[x.port];
    if (!sub) return [];
    return [...(sub.addresses ?? []).map((address) => ({ mac: sub.mac, address })), ...(sub.allowedPairs ?? []).map((a) => ({ mac: a.mac ?? sub.mac, address: a.address }))];
  });
}

/** What the port's host is told about it. */
export function hostPort(s: VsmState, p: PortObj, vni: number): HostPortMsg {
  const policy = s.policies[p.policy];
  const seg = s.segments[p.network];
  const dhcp = dhcpSubnet(s, p);
  const hit = messages.get(p);
  if (hit && hit.vni === vni && hit.policy === policy && hit.seg === seg && hit.subnet === dhcp?.subnet) return hit.msg;
  const on = portSecurityOn(s, p);
  const msg: HostPortMsg = {
    interface: p.interface, vni, mac: p.mac, portSecurity: on,
    addresses: on ? p.addresses ?? [] : [],
    allowedPairs: on ? [...(p.allowedPairs ?? []).map((x) => ({ mac: x.mac ?? p.mac, address: x.address })), ...subportPairs(s, p)] : [],
    stormPps: policy?.stormPps ?? 0,
    ...dhcpFields(dhcp, seg),
    ...(p.trunk ? { trunk: trunkOf(s, p) } : {}),
  };
  messages.set(p, { vni, policy, seg, subnet: dhcp?.subnet, msg });
  return msg;
}
