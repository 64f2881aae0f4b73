// `vxvem vem --config FILE --check`: exit 1 naming the key for a bad file, exit 0 with one line
// per change for a good one; against nothing pinned everything is to add, against a running
// agent's pinned state only the difference; and it applies nothing (no pins, no tunnel device).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataplane } from '../src/maps/dataplane.js';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { Netns, vethPair } from '../testbed/netns.js';

ensureBpf();
const dir = mkdtempSync(join(tmpdir(), 'vxvem-check-'));
const INSTANCE = `check-${process.pid}`;
let ns: Netns;

const A = {
  vteps: [{ interface: 'up0', address: '192.0.2.1/24', gateway: '192.0.2.254' }],
  segments: [{ vni: 5000, mode: 'unicast', floodList: ['192.0.2.2'] }, { vni: 6000, mode: 'multicast', group: '239.1.1.1' }],
  ports: [{ interface: 'vnet0', vni: 5000 }, { interface: 'vnet9', vni: 6000 }],
  staticMacs: [{ vni: 5000, mac: '02:00:00:00:00:02', vtep: '192.0.2.2' }],
};
const B = {
  ...A,
  segments: [{ vni: 5000, floodList: ['192.0.2.2', '192.0.2.3'] }, { vni: 7000 }],
  ports: [{ interface: 'vnet0', vni: 5000 }],
  staticMacs: [{ vni: 7000, mac: '02:00:00:00:00:07', vtep: '192.0.2.7' }],
  ttl: 32,
  tos: 4,
};

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function check(path: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'vem', '--config', path, '--check', '--instance', INSTANCE, '--netns', ns.name], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  ns = Netns.create(`vxck${process.pid}`);
  vethPair(ns, 'up0', ns, 'up0p');
  vethPair(ns, 'vnet0', ns, 'vnet0p');
  ns.ip('addr', 'add', '192.0.2.1/24', 'dev', 'up0');
});

afterAll(() => {
  ns.delete();
  Dataplane.removePins(INSTANCE);
  rmSync(dir, { recursive: true, force: true });
});

describe('vem --check', () => {
  it('refuses a bad file with exit 1, naming the key', () => {
    const r = check(file('bad.json', { ...A, segments: [{ vni: 0 }] }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.json is invalid: segments\[0\]\.vni: must be an integer in 1\.\.16777215/);
    expect(r.stdout).toBe('');
    const syntax = check(file('syntax.json', '{ "vteps": ['));
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/syntax\.json is invalid: .*JSON/);
  });

  it('refuses a file this namespace cannot take (its uplink does not exist), with exit 1', () => {
    const r = check(file('elsewhere.json', { ...A, vteps: [{ interface: 'up9', address: '192.0.2.1/24' }] }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/valid but cannot be applied here: VTEP interface up9 does not exist/);
  });

  it('with nothing pinned, lists everything as to add, and applies nothing', () => {
    const r = check(file('a.json', A));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'add config: ttl 64, tos inherit, srcPortRange 49152-65535, udpChecksum false',
      `add vtep 192.0.2.1: interface up0, prefix /24, gateway 192.0.2.254, mtu 1500, mac ${ns.mac('up0')}`,
      'add segment 5000: mode unicast, vtep 192.0.2.1, flood 192.0.2.2',
      'add segment 6000: mode multicast, vtep 192.0.2.1, group 239.1.1.1',
      `add port vnet0: vni 5000, ifindex ${ns.ifindex('vnet0')}`,
      'add static-mac 5000 02:00:00:00:00:02: vtep 192.0.2.2',
      'wait port vnet9: vni 6000 (no such interface yet: bound when it appears)',
    ]);
    expect(r.stderr).toMatch(/a\.json is valid; 6 changes against no pinned dataplane/);
    expect(existsSync(`/sys/fs/bpf/vxvem/${INSTANCE}`)).toBe(false);
    expect(ns.ip('-o', 'link', 'show')).not.toContain('vxvem-tnl');
  });

  it('against a running agent\'s pinned state, lists only the difference; the same file, none', async () => {
    const a = file('a.json', A);
    const agent = spawn('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'vem', '--config', a, '--instance', INSTANCE, '--netns', ns.name, '--metrics', 'off'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    agent.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((r) => agent.on('exit', (c) => r(c)));
    const end = Date.now() + 30_000;
    while (!log.includes('running from') && agent.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(log).toContain('running from');
    agent.kill('SIGTERM'); // without --cleanup: the pinned state stays
    expect(await exited).toBe(0);

    const same = check(a);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout.trim().split('\n')).toEqual(['wait port vnet9: vni 6000 (no such interface yet: bound when it appears)']);
    expect(same.stderr).toMatch(/no changes against the pinned dataplane of instance/);

    const r = check(file('b.json', B));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'change config: ttl 64 -> 32, tos inherit -> 4',
      'change segment 5000: flood 192.0.2.2 -> 192.0.2.2,192.0.2.3',
      'add segment 7000: mode unicast, vtep 192.0.2.1, flood none',
      'add static-mac 7000 02:00:00:00:00:07: vtep 192.0.2.7',
      'remove static-mac 5000 02:00:00:00:00:02: vtep 192.0.2.2',
      'remove segment 6000: mode multicast, vtep 192.0.2.1, group 239.1.1.1',
    ]);
    expect(r.stderr).toMatch(/b\.json is valid; 6 changes against the pinned dataplane/);
    // Checking applied nothing: the first file still matches what is pinned.
    expect(check(a).stderr).toMatch(/no changes/);
  });
});
