// vxvem: one binary, subcommands. Each command module exports run(argv) -> exit code.
import { LOG_FORMATS, setLogFormat, type LogFormat } from '../common/log.js';
import { UsageError } from './args.js';

const HELP = `vxvem - VXLAN virtual switch for Linux hypervisor hosts (eBPF dataplane)

Usage: vxvem <command> [options]

Commands:
  help                       this text
  version                    print the version
  vem --config FILE [--instance NAME] [--cleanup]
                             run the VEM agent from a JSON configuration file
  vem --config FILE --check [--instance NAME]
                             validate FILE and print what applying it would change (applies nothing)
  vem --config|--vsm ... [--metrics HOST:PORT|off] [--metrics-max-vnis N] [--netns NAME]
                             /metrics (default 127.0.0.1:9469); VNIs beyond the first N (4096)
                             are summed as vni="other"; --netns drives that namespace
  vem --vsm ADDR[,ADDR...] --host NAME --vtep IF:ADDR/LEN[@GW]... [--instance NAME] [--cleanup]
      [--ttl N] [--tos inherit|N] [--src-port-range A-B] [--udp-checksum] [--mac-ageing SECONDS]
      [--adopt]              run the VEM agent following a VSM (the next replica when one is
                             gone); the encapsulation and ageing flags are the file's ttl, tos,
                             srcPortRange, udpChecksum and macAgeingSeconds, with the same
                             defaults (64, inherit, 49152-65535, off, 300). A view from another
                             VSM store (or an older revision) that would remove segments or
                             ports is refused; --adopt applies the next view whatever its store
                             and follows that store
  vem adopt [--instance NAME]
                             the same for a running agent (or at its next start)
  vem --vsm HOST:PORT[,...] --host NAME ... --tls-dir DIR [--cert FILE --key FILE] | --insecure
                             follow a VSM over TCP with mutual TLS: the certificate of host NAME
                             (DIR/NAME.crt, DIR/NAME.key, the CA DIR/ca.crt), or in the clear
  vsm [--listen ADDR] [--data DIR] [--metrics HOST:PORT|off] [--neutron [HOST:]PORT
      [--neutron-token-file F | --keystone-config F] [--vni-range A-B] [--nova-url URL]]
      [--sync-interval SECONDS]
                             run the supervisor (ADDR unix:/PATH or HOST:PORT); --neutron serves
                             the OpenStack Neutron v2.0 API (a bare PORT is on 127.0.0.1);
                             --keystone-config: neutron.conf-style [keystone_authtoken], tokens
                             checked by Keystone, projects as Neutron's policy; --nova-url: Nova's
                             compute endpoint, told network-vif-* events
  vsm --store etcd://HOST:PORT[,HOST:PORT...] [--name NAME] [--listen ADDR] [...]
                             one replica of a VSM cluster whose state is in etcd (instead of --data)
  vsm --data DIR --recover   keep a damaged store's changes up to the damage, then exit
  vsm --listen HOST:PORT --tls-dir DIR [--name NAME] [--cert FILE --key FILE] | --insecure
                             a TCP listener is mutual TLS with the certificate of VSM NAME (default
                             the host's name); VEMs act only as the host their certificate names,
                             admin calls need an admin certificate. Plaintext TCP only with
                             --insecure; a unix socket is owner-only (0600)
  ca init --dir DIR [--days N]
                             make a CA for the control plane: DIR/ca.crt, DIR/ca.key
  ca issue --dir DIR --host NAME | --admin NAME | --vsm NAME [--days N]
                             issue DIR/NAME.crt and DIR/NAME.key for that role and name
  cluster status [--json]    the VSM's store and its replicas: name, address, role, revision
  sync [--json]              remove what was not made through OpenStack (audit lines printed)
  net create NAME --vni N [--mode unicast|multicast] [--group G] | list | show NAME | delete NAME
                             (a Neutron-made network, subnet or port: NAME is its UUID or its
                             OpenStack name)
  subnet create NAME --net NET --cidr A.B.C.D/LEN [--gateway G] | list | delete NAME
  policy create NAME [--port-security on|off] | list | delete NAME
  port create NAME --net NET --host HOST --mac MAC [--policy P] [--interface IF] | list [--host H] | show NAME | delete NAME
  profile list | host list | host show HOST | feature list|enable|disable segmentation
                             against the VSM (--vsm ADDR[,ADDR...], default unix:/run/vxvem/vsm.sock; --json)
  host delete HOST           remove a host that is gone (refused while it has ports or is connected)
  (admin commands, cluster status) --tls-dir DIR --admin NAME [--cert FILE --key FILE] | --insecure
                             to a VSM on TCP: mutual TLS with an admin certificate, or in the clear
  status [--instance NAME] [--metrics HOST:PORT|off] [--netns NAME] [--json]
                             the agent (from its /metrics, default 127.0.0.1:9469), its VSM
                             connection and revision, VTEPs, attached programs, segments, ports,
                             MAC table, map fill, drops; exit 1 when something is wrong
  show macs [--vni N] [--mac M] [--port IF] [--count] [--json] [--instance NAME] [--netns NAME]
                             the MAC table (ports by name), filtered, with a count
  show segments|ports|vteps|nexthops|counters|drops [--vni N] [--json] [--instance NAME] [--netns NAME]
                             read the dataplane state (works while the agent is down); drops by
                             VNI and reason, with what each reason means. Interfaces are named as
                             in the agent's network namespace (found, or --netns NAME)
  show hosts|networks [NET]|profiles [--json] [--vsm ADDR]
                             the VSM's view: hosts and their liveness, networks with each host's
                             designated VTEP and flood list (OpenStack name and project for
                             networks made through Neutron; NET by name, UUID or OpenStack name),
                             dynamic port profiles
  mac delete --vni N --mac M [--instance NAME]
                             remove one learned MAC entry
  mac flush [--vni N] [--instance NAME]
                             remove the learned (not static) entries, of one VNI or all
  bpf-info [--instance NAME] list the pinned maps of a VEM instance (type, sizes, entries)
  demo [--keep]              a guided tour on a lab (what make demo runs); --keep leaves the lab up
  lab up [--hosts N] [--vms-per-host M] [--vteps K] | status [--json] | down
                             a virtual data centre in network namespaces: VSM, a VEM per host,
                             VMs on a unicast and a multicast network

Global options: --json (machine-readable output where supported)
                --log-format text|json (the log's lines; under systemd's journal, text lines
                carry the priority and no time); VXVEM_LOG=debug|info|warn|error (default info)
`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  'bpf-info': async () => (await import('./bpf-info.js')).run,
  vem: async () => {
    const m = await import('./vem.js');
    return (a) => (a[0] === 'adopt' ? Promise.resolve(m.runAdopt(a.slice(1))) : m.run(a));
  },
  show: async () => (await import('./show.js')).runShow,
  status: async () => (await import('./status.js')).run,
  vsm: async () => (await import('./vsm.js')).run,
  net: async () => (a) => import('./admin.js').then((m) => m.run('net', a)),
  policy: async () => (a) => import('./admin.js').then((m) => m.run('policy', a)),
  subnet: async () => (a) => import('./admin.js').then((m) => m.run('subnet', a)),
  port: async () => (a) => import('./admin.js').then((m) => m.run('port', a)),
  profile: async () => (a) => import('./admin.js').then((m) => m.run('profile', a)),
  host: async () => (a) => import('./admin.js').then((m) => m.run('host', a)),
  feature: async () => (a) => import('./admin.js').then((m) => m.run('feature', a)),
  sync: async () => (a) => import('./admin.js').then((m) => m.run('sync', a)),
  cluster: async () => (await import('./cluster.js')).run,
  ca: async () => (a) => import('./ca.js').then((m) => m.run(a)),
  mac: async () => (await import('./show.js')).runMac,
  lab: async () => (await import('./lab.js')).run,
  demo: async () => (await import('./demo.js')).run,
};

