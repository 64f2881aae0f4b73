// The lab's QEMU guests (`lab up --guests qemu`), plugged in as Nova plugs a VM: a Neutron port
// (POST /v2.0/ports on the VSM's Neutron endpoint) with the guest's MAC and fixed IP, bound to its
// host; a persistent `tap` + 11 characters of the port id, made before QEMU opens it (vnet_hdr);
// QEMU detached, its serial console on a unix socket (console.ts) and logged. The guest asks
// DHCP for its address: the host's VEM answers with the port's fixed IP and the network's MTU.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run as sh } from '../../common/exec.js';
import { packageRoot } from '../../common/package.js';
import { withConsole, type GuestConsole } from './console.js';
import { LAB_PREFIX, type LabNetwork, type LabPlan, type LabVm } from './plan.js';

/** Where `lab up --guests qemu` serves Neutron (the lab's VSM has no Neutron otherwise). */
export const LAB_NEUTRON = '127.0.0.1:9479';
/** What Neutron takes a VXLAN network's MTU to be on a 1500-byte underlay; DHCP tells the guests. */
export const GUEST_MTU = 1450;

export class GuestStartError extends Error {
  override name = 'GuestStartError';
}

/** What `lab up` records of a guest: enough for status, the demo and down. */
export interface GuestState {
  pid: number;
  port: string; // the Neutron port's id
  tap: string;
  console: string; // unix socket
  log: string;
}

export async function neutron<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`http://${LAB_NEUTRON}/v2.0/${path}`, {
    method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  if (!r.ok) throw new GuestStartError(`Neutron ${method} /v2.0/${path}: ${r.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/**
 * The guests' network, made through Neutron (only Neutron's subnets serve DHCP, and only on
 * Neutron's networks): the plan's VNI and flood mode, the MTU that DHCP hands out, a subnet with
 * DHCP on and no gateway (the lab has none). Returns the network's id.
 */
export async function guestNetwork(n: LabNetwork, say: (s: string) => void): Promise<string> {
  const net = { name: n.name, 'provider:network_type': 'vxlan', 'provider:segmentation_id': n.vni, 'vxvem.mode': n.mode, ...(n.group ? { 'vxvem.group': n.group } : {}), mtu: GUEST_MTU };
  say(`  POST /v2.0/networks ${JSON.stringify(net)}`);
  const { network } = await neutron<{ network: { id: string } }>('POST', 'networks', { network: net });
  const subnet = { name: `${n.name}-v4`, network_id: network.id, cidr: n.cidr, ip_version: 4, enable_dhcp: true, gateway_ip: null };
  say(`  POST /v2.0/subnets ${JSON.stringify(subnet)}`);
  await neutron('POST', 'subnets', { subnet });
  return network.id;
}

/** Nova's part: the port, bound to the VM's host; returns its id. */
export async function guestPort(vm: LabVm, network: string, say: (s: string) => void): Promise<string> {
  const body = { name: vm.name, network_id: network, mac_address: vm.mac, fixed_ips: [{ ip_address: vm.address }], 'binding:host_id': vm.host, device_owner: 'compute:nova' };
  say(`  POST /v2.0/ports ${JSON.stringify(body)}`);
  const { port } = await neutron<{ port: { id: string } }>('POST', 'ports', { port: body });
  return port.id;
}

/** The guest image `make build` made (scripts/guest-image.ts); `lab up` asks before it builds anything. */
export function image(): { kernel: string; initrd: string } {
  const dir = join(packageRoot(), 'out', 'guest');
  const kernel = join(dir, 'vmlinux');
  const initrd = join(dir, 'initramfs.cpio.gz');
  for (const f of [kernel, initrd]) if (!existsSync(f)) throw new GuestStartError(`${f} is missing: \`make build\` makes the guest image`);
  return { kernel, initrd };
}

/**
 * The tap and the QEMU command of a guest. KVM where it is usable; a KVM-PVM host (kvm_pvm
 * loaded) boots only PVM guest kernels, so TCG there. No address on the kernel's command line:
 * the guest brings eth0 up and DHCP does the rest.
 */
