// The real-NIC mode of the bench (bench/two-hosts.ts), with two namespaces standing in for two
// machines and a veth pair for their NICs: both sides run every mode on command, the table has
// the receiver's CPU row, and each NIC goes back where it came from, with its MTU.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { Netns } from '../testbed/netns.js';

ensureBpf();
const results = mkdtempSync(join(tmpdir(), 'vxvem-two-hosts-'));
const machineA = Netns.create(`vxt${process.pid}-ma`);
const machineB = Netns.create(`vxt${process.pid}-mb`);
machineA.ip('link', 'add', 'bnic0', 'type', 'veth', 'peer', 'name', 'bnic0', 'netns', machineB.name);
const bench = (m: Netns, args: string[]) => ['nsenter', [`--net=${m.path}`, 'node', '--import', 'tsx', join(REPO, 'bench/two-hosts.ts'), '--uplink', 'bnic0', ...args]] as const;
const env = { ...process.env, VXVEM_BENCH_RESULTS: results };
const benchNamespaces = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith('vxbn'));

afterAll(() => {
  machineA.delete();
  machineB.delete();
  rmSync(results, { recursive: true, force: true });
});

describe('bench between two hosts', () => {
  it('refuses a NIC that carries IPv4 addresses (never the management interface)', () => {
    machineA.ip('addr', 'add', '192.0.2.201/24', 'dev', 'bnic0');
    const [cmd, args] = bench(machineA, ['--local', '192.0.2.101/24', '--peer', '192.0.2.102', '--quick']);
    const r = spawnSync(cmd, args, { encoding: 'utf8', env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bnic0 has IPv4 addresses/);
    machineA.ip('addr', 'flush', 'dev', 'bnic0');
    expect(machineA.ip('-br', 'link', 'show', 'bnic0')).toMatch(/^bnic0/);
  });

  it('every mode measured on both sides; the NICs come back with their MTU', async () => {
    const [scmd, sargs] = bench(machineB, ['--local', '192.0.2.102/24', '--peer', '192.0.2.101', '--serve']);
    const server = spawn(scmd, sargs, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let serverLog = '';
    server.stderr!.on('data', (d: Buffer) => (serverLog += d.toString()));
    const serverDone = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
    const [dcmd, dargs] = bench(machineA, ['--local', '192.0.2.101/24', '--peer', '192.0.2.102', '--quick']);
    const driver = spawn(dcmd, dargs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    driver.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const code = await new Promise<number | null>((r) => driver.once('exit', (c) => r(c)));
    expect(code, log).toBe(0);
    expect(await serverDone, serverLog).toBe(0);
    const out = JSON.parse(readFileSync(join(results, 'two-hosts.json'), 'utf8')) as { rows: { metric: string; values: Record<string, number> }[] };
    const row = (m: string) => out.rows.find((r) => r.metric === m)!.values;
    for (const mode of ['kernel', 'vxvem', 'vxvem-csum', 'floor']) {
      expect(row('pps_pinned')[mode], mode).toBeGreaterThan(0);
      expect(row('tcp1_gbps')[mode], mode).toBeGreaterThan(0);
      expect(row('receiver_cpu_ns_per_packet')[mode], mode).toBeGreaterThan(0);
    }
    expect(readFileSync(join(results, 'two-hosts.md'), 'utf8')).toMatch(/\| pps_pinned \| \d+ \| \d+ \([\d.]+x, [\d.]+ of floor\)/);
    for (const m of [machineA, machineB]) {
      const link = JSON.parse(m.ip('-j', 'link', 'show', 'bnic0')) as { mtu: number }[];
      expect(link[0]!.mtu).toBe(1500);
    }
    expect(benchNamespaces()).toEqual([]);
  }, 240_000);
});
