// `vxvem status` on a VEM that follows a VSM, read from outside the agent's namespace: the agent
// from its /metrics (mode, VSM connection, revision), then the dataplane (VTEPs, the programs on
// each interface, segments, ports, MAC table, map fill, drops). Whatever is wrong is listed and
// makes the exit code 1: no agent at the address, a program missing, the VSM gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Status } from '../src/cli/status.js';
import { TC_PRIORITY } from '../src/maps/attach.js';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { freePort } from './helpers/free-port.js';
import { Topology } from './helpers/topology.js';
import { until } from './helpers/until.js';
import { VsmProcess } from './helpers/vsm-process.js';

ensureBpf();
const T = new Topology(`vxt${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-status-'));
const VSM = `unix:${join(dir, 'vsm.sock')}`;
const H1 = '192.0.2.51';
const vsm = new VsmProcess();
let metrics = '';

function vxvem(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { encoding: 'utf8' });
}
const cli = (...args: string[]): string => {
  const r = vxvem(...args, '--vsm', VSM);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};
const inst = (): string => T.agents.get('h1')!.instance;
function status(...args: string[]): { code: number | null; s: Status } {
  const r = vxvem('status', '--instance', inst(), '--json', ...args);
  return { code: r.status, s: JSON.parse(r.stdout) as Status };
}
const text = (...args: string[]): string => vxvem('status', '--instance', inst(), ...args).stdout;

beforeAll(async () => {
  metrics = `127.0.0.1:${await freePort()}`;
  await vsm.start(['--listen', VSM, '--data', join(dir, 'data'), '--metrics', 'off']);
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: `${H1}/24` }]);
  T.addVm('vm1', 'h1', 'vnet0', '02:00:00:00:00:01', '198.51.100.1/24');
  T.addVm('vm2', 'h1', 'vnet1', '02:00:00:00:00:02', '198.51.100.2/24');
  await T.startVsmAgent('h1', VSM, [`up0:${H1}/24`], { metrics });
  cli('net', 'create', 'web', '--vni', '5000');
  cli('port', 'create', 'p1', '--net', 'web', '--host', 'h1', '--mac', '02:00:00:00:00:01', '--interface', 'vnet0');
  cli('port', 'create', 'p2', '--net', 'web', '--host', 'h1', '--mac', '02:00:00:00:00:02', '--interface', 'vnet1');
  await until('ports bound', () => status().s.ports, (n) => n === 2, 15_000);
  await until('vm1 reaches vm2', () => spawnSync('nsenter', [`--net=${T.get('vm1').path}`, 'ping', '-c', '1', '-W', '1', '198.51.100.2']).status, (c) => c === 0, 15_000);
}, 120_000);

afterAll(async () => {
  await vsm.stop();
  await T.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('vxvem status', () => {
  it('a healthy VEM: the agent and its VSM revision, uplinks, programs, tables; exit 0', () => {
    const { code, s } = status('--metrics', metrics);
    const applied = Number((JSON.parse(cli('host', 'show', 'h1', '--json')) as { appliedRevision: string }[])[0]!.appliedRevision);
    expect(code).toBe(0);
    expect(s.problems).toEqual([]);
    expect(s).toMatchObject({ instance: inst(), netns: T.get('h1').name, segments: { unicast: 1, multicast: 0 }, ports: 2, macs: { local: 2, remote: 0, static: 0 } });
    expect(s.agent).toMatchObject({ reachable: true, instance: inst(), mode: 'vsm', vsmConnected: true, identityMismatch: false, revision: applied, portsWaiting: 0 });
    expect(Date.parse(s.agent.reachable ? s.agent.startedAt! : '')).toBeLessThanOrEqual(Date.now());
    expect(s.vteps).toEqual([expect.objectContaining({ slot: 1, interface: 'up0', address: H1, prefixLength: 24, gateway: null, up: true })]);
    expect(s.programs.map((p) => [p.interface, p.hook, p.want, p.attached])).toEqual([
      ['up0', 'tc', 'from_uplink', 'from_uplink'],
      ['vnet0', 'tc', 'from_port', 'from_port'],
      ['vnet1', 'tc', 'from_port', 'from_port'],
      ['vxvem-tnl', 'tc', 'from_tunnel', 'from_tunnel'],
    ]);
    expect(s.maps.find((m) => m.map === 'vx_ports')).toEqual({ map: 'vx_ports', entries: 2, capacity: expect.any(Number) });
    expect(s.maps.find((m) => m.map === 'vx_macs')!.entries).toBe(2);
    const lines = text('--metrics', metrics).split('\n');
    expect(lines.find((l) => l.startsWith('VSM:'))).toMatch(new RegExp(`^VSM: {8}connected; revision ${applied}, applied [0-9dhms]+ ago$`));
    expect(lines).toContain('Programs:   from_uplink on up0 (tc)');
    expect(lines).toContain('            from_port on vnet0, vnet1 (tc)');
    expect(lines).toContain('Segments:   1 (1 unicast, 0 multicast); 2 ports bound');
    expect(lines).toContain('Status:     OK');
  });

  it('no agent at the address: said, exit 1; --metrics off does not ask', async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const { code, s } = status('--metrics', nobody);
    expect(code).toBe(1);
    expect(s.problems).toEqual([`no agent answers at ${nobody} (connection refused): the dataplane forwards from its pinned state, unmanaged`]);
    const off = status('--metrics', 'off');
    expect([off.code, off.s.agent, off.s.problems]).toEqual([0, { reachable: false, metrics: null, error: 'not asked (--metrics off)' }, []]);
    expect(text('--metrics', 'off')).toMatch(/^Agent:\s+not asked \(--metrics off\)$/m);
  });

  it('a program missing from a port is found and named', () => {
    // Removes vxvem's TC filter from vnet1 (its priority): the agent does not put it back by itself.
    T.get('h1').exec('tc', ['filter', 'del', 'dev', 'vnet1', 'ingress', 'pref', String(TC_PRIORITY)]);
    const { code, s } = status('--metrics', metrics);
    expect(code).toBe(1);
    expect(s.programs.find((p) => p.interface === 'vnet1')).toMatchObject({ want: 'from_port', attached: null, id: null });
    expect(s.problems).toEqual(['vnet1: from_port is not attached (tc)']);
    expect(text('--metrics', metrics)).toMatch(/^ {12}from_port on vnet0, vnet1 MISSING \(tc\)$/m);
  });

  it('the VSM gone: the agent forwards on its last revision, and status says so', async () => {
    await vsm.stop();
    const { s } = await until('disconnected', () => status('--metrics', metrics), (r) => r.s.agent.reachable && !r.s.agent.vsmConnected);
    expect(s.problems).toContain('the agent has lost its VSM: it forwards on its last revision');
    expect(text('--metrics', metrics)).toMatch(/^VSM:\s+disconnected; revision \d+/m);
  });
});
