// A VSM that survives crashes: a 3-member etcd cluster on loopback, 3 VSM replicas, VEMs in
// namespaces following them (each from a different replica first), VMs pinging across hosts at
// 100/s each and a port created every 100 ms through a replica that stays up. The leader is
// killed (-9), then the new one with an etcd member down, then etcd loses quorum: no ping is
// lost, no acknowledged port is lost, a new leader comes, every VEM ends on the latest revision.
// Every replica is the same store (the cluster id): no VEM refuses the view of the replica it
// fails over to (vxvem_agent_vsm_identity_mismatch stays 0).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { AdminClient } from '../proto/clients.js';
import type { ClusterStatusMsg } from '../proto/index.js';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { EtcdCluster } from './helpers/etcd-cluster.js';
import { freePort } from './helpers/free-port.js';
import { sleep, until } from './helpers/until.js';
import { Topology } from './helpers/topology.js';
import { VsmProcess } from './helpers/vsm-process.js';

ensureBpf();
const T = new Topology(`vxh${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-ha-'));
const NAMES = ['r1', 'r2', 'r3'] as const;
type Name = (typeof NAMES)[number];
const sock = (n: Name) => `unix:${join(dir, `${n}.sock`)}`;
const ALL = NAMES.map(sock).join(',');
const HOSTS = { h1: '192.0.2.31', h2: '192.0.2.32', h3: '192.0.2.33' } as const;
const VMS = { vm1: ['h1', '198.51.100.1'], vm2: ['h2', '198.51.100.2'], vm3: ['h3', '198.51.100.3'] } as const;
let etcd: EtcdCluster;
/** The cluster's identity: the store identity every replica serves and every VEM follows. */
let clusterId = '';
const vsm = new Map<Name, VsmProcess>(NAMES.map((n) => [n, new VsmProcess()]));
const figures: Record<string, number> = {};
/** Each VEM's /metrics address (outside the hosts' namespaces). */
const metrics: Record<string, string> = {};

const startReplica = (n: Name): Promise<void> => vsm.get(n)!.start(['--store', etcd.url, '--name', n, '--listen', sock(n), '--metrics', 'off']);
const run = promisify(execFile);
const cli = (...args: string[]) => run('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args, '--vsm', ALL], { encoding: 'utf8' });

const status = async (via: Name): Promise<ClusterStatusMsg | undefined> => {
  const a = new AdminClient(sock(via));
  try {
    return await a.clusterStatus();
  } catch {
    return undefined;
  } finally {
    a.close();
  }
};
/** A VEM's vxvem_agent_vsm_identity_mismatch (1 while it refuses the view it is sent). */
async function mismatch(h: keyof typeof HOSTS): Promise<number | undefined> {
  const text = await (await fetch(`http://${metrics[h]}/metrics`)).text();
  return Number(/^vxvem_agent_vsm_identity_mismatch (\d+)$/m.exec(text)?.[1]);
}

const leaderOf = (s: ClusterStatusMsg | undefined) => s?.replicas.find((r) => r.role === 'leader')?.name as Name | undefined;

/** A port created every 100 ms through one replica (changeable); what was acknowledged, what refused. */
class Churn {
  readonly acked: string[] = [];
  refused = 0;
  private admin?: AdminClient;
  private stopped = false;
  private paused = false;
  private done?: Promise<void>;

  /** Holds the churn (a VEM hears of every port, and applies slower than 10/s on a loaded machine). */
  async pause<T>(f: () => Promise<T>): Promise<T> {
    this.paused = true;
    try {
      return await f();
    } finally {
      this.paused = false;
    }
  }

  via(n: Name): void {
    this.admin?.close();
    this.admin = new AdminClient(sock(n));
  }