export function guestCommand(plan: LabPlan, vm: LabVm, tap: string, dir: string): { argv: string[]; console: string; log: string } {
  const { kernel, initrd } = image();
  const host = plan.hosts.find((h) => h.name === vm.host)!;
  const kvm = existsSync('/dev/kvm') && !existsSync('/sys/module/kvm_pvm');
  const consoleSock = join(dir, `${vm.name}.console`);
  const log = join(dir, `${vm.name}.console.log`);
  const argv = [
    'nsenter', `--net=/run/netns/${host.netns}`, 'qemu-system-x86_64', '-name', `${LAB_PREFIX}-${vm.name}`,
    ...(kvm ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg', '-cpu', 'max']), '-M', 'pc', '-smp', '1', '-m', '256',
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-chardev', `socket,id=con,path=${consoleSock},server=on,wait=off,logfile=${log}`, '-serial', 'chardev:con',
    '-kernel', kernel, '-initrd', initrd, '-append', 'console=ttyS0 quiet panic=-1 no_timer_check ipv6.disable=1',
    '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no,vhost=off`, '-device', `virtio-net-pci,netdev=n0,mac=${vm.mac},romfile=`,
  ];
  return { argv, console: consoleSock, log };
}

/** Nova's plug: a persistent tap with a virtio-net header, up, no IPv6 on the host side. */
export function makeTap(plan: LabPlan, vm: LabVm, tap: string): void {
  const ns = plan.hosts.find((h) => h.name === vm.host)!.netns;
  sh('ip', ['-n', ns, 'tuntap', 'add', 'dev', tap, 'mode', 'tap', 'vnet_hdr']);
  sh('nsenter', [`--net=/run/netns/${ns}`, 'sysctl', '-qw', `net.ipv6.conf.${tap}.disable_ipv6=1`]);
  sh('ip', ['-n', ns, 'link', 'set', tap, 'up']);
}

// busybox udhcpc's event script: the lease's address, its MTU option and router, as a
// distribution's script applies them. One line per printf argument (console commands are one line).
const DHCP_SCRIPT = [
  '#!/bin/sh',
  'case "$1" in',
  'deconfig) ip addr flush dev "$interface"; ip link set "$interface" up;;',
  'bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface";',
  '  [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"; [ -n "$router" ] && ip route replace default via "${router%% *}";;',
  'esac',
];

/** Starts busybox udhcpc in the guest (it stays, for renewals) and waits for its lease. */
export async function dhcp(c: GuestConsole, timeoutMs: number): Promise<{ address: string; mtu: number }> {
  const quoted = DHCP_SCRIPT.map((l) => `'${l.replace(/'/g, `'\\''`)}'`).join(' ');
  await c.run(`printf '%s\\n' ${quoted} >/tmp/dhcp.sh && chmod +x /tmp/dhcp.sh`);
  // In the background from the start: it stays for the renewals, and the wait is ours (deadline below).
  await c.run('udhcpc -f -i eth0 -s /tmp/dhcp.sh -O mtu -T 1 >/tmp/udhcpc.log 2>&1 &');
  const end = Date.now() + timeoutMs;
  for (;;) {
    const now = await guestAddress(c);
    if (now.address) return now;
    if (Date.now() > end) throw new GuestStartError(`no DHCP lease within ${timeoutMs / 1000} s: ${(await c.run('cat /tmp/udhcpc.log')).output}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** eth0's address (A.B.C.D/LEN, '' without one) and MTU, as the guest has them. */
export async function guestAddress(c: GuestConsole): Promise<{ address: string; mtu: number }> {
  const out = (await c.run('ip -o -4 addr show dev eth0; cat /sys/class/net/eth0/mtu', 5_000)).output;
  return { address: /inet (\S+)/.exec(out)?.[1] ?? '', mtu: Number(out.trim().split('\n').pop()) };
}

/** A guest's address and MTU for `lab status`, or why there are none. */
export async function guestStatus(g: GuestState): Promise<{ address: string; mtu: string }> {
  try {
    return await withConsole(g.console, async (c) => {
      const a = await guestAddress(c);
      return { address: a.address || '(no lease)', mtu: String(a.mtu) };
    });
  } catch (e) {
    return { address: `(console: ${(e as Error).message})`, mtu: '' };
  }
}
