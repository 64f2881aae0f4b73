// No fabric-wide wipe: VEMs in namespaces follow VSM A; A is replaced on the same address by a
// VSM B started on an empty --data. The VEMs keep forwarding, name both stores in their log and
// show vxvem_agent_vsm_identity_mismatch 1; A back on its own data is the same store and is
// followed again; --adopt (at start) and `vxvem vem adopt` (while running) take B's view. Then
// a VEM that hangs (SIGSTOP: its connection stays open) or dies (kill -9) shows as disconnected
// in `vxvem show hosts` within 10 s (keepalive pings).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { vemStateDir } from '../src/agent/vsm-identity.js';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { freePort } from './helpers/free-port.js';
import { Topology } from './helpers/topology.js';
import { until as waitUntil } from './helpers/until.js';
import { VsmProcess } from './helpers/vsm-process.js';

ensureBpf();
const T = new Topology(`vxi${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-identity-'));
const VSM = `unix:${join(dir, 'vsm.sock')}`;
const HOSTS = { h1: '192.0.2.41', h2: '192.0.2.42' } as const;
type Host = keyof typeof HOSTS;
const DATA = { a: join(dir, 'a'), b: join(dir, 'b') };
const vsm = new VsmProcess();
const metrics: Record<string, string> = {};
const ids: Record<'a' | 'b', string> = { a: '', b: '' };

const vxvem = (...args: string[]): string =>
  execFileSync('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const cli = (...args: string[]): string => vxvem(...args, '--vsm', VSM);
const instance = (h: Host): string => T.agents.get(h)!.instance;
const vteps = (h: Host): string[] => [`up0:${HOSTS[h]}/26`];
const agentLog = (h: Host): string => T.agents.get(h)!.log.join('');
const segments = (h: Host): number[] => (JSON.parse(T.cli(h, ['show', 'segments', '--json', '--instance', instance(h)])) as { vni: number }[]).map((s) => s.vni);
const ping = (from: string, to: string) => T.get(from).exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', to]);
const hostStates = (): Record<string, string> =>
  Object.fromEntries((JSON.parse(cli('show', 'hosts', '--json')) as { host: string; state: string }[]).map((h) => [h.host, h.state]));
const remembered = (h: Host): { vsmId: string } => JSON.parse(readFileSync(join(vemStateDir(instance(h)), 'vsm-identity.json'), 'utf8')) as { vsmId: string };

async function mismatch(h: Host): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://${metrics[h]}/metrics`)).text();
    return Number(/^vxvem_agent_vsm_identity_mismatch (\d+)$/m.exec(text)?.[1]);
  } catch {
    return undefined; // restarting
  }
}

/** The shared wait, with room for agents that restart on a loaded machine. */
const until = <V>(what: string, f: () => V | Promise<V>, ok: (v: V) => boolean, ms = 20_000): Promise<V> => waitUntil(what, f, ok, ms);

/** Starts the VSM on `data` at the one address; returns the identity it logged. */
async function startVsm(data: string): Promise<string> {
  await vsm.start(['--listen', VSM, '--data', data, '--metrics', 'off']);
  return /store identity (\S+), revision/.exec(vsm.log)![1]!;
}

const startAgent = (h: Host, args: string[] = []) => T.startVsmAgent(h, VSM, vteps(h), { metrics: metrics[h], args });

beforeAll(async () => {
  ids.a = await startVsm(DATA.a);
  T.addSwitch('ula');
  for (const h of ['h1', 'h2'] as const) {
    T.addHost(h, [{ sw: 'ula', addr: `${HOSTS[h]}/26` }]);
    metrics[h] = `127.0.0.1:${await freePort()}`;
  }
  T.addVm('vm1', 'h1', 'vnet0', '02:00:00:00:00:01', '198.51.100.1/24');
  T.addVm('vm2', 'h2', 'vnet0', '02:00:00:00:00:02', '198.51.100.2/24');
  cli('net', 'create', 'web', '--vni', '5000');
  cli('port', 'create', 'p1', '--net', 'web', '--host', 'h1', '--mac', '02:00:00:00:00:01', '--interface', 'vnet0');
  cli('port', 'create', 'p2', '--net', 'web', '--host', 'h2', '--mac', '02:00:00:00:00:02', '--interface', 'vnet0');
  for (const h of ['h1', 'h2'] as const) await startAgent(h);
  await until('h1 has the segment', () => segments('h1'), (v) => v.includes(5000));
  await until('h2 has the segment', () => segments('h2'), (v) => v.includes(5000));
  ping('vm1', '198.51.100.2');
}, 120_000);

