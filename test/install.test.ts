// Installing vxvem: setup.sh names the Node.js it needs; `make install` puts the runtime only
// (compiled JS, addon, BPF objects, production npm packages) under a prefix, where it runs with
// plain node away from the checkout (the agent, the VSM and its gRPC client), with systemd units
// that `systemd-analyze verify` accepts; `make uninstall` takes it all back; DESTDIR stages;
// `make deb` packs the same content for Debian. The .deb is never installed here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataplane } from '../src/maps/dataplane.js';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { Netns, vethPair } from '../testbed/netns.js';

ensureBpf();
const tmp = mkdtempSync(join(tmpdir(), 'vxvem-install-'));
const PREFIX = join(tmp, 'usr');
const ETC = join(tmp, 'etc');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const DEV_PACKAGES = ['tsx', 'typescript', 'vitest', 'cmake-js', 'ajv', 'esbuild', '@vitest'];
/** A bare environment: what a service gets, with nothing of the checkout on any path. */
const BARE = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
const INSTANCE = `install-${process.pid}`;

function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: REPO, encoding: 'utf8', timeout: 280_000, ...opts });
  return { code: r.status, out: `${String(r.stdout)}${String(r.stderr)}` };
}

/** Every file and symlink below `dir`, relative. */
function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile() || d.isSymbolicLink())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1));
}

/** Paths of a runtime tree (relative to its root) that are not runtime: sources, tests, benchmarks, dev packages. */
function notRuntime(paths: string[]): string[] {
  return paths.filter((p) => {
    const pkg = /^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1];
    if (pkg) return DEV_PACKAGES.some((d) => pkg === d || pkg.startsWith(`${d}/`));
    return /^(src|test|bench|testbed|scripts|native)\//.test(p) || p.endsWith('.ts') || p.endsWith('.bpf.c');
  });
}

afterAll(() => {
  Dataplane.removePins(INSTANCE);
  rmSync(tmp, { recursive: true, force: true });
});

