// Makes (and removes) the lab's namespaces and links from a plan: the underlay switches with
// IGMP snooping, the router (unicast forwarding, static multicast routes through smcroute's
// config), the plain bridge of the physical network (VLAN tags pass it untouched: this kernel
// has no VLAN-aware bridge), the hosts' uplinks and the VMs behind their ports.
import { run as sh } from '../../common/exec.js';
import { LAB_PREFIX, ROUTER, type LabPlan } from './plan.js';

const ip = (ns: string, ...args: string[]): string => sh('ip', ['-n', ns, ...args]);
/** nsenter, not `ip netns exec`: the latter remounts /sys and would hide bpffs. */
const inNetns = (ns: string, cmd: string, args: string[]): string => sh('nsenter', [`--net=/run/netns/${ns}`, cmd, ...args]);
const sysctl = (ns: string, ...kv: string[]): string => inNetns(ns, 'sysctl', ['-qw', ...kv]);

/** The underlay's bridge of physical network physnet1. */
export const VLAN_SWITCH = 'sw-vlan';

/** Every namespace a lab made (found by prefix, so that `down` works after a crash too). */
export function labNamespaces(): string[] {
  const out = sh('ip', ['-j', 'netns', 'list']).trim();
  const list = out ? (JSON.parse(out) as { name: string }[]) : [];
  return list.map((n) => n.name).filter((n) => n.startsWith(`${LAB_PREFIX}-`)).sort();
}

function addNetns(name: string): void {
  sh('ip', ['netns', 'add', name]);
  ip(name, 'link', 'set', 'lo', 'up');
}

/** A veth from `ns` (named `dev`) to a port of switch `sw` in the underlay. */
function plug(plan: LabPlan, ns: string, dev: string, sw: string, port: string): void {
  ip(ns, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', port, 'netns', plan.underlay);
  // 1550 on the underlay: a 1500-byte VM frame plus 50 bytes of VXLAN fits unfragmented.
  ip(ns, 'link', 'set', dev, 'mtu', '1550', 'up');
  ip(plan.underlay, 'link', 'set', port, 'mtu', '1550', 'master', sw, 'up');
}

/** The smcroute configuration of the router: every multicast network's group both ways. */
export function smcrouteConfig(plan: LabPlan): string {
  const lines: string[] = [];
  for (const n of plan.networks) {
    if (!n.group) continue;
    lines.push(`mgroup from rt0 group ${n.group}`, `mgroup from rt1 group ${n.group}`);
    lines.push(`mroute from rt0 group ${n.group} to rt1`, `mroute from rt1 group ${n.group} to rt0`);
  }
  return lines.join('\n') + '\n';
}

export function buildNetwork(plan: LabPlan): void {
  addNetns(plan.underlay);
  for (const sw of ['sw-a', 'sw-b']) {
    ip(plan.underlay, 'link', 'add', sw, 'type', 'bridge', 'mcast_snooping', '1', 'mcast_querier', '1', 'mcast_igmp_version', '3');
    ip(plan.underlay, 'link', 'set', sw, 'up');
  }
  // No vlan_filtering: tagged frames cross it as they are, as on a switch port set to trunk.
  ip(plan.underlay, 'link', 'add', VLAN_SWITCH, 'type', 'bridge');
  ip(plan.underlay, 'link', 'set', VLAN_SWITCH, 'up');
  addNetns(plan.router);
  sysctl(plan.router, 'net.ipv4.ip_forward=1');
  plug(plan, plan.router, 'rt0', 'sw-a', 'rt-a');
  plug(plan, plan.router, 'rt1', 'sw-b', 'rt-b');
  ip(plan.router, 'addr', 'add', `${ROUTER.a}/25`, 'dev', 'rt0');
  ip(plan.router, 'addr', 'add', `${ROUTER.b}/25`, 'dev', 'rt1');

  for (const h of plan.hosts) {
    addNetns(h.netns);
    // Several uplinks in one subnet: each answers ARP only for its own address.
    sysctl(h.netns, 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2');
    for (const v of h.vteps) {
      plug(plan, h.netns, v.interface, `sw-${h.subnet}`, `${h.name}-${v.interface}`);
      ip(h.netns, 'addr', 'add', `${v.address}/${v.prefixLength}`, 'dev', v.interface);
    }
    ip(h.netns, 'route', 'add', 'default', 'via', h.vteps[0]!.gateway);
    // The physical network's uplink: no address, only tagged VLAN frames cross it.
    plug(plan, h.netns, h.physnet.interface, VLAN_SWITCH, `${h.name}-${h.physnet.interface}`);
    sysctl(h.netns, `net.ipv6.conf.${h.physnet.interface}.disable_ipv6=1`);
  }
  for (const vm of plan.vms) {
    if (vm.qemu) continue; // its tap comes with its Neutron port (guests.ts)
    addNetns(vm.netns);
    // No IPv6 in the VMs: router solicitations would only add noise to the counters.
    sysctl(vm.netns, 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
    const host = plan.hosts.find((h) => h.name === vm.host)!;
    ip(host.netns, 'link', 'add', vm.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', vm.netns);
    sysctl(host.netns, `net.ipv6.conf.${vm.port}.disable_ipv6=1`);
    ip(host.netns, 'link', 'set', vm.port, 'up');
    ip(vm.netns, 'link', 'set', 'eth0', 'address', vm.mac, 'up');
    ip(vm.netns, 'addr', 'add', `${vm.address}/${vm.prefixLength}`, 'dev', 'eth0');
  }
}

/** Deletes every lab namespace (links inside go with them); returns how many. */
export function removeNetwork(): number {
  const names = labNamespaces();
  for (const n of names) {
    try {
      sh('ip', ['netns', 'del', n]);
    } catch {
      // gone meanwhile
    }
  }
  return names.length;
}