afterAll(async () => {
  await vsm.stop().catch(() => undefined);
  await T.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('a VSM on the wrong --data cannot wipe the fabric', () => {
  it('a new store says so loudly at warn level, once', () => {
    expect(vsm.log).toMatch(new RegExp(`warn vsm: created a NEW, EMPTY store with identity ${ids.a} in ${DATA.a}`));
  });

  it('VSM B on an empty --data at the same address: the VEMs keep forwarding, name both stores, show the mismatch', async () => {
    await vsm.stop();
    ids.b = await startVsm(DATA.b);
    expect(ids.b).not.toBe(ids.a);
    expect(vsm.log).toMatch(`warn vsm: created a NEW, EMPTY store with identity ${ids.b}`);
    for (const h of ['h1', 'h2'] as const) {
      const log = await until(`${h} refuses B`, () => agentLog(h), (l) => l.includes(`refusing the view of VSM store ${ids.b}`));
      expect(log).toMatch(new RegExp(`error vem\\[${instance(h)}\\]: refusing the view of VSM store ${ids.b} revision \\d+: this host follows store ${ids.a} `
        + 'revision \\d+, and the view would remove segment\\(s\\) 5000 and port\\(s\\) vnet0; the dataplane keeps forwarding what it has'));
      await until(`${h} mismatch gauge`, () => mismatch(h), (v) => v === 1);
      expect(segments(h)).toEqual([5000]);
    }
    ping('vm1', '198.51.100.2');
    // B hears from the VEMs' reports that they follow another store.
    await until('B logs the hosts that follow A', () => vsm.log, (l) => l.includes(`host h1 follows the VSM store ${ids.a}, not this one (${ids.b})`));
    expect(hostStates()).toEqual({ h1: 'connected', h2: 'connected' });
  });

  it('A back on its own data is the same store: followed again, its changes applied', async () => {
    await vsm.stop();
    expect(await startVsm(DATA.a)).toBe(ids.a);
    expect(vsm.log).not.toMatch('NEW, EMPTY');
    for (const h of ['h1', 'h2'] as const) {
      await until(`${h} mismatch cleared`, () => mismatch(h), (v) => v === 0);
      expect(agentLog(h)).toMatch(`VSM store ${ids.a} is back: applying its revision`);
    }
    cli('net', 'create', 'db', '--vni', '6000');
    cli('port', 'create', 'p3', '--net', 'db', '--host', 'h1', '--mac', '02:00:00:00:00:03', '--interface', 'vnet9');
    await until('h1 gets A\'s new segment', () => segments('h1'), (v) => v.join() === '5000,6000');
    ping('vm1', '198.51.100.2');
    expect(remembered('h1').vsmId).toBe(ids.a);
  });

  it('B again (its identity kept across restarts): --adopt at start, and vxvem vem adopt on a running agent, take its view', async () => {
    await vsm.stop();
    expect(await startVsm(DATA.b)).toBe(ids.b);
    for (const h of ['h1', 'h2'] as const) await until(`${h} refuses B again`, () => mismatch(h), (v) => v === 1);

    await T.stopAgent('h1');
    await startAgent('h1', ['--adopt']);
    await until('h1 takes B\'s empty view', () => segments('h1'), (v) => v.length === 0);
    await until('h1 mismatch cleared', () => mismatch('h1'), (v) => v === 0);
    expect(remembered('h1').vsmId).toBe(ids.b);

    expect(segments('h2')).toEqual([5000]); // still refusing
    expect(vxvem('vem', 'adopt', '--instance', instance('h2'))).toMatch(`instance ${instance('h2')}: its next VSM view is applied whatever store it comes from`);
    await until('h2 takes B\'s empty view', () => segments('h2'), (v) => v.length === 0);
    await until('h2 mismatch cleared', () => mismatch('h2'), (v) => v === 0);
    expect(remembered('h2').vsmId).toBe(ids.b);
    expect(agentLog('h2')).toMatch(`of VSM store ${ids.b} (adopted): this host follows that store from now on`);
  });
});

describe('keepalives: a dead VEM is disconnected within 10 s', () => {
  it('one that hangs with its connection open (SIGSTOP), and one killed with kill -9', async () => {
    await until('both connected', hostStates, (s) => s.h1 === 'connected' && s.h2 === 'connected');
    const h2 = T.agents.get('h2')!.proc;
    h2.kill('SIGSTOP');
    try {
      await until('h2 disconnected', hostStates, (s) => s.h2 === 'disconnected', 10_000);
    } finally {
      h2.kill('SIGCONT');
    }
    await until('h2 back', hostStates, (s) => s.h2 === 'connected');
    await T.stopAgent('h1', 'SIGKILL');
    await until('h1 disconnected', hostStates, (s) => s.h1 === 'disconnected', 10_000);
  });
});
