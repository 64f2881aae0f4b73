// `vxvem status [--instance NAME] [--metrics HOST:PORT|off] [--netns NAME] [--json]`: one look at
// a VEM: the agent (from its /metrics: how it runs, its VSM connection and revision), then the
// instance's pinned maps and the kernel: VTEPs and their uplinks, the programs attached where
// they belong, segments and ports, the MAC table, how full each map is, drops. Problems are
// listed at the end; the exit code is 1 when there is one.
import { TUNNEL_DEVICE } from '../agent/tunnel-device.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FloodMode } from '../maps/layout.js';
import { attachedPrograms, type AttachedProgram } from '../maps/pinned.js';
import { instancePinDir } from '../maps/paths.js';
import { countMacs, readDropTotals, readEventsLost, readSegmentTotals, readTableFill, type MapFill } from '../maps/totals.js';
import { flagString, type Parsed } from './args.js';
import { dataplaneVteps, type VtepRow } from './dataplane-rows.js';
import { openDataplane, type Dataplane } from './dataplane-view.js';
import { agentReading, fetchMetrics, type AgentReading } from './status-agent.js';
import { printStatus } from './status-text.js';

/** A map this full or fuller is a problem (a full vx_macs evicts, the others refuse new entries). */
const FULL = 0.9;

export type AgentStatus = (AgentReading & { reachable: true; metrics: string }) | { reachable: false; metrics: string | null; error: string };

export interface ProgramStatus {
  interface: string;
  role: 'uplink' | 'port' | 'tunnel';
  hook: 'tc' | 'xdp';
  /** The program that belongs there. */
  want: string;
  /** What is attached there (null: nothing of vxvem's). */
  attached: string | null;
  id: number | null;
}

export interface Status {
  instance: string;
  pinDir: string;
  /** The named network namespace of the agent's interfaces (null: this process's own). */
  netns: string | null;
  agent: AgentStatus;
  vteps: (VtepRow & { slot: number; ifindex: number; mac: string; mtu: number; up: boolean })[];
  programs: ProgramStatus[];
  segments: { unicast: number; multicast: number };
  ports: number;
  macs: { local: number; remote: number; static: number };
  maps: MapFill[];
  drops: number;
  eventsLost: number;
  problems: string[];
}

async function agentStatus(metrics: string | undefined): Promise<AgentStatus> {
  if (metrics === undefined) return { reachable: false, metrics: null, error: 'not asked (--metrics off)' };
  try {
    return { ...agentReading(await fetchMetrics(metrics)), reachable: true, metrics };
  } catch (e) {
    return { reachable: false, metrics, error: (e as Error).message };
  }
}

/** The programs each interface of the instance should carry, and what it carries. */
function programs(d: Dataplane, pinDir: string): ProgramStatus[] {
  const wanted = new Map<string, Omit<ProgramStatus, 'attached' | 'id'> & { ifindex: number }>();
  const want = (ifindex: number, name: string, role: ProgramStatus['role'], hook: ProgramStatus['hook'], program: string): void =>
    void wanted.set(`${ifindex}/${hook}`, { ifindex, interface: name, role, hook, want: program });
  for (const v of dataplaneVteps(d.maps, d.names)) {
    want(v.ifindex, v.interface, 'uplink', 'tc', 'from_uplink');
    // An uplink with "xdp": its link is pinned beside the maps (src/maps/attach.ts).
    if (existsSync(join(pinDir, `xdp_${v.interface}`))) want(v.ifindex, v.interface, 'uplink', 'xdp', 'xdp_uplink');
  }
  for (const [ifindex] of d.maps.ports.entries()) want(ifindex, d.names.name(ifindex), 'port', 'tc', 'from_port');
  const tunnel = d.names.byName(TUNNEL_DEVICE);
  if (tunnel) want(tunnel.ifindex, tunnel.name, 'tunnel', 'tc', 'from_tunnel');
  const order = { uplink: 0, port: 1, tunnel: 2 };
  const sorted = [...wanted.values()].sort((x, y) => order[x.role] - order[y.role] || x.interface.localeCompare(y.interface, undefined, { numeric: true }));
  // Interfaces of another namespace than the agent's would be someone else's: not asked.
  const attached = d.names.known ? attachedPrograms([...new Set(sorted.map((w) => w.ifindex))], d.names.netns) : new Map<number, AttachedProgram[]>();
  return sorted.map(({ ifindex, ...w }) => {
    const found = attached.get(ifindex)?.find((a) => a.hook === w.hook);
    return { ...w, attached: found?.name ?? null, id: found?.id ?? null };
  });
}

