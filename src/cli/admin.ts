// Operator commands against the VSM's admin service (every one takes --vsm ADDR[,ADDR...], the
// replicas tried in turn, and --json; over TCP --tls-dir DIR --admin NAME [--cert F --key F], or
// --insecure for a VSM in the clear):
//   vxvem net create NAME --vni N [--mode unicast|multicast] [--group G] | list | show NAME | delete NAME
//   vxvem subnet create NAME --net NET --cidr A.B.C.D/LEN [--gateway G] | list | delete NAME
//   vxvem policy create NAME [--port-security on|off] [--storm-pps N] | list | delete NAME
//   vxvem port create NAME --net NET --host HOST --mac MAC [--policy P] [--interface IF] | list [--host H] | show NAME | delete NAME
//   vxvem profile list      vxvem host list|show HOST|delete HOST      vxvem feature list|enable NAME|disable NAME
// A network, subnet or port made through Neutron may be named by its UUID or its OpenStack name.
import { AdminClient, vsmAddresses } from '../../proto/clients.js';
import type { PortMsg } from '../../proto/index.js';
import type { TlsMaterial } from '../common/tls.js';
import { DEFAULT_VSM_ADDRESS } from '../common/package.js';
import { VLAN_MAX, VLAN_MIN } from '../common/vlan.js';
import { MAX_STORM_PPS, VNI_MAX, VNI_MIN } from '../common/vxlan.js';
import { UsageError, flagInt, flagString, type Parsed } from './args.js';
import { resolveName } from './names.js';
import { hostJson } from './show-vsm.js';
import { printTable } from './table.js';
import { tlsFromFlags } from './tls-flags.js';

/** The admin's certificate as --tls-dir/--admin/--cert/--key pick it for `addr` (undefined: plaintext, allowed on unix sockets and with --insecure). */
export function adminTls(p: Parsed, addr: string): TlsMaterial | undefined {
  return tlsFromFlags(p, 'admin', flagString(p, 'admin'), '--admin', vsmAddresses(addr));
}

/** A client of the VSM (--vsm, default the local socket) secured as the flags say. */
export function adminClient(p: Parsed): AdminClient {
  const addr = flagString(p, 'vsm') ?? DEFAULT_VSM_ADDRESS;
  return new AdminClient(addr, adminTls(p, addr));
}

type Row = Record<string, string | number>;

/** Where a command's results go: the terminal, or nowhere when another command drives it (the lab). */
export interface CommandOutput {
  line(s: string): void;
  warn(s: string): void;
}

export const TERMINAL: CommandOutput = {
  line: (s) => console.log(s),
  warn: (s) => void process.stderr.write(`${s}\n`),
};

function print(o: CommandOutput, p: Parsed, rows: Row[] | Row): void {
  if (p.flags.get('json')) o.line(JSON.stringify(rows, null, 2));
  else printTable(Array.isArray(rows) ? rows : [rows], o.line);
}

/** A policy as `policy create|list` print it (storm: flooded frames per second per port, 0 = no limit). */
function policyRow(x: { name: string; portSecurity: boolean; stormPps?: number }): Row {
  return { name: x.name, portSecurity: x.portSecurity ? 'on' : 'off', stormPps: x.stormPps ?? 0 };
}

/** `--trunk VLAN=NET,...`: the subports of a trunk port. */
function trunkFlag(v: string | undefined): { vlan: number; network: string }[] {
  if (v === undefined) return [];
  return v.split(',').map((x) => {
    const m = /^(\d+)=(.+)$/.exec(x);
    const vlan = Number(m?.[1]);
    if (!m || vlan < VLAN_MIN || vlan > VLAN_MAX) throw new UsageError(`--trunk: expected VLAN=NET,... with VLAN in ${VLAN_MIN}..${VLAN_MAX}, got ${JSON.stringify(x)}`);
    return { vlan, network: m[2]! };
  });
}

/** A port as `port create|list|show` print it: a trunk parent's subports as VLAN=NETWORK,... */
function portRow(x: PortMsg): Row {
  const { trunk, ...rest } = x;
  return { ...rest, trunk: (trunk ?? []).map((t) => `${t.vlan}=${t.network}`).join(',') };
}

function one(p: Parsed, what: string): string {
  const name = p.positionals[1];
  if (!name || p.positionals.length > 2) throw new UsageError(`${what}: expected one NAME`);
  return name;
}

