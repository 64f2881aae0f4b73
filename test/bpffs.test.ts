// The agent and the BPF filesystem: a bpffs is accepted wherever the pin root points, anything
// else is refused before a directory is made; under `ip netns exec` (a private /sys that hides
// the host's bpffs) the agent exits at once naming the BPF filesystem and the way out; in a
// mount namespace of the host's /sys with no bpffs it mounts one and runs. The host's bpffs is
// never unmounted: that happens only inside an `unshare -m --propagation private` child.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BPFFS_MAGIC, BpffsError, ensurePinRoot } from '../src/maps/bpffs.js';
import { Dataplane } from '../src/maps/dataplane.js';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { Netns, sh, vethPair } from '../testbed/netns.js';

ensureBpf();
const dir = mkdtempSync(join(tmpdir(), 'vxvem-bpffs-'));
const INSTANCE = `bpffs-${process.pid}`;
const VEM = ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), 'vem'];
let ns: Netns;
let config: string;

beforeAll(() => {
  ns = Netns.create(`vxbf${process.pid}`);
  vethPair(ns, 'up0', ns, 'up0p');
  ns.ip('addr', 'add', '192.0.2.1/24', 'dev', 'up0');
  config = join(dir, 'vem.json');
  writeFileSync(config, JSON.stringify({ vteps: [{ interface: 'up0', address: '192.0.2.1/24' }], segments: [{ vni: 5000 }], ports: [] }));
});

afterAll(() => {
  ns.delete();
  Dataplane.removePins(INSTANCE);
  rmSync(dir, { recursive: true, force: true });
});

/** A child's exit and everything it printed; it is killed (and the test fails) after `ms`. */
function finish(p: ChildProcess, ms: number): Promise<{ code: number | null; out: string; timedOut: boolean }> {
  let out = '';
  p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, out, timedOut: signal === 'SIGKILL' });
    });
  });
}

describe('the pin root', () => {
  it('is accepted on a bpffs wherever it is mounted, and its directory made there', () => {
    const mnt = join(dir, 'bpf');
    mkdirSync(mnt);
    sh('mount', ['-t', 'bpf', 'bpf', mnt]);
    try {
      expect(ensurePinRoot(join(mnt, 'vxvem'))).toEqual({ mounted: false });
      expect(statfsSync(join(mnt, 'vxvem')).type).toBe(BPFFS_MAGIC);
      expect(ensurePinRoot(join(mnt, 'vxvem'))).toEqual({ mounted: false }); // again: nothing to do
    } finally {
      sh('umount', [mnt]);
    }
  });

  it('is refused on another filesystem, naming the BPF filesystem, with nothing made', () => {
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    expect(() => ensurePinRoot(join(plain, 'vxvem'))).toThrow(BpffsError);
    expect(() => ensurePinRoot(join(plain, 'vxvem'))).toThrow(/not a BPF filesystem \(bpffs.*mount -t bpf bpf/);
    expect(existsSync(join(plain, 'vxvem'))).toBe(false);
  });
});

describe('the agent', () => {
  it('under `ip netns exec` exits within the deadline, naming the BPF filesystem and --netns', async () => {
    // Untimed first: tsx compiles the command's modules once, so the deadline is the agent's.
    spawnSync('node', [...VEM, '--config', config, '--check', '--instance', INSTANCE], { stdio: 'ignore' });
    const p = spawn('ip', ['netns', 'exec', ns.name, 'node', ...VEM, '--config', config, '--instance', INSTANCE], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The agent gives up in well under a second; the rest is node's start on a loaded machine.
    // Before the check it never ended at all (a recursive mkdir looping under the sysfs).
    const r = await finish(p, 10_000);
    expect(r.timedOut, r.out).toBe(false);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/BPF filesystem \(bpffs\) is not mounted on \/sys\/fs\/bpf/);
    expect(r.out).toMatch(/private \/sys .*--netns NAME.*mount -t bpf bpf \/sys\/fs\/bpf/s);
    expect(existsSync(`/sys/fs/bpf/vxvem/${INSTANCE}`)).toBe(false);
  });

  it('with no bpffs on the host\'s /sys mounts one and runs (inside a private mount namespace)', async () => {
    const hostNs = readlinkSync('/proc/self/ns/mnt');
    // The unmount happens only in the child's own mount namespace: checked before it is done.
    const script = '[ "$(readlink /proc/self/ns/mnt)" != "$HOST_NS" ] || exit 97; umount /sys/fs/bpf || exit 98; ' +
      '[ "$(stat -f -c %T /sys/fs/bpf)" = sysfs ] || exit 99; exec node "$@"';
    const argv = [...VEM, '--config', config, '--instance', INSTANCE, '--netns', ns.name, '--metrics', 'off', '--cleanup'];
    const p = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOST_NS: hostNs },
    });
    let log = '';
    const done = finish(p, 30_000);
    p.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const end = Date.now() + 25_000;
    while (!log.includes('running from') && p.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(log).toMatch(/mounted the BPF filesystem \(bpffs\) on \/sys\/fs\/bpf/);
    expect(log).toContain('running from');
    // Its pins are in its own bpffs, seen through its root; the host's has none of them.
    const pins = `/proc/${p.pid}/root/sys/fs/bpf/vxvem/${INSTANCE}`;
    expect(statfsSync(pins).type).toBe(BPFFS_MAGIC);
    expect(existsSync(join(pins, 'vx_macs'))).toBe(true);
    expect(existsSync(`/sys/fs/bpf/vxvem/${INSTANCE}`)).toBe(false);
    p.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.out).toBe(0);
    expect(statfsSync('/sys/fs/bpf').type).toBe(BPFFS_MAGIC);
  });
});
