// The lab's layout, computed from its options alone (no side effects): which namespaces, links,
// addresses and VXLAN networks `vxvem lab up` makes.
//
//   subnet A 192.0.2.0/25 (switch sw-a)  --  router .1 | .129  --  subnet B 192.0.2.128/25 (sw-b)
//   odd hosts on A, even hosts on B; each host has 1-4 VTEPs (uplinks up0..up3) on its subnet.
//   VMs alternate between the unicast network `web` (198.51.100.0/25) and the multicast
//   network `db` (198.51.100.128/25, group 239.1.0.20).
//   Every host also has `phy0` on the plain bridge sw-vlan (physical network physnet1): h1 and h2
//   get a VM on VLAN 100 (`vl100`, 198.51.100.224/27), and h1 a trunked VM whose untagged frames
//   are on VLAN 100 and whose frames tagged 10 reach `web` through a subport.
//   With guests 'qemu', h1-vm1 and h2-vm1 are QEMU guests on taps (Neutron ports, addresses
//   by DHCP): two, because each one under TCG keeps a CPU busy while it boots.
import { UsageError } from '../args.js';
import { vlanSegmentId } from '../../common/vlan.js';

export const LAB_PREFIX = 'vxlab';
export const LAB_INSTANCE_PREFIX = 'lab-';

export interface LabOptions {
  hosts: number;
  vmsPerHost: number;
  vtepsPerHost: number;
  /** What the first web VM of h1 and h2 is: a namespace, or a QEMU guest on a tap. */
  guests?: 'netns' | 'qemu';
}

export interface LabNetwork {
  name: string;
  /** The VXLAN network identifier; 0 for a VLAN network. */
  vni: number;
  mode: 'unicast' | 'multicast' | 'vlan';
  group?: string;
  /** A VLAN network's id on its physical network. */
  vlan?: { id: number; physnet: string };
  /** The id the dataplane keys it by (docs/dataplane.md, "VLAN segments"): the VNI, or the VLAN's. */
  segment: number;
  cidr: string;
  /** First VM address index inside the /25 (host part offset). */
  base: number;
}

export interface LabVtep {
  interface: string;
  address: string; // A.B.C.D
  prefixLength: number;
  gateway: string;
}

export interface LabVm {
  name: string;
  netns: string;
  host: string;
  port: string; // the host-side interface
  mac: string;
  address: string;
  prefixLength: number;
  network: string;
  /** A trunk parent: frames it tags `vlan` belong to `network`, where it has `address`. */
  trunk?: { vlan: number; network: string; address: string };
  /** A QEMU guest (no namespace): its port is a Neutron port, `address` comes to it by DHCP. */
  qemu?: boolean;
}

export interface LabHost {
  name: string;
  netns: string;
  subnet: 'a' | 'b';
  vteps: LabVtep[];
  /** The uplink of the physical network (on the plain bridge sw-vlan), NAME:IF. */
  physnet: { name: string; interface: string };
  metrics: string;
}

export interface LabPlan {
  options: LabOptions;
  underlay: string;
  router: string;
  networks: LabNetwork[];
  hosts: LabHost[];
  vms: LabVm[];
  vsmMetrics: string;
}

export const PHYSNET = 'physnet1';

/** The VXLAN networks, whose VMs are spread over all hosts. */
export const LAB_NETWORKS: LabNetwork[] = [
  { name: 'web', vni: 10010, segment: 10010, mode: 'unicast', cidr: '198.51.100.0/25', base: 0 },
  { name: 'db', vni: 10020, segment: 10020, mode: 'multicast', group: '239.1.0.20', cidr: '198.51.100.128/25', base: 128 },
];

/** Every host has one physical network, so its slot is 1 everywhere. */
export const LAB_VLAN: LabNetwork = {
  name: 'vl100', vni: 0, segment: vlanSegmentId(1, 100), mode: 'vlan', vlan: { id: 100, physnet: PHYSNET }, cidr: '198.51.100.224/27', base: 224,
};

/** The trunk's subport: VLAN 10 of the trunked VM is network `web`. */
export const LAB_TRUNK = { vlan: 10, network: 'web', address: '198.51.100.100' } as const;

export const ROUTER = { a: '192.0.2.1', b: '192.0.2.129' } as const;

export function checkLabOptions(o: LabOptions): void {
  if (!Number.isInteger(o.hosts) || o.hosts < 2 || o.hosts > 8) throw new UsageError('lab up: --hosts must be 2..8');
  if (!Number.isInteger(o.vmsPerHost) || o.vmsPerHost < 1 || o.vmsPerHost > 4) throw new UsageError('lab up: --vms-per-host must be 1..4');
  if (!Number.isInteger(o.vtepsPerHost) || o.vtepsPerHost < 1 || o.vtepsPerHost > 4) throw new UsageError('lab up: --vteps must be 1..4');
  if (o.guests !== undefined && o.guests !== 'netns' && o.guests !== 'qemu') throw new UsageError('lab up: --guests must be netns or qemu');
}

export function labPlan(o: LabOptions): LabPlan {
  checkLabOptions(o);
  const hosts: LabHost[] = [];
  const vms: LabVm[] = [];
  for (let i = 1; i <= o.hosts; i++) {
    const subnet = i % 2 ? 'a' : 'b';
    const first = (subnet === 'a' ? 16 : 144) + 4 * (i - 1);
    const name = `h${i}`;
    hosts.push({
      name,
      netns: `${LAB_PREFIX}-${name}`,
      subnet,
      vteps: Array.from({ length: o.vtepsPerHost }, (_, j) => ({ interface: `up${j}`, address: `192.0.2.${first + j}`, prefixLength: 25, gateway: ROUTER[subnet] })),
      physnet: { name: PHYSNET, interface: 'phy0' },
      metrics: `127.0.0.1:${9470 + i}`,
    });
    for (let m = 1; m <= o.vmsPerHost; m++) {
      const net = LAB_NETWORKS[(m - 1) % LAB_NETWORKS.length]!;
      const vm = `${name}-vm${m}`;
      vms.push({
        name: vm,
        netns: `${LAB_PREFIX}-${vm}`,
        host: name,
        port: `vnet${m}`,
        mac: `02:00:00:00:${i.toString(16).padStart(2, '0')}:${m.toString(16).padStart(2, '0')}`,
        address: `198.51.100.${net.base + 8 * i + m}`,
        prefixLength: 25,
        network: net.name,
        ...(o.guests === 'qemu' && m === 1 && i <= 2 ? { qemu: true } : {}),
      });
    }
  }
  vms.push(...vlanVms());
  return { options: o, underlay: `${LAB_PREFIX}-ul`, router: `${LAB_PREFIX}-rt`, networks: [...LAB_NETWORKS, LAB_VLAN], hosts, vms, vsmMetrics: '127.0.0.1:9470' };
}

/** A VM on VLAN 100 on h1 and h2, and h1's trunked VM (untagged: VLAN 100; tagged 10: web). */
function vlanVms(): LabVm[] {
  const vm = (host: string, n: number, name: string, port: string): LabVm => ({
    name: `${host}-${name}`, netns: `${LAB_PREFIX}-${host}-${name}`, host, port, mac: `02:00:00:01:${n.toString(16).padStart(2, '0')}:01`,
    address: `198.51.100.${LAB_VLAN.base + n}`, prefixLength: 27, network: LAB_VLAN.name,
  });
  return [vm('h1', 1, 'vl', 'vnet-vl'), vm('h2', 2, 'vl', 'vnet-vl'), { ...vm('h1', 3, 'trunk', 'vnet-tr'), trunk: { ...LAB_TRUNK } }];
}