/** `vxvem NOUN VERB [NAME]`: p.positionals are VERB and NAME (tree/admin.ts defines the flags of each). */
export async function run(noun: string, p: Parsed, o: CommandOutput = TERMINAL): Promise<number> {
  const out = (q: Parsed, rows: Row[] | Row): void => print(o, q, rows);
  const verb = p.positionals[0];
  const admin = adminClient(p);
  try {
    switch (`${noun} ${verb}`) {
      case 'net create': {
        const vlan = flagInt(p, 'vlan', VLAN_MIN, VLAN_MAX);
        const physnet = flagString(p, 'physnet');
        const vni = flagInt(p, 'vni', VNI_MIN, VNI_MAX);
        if ((vlan === undefined) !== (physnet === undefined)) throw new UsageError('net create: --vlan and --physnet go together');
        if ((vni === undefined) === (vlan === undefined)) throw new UsageError('net create: --vni N, or --vlan N --physnet NAME, is required');
        if (vlan !== undefined && (flagString(p, 'mode') || flagString(p, 'group'))) throw new UsageError('net create: --mode and --group are for VXLAN networks');
        const n = await admin.createNetwork(vlan === undefined
          ? { name: one(p, 'net create'), vni: vni!, mode: flagString(p, 'mode') ?? 'unicast', group: flagString(p, 'group') ?? '', physicalNetwork: '', vlan: 0 }
          : { name: one(p, 'net create'), vni: 0, mode: 'vlan', group: '', physicalNetwork: physnet!, vlan });
        if (n.origin !== 'neutron') o.warn(`warning: ${n.name} was made on the VSM, not in OpenStack: the next synchronisation removes it`);
        out(p, { ...n });
        return 0;
      }
      case 'net list': out(p, (await admin.listNetworks()).map((n) => ({ ...n }))); return 0;
      case 'net show': {
        out(p, { ...resolveName(await admin.listNetworks(), one(p, 'net show'), 'network') });
        return 0;
      }
      case 'net delete': await admin.deleteNetwork(resolveName(await admin.listNetworks(), one(p, 'net delete'), 'network').name); return 0;
      case 'subnet create': {
        const [network, cidr] = [flagString(p, 'net'), flagString(p, 'cidr')];
        if (!network || !cidr) throw new UsageError('subnet create: --net NET and --cidr A.B.C.D/LEN are required');
        const net = resolveName(await admin.listNetworks(), network, 'network').name;
        out(p, { ...(await admin.createSubnet({ name: one(p, 'subnet create'), network: net, cidr, gateway: flagString(p, 'gateway') ?? '' })) });
        return 0;
      }
      case 'subnet list': out(p, (await admin.listSubnets()).map((x) => ({ ...x }))); return 0;
      case 'subnet delete': await admin.deleteSubnet(resolveName(await admin.listSubnets(), one(p, 'subnet delete'), 'subnet').name); return 0;
      case 'policy create': {
        const ps = flagString(p, 'port-security') ?? 'on';
        if (ps !== 'on' && ps !== 'off') throw new UsageError('--port-security on|off');
        const stormPps = flagInt(p, 'storm-pps', 0, MAX_STORM_PPS) ?? 0;
        const pol = await admin.createPolicy({ name: one(p, 'policy create'), portSecurity: ps === 'on', stormPps });
        out(p, policyRow(pol));
        return 0;
      }
      case 'policy list': out(p, (await admin.listPolicies()).map(policyRow)); return 0;
      case 'policy delete': await admin.deletePolicy(one(p, 'policy delete')); return 0;
      case 'port create': {
        const [network, host, mac] = [flagString(p, 'net'), flagString(p, 'host'), flagString(p, 'mac')];
        if (!network || !host || !mac) throw new UsageError('port create: --net, --host and --mac are required');
        const net = resolveName(await admin.listNetworks(), network, 'network').name;
        const networks = await admin.listNetworks();
        const trunk = trunkFlag(flagString(p, 'trunk')).map((t) => ({ ...t, network: resolveName(networks, t.network, 'network').name, port: '' }));
        const port = await admin.createPort({ name: one(p, 'port create'), network: net, host, mac, policy: flagString(p, 'policy') ?? '', interface: flagString(p, 'interface') ?? '', trunk });
        out(p, portRow(port));
        return 0;
      }
      case 'port list': {
        const host = flagString(p, 'host');
        out(p, (await admin.listPorts()).filter((x) => !host || x.host === host).map(portRow));
        return 0;
      }
      case 'port show': {
        out(p, portRow(resolveName(await admin.listPorts(), one(p, 'port show'), 'port')));
        return 0;
      }
      case 'port delete': await admin.deletePort(resolveName(await admin.listPorts(), one(p, 'port delete'), 'port').name); return 0;
      case 'profile list': out(p, (await admin.listProfiles()).map((x) => ({ name: x.name, policy: x.policy, network: x.network, ports: x.ports.join(',') }))); return 0;
      case 'host list':
      case 'host show': {
        const only = verb === 'show' ? one(p, 'host show') : undefined;
        const hosts = (await admin.listHosts()).filter((h) => !only || h.name === only);
        if (only && !hosts.length) throw new Error(`no host ${only}`);
        if (p.flags.get('json')) o.line(JSON.stringify(hosts.map(hostJson), null, 2));
        else printTable(hosts.flatMap((h) => (h.segments.length ? h.segments : [undefined]).map((s) => ({
          host: h.name, connected: h.connected ? 'yes' : 'no', vteps: h.vteps.map((v) => v.address).join(','),
          vni: s?.vni ?? '', designated: s?.designatedVtep ?? '', floodList: s?.floodList.join(',') ?? '',
        }))), o.line);
        return 0;
      }
      case 'host delete': await admin.deleteHost(one(p, 'host delete')); return 0;
      case 'sync undefined': {
        const r = await admin.sync();
        if (p.flags.get('json')) o.line(JSON.stringify(r, null, 2));
        else {
          for (const x of r.removed) o.line(`removed ${x.kind} ${x.name} (origin ${x.origin}): ${x.reason}`);
          o.line(`sync: ${r.removed.length} object(s) removed; revision ${r.revision}`);
        }
        return 0;
      }
      case 'feature list': out(p, (await admin.listFeatures()).map((f) => ({ name: f.name, enabled: f.enabled ? 'yes' : 'no' }))); return 0;
      case 'feature enable':
      case 'feature disable': await admin.setFeature(one(p, `feature ${verb}`), verb === 'enable'); return 0;
      default:
        throw new UsageError(`unknown command: ${noun} ${verb ?? ''}`.trim());
    }
  } finally {
    admin.close();
  }
}
