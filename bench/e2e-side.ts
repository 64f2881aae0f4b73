// One side of the end-to-end bench: a host namespace holding the uplink, a VM namespace behind
// port vnet0, and the switch under test between them. Used twice on one machine (veth underlay,
// e2e.ts) or once on each of two machines (real NICs, two-hosts.ts).
import { join } from 'node:path';
import { Netns, vethPair } from '../testbed/netns.js';
import { REPO, kernelBridge, startAgent } from './lib.js';

// bridge and vxvem-vlan: the same VMs on one L2 segment without encapsulation (the kernel's plain
// bridge with the uplink as a port; vxvem's VLAN 100 on the uplink as its physical network).
export const MODES = ['kernel', 'vxvem', 'vxvem-xdp', 'vxvem-csum', 'floor', 'bridge', 'vxvem-vlan'] as const;
export type Mode = (typeof MODES)[number];

export const VMS = [
  { mac: '02:00:00:00:00:01', addr: '198.51.100.1' },
  { mac: '02:00:00:00:00:02', addr: '198.51.100.2' },
] as const;

export interface SideSpec {
  host: Netns;
  vm: Netns;
  /** The uplink's name inside `host` (up0 on veth, the NIC's own name on real hosts). */
  uplink: string;
  self: string; // this VTEP's address
  peer: string; // the other VTEP's address
  prefixLength: number;
  /** Index into VMS of this side's VM. */
  index: 0 | 1;
  /** veth underlay: the XDP row needs GRO on and tx checksum off in the VM (docs/dataplane.md, "XDP on veth"). */
  vethXdpQuirks: boolean;
}

/** The VM namespace behind vnet0 of `host`, with its address and a permanent entry for the other VM. */
export function addVm(host: Netns, vm: Netns, index: 0 | 1): void {
  vm.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  vethPair(host, 'vnet0', vm, 'eth0');
  const me = VMS[index];
  const other = VMS[1 - index]!;
  vm.ip('link', 'set', 'eth0', 'address', me.mac);
  vm.ip('addr', 'add', `${me.addr}/24`, 'dev', 'eth0');
  vm.ip('neigh', 'replace', other.addr, 'lladdr', other.mac, 'dev', 'eth0', 'nud', 'permanent');
}

function kernelSwitch(s: SideSpec): void {
  const h = s.host;
  h.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '5000', 'local', s.self, 'remote', s.peer, 'dstport', '4789', 'dev', s.uplink);
  kernelBridge(h);
  for (const d of ['vx0', 'vnet0']) h.ip('link', 'set', d, 'master', 'br0');
  for (const d of ['vx0', 'br0']) h.ip('link', 'set', d, 'up');
}

/** Sets `mode` up on this side; the returned function takes it down again (the namespaces stay). */
export async function setupSide(mode: Mode, s: SideSpec): Promise<() => Promise<void>> {
  if (mode === 'kernel') {
    kernelSwitch(s);
    return async () => {
      for (const d of ['br0', 'vx0']) s.host.ip('link', 'del', d);
    };
  }
  if (mode === 'bridge') {
    kernelBridge(s.host);
    for (const d of ['vnet0', s.uplink]) s.host.ip('link', 'set', d, 'master', 'br0');
    s.host.ip('link', 'set', 'br0', 'up');
    return async () => void s.host.ip('link', 'del', 'br0');
  }
  if (mode === 'vxvem-vlan') {
    const stop = await startAgent(s.host, {
      vteps: [{ interface: s.uplink, address: `${s.self}/${s.prefixLength}` }],
      physicalNetworks: { physnet1: s.uplink },
      segments: [{ vlan: 100 }],
      ports: [{ interface: 'vnet0', vlan: 100 }],
      staticMacs: [{ vlan: 100, mac: VMS[1 - s.index]!.mac }],
    });
    return stop;
  }
  if (mode === 'floor') {
    s.host.exec('node', ['--import', 'tsx', join(REPO, 'bench', 'floor-attach.ts'), 'vnet0', s.uplink, VMS[s.index].mac]);
    return async () => {
      for (const d of ['vnet0', s.uplink]) s.host.exec('tc', ['qdisc', 'del', 'dev', d, 'clsact']);
    };
  }
  const xdp = mode === 'vxvem-xdp';
  if (xdp && s.vethXdpQuirks) s.vm.exec('ethtool', ['-K', 'eth0', 'gro', 'on', 'tx', 'off']);
  const stop = await startAgent(s.host, {
    vteps: [{ interface: s.uplink, address: `${s.self}/${s.prefixLength}`, xdp }],
    segments: [{ vni: 5000, mode: 'unicast', floodList: [s.peer] }],
    ports: [{ interface: 'vnet0', vni: 5000 }],
    staticMacs: [{ vni: 5000, mac: VMS[1 - s.index]!.mac, vtep: s.peer }],
    udpChecksum: mode === 'vxvem-csum',
  });
  return async () => {
    await stop();
    if (xdp && s.vethXdpQuirks) s.vm.exec('ethtool', ['-K', 'eth0', 'gro', 'off', 'tx', 'on']);
  };
}
