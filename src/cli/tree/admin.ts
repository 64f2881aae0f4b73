// The operator's commands against the VSM's admin service: one subcommand per noun and verb, each
// with the admin flags (--vsm, --json, TLS). A network, subnet or port made through Neutron may
// be named by its UUID or its OpenStack name.
import type { Command } from 'commander';
import type { Parsed } from '../args.js';
import { group, runs, sub } from '../define.js';
import { adminOptions } from './shared.js';

type Verb = [name: string, description: string, flags?: (c: Command) => Command];

const NAME = (what: string) => (c: Command): Command => c.argument('<NAME>', what);
const both = (...fs: ((c: Command) => Command)[]) => (c: Command): Command => fs.reduce((x, f) => f(x), c);

const NOUNS: [noun: string, description: string, verbs: Verb[]][] = [
  ['net', 'networks (segments): a VNI each, flooded unicast-only or to a multicast group, or a VLAN on a physical network', [
    ['create', 'make a network', both(NAME('its name'), (c) => c
      .option('--vni <N>', 'its VXLAN network identifier (required unless --vlan)')
      .option('--vlan <N>', 'a VLAN network instead: its VLAN id, 1..4094, on --physnet')
      .option('--physnet <NAME>', 'with --vlan: the physical network')
      .option('--mode <unicast|multicast>', 'how it floods (default unicast)')
      .option('--group <G>', 'with --mode multicast: the group (239.0.0.0/8)'))],
    ['list', 'the networks'],
    ['show', 'one network', NAME('its name, UUID or OpenStack name')],
    ['delete', 'remove a network', NAME('its name, UUID or OpenStack name')],
  ]],
  ['subnet', 'IPv4 subnets of networks', [
    ['create', 'make a subnet', both(NAME('its name'), (c) => c
      .option('--net <NET>', 'its network (required)')
      .option('--cidr <A.B.C.D/LEN>', 'its prefix (required)')
      .option('--gateway <G>', 'its gateway'))],
    ['list', 'the subnets'],
    ['delete', 'remove a subnet', NAME('its name, UUID or OpenStack name')],
  ]],
  ['policy', 'port policies: port security and flood limits', [
    ['create', 'make a policy', both(NAME('its name'), (c) => c
      .option('--port-security <on|off>', 'only the port\'s own MAC may send (default on)')
      .option('--storm-pps <N>', 'flooded frames per second per port (default 0: no limit)'))],
    ['list', 'the policies'],
    ['delete', 'remove a policy', NAME('its name')],
  ]],
  ['port', 'ports: a VM\'s interface on a network, on a host', [
    ['create', 'make a port', both(NAME('its name'), (c) => c
      .option('--net <NET>', 'its network (required)')
      .option('--host <HOST>', 'the host it is on (required)')
      .option('--mac <MAC>', 'its MAC address (required)')
      .option('--policy <P>', 'its policy')
      .option('--interface <IF>', 'its interface on the host (e.g. the tap device)')
      .option('--trunk <VLAN=NET,...>', 'a trunk port: frames the VM tags VLAN belong to NET (subports NAME.VLAN, with the port\'s MAC)'))],
    ['list', 'the ports', (c) => c.option('--host <H>', 'only the ports of this host')],
    ['show', 'one port', NAME('its name, UUID or OpenStack name')],
    ['delete', 'remove a port', NAME('its name, UUID or OpenStack name')],
  ]],
  ['profile', 'dynamic port profiles', [['list', 'the profiles: policy, network, ports']]],
  ['host', 'the hosts the VSM knows', [
    ['list', 'the hosts, their VTEPs and segments (designated VTEP, flood list)'],
    ['show', 'one host', (c) => c.argument('<HOST>', 'its name')],
    ['delete', 'remove a host that is gone (refused while it has ports or is connected)', (c) => c.argument('<HOST>', 'its name')],
  ]],
  ['feature', 'optional features of the VSM', [
    ['list', 'the features and whether each is enabled'],
    ['enable', 'enable a feature', (c) => c.argument('<NAME>', 'the feature (segmentation)')],
    ['disable', 'disable a feature', (c) => c.argument('<NAME>', 'the feature (segmentation)')],
  ]],
];

export function adminCommands(root: Command): void {
  for (const [noun, description, verbs] of NOUNS) {
    const c = group(sub(root, noun, description));
    const run = async (p: Parsed) => (await import('../admin.js')).run(noun, p);
    for (const [verb, what, flags] of verbs) runs(adminOptions((flags ?? ((x) => x))(sub(c, verb, what))), run, [verb]);
  }
}