/** `--log-format text|json`, wherever it stands: the format of the log of whichever command runs. */
function takeLogFormat(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a !== '--log-format' && !a.startsWith('--log-format=')) {
      rest.push(a);
      continue;
    }
    const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
    if (!LOG_FORMATS.includes(v as LogFormat)) throw new UsageError(`--log-format: expected ${LOG_FORMATS.join(' or ')}, got ${JSON.stringify(v ?? '')}`);
    setLogFormat(v as LogFormat);
  }
  return rest;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = takeLogFormat(argv);
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  if (cmd === 'version' || cmd === '--version') {
    const { packageVersion } = await import('../common/package.js');
    console.log(packageVersion());
    return 0;
  }
  const load = commands[cmd];
  if (!load) throw new UsageError(`unknown command ${JSON.stringify(cmd)} (see \`vxvem help\`)`);
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  // Exit once stdout has taken everything: a long list written to a pipe is still queued here.
  (code) => void process.stdout.write('', () => process.exit(code)),
  async (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    // A VSM that does not answer: one line, not gRPC's text (the module is loaded only then).
    const v = e.name === 'VsmCallError' ? await import('./vsm-errors.js') : undefined;
    const line = v?.unreachableLine(e, v.vsmFlag(process.argv.slice(2)));
    process.stderr.write(`vxvem: ${line ?? e.message}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
