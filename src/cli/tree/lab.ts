// The lab and the demo: a virtual data centre in network namespaces, driven like a real one.
import type { Command } from 'commander';
import { group, runs, sub } from '../define.js';

export function labCommands(root: Command): void {
  const lab = group(sub(root, 'lab', 'a virtual data centre in network namespaces: a VSM, a VEM per host, VMs on a unicast and a multicast network and a VLAN'));
  runs(sub(lab, 'up', 'build the lab and start its VSM and VEMs')
    .option('--hosts <N>', 'hosts, 2..8 (default 3)')
    .option('--vms-per-host <M>', 'VMs on each host, 1..4 (default 2)')
    .option('--vteps <K>', 'VTEPs on each host, 1..4 (default 1)')
    .option('--guests <netns|qemu>', 'qemu: the first VM of h1 and h2 is a QEMU guest on a tap, its address by DHCP (default netns)'), async (p) => (await import('../lab.js')).up(p));
  runs(sub(lab, 'status', 'what runs and what is missing; exit 1 when the lab is not whole')
    .option('--json', 'machine-readable output'), async (p) => (await import('../lab.js')).status(p));
  runs(sub(lab, 'exec', 'run a command in a VM: its namespace, or a QEMU guest\'s console; prints its output, exits with its status')
    .argument('<VM>', 'the VM, e.g. h1-vm1')
    .argument('<COMMAND>', 'one shell command line, quoted'), async (p) => (await import('../lab.js')).exec(p));
  runs(sub(lab, 'down', 'stop and remove everything the lab made (also after a crash)'), async () => (await import('../lab.js')).down());
  runs(sub(root, 'demo', 'a guided tour on a lab (what `make demo` runs)')
    .option('--guests <netns|qemu>', 'qemu: h1-vm1 and h2-vm1 are QEMU guests (lab up --guests)')
    .option('--keep', 'leave the lab up afterwards'), async (p) => (await import('../demo.js')).run(p));
}