describe('scripts/setup.sh', () => {
  it('stops first, naming the Node.js it needs, when node is missing or too old', () => {
    const bin = join(tmp, 'nonode'); // what setup.sh needs before its Node.js check, and no node
    mkdirSync(bin);
    for (const tool of ['dirname', 'sed']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
    const missing = sh('/bin/bash', ['scripts/setup.sh'], { env: { PATH: bin } });
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/vxvem needs Node\.js 20 or later .*found: no node on the PATH/);
    expect(missing.out).not.toMatch(/installing Debian packages/);
    writeFileSync(join(bin, 'node'), '#!/bin/sh\necho 18.19.0\n');
    chmodSync(join(bin, 'node'), 0o755);
    const old = sh('/bin/bash', ['scripts/setup.sh'], { env: { PATH: bin } });
    expect(old.code).toBe(1);
    expect(old.out).toMatch(/found: 18\.19\.0\.\nDebian 12's own nodejs package is 18: install Node\.js 20 or later/);
  });
});

describe('make install', () => {
  let ns: Netns;
  beforeAll(() => {
    const r = sh('make', ['--no-print-directory', 'install', `PREFIX=${PREFIX}`, `SYSCONFDIR=${ETC}`]);
    expect(r.code, r.out).toBe(0);
    ns = Netns.create(`vxin${process.pid}`);
    vethPair(ns, 'up0', ns, 'up0p');
    vethPair(ns, 'vnet0', ns, 'vnet0p');
    ns.ip('addr', 'add', '192.0.2.1/24', 'dev', 'up0'); // the example configuration's VTEP
  }, 300_000);
  afterAll(() => ns?.delete());

  it('installs the runtime only, with vxvem on PREFIX/bin, the units and the example configuration', () => {
    const lib = filesBelow(join(PREFIX, 'lib', 'vxvem'));
    for (const f of ['bin/vxvem', 'package.json', 'dist/src/cli/main.js', 'dist/native/index.js', 'proto/vxvem.proto',
      'build/Release/vxvem_native.node', 'out/bpf/from-port.bpf.o', 'out/bpf/xdp-uplink.bpf.o', 'node_modules/@grpc/grpc-js/package.json',
      'node_modules/prom-client/package.json']) expect(lib).toContain(f);
    expect(notRuntime(lib)).toEqual([]);
    expect(lib.filter((f) => f.startsWith('out/bpf/fixtures') || f.startsWith('out/bpf/bench'))).toEqual([]);
    expect(filesBelow(PREFIX).filter((f) => !f.startsWith('lib/vxvem/')).sort())
      .toEqual(['bin/vxvem', 'lib/systemd/system/vxvem-vem.service', 'lib/systemd/system/vxvem-vsm.service']);
    expect(filesBelow(ETC).sort()).toEqual(['vxvem/vem.env', 'vxvem/vem.json', 'vxvem/vsm.env']);
  });

  it('runs with plain node from anywhere: version, the agent from the example file, the VSM and its client', async () => {
    const vxvem = join(PREFIX, 'bin', 'vxvem');
    const version = sh(vxvem, ['version'], { cwd: '/', env: BARE });
    expect(version).toEqual({ code: 0, out: `${VERSION}\n` });

    const example = join(ETC, 'vxvem', 'vem.json');
    const check = sh(vxvem, ['vem', '--config', example, '--check', '--netns', ns.name, '--instance', INSTANCE], { cwd: '/', env: BARE });
    expect(check.code, check.out).toBe(0);
    expect(check.out).toContain('add segment 6000: mode multicast');

    await runUntil(vxvem, ['vem', '--config', example, '--netns', ns.name, '--instance', INSTANCE, '--metrics', 'off', '--cleanup'], 'running from');
    const vsm = ['vsm', '--listen', `unix:${join(tmp, 'vsm.sock')}`, '--data', join(tmp, 'vsm-data'), '--metrics', 'off'];
    await runUntil(vxvem, vsm, 'data in', () => {
      const nets = sh(vxvem, ['net', 'create', 'web', '--vni', '5000', '--vsm', `unix:${join(tmp, 'vsm.sock')}`], { cwd: '/', env: BARE });
      expect(nets.code, nets.out).toBe(0);
    });
  });

  it('installs units that systemd-analyze verify accepts, without a word', () => {
    const units = join(PREFIX, 'lib', 'systemd', 'system');
    const unit = readFileSync(join(units, 'vxvem-vem.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${PREFIX}/bin/vxvem vem $VEM_ARGS`);
    expect(unit).toContain(`VEM_ARGS=--config ${ETC}/vxvem/vem.json`);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^After=network-online\.target/m);
    expect(unit).toMatch(/^RequiresMountsFor=\/sys\/fs\/bpf$/m);
    expect(readFileSync(join(units, 'vxvem-vsm.service'), 'utf8')).toMatch(/^StateDirectory=vxvem$/m);
    const v = sh('systemd-analyze', ['verify', join(units, 'vxvem-vem.service'), join(units, 'vxvem-vsm.service')]);
    expect(v.code).toBe(0);
    // verify also loads the host's other units; what a broken unit of another package says
    // (Debian's keystone.service, for one) is not ours to judge.
    const ours = v.out.split('\n').filter((l) => l.trim() && !/^[\w@.-]+\.(service|socket|target|timer|mount): /.test(l) || /vxvem/.test(l));
    expect(ours).toEqual([]);
  });

  it('uninstall removes everything it installed, keeping only a configuration file changed since', () => {
    appendFileSync(join(ETC, 'vxvem', 'vem.env'), 'VEM_ARGS=--config /srv/vem.json\n');
    const r = sh('make', ['--no-print-directory', 'uninstall', `PREFIX=${PREFIX}`, `SYSCONFDIR=${ETC}`]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('keeping');
    expect(filesBelow(PREFIX)).toEqual([]);
    expect(filesBelow(ETC)).toEqual(['vxvem/vem.env']);
  });

  it('with DESTDIR writes everything under it, the paths inside the files without it', () => {
    const dest = join(tmp, 'dest');
    const prefix = `/opt/vxvem-test-${process.pid}`;
    const etc = `/etc/vxvem-test-${process.pid}`;
    const args = [`DESTDIR=${dest}`, `PREFIX=${prefix}`, `SYSCONFDIR=${etc}`];
    try {
      const r = sh('make', ['--no-print-directory', 'install', ...args]);
      expect(r.code, r.out).toBe(0);
      expect(existsSync(prefix) || existsSync(etc)).toBe(false);
      expect(readFileSync(join(dest, prefix, 'lib/systemd/system/vxvem-vem.service'), 'utf8')).toContain(`ExecStart=${prefix}/bin/vxvem vem`);
      expect(sh(join(dest, prefix, 'bin/vxvem'), ['version'], { cwd: '/', env: BARE })).toEqual({ code: 0, out: `${VERSION}\n` });
      expect(sh('make', ['--no-print-directory', 'uninstall', ...args]).code).toBe(0);
      expect(filesBelow(dest)).toEqual([]);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
      rmSync(etc, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('make deb', () => {
  const deb = join(REPO, 'out', `vxvem_${VERSION}_${spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim()}.deb`);
  beforeAll(() => {
    rmSync(deb, { force: true });
    const r = sh('make', ['--no-print-directory', 'deb']);
    expect(r.code, r.out).toBe(0);
  }, 300_000);

  it('holds the runtime only, in Debian\'s places, with the units and the example configuration', () => {
    const list = sh('dpkg-deb', ['-c', deb]).out.split('\n').filter(Boolean).map((l) => l.split(/\s+/).slice(5).join(' ').replace(/^\.\//, ''));
    expect(list).toContain('usr/bin/vxvem -> ../lib/vxvem/bin/vxvem');
    for (const f of ['usr/lib/vxvem/dist/src/cli/main.js', 'usr/lib/vxvem/build/Release/vxvem_native.node', 'usr/lib/vxvem/out/bpf/from-uplink.bpf.o',
      'lib/systemd/system/vxvem-vem.service', 'lib/systemd/system/vxvem-vsm.service', 'etc/vxvem/vem.json', 'usr/share/doc/vxvem/copyright']) expect(list).toContain(f);
    const runtime = list.filter((p) => p.startsWith('usr/lib/vxvem/') && !p.endsWith('/')).map((p) => p.slice('usr/lib/vxvem/'.length));
    expect(runtime.length).toBeGreaterThan(100);
    expect(notRuntime(runtime)).toEqual([]);
  });

  it('declares its dependencies and conffiles, and its units are the ones make install verifies, for /usr and /etc', () => {
    const info = sh('dpkg-deb', ['-I', deb]).out;
    expect(info).toMatch(/^ Package: vxvem$/m);
    expect(info).toMatch(/^ Depends: nodejs \(>= 20\), libbpf1,/m);
    const x = join(tmp, 'deb');
    mkdirSync(x);
    expect(sh('dpkg-deb', ['-e', deb, join(x, 'DEBIAN')]).code).toBe(0);
    expect(readFileSync(join(x, 'DEBIAN', 'conffiles'), 'utf8')).toBe('/etc/vxvem/vem.env\n/etc/vxvem/vem.json\n/etc/vxvem/vsm.env\n');
    expect(sh('dpkg-deb', ['-x', deb, x]).code).toBe(0);
    const template = readFileSync(join(REPO, 'packaging', 'vxvem-vem.service.in'), 'utf8');
    expect(readFileSync(join(x, 'lib/systemd/system/vxvem-vem.service'), 'utf8')).toBe(template.replaceAll('@BINDIR@', '/usr/bin').replaceAll('@SYSCONFDIR@', '/etc'));
    expect(readFileSync(join(x, 'etc/vxvem/vem.json'), 'utf8')).toBe(readFileSync(join(REPO, 'packaging', 'vem.json'), 'utf8'));
  });
});

/** Starts `argv`, waits for `ready` in its output, runs `whileUp`, then SIGTERM: exit 0 expected. */
async function runUntil(cmd: string, argv: string[], ready: string, whileUp: () => void = () => undefined): Promise<void> {
  const p = spawn(cmd, argv, { cwd: '/', env: BARE, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
  const end = Date.now() + 30_000;
  while (!out.includes(ready) && p.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  try {
    expect(out, `${cmd} ${argv.join(' ')}`).toContain(ready);
    whileUp();
  } finally {
    p.kill('SIGTERM');
  }
  expect(await exited, out).toBe(0);
}