export async function readStatus(p: Parsed, metrics: string | undefined): Promise<Status> {
  const instance = flagString(p, 'instance') ?? 'default';
  const agent = await agentStatus(metrics);
  const d = openDataplane(p);
  try {
    const vteps = dataplaneVteps(d.maps, d.names).map((v) => ({ ...v, up: d.names.link(v.ifindex)?.up ?? false }));
    const segments = { unicast: 0, multicast: 0 };
    for (const [, s] of d.maps.segments.entries()) segments[s.mode === FloodMode.Multicast ? 'multicast' : 'unicast']++;
    const macs = { local: 0, remote: 0, static: 0 };
    for (const m of await countMacs(d.maps)) macs[m.kind] += m.entries;
    const counters = readSegmentTotals(d.maps);
    const drops = readDropTotals(d.maps);
    const maps: MapFill[] = [
      { map: d.maps.macs.name, entries: macs.local + macs.remote + macs.static, capacity: d.maps.macs.info.maxEntries },
      ...readTableFill(d.maps),
      { map: d.maps.counters.name, entries: counters.size, capacity: d.maps.counters.info.maxEntries },
      { map: d.maps.drops.name, entries: drops.length, capacity: d.maps.drops.info.maxEntries },
    ];
    const s: Status = {
      instance, pinDir: instancePinDir(instance), netns: d.names.netns ?? null, agent, vteps, programs: programs(d, instancePinDir(instance)),
      segments, ports: [...d.maps.ports.entries()].length, macs, maps,
      drops: drops.reduce((a, x) => a + x.packets, 0), eventsLost: readEventsLost(d.maps), problems: [],
    };
    s.problems = problems(s, d.names.known);
    return s;
  } finally {
    d.close();
  }
}

function problems(s: Status, namesKnown: boolean): string[] {
  const out: string[] = [];
  const a = s.agent;
  if (!a.reachable && a.metrics !== null) out.push(`no agent answers at ${a.metrics} (${a.error}): the dataplane forwards from its pinned state, unmanaged`);
  if (a.reachable && a.instance !== s.instance) out.push(`the agent at ${a.metrics} is instance ${a.instance}, not ${s.instance} (--metrics names another agent)`);
  if (a.reachable && a.mode === 'vsm' && !a.vsmConnected) out.push('the agent has lost its VSM: it forwards on its last revision');
  if (a.reachable && a.identityMismatch) out.push('the agent refuses the VSM\'s view (another store, or an older revision): vxvem vem adopt');
  if (!namesKnown) out.push('the agent\'s interfaces were not found (--netns NAME)');
  for (const v of s.vteps) if (namesKnown && !v.up) out.push(`uplink ${v.interface} of VTEP ${v.address} is down or gone`);
  for (const p of s.programs) {
    if (namesKnown && p.attached !== p.want) out.push(`${p.interface}: ${p.want} is not attached (${p.hook}${p.attached ? `: ${p.attached} is` : ''})`);
  }
  for (const m of s.maps) if (m.entries >= m.capacity * FULL) out.push(`${m.map} is ${Math.floor((100 * m.entries) / m.capacity)}% full (${m.entries} of ${m.capacity})`);
  return out;
}

export async function run(p: Parsed): Promise<number> {
  const metrics = flagString(p, 'metrics') ?? '127.0.0.1:9469';
  const s = await readStatus(p, metrics === 'off' ? undefined : metrics);
  if (p.flags.get('json')) console.log(JSON.stringify(s, null, 2));
  else printStatus(s, console.log);
  return s.problems.length ? 1 : 0;
}
