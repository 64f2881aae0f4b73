// `vxvem lab up [--hosts N] [--vms-per-host M] [--vteps K] [--guests netns|qemu] | status [--json]
// | exec VM COMMAND | down`: a whole
// virtual data centre in network namespaces, with a VSM and a VEM per host, driven through the
// CLI like a real one. Everything it makes carries the `vxlab-` / `lab-` prefixes, so that
// `down` removes it all, also after a crash that lost the state file.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AdminClient } from '../../proto/clients.js';
import { Dataplane, openPinnedMaps } from '../maps/dataplane.js';
import { BPFFS_ROOT as PIN_ROOT } from '../maps/paths.js';
import { spawnSync } from 'node:child_process';
import { UsageError, flagInt, flagString, parsedOf, type Parsed } from './args.js';
import { withConsole } from './lab/console.js';
import { LAB_NEUTRON, dhcp, guestCommand, guestNetwork, guestPort, guestStatus, image, makeTap, type GuestState } from './lab/guests.js';
import { VLAN_SWITCH, buildNetwork, labNamespaces, removeNetwork, smcrouteConfig } from './lab/network.js';
import { LAB_INSTANCE_PREFIX, LAB_PREFIX, LAB_VLAN, labPlan, type LabPlan } from './lab/plan.js';
import { alive, findLabProcesses, selfCommand, startDaemon, stopAll, waitForLog } from './lab/procs.js';
import { hostJson } from './show-vsm.js';
import { printTable } from './table.js';

export const LAB_DIR = '/run/vxvem/lab';
export const LAB_VSM = `unix:${LAB_DIR}/vsm.sock`;
const STATE = join(LAB_DIR, 'state.json');

interface LabState {
  plan: LabPlan;
  startedAt: string;
  pids: { vsm?: number; smcroute?: number; vems: Record<string, number> };
  /** QEMU guests by VM name (`--guests qemu`). */
  guests?: Record<string, GuestState>;
}

