// The commands of a hypervisor host: the VEM agent, its status, and reading its pinned dataplane.
import type { Command } from 'commander';
import type { Parsed } from '../args.js';
import { group, refuse, repeatable, runs, sub } from '../define.js';
import { ADMIN_FLAGS, adminOptions, dataplaneOptions, tlsOptions } from './shared.js';

function vem(root: Command): void {
  const c = sub(root, 'vem', 'run the VEM agent, from a JSON configuration file or following a VSM')
    .enablePositionalOptions() // `vem adopt --instance X`: the subcommand's own flag
    .option('--config <FILE>', 'run from this JSON configuration file (SIGHUP reloads it)')
    .option('--check', 'with --config: validate FILE and print what applying it would change; applies nothing')
    .option('--vsm <ADDR[,ADDR...]>', 'follow this VSM (unix:/PATH or HOST:PORT), the next replica when one is gone')
    .option('--host <NAME>', 'with --vsm: the name of this host at the VSM (and of its certificate)')
    .option('--vtep <IF:ADDR/LEN[@GW]>', 'with --vsm: a VTEP on uplink IF, with next hop GW if routed (repeat for more)', repeatable)
    .option('--ttl <N>', 'with --vsm: the outer TTL (default 64)')
    .option('--tos <inherit|N>', 'with --vsm: the outer TOS (default inherit)')
    .option('--src-port-range <A-B>', 'with --vsm: the outer UDP source ports (default 49152-65535)')
    .option('--udp-checksum', 'with --vsm: outer UDP checksums (default off)')
    .option('--mac-ageing <SECONDS>', 'with --vsm: learned MACs are removed after this long unseen (default 300)')
    .option('--port-name <GLOB>', 'with --vsm: a pattern VM interfaces match (repeat for more; default tap*, vnet*, veth*)', repeatable)
    .option('--trusted-underlay <NET/LEN>', 'with --vsm: an underlay prefix multicast segments accept VXLAN from (repeat; default the VTEPs\' subnets)', repeatable)
    .option('--max-macs-per-port <N>', 'with --vsm: learned MACs one port may have (default 64)')
    .option('--physnet <NAME:IF>', 'with --vsm: physical network NAME\'s VLAN segments use uplink IF (repeat for more)', repeatable)
    .option('--adopt', 'with --vsm: apply the next view whatever VSM store it comes from, and follow that store');
  tlsOptions(c, '--host')
    .option('--instance <NAME>', 'the dataplane instance, pinned in /sys/fs/bpf/vxvem/NAME (default "default")')
    .option('--cleanup', 'remove the dataplane when stopped (by default it keeps forwarding)')
    .option('--metrics <HOST:PORT|off>', 'serve /metrics here (default 127.0.0.1:9469)')
    .option('--metrics-max-vnis <N>', 'VNIs beyond the first N are summed as vni="other" (default 4096)')
    .option('--netns <NAME>', 'drive the interfaces of this network namespace (metrics stay in the caller\'s)')
    .addHelpText('after', `
Either --config FILE, or --vsm ADDR --host NAME --vtep ... : the encapsulation and ageing flags are
the file's ttl, tos, srcPortRange, udpChecksum and macAgeingSeconds, with the same defaults. A view
from another VSM store (or an older revision) that would remove segments or ports is refused;
--adopt (or \`vxvem vem adopt\`) takes it. SIGHUP reloads; SIGTERM stops the agent and leaves the
dataplane forwarding (unless --cleanup).`);
  runs(c, async (p) => (await import('../vem.js')).run(p));
  runs(sub(c, 'adopt', 'a running agent (or the next to start) applies its next VSM view whatever store it comes from')
    .option('--instance <NAME>', 'the VEM instance (default "default")'), async (p) => (await import('../vem.js')).runAdopt(p));
}

