// `vxvem status` for a human: one labelled line per part (continuation lines aligned), problems last.
import { vtepText } from './dataplane-rows.js';
import type { ProgramStatus, Status } from './status.js';

/** 3m12s, 2h5m, 4d1h: how long ago `iso` was (or `since` what). */
export function ago(iso: string, now = Date.now()): string {
  let s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const parts: [number, string][] = [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  const out: string[] = [];
  for (const [n, unit] of parts) {
    if (s >= n || (unit === 's' && !out.length)) out.push(`${Math.floor(s / n)}${unit}`);
    s %= n;
    if (out.length === 2) break;
  }
  return out.join('');
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function agentLines(s: Status): [string, string][] {
  const a = s.agent;
  if (!a.reachable) {
    return [['Agent', a.metrics === null ? 'not asked (--metrics off)' : `not reachable at ${a.metrics} (${a.error})`]];
  }
  const since = a.startedAt ? `running for ${ago(a.startedAt)}` : 'running';
  const mode = a.mode === 'vsm' ? 'following a VSM' : 'from a configuration file';
  const lines: [string, string][] = [['Agent', `${since}, version ${a.version}, ${mode} (metrics ${a.metrics})`]];
  const applied = a.lastApplied ? `applied ${ago(a.lastApplied)} ago` : 'nothing applied yet';
  if (a.mode === 'vsm') {
    const state = a.identityMismatch ? 'connected, its view refused (another store or an older revision)' : a.vsmConnected ? 'connected' : 'disconnected';
    lines.push(['VSM', `${state}; revision ${a.revision}, ${applied}`]);
  } else {
    lines.push(['VSM', `none; the file applied ${plural(a.revision, 'time')}, last ${applied.replace('applied ', '')}`]);
  }
  const extra = [a.portsWaiting ? `${plural(a.portsWaiting, 'port')} waiting for an interface` : '', a.reloadFailures ? `${plural(a.reloadFailures, 'configuration')} refused since start` : ''].filter(Boolean);
  if (extra.length) lines.push(['', extra.join('; ')]);
  return lines;
}

/** `from_port on vnet1, vnet2 (tc)`: what is where, grouped by program and hook; missing ones said. */
function programText(programs: ProgramStatus[]): string[] {
  const groups = new Map<string, string[]>();
  for (const p of programs) {
    const key = `${p.want} (${p.hook})`;
    groups.set(key, [...(groups.get(key) ?? []), p.attached === p.want ? p.interface : `${p.interface} MISSING`]);
  }
  return [...groups].map(([k, ifs]) => `${k.replace(' (', ` on ${ifs.join(', ')} (`)}`);
}

export function printStatus(s: Status, out: (line: string) => void): void {
  const where = s.netns ? `; interfaces in network namespace ${s.netns}` : '';
  const lines: [string, string][] = [['Instance', `${s.instance} (${s.pinDir}${where})`], ...agentLines(s)];
  const vteps = s.vteps.map((v) => `${vtepText(v)} (slot ${v.slot}, MAC ${v.mac}, MTU ${v.mtu}, ${v.up ? 'up' : 'DOWN'})`);
  lines.push(['VTEPs', vteps.shift() ?? '(none)'], ...vteps.map((v): [string, string] => ['', v]));
  const progs = programText(s.programs);
  lines.push(['Programs', progs.shift() ?? '(none)'], ...progs.map((p): [string, string] => ['', p]));
  const seg = s.segments;
  lines.push(['Segments', `${seg.unicast + seg.multicast} (${seg.unicast} unicast, ${seg.multicast} multicast); ${plural(s.ports, 'port')} bound`]);
  const m = s.macs;
  lines.push(['MAC table', `${plural(m.local + m.remote + m.static, 'entry', 'entries')}: ${m.local} local, ${m.remote} remote, ${m.static} static`]);
  const width = Math.max(...s.maps.map((x) => x.map.length));
  const fills = s.maps.map((x) => `${x.map.padEnd(width)}  ${String(x.entries).padStart(7)} / ${String(x.capacity).padEnd(7)}  ${((100 * x.entries) / x.capacity).toFixed(1).padStart(5)}%`);
  lines.push(['Maps', fills.shift()!], ...fills.map((f): [string, string] => ['', f]));
  lines.push(['Drops', `${plural(s.drops, 'packet')}${s.drops ? ' (vxvem show drops)' : ''}; events lost: ${s.eventsLost}`]);
  lines.push(['Status', s.problems.length ? `${plural(s.problems.length, 'problem')}:` : 'OK']);
  for (const p of s.problems) lines.push(['', `- ${p}`]);
  for (const [label, text] of lines) out(`${label ? `${label}:` : ''}`.padEnd(12) + text);
}
