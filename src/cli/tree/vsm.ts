// The supervisor's commands: running a VSM, its certificates, its cluster, and synchronising it with OpenStack.
import type { Command } from 'commander';
import type { Parsed } from '../args.js';
import { group, refuse, repeatable, runs, sub } from '../define.js';
import { adminOptions, tlsOptions } from './shared.js';

function vsm(root: Command): void {
  const c = sub(root, 'vsm', 'run the supervisor (VSM): networks, subnets, policies, ports and hosts, streamed to the VEMs')
    .option('--listen <ADDR>', 'unix:/PATH or HOST:PORT (default unix:/run/vxvem/vsm.sock)')
    .option('--data <DIR>', 'the embedded store: a snapshot and a journal (default /var/lib/vxvem)')
    .option('--recover', 'with --data: keep a damaged store\'s changes up to the damage, then exit')
    .option('--store <etcd://HOST:PORT[,HOST:PORT...]>', 'one replica of a VSM cluster whose state is in etcd (instead of --data)')
    .option('--name <NAME>', 'the replica\'s name, and its certificate with --tls-dir (default the host\'s name)')
    .option('--metrics <HOST:PORT|off>', 'serve /metrics here (default 127.0.0.1:9470)')
    .option('--neutron <[HOST:]PORT>', 'serve the OpenStack Neutron v2.0 API (a bare PORT is on 127.0.0.1)')
    .option('--neutron-token-file <FILE>', 'with --neutron: requests carry this X-Auth-Token')
    .option('--keystone-config <FILE>', 'with --neutron: neutron.conf-style [keystone_authtoken]; tokens checked by Keystone, projects as Neutron\'s policy')
    .option('--vni-range <A-B>', 'with --neutron: the VNIs given to networks made without one')
    .option('--vlan-range <PHYSNET[:A-B]>', 'with --neutron: a physical network VLAN networks may use, and the VLANs tenants get from it (repeat for more)', repeatable)
    .option('--nova-url <URL>', 'with --neutron: Nova\'s compute endpoint, told network-vif-* events')
    .option('--sync-interval <SECONDS>', 'remove what was not made through OpenStack this often');
  tlsOptions(c, '--name').addHelpText('after', `
A TCP listener is mutual TLS with the certificate of VSM NAME: VEMs act only as the host their
certificate names, admin calls need an admin certificate. Plaintext TCP only with --insecure; a
unix socket is owner-only (0600).`);
  runs(c, async (p) => (await import('../vsm.js')).run(p));
}

function ca(root: Command): void {
  const c = group(sub(root, 'ca', 'a certificate authority for the control plane (mutual TLS)'));
  const run = async (p: Parsed) => (await import('../ca.js')).run(p);
  const days = (x: Command, what: string): Command => x.option('--dir <DIR>', 'where the CA and the certificates are').option('--days <N>', `valid this many days (default ${what})`);
  runs(refuse(days(sub(c, 'init', 'make the CA: DIR/ca.crt, DIR/ca.key'), '3650'), (f) => (['--host', '--admin', '--vsm'].includes(f) ? `makes the CA only: ${f} is for ca issue` : undefined)), run, ['init']);
  runs(days(sub(c, 'issue', 'issue DIR/NAME.crt and DIR/NAME.key for one role and name'), '730')
    .option('--host <NAME>', 'a VEM\'s certificate, for host NAME')
    .option('--admin <NAME>', 'an admin\'s certificate')
    .option('--vsm <NAME>', 'a VSM\'s certificate'), run, ['issue']);
}

export function vsmCommands(root: Command): void {
  vsm(root);
  ca(root);
  const cluster = group(sub(root, 'cluster', 'the VSM cluster'));
  runs(adminOptions(sub(cluster, 'status', 'the VSM\'s store and its replicas: name, address, role, revision')),
    async (p) => (await import('../cluster.js')).status(p));
  runs(adminOptions(sub(root, 'sync', 'remove what was not made through OpenStack (audit lines printed)')),
    async (p) => (await import('../admin.js')).run('sync', p));
}