const say = (s: string): void => void process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readState(): LabState | undefined {
  try {
    return JSON.parse(readFileSync(STATE, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

const saveState = (s: LabState): void => writeFileSync(STATE, JSON.stringify(s, null, 2));

/** Runs `vxvem NOUN create NAME --FLAG VALUE...` in this process (the command's own code), echoing it. */
async function vxvem(noun: string, name: string, flags: Record<string, string | undefined>): Promise<void> {
  const given = Object.entries(flags).filter((e): e is [string, string] => e[1] !== undefined);
  say(`  $ vxvem ${noun} create ${name}${given.map(([k, v]) => ` --${k} ${v}`).join('')}`);
  const { run } = await import('./admin.js');
  // The tables and warnings it prints would drown the lab's own output.
  await run(noun, parsedOf({ ...flags, vsm: LAB_VSM }, ['create', name]), { line: () => undefined, warn: () => undefined });
}

/**
 * The networks, subnets and ports of the plan, made through the CLI, but the guests' network and
 * ports through Neutron, as OpenStack and Nova make them; returns the guests' Neutron port ids.
 */
async function configure(plan: LabPlan): Promise<Record<string, string>> {
  const neutronIds = new Map<string, string>();
  for (const n of plan.networks) {
    if (plan.vms.some((v) => v.qemu && v.network === n.name)) {
      neutronIds.set(n.name, await guestNetwork(n, say));
      continue;
    }
    await vxvem('net', n.name, n.vlan ? { vlan: String(n.vlan.id), physnet: n.vlan.physnet } : { vni: String(n.vni), mode: n.mode, group: n.group || undefined });
    await vxvem('subnet', `${n.name}-v4`, { net: n.name, cidr: n.cidr });
  }
  const ports: Record<string, string> = {};
  for (const vm of plan.vms) {
    if (vm.qemu) {
      ports[vm.name] = await guestPort(vm, neutronIds.get(vm.network)!, say);
      continue;
    }
    const trunk = vm.trunk ? `${vm.trunk.vlan}=${vm.trunk.network}` : undefined;
    await vxvem('port', vm.name, { net: vm.network, host: vm.host, mac: vm.mac, interface: vm.port, trunk });
  }
  return ports;
}

/** Each guest on its tap, QEMU detached; resolves once every guest has its DHCP lease. */
async function startGuests(state: LabState, ports: Record<string, string>): Promise<void> {
  const guests = state.plan.vms.filter((v) => v.qemu);
  if (!guests.length) return;
  state.guests = {};
  for (const vm of guests) {
    const tap = `tap${ports[vm.name]!.slice(0, 11)}`;
    makeTap(state.plan, vm, tap);
    const cmd = guestCommand(state.plan, vm, tap, LAB_DIR);
    const pid = startDaemon(cmd.argv, join(LAB_DIR, `qemu-${vm.name}.log`));
    state.guests[vm.name] = { pid, port: ports[vm.name]!, tap, console: cmd.console, log: cmd.log };
    saveState(state);
    say(`  ${vm.name}: QEMU (pid ${pid}) on tap ${tap} of ${vm.host}, console ${cmd.console}`);
  }
  // Under TCG a guest takes about 9 s alone, more when two share the CPUs.
  await Promise.all(guests.map(async (vm) => {
    const g = state.guests![vm.name]!;
    await waitForLog(g.pid, g.log, 'vx-ready', `guest ${vm.name}`, 120_000);
    const lease = await withConsole(g.console, (c) => dhcp(c, 60_000));
    say(`  ${vm.name}: DHCP gave ${lease.address}, MTU ${lease.mtu}`);
  }));
}

/** Each host's dataplane has its networks and, for unicast ones, every other host in the flood list. */
function converged(plan: LabPlan): string[] {
  const waiting: string[] = [];
  for (const h of plan.hosts) {
    let pinned;
    try {
      pinned = openPinnedMaps(`${LAB_INSTANCE_PREFIX}${h.name}`);
    } catch {
      waiting.push(`${h.name}: no dataplane yet`);
      continue;
    }
    try {
      for (const n of plan.networks) {
        const here = plan.vms.some((v) => v.host === h.name && v.network === n.name);
        if (!here) continue;
        if (!pinned.maps.segments.get(n.segment)) {
          waiting.push(`${h.name}: ${n.name}`);
          continue;
        }
        const others = new Set(plan.vms.filter((v) => v.network === n.name && v.host !== h.name).map((v) => v.host)).size;
        const flood = pinned.maps.flood.get(n.segment)?.vteps.length ?? 0;
        if (n.mode === 'unicast' && flood !== others) waiting.push(`${h.name}: ${n.name} flood list ${flood}/${others}`);
      }
    } finally {
      pinned.close();
    }
  }
  return waiting;
}

/** `lab up` (its flags: tree/lab.ts). */
export async function up(p: Parsed): Promise<number> {
  const guests = (flagString(p, 'guests') ?? 'netns') as 'netns' | 'qemu'; // checked by labPlan
  const plan = labPlan({ hosts: flagInt(p, 'hosts', 0, 99) ?? 3, vmsPerHost: flagInt(p, 'vms-per-host', 0, 99) ?? 2, vtepsPerHost: flagInt(p, 'vteps', 0, 99) ?? 1, guests });
  if (readState() || labNamespaces().length) throw new Error('a lab is already up (see `vxvem lab status`); remove it first with `vxvem lab down`');
  if (plan.vms.some((v) => v.qemu)) image();
  const t0 = Date.now();
  rmSync(LAB_DIR, { recursive: true, force: true });
  mkdirSync(LAB_DIR, { recursive: true });
  const state: LabState = { plan, startedAt: new Date().toISOString(), pids: { vems: {} } };
  saveState(state);
  try {
    say(`building the network: 2 underlay subnets and a router, ${plan.hosts.length} hosts with ${plan.options.vtepsPerHost} VTEP(s) each, ${plan.vms.length} VMs`);
    buildNetwork(plan);
    writeFileSync(join(LAB_DIR, 'smcroute.conf'), smcrouteConfig(plan));
    state.pids.smcroute = startDaemon(['nsenter', `--net=/run/netns/${plan.router}`, 'smcrouted', '-n', '-f', join(LAB_DIR, 'smcroute.conf'), '-i', LAB_PREFIX, '-l', 'notice', '-P', join(LAB_DIR, 'smcroute.pid'), '-u', join(LAB_DIR, 'smcroute.sock')], join(LAB_DIR, 'smcroute.log'));
    saveState(state);
    await waitForLog(state.pids.smcroute, join(LAB_DIR, 'smcroute.log'), 'Ready', 'smcroute (multicast routing on the router)');

    say(`starting the VSM (${LAB_VSM}, metrics http://${plan.vsmMetrics}/metrics)`);
    const vsmLog = join(LAB_DIR, 'vsm.log');
    const withNeutron = plan.vms.some((v) => v.qemu) ? ['--neutron', LAB_NEUTRON] : [];
    state.pids.vsm = startDaemon(selfCommand(['vsm', '--listen', LAB_VSM, '--data', join(LAB_DIR, 'vsm-data'), '--metrics', plan.vsmMetrics, ...withNeutron]), vsmLog);
    saveState(state);
    await waitForLog(state.pids.vsm, vsmLog, 'metrics on', 'the VSM');

    for (const h of plan.hosts) {
      say(`starting the VEM of ${h.name} (VTEPs ${h.vteps.map((v) => v.address).join(', ')}, metrics http://${h.metrics}/metrics)`);
      const log = join(LAB_DIR, `vem-${h.name}.log`);
      const vteps = h.vteps.flatMap((v) => ['--vtep', `${v.interface}:${v.address}/${v.prefixLength}@${v.gateway}`]);
      const physnet = ['--physnet', `${h.physnet.name}:${h.physnet.interface}`];
      state.pids.vems[h.name] = startDaemon(selfCommand(['vem', '--vsm', LAB_VSM, '--host', h.name, ...vteps, ...physnet, '--instance', `${LAB_INSTANCE_PREFIX}${h.name}`, '--netns', h.netns, '--metrics', h.metrics, '--cleanup']), log);
      saveState(state);
      await waitForLog(state.pids.vems[h.name]!, log, 'running from', `the VEM of ${h.name}`);
    }

    say('creating a unicast and a multicast VXLAN network, VLAN 100 on physnet1 and a port per VM (one a trunk), through the CLI:');
    const ports = await configure(plan);
    const end = Date.now() + 20_000;
    let waiting = converged(plan);
    while (waiting.length && Date.now() < end) {
      await sleep(200);
      waiting = converged(plan);
    }
    if (waiting.length) throw new Error(`the VEMs did not converge within 20 s: ${waiting.join('; ')}`);
    if (plan.vms.some((v) => v.qemu)) say('starting the QEMU guests (Nova\'s way: a tap per Neutron port), which ask DHCP for their addresses:');
    await startGuests(state, ports);
  } catch (e) {
    say(`lab up failed, removing what it made: ${(e as Error).message}`);
    await down();
    throw e;
  }
  say(`\nthe lab is up (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  await printStatus(state, []);
  return 0;
}

async function printStatus(state: LabState, hosts: Awaited<ReturnType<AdminClient['listHosts']>>): Promise<void> {
  const guests = new Map(await Promise.all(Object.entries(state.guests ?? {}).map(async ([name, g]) => [name, { ...g, ...(await guestStatus(g)) }] as const)));
  const { plan } = state;
  printTable(plan.hosts.map((h) => {
    const info = hosts.find((x) => x.name === h.name);
    return {
      host: h.name, netns: h.netns, vteps: h.vteps.map((v) => v.address).join(','), gateway: h.vteps[0]!.gateway, physnet: `${h.physnet.name}:${h.physnet.interface}`,
      agent: alive(state.pids.vems[h.name] ?? 0) ? 'running' : 'DOWN',
      ...(hosts.length ? { vsm: info?.connected ? 'connected' : 'disconnected', revision: info?.appliedRevision ?? '' } : {}),
      metrics: `http://${h.metrics}/metrics`,
    };
  }), say);
  say('');
  printTable(plan.vms.map((v) => {
    const n = plan.networks.find((x) => x.name === v.network)!;
    const network = n.vlan ? `${n.name} (VLAN ${n.vlan.id} on ${n.vlan.physnet})` : `${n.name} (${n.vni}, ${n.mode})`;
    const trunk = v.trunk ? `${v.trunk.vlan}=${v.trunk.network} (${v.trunk.address})` : '';
    const g = guests.get(v.name);
    if (g) return { vm: v.name, netns: `qemu ${alive(g.pid) ? `pid ${g.pid}` : 'DOWN'}`, host: v.host, port: g.tap, network, address: `${g.address} (DHCP, MTU ${g.mtu})`, trunk, mac: v.mac };
    return { vm: v.name, netns: v.netns, host: v.host, port: v.port, network, address: v.address, trunk, mac: v.mac };
  }), say);
  const a = plan.vms.find((v) => v.network === 'web' && !v.qemu);
  const b = plan.vms.find((v) => v.network === 'web' && a && v.host !== a.host);
  say(`\nVSM ${LAB_VSM} (metrics http://${plan.vsmMetrics}/metrics); logs in ${LAB_DIR}`);
  say('try:');
  if (a && b) say(`  ip netns exec ${a.netns} ping ${b.address}`);
  const [v1, v2] = plan.vms.filter((v) => v.network === LAB_VLAN.name && !v.trunk);
  if (v1 && v2) say(`  ip netns exec ${v1.netns} ping ${v2.address}        # VLAN 100, tagged on ${LAB_PREFIX}-ul's ${VLAN_SWITCH}`);
  for (const name of guests.keys()) say(`  vxvem lab exec ${name} 'ip addr show eth0'   # a QEMU guest, through its console`);
  say(`  vxvem show macs --instance ${LAB_INSTANCE_PREFIX}${plan.hosts[0]!.name}`);
  say(`  vxvem show hosts --vsm ${LAB_VSM}`);
  say(`  curl -s http://${plan.hosts[0]!.metrics}/metrics | grep '^vxvem_vni'`);
  say('  vxvem lab down');
}

export async function status(p: Parsed): Promise<number> {
  const state = readState();
  const namespaces = labNamespaces();
  if (!state) {
    if (namespaces.length) {
      say(`no lab state in ${LAB_DIR}, but ${namespaces.length} lab namespaces exist (a crashed lab?): \`vxvem lab down\` removes them`);
      return 1;
    }
    say('no lab is up (`vxvem lab up` makes one)');
    return 1;
  }
  let hosts: Awaited<ReturnType<AdminClient['listHosts']>> = [];
  if (alive(state.pids.vsm ?? 0)) {
    const admin = new AdminClient(LAB_VSM);
    try {
      hosts = await admin.listHosts();
    } finally {
      admin.close();
    }
  }
  const missing = [state.plan.underlay, state.plan.router, ...state.plan.hosts.map((h) => h.netns), ...state.plan.vms.filter((v) => !v.qemu).map((v) => v.netns)].filter((n) => !namespaces.includes(n));
  const guestsDown = Object.entries(state.guests ?? {}).filter(([, g]) => !alive(g.pid)).map(([name]) => name);
  if (p.flags.get('json')) {
    const guests = Object.fromEntries(await Promise.all(Object.entries(state.guests ?? {}).map(async ([name, g]) => [name, { ...g, alive: alive(g.pid), ...(await guestStatus(g)) }] as const)));
    // Hosts as `show hosts --json` has them (numbers, timestamps, nulls), not the wire's strings.
    say(JSON.stringify({ ...state, guests, vsmAlive: alive(state.pids.vsm ?? 0), hosts: hosts.map(hostJson), missingNamespaces: missing, guestsDown }, null, 2));
  } else {
    say(`lab up since ${state.startedAt}; VSM ${alive(state.pids.vsm ?? 0) ? 'running' : 'DOWN'}, smcroute ${alive(state.pids.smcroute ?? 0) ? 'running' : 'DOWN'}${missing.length ? `; missing namespaces: ${missing.join(', ')}` : ''}${guestsDown.length ? `; guests down: ${guestsDown.join(', ')}` : ''}\n`);
    await printStatus(state, hosts);
  }
  const healthy = alive(state.pids.vsm ?? 0) && !missing.length && !guestsDown.length && state.plan.hosts.every((h) => alive(state.pids.vems[h.name] ?? 0));
  return healthy ? 0 : 1;
}

/** The console sockets of the lab's QEMU guests, by VM name (none without a lab or guests). */
export function labConsoles(): Record<string, string> {
  return Object.fromEntries(Object.entries(readState()?.guests ?? {}).map(([name, g]) => [name, g.console]));
}

/** `lab exec VM COMMAND`: in the VM's namespace, or over a guest's console. */
export async function exec(p: Parsed): Promise<number> {
  const [name, cmd] = p.positionals;
  const state = readState();
  if (!state) throw new Error('no lab is up (`vxvem lab up` makes one)');
  const vm = state.plan.vms.find((v) => v.name === name);
  if (!vm) throw new UsageError(`lab exec: no VM ${name} (there are ${state.plan.vms.map((v) => v.name).join(', ')})`);
  const g = state.guests?.[vm.name];
  if (g) {
    const r = await withConsole(g.console, (c) => c.run(cmd!, 120_000));
    process.stdout.write(r.output.endsWith('\n') || !r.output ? r.output : `${r.output}\n`);
    return r.status;
  }
  const r = spawnSync('nsenter', [`--net=/run/netns/${vm.netns}`, 'sh', '-c', cmd!], { stdio: 'inherit' });
  return r.status ?? 1;
}

export async function down(): Promise<number> {
  const state = readState();
  const guests = Object.values(state?.guests ?? {}).map((g) => g.pid);
  const pids = [...Object.values(state?.pids.vems ?? {}), state?.pids.vsm, state?.pids.smcroute, ...guests].filter((x): x is number => !!x);
  const stopped = await stopAll([...new Set([...pids, ...findLabProcesses(LAB_DIR)])]);
  const namespaces = removeNetwork();
  let pins = 0;
  for (const d of existsSync(PIN_ROOT) ? readdirSync(PIN_ROOT) : []) {
    if (!d.startsWith(LAB_INSTANCE_PREFIX)) continue;
    Dataplane.removePins(d);
    pins++;
  }
  rmSync(LAB_DIR, { recursive: true, force: true });
  say(stopped + namespaces + pins ? `lab down: stopped ${stopped} processes, removed ${namespaces} namespaces and ${pins} pinned dataplanes` : 'lab down: nothing to remove');
  return 0;
}