/** The views of `show` that read the pinned dataplane, and the flags each takes besides --instance, --netns, --json. */
const DATAPLANE_VIEWS: [string, string, (c: Command) => Command][] = [
  ['macs', 'the MAC table (ports by name), filtered, with a count', (c) => c
    .option('--vni <N>', 'only this VNI')
    .option('--mac <MAC>', 'only this MAC address')
    .option('--port <IF>', 'only local entries on this port (its name, ifindex, or the OpenStack port plugged into it)')
    .option('--count', 'only how many entries match, of how many')],
  ['segments', 'the segments: VNI, flood mode, VTEP, flood list, ports', (c) => c.option('--vni <N>', 'only this VNI')],
  ['ports', 'the ports and their VNI', (c) => c.option('--vni <N>', 'only this VNI')],
  ['vteps', 'the VTEPs and their uplinks', (c) => c],
  ['nexthops', 'the next hops resolved on the uplinks', (c) => c],
  ['counters', 'per-VNI packet and byte counters, summed over CPUs', (c) => c.option('--vni <N>', 'only this VNI')],
  ['drops', 'dropped packets by VNI and reason, with what each reason means', (c) => c.option('--vni <N>', 'only this VNI (0: VNI not known)')],
];

/** The views of `show` that ask the VSM. */
const VSM_VIEWS: [string, string][] = [
  ['hosts', 'the VSM\'s hosts: connected or not, VTEPs, revision applied, last report'],
  ['networks', 'networks with each host\'s designated VTEP and flood list (Neutron\'s with their OpenStack name and project)'],
  ['profiles', 'the dynamic port profiles'],
];

const DATAPLANE_ONLY = ['--instance', '--netns', '--vni', '--mac', '--port', '--count'];

function show(root: Command): void {
  const c = group(sub(root, 'show', 'read the dataplane of this host (works while the agent is down), or the VSM\'s view'));
  const run = async (p: Parsed) => (await import('../show.js')).runShow(p);
  for (const [name, what, flags] of DATAPLANE_VIEWS) {
    const v = refuse(flags(dataplaneOptions(sub(c, name, what))), (f) => (ADMIN_FLAGS.some((a) => `--${a}` === f)
      ? `reads this host's dataplane: it takes --instance NAME, not ${f}` : undefined));
    runs(v, run, [name]);
  }
  for (const [name, what] of VSM_VIEWS) {
    const v = refuse(adminOptions(sub(c, name, what)), (f) => (DATAPLANE_ONLY.includes(f) ? `is the VSM's view: it takes --vsm ADDR, not ${f}` : undefined));
    if (name === 'networks') v.argument('[NET]', 'only this network (its name, UUID or OpenStack name)');
    runs(v, run, [name]);
  }
}

function mac(root: Command): void {
  const c = group(sub(root, 'mac', 'change the MAC table of this host\'s dataplane'));
  const run = async (p: Parsed) => (await import('../show.js')).runMac(p);
  const common = (x: Command): Command => x.option('--instance <NAME>', 'the VEM instance (default "default")').option('--json', 'machine-readable output');
  runs(common(sub(c, 'delete', 'remove one learned MAC entry').option('--vni <N>', 'its VNI').option('--mac <MAC>', 'its MAC address')), run, ['delete']);
  runs(refuse(common(sub(c, 'flush', 'remove the learned (not static) entries, of one VNI or all').option('--vni <N>', 'only this VNI')),
    (f) => (f === '--mac' ? 'takes no --mac (use mac delete)' : undefined)), run, ['flush']);
}

export function agentCommands(root: Command): void {
  vem(root);
  runs(sub(root, 'status', 'the agent, its VSM connection and revision, VTEPs, programs, segments, ports, MAC table, map fill, drops; exit 1 when something is wrong')
    .option('--instance <NAME>', 'the VEM instance (default "default")')
    .option('--metrics <HOST:PORT|off>', 'the agent\'s /metrics (default 127.0.0.1:9469)')
    .option('--netns <NAME>', 'the network namespace of the agent\'s interfaces (found when not given)')
    .option('--json', 'machine-readable output'), async (p) => (await import('../status.js')).run(p));
  show(root);
  mac(root);
  runs(sub(root, 'bpf-info', 'the pinned maps of a VEM instance: type, sizes, entries')
    .option('--instance <NAME>', 'the VEM instance (default "default")')
    .option('--json', 'machine-readable output'), async (p) => (await import('../bpf-info.js')).run(p));
}