  start(): void {
    this.done = (async () => {
      for (let i = 0; !this.stopped; i++) {
        const next = sleep(100);
        if (this.paused) {
          i--;
          await next;
          continue;
        }
        const name = `c${i}`;
        try {
          await this.admin!.createPort({ name, network: 'web', host: `h${(i % 3) + 1}`, mac: `02:00:00:01:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, interface: `tapch${i}` }); // a VM interface name: the VSM refuses any other
          this.acked.push(name);
        } catch {
          this.refused++;
        }
        await next;
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    this.admin?.close();
  }
}

/** `ping -i 0.01` from each VM to the next host's VM until stopped (SIGINT: ping prints its totals). */
const pings: { proc: ChildProcess; out: string; exit: Promise<void> }[] = [];
function startPings(): void {
  const order = Object.keys(VMS) as (keyof typeof VMS)[];
  order.forEach((vm, i) => {
    const to = VMS[order[(i + 1) % order.length]!][1];
    const proc = T.get(vm).spawn('ping', ['-i', '0.01', '-W', '1', to]);
    const p = { proc, out: '', exit: new Promise<void>((r) => proc.once('close', () => r())) }; // 'close': after its output (ping's totals) is read
    proc.stdout!.on('data', (d: Buffer) => (p.out += d.toString()).length > 1e6 && (p.out = p.out.slice(-1e5)));
    pings.push(p);
  });
}

/** A VEM's log lines after `since` (by their timestamps) that match `re`: [time, match]. */
function logged(host: keyof typeof HOSTS, since: number, re: RegExp): [number, RegExpExecArray][] {
  const out: [number, RegExpExecArray][] = [];
  for (const line of T.agents.get(host)!.log.join('').split('\n')) {
    const m = re.exec(line);
    const t = Date.parse(line.split(' ')[0]!);
    if (m && t >= since) out.push([t, m]);
  }
  return out;
}

const reachable = (vm: keyof typeof VMS, to: string): boolean => {
  try {
    T.get(vm).exec('ping', ['-c', '1', '-W', '1', to]);
    return true;
  } catch {
    return false;
  }
};

const churn = new Churn();

beforeAll(async () => {
  etcd = await EtcdCluster.start(3);
  for (const n of NAMES) await startReplica(n);
  clusterId = (await status('r1'))!.clusterId;
  expect(clusterId).toMatch(/^[0-9a-f-]{36}$/);
  T.addSwitch('ula');
  for (const [h, a] of Object.entries(HOSTS)) T.addHost(h, [{ sw: 'ula', addr: `${a}/26` }]);
  for (const [vm, [h, addr]] of Object.entries(VMS)) T.addVm(vm, h, 'vnet0', `02:00:00:00:00:0${vm.slice(2)}`, `${addr}/24`);
  // Each VEM tries a different replica first, so that a dead replica always had VEMs on it.
  const order = (first: number) => NAMES.map((_, i) => sock(NAMES[(first + i) % 3]!)).join(',');
  for (const h of Object.keys(HOSTS)) metrics[h] = `127.0.0.1:${await freePort()}`;
  await Promise.all(Object.entries(HOSTS).map(([h, a], i) => T.startVsmAgent(h, order(i), [`up0:${a}/26`], { metrics: metrics[h] })));
  await cli('net', 'create', 'web', '--vni', '5000');
  for (const [vm, [h]] of Object.entries(VMS)) await cli('port', 'create', `p${vm.slice(2)}`, '--net', 'web', '--host', h, '--mac', `02:00:00:00:00:0${vm.slice(2)}`, '--interface', 'vnet0');
  for (const [vm, to] of [['vm1', '198.51.100.2'], ['vm2', '198.51.100.3'], ['vm3', '198.51.100.1']] as const) await until(`${vm} reaches ${to}`, () => reachable(vm, to), (v) => v, 10_000);
  startPings();
  await sleep(300);
}, 120_000);

afterAll(async () => {
  await churn.stop().catch(() => undefined);
  for (const p of pings) p.proc.kill('SIGKILL');
  for (const v of vsm.values()) await v.stop('SIGKILL').catch(() => undefined);
  if (process.env.HA_DEBUG) {
    const { writeFileSync } = await import('node:fs');
    for (const [n, v] of vsm) writeFileSync(`/tmp/ha-${n}.log`, v.log);
    for (const [h, a] of T.agents) writeFileSync(`/tmp/ha-${h}.log`, a.log.join(''));
  }
  await T.destroy();
  await etcd?.destroy();
  rmSync(dir, { recursive: true, force: true });
  console.log(`HA figures: ${JSON.stringify(figures)}`);
}, 60_000);

/** The leader as every live replica names it (an etcd member that dies may move the lease, and the lead). */
async function agreedLeader(): Promise<Name> {
  const views = await until('the replicas agree on a leader', async () => (await Promise.all(NAMES.map(status))).filter((x) => x).map(leaderOf),
    (v) => v.length > 0 && v[0] !== undefined && v.every((l) => l === v[0]), 10_000);
  return views[0]!;
}

/**
 * Kills the leader (-9) while the churn goes through another replica: a new leader comes, and
 * each VEM that followed the dead replica follows another one, resumed from its revision.
 */
async function killLeader(phase: string, vemsOnIt: boolean): Promise<Name> {
  const before = await agreedLeader();
  const survivor = NAMES.find((n) => n !== before)!;
  churn.via(survivor);
  await sleep(300);
  const killedAt = Date.now();
  await vsm.get(before!)!.stop('SIGKILL');
  const after = await until('a new leader', async () => leaderOf(await status(survivor)), (l) => l !== undefined && l !== before, 3000);
  figures[`${phase}NewLeaderMs`] = Date.now() - killedAt;
  // Each VEM that followed the dead replica follows another one again, resumed from its revision.
  const cut = (Object.keys(HOSTS) as (keyof typeof HOSTS)[]).filter((h) => logged(h, killedAt, / warn .*VSM .* lost /).length);
  if (vemsOnIt) expect(cut.length).toBeGreaterThan(0);
  for (const h of cut) {
    const [[at, how]] = await until(`${h} follows again`, () => logged(h, killedAt, / info .*following VSM .* \(store (\S+)\) from revision \d+ \((resumed|snapshot)\)/), (l) => l.length > 0, 3000);
    expect(how[2]).toBe('resumed');
    // The replica it moved to is the same store: its view is applied, not refused.
    expect(how[1]).toBe(clusterId);
    expect(await mismatch(h)).toBe(0);
    figures[`${phase}VemReconnectMs`] = Math.max(figures[`${phase}VemReconnectMs`] ?? 0, at - killedAt);
  }
  await sleep(500); // the churn goes on meanwhile
  await startReplica(before!); // back, as a follower
  return after!;
}

/**
 * The replicas agree on the latest revision and every VEM has applied (as reported to whichever
 * replica it follows) a change that concerns every host, the mark, or a later revision. Not
 * necessarily the latest: a VEM hears only of changes to its view, and a VEM that reconnects
 * meanwhile (a keepalive missed on a loaded machine) registers, a change no other host hears of.
 */
let marks = 0;
function converged(): Promise<void> {
  return churn.pause(convergedNow);
}

async function convergedNow(): Promise<void> {
  const admins = NAMES.map((n) => new AdminClient(sock(n)));
  try {
    const all = new AdminClient(ALL);
    let mark: number;
    try {
      await all.createPort({ name: `mark${++marks}`, network: 'web', host: 'h1', mac: `02:00:00:03:00:${marks.toString(16).padStart(2, '0')}` });
      // Asked of the replica that made the mark: it has it, so this is the mark's revision or later.
      const s = await all.clusterStatus();
      mark = Number(s.replicas.find((r) => r.name === s.self)!.revision);
    } finally {
      all.close();
    }
    await until('every VEM past the mark, the replicas on one revision', async () => {
      const revs = (await Promise.all(NAMES.map(status))).map((s) => Number(s?.replicas.find((r) => r.name === s.self)?.revision ?? -1));
      const hosts = (await Promise.all(admins.map((a) => a.listHosts().catch(() => [])))).flat();
      const applied = Object.keys(HOSTS).map((h) => Math.max(...hosts.filter((x) => x.name === h).map((x) => Number(x.appliedRevision))));
      return { mark, revs, applied };
    }, (v) => new Set(v.revs).size === 1 && v.applied.every((a) => a >= v.mark && a <= v.revs[0]!), 20_000);
  } finally {
    for (const a of admins) a.close();
  }
}

describe('a VSM cluster on etcd', () => {
  it('kill -9 of the leader: a new leader, VEMs resume on another replica, nothing lost', async () => {
    churn.via('r2');
    churn.start();
    await sleep(500);
    await killLeader('leaderKill', true); // r1 started first and leads; h1 follows it first
    expect(churn.refused).toBe(0);
    await converged();
  });

  it('the same with one etcd member killed', async () => {
    await etcd.kill(0);
    await sleep(500);
    await killLeader('etcdMemberDown', false);
    expect(churn.refused).toBe(0);
    await converged();
  });

  it('etcd without quorum: writes refused with a clear error, VEMs keep forwarding; writes again once quorum returns', async () => {
    await etcd.kill(1);
    const refused = await cli('port', 'create', 'q1', '--net', 'web', '--host', 'h1', '--mac', '02:00:00:02:00:01').then(() => 'accepted', (e: { code: number; stderr: string }) => `${e.code} ${e.stderr.trim()}`);
    expect(refused).toMatch(/^1 vxvem: change refused, the state stays at revision \d+: etcd \(etcd:\/\/[^)]+\) has no quorum, or no member answers \(/);
    await sleep(1000); // the churn is refused meanwhile; the VMs keep pinging
    expect(churn.refused).toBeGreaterThan(0);
    await Promise.all([etcd.startMember(0), etcd.startMember(1)]);
    await until('writes again', () => cli('port', 'create', 'q1', '--net', 'web', '--host', 'h1', '--mac', '02:00:00:02:00:01').then(() => 'ok', (e: { stderr: string }) => e.stderr), (v) => v === 'ok', 15_000);
    // The replicas' leases ran out meanwhile: each registers again, and one leads.
    await until('the replicas registered again', async () => (await status('r1'))?.replicas.map((r) => `${r.name}:${r.role}`).sort().join(' '),
      (v) => /^r1:\w+ r2:\w+ r3:\w+$/.test(v ?? '') && (v ?? '').split('leader').length === 2, 10_000);
    await converged();
  }, 60_000);

  it('no ping lost through it all; every acknowledged port is there, on every replica', async () => {
    await churn.stop();
    for (const p of pings) p.proc.kill('SIGINT');
    await Promise.all(pings.map((p) => p.exit));
    for (const p of pings) expect(p.out).toMatch(/(\d+) packets transmitted, \1 received, 0% packet loss/);
    const [, sent, ms] = /(\d+) packets transmitted, .* time (\d+)ms/.exec(pings[0]!.out)!;
    figures.pingsPerVm = Number(sent);
    figures.pingsPerSecond = Math.round(Number(sent) / (Number(ms) / 1000)); // -i 0.01 asks for 100/s; a loaded machine sends fewer
    figures.portsAcknowledged = churn.acked.length;
    figures.portsRefused = churn.refused;
    for (const n of NAMES) {
      const a = new AdminClient(sock(n));
      const ports = new Set((await a.listPorts()).map((p) => p.name));
      a.close();
      expect(churn.acked.filter((c) => !ports.has(c))).toEqual([]);
    }
    await converged();
  });

  it('every replica is the one store the VEMs follow: no view refused, the mismatch gauge 0 on every VEM', async () => {
    for (const n of NAMES) expect((await status(n))?.clusterId).toBe(clusterId);
    for (const h of Object.keys(HOSTS) as (keyof typeof HOSTS)[]) {
      const followed = logged(h, 0, / info .*following VSM .* \(store (\S+)\) from revision /).map(([, m]) => m[1]);
      expect(followed.length).toBeGreaterThan(0);
      expect(new Set(followed)).toEqual(new Set([clusterId]));
      expect(logged(h, 0, /refusing the view/)).toEqual([]);
      expect(await mismatch(h)).toBe(0);
    }
  });
});
