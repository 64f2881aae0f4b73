// Builds the QEMU test guest once: Debian's packaged kernel as an uncompressed PVH ELF (`vmlinux`,
// which QEMU boots with -kernel without a bootloader or in-guest decompression, the slow part
// under TCG) and a busybox initramfs holding virtio-net and its module dependencies.
//
//   npx tsx scripts/guest-image.ts [OUTDIR]      (default out/guest; `make build` runs it)
//
// Cached: it does nothing when OUTDIR holds both files and a stamp naming this script's hash.
// The kernel package is only downloaded and unpacked (never installed on the host).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const SELF = fileURLToPath(import.meta.url);
const REPO = join(dirname(SELF), '..');
/** What the guest needs from the kernel's modules; their dependencies come from .modinfo. */
const WANTED_MODULES = ['virtio_pci', 'virtio_net'];

class GuestImageError extends Error {
  override name = 'GuestImageError';
}

const run = (cmd: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}): Buffer => {
  try {
    return execFileSync(cmd, args, { cwd: opts.cwd, input: opts.input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new GuestImageError(`${cmd} ${args.join(' ')}: ${err.stderr?.toString().trim() || err.message}`);
  }
};

// The guest's PID 1. Kernel parameters it reads: vx.addr=A.B.C.D/LEN, vx.mtu=N. It prints
// "vx-ready" once eth0 is up, then runs one command per console line "ID COMMAND", framing the
// output with "vx-begin ID" and "vx-end ID STATUS" (testbed/qemu.ts speaks this).
const INIT = `#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /run
for m in $(cat /lib/modules/load-order); do
  insmod "/lib/modules/$m.ko" || echo "vx-error: insmod $m failed"
done
param() { for w in $(cat /proc/cmdline); do case "$w" in "$1="*) echo "\${w#*=}";; esac; done; }
addr=$(param vx.addr)
mtu=$(param vx.mtu)
n=0
until [ -e /sys/class/net/eth0 ]; do
  n=$((n + 1))
  if [ $n -gt 200 ]; then echo "vx-error: no eth0"; poweroff -f; fi
  sleep 0.05
done
ip link set lo up
if [ -n "$mtu" ]; then ip link set eth0 mtu "$mtu"; fi
ip link set eth0 up
if [ -n "$addr" ]; then ip addr add "$addr" dev eth0; fi
# From here on the console carries only the command protocol.
dmesg -n 1
stty -echo
echo "vx-ready"
while read -r id cmd; do
  echo "vx-begin $id"
  sh -c "$cmd" </dev/null 2>&1
  echo "vx-end $id $?"
done
poweroff -f
`;

/** `linux-image-amd64`'s dependency: the versioned kernel package, e.g. linux-image-6.1.0-56-amd64. */
function kernelPackage(): string {
  const find = (): string | undefined =>
    /Depends:\s*(linux-image-\S+)/.exec(run('apt-cache', ['depends', 'linux-image-amd64']).toString())?.[1];
  let pkg: string | undefined;
  try {
    pkg = find();
  } catch {
    // no package lists yet
  }
  if (!pkg) {
    run('apt-get', ['update', '-qq']);
    pkg = find();
  }
  if (!pkg) throw new GuestImageError('apt-cache finds no kernel package behind linux-image-amd64');
  return pkg;
}

/** Downloads the package's .deb into `cache` (kept there: a rebuild does not download again). */
function downloadDeb(pkg: string, cache: string): string {
  const have = (): string | undefined => readdirSync(cache).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!have()) {
    // apt's _apt user must be able to write there, or apt warns and downloads as root anyway.
    chmodSync(cache, 0o777);
    run('apt-get', ['download', '-qq', pkg], { cwd: cache });
  }
  const deb = have();
  if (!deb) throw new GuestImageError(`apt-get download ${pkg} left no .deb in ${cache}`);
  return join(cache, deb);
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);

/**
 * The ELF kernel inside a bzImage: the setup header (boot protocol 2.08+) says where the
 * compressed payload starts and how long it is; the payload's own magic says how it is packed.
 */
function extractVmlinux(bz: Buffer): Buffer {
  if (bz.toString('latin1', 0x202, 0x206) !== 'HdrS') throw new GuestImageError('not a bzImage (no HdrS header)');
  if (bz.readUInt16LE(0x206) < 0x208) throw new GuestImageError('bzImage boot protocol older than 2.08: no payload fields');
  const setupSects = bz[0x1f1] || 4;
  const start = (setupSects + 1) * 512 + bz.readUInt32LE(0x248);
  const payload = bz.subarray(start, start + bz.readUInt32LE(0x24c));
  let elf: Buffer;
  if (payload.subarray(0, XZ_MAGIC.length).equals(XZ_MAGIC)) {
    // The kernel's build appends the uncompressed size after the stream: --single-stream ignores it.
    elf = run('xz', ['-dc', '--single-stream'], { input: payload });
  } else if (payload.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC)) {
    elf = run('gzip', ['-dcq'], { input: payload });
  } else {
    throw new GuestImageError(`bzImage payload packed in an unsupported format (magic ${payload.subarray(0, 6).toString('hex')})`);
  }
  if (!hasPvhNote(elf)) throw new GuestImageError('the kernel has no PVH entry note (CONFIG_PVH): QEMU cannot boot it as an ELF');
  return elf;
}

/** Whether an ELF64 image has the Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY, type 18). */
function hasPvhNote(elf: Buffer): boolean {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  for (let i = 0; i < elf.readUInt16LE(0x38); i++) {
    const ph = phoff + i * phentsize;
    if (elf.readUInt32LE(ph) !== 4) continue; // PT_NOTE
    let at = Number(elf.readBigUInt64LE(ph + 8));
    const end = at + Number(elf.readBigUInt64LE(ph + 32));
    while (at + 12 <= end) {
      const namesz = elf.readUInt32LE(at);
      const descsz = elf.readUInt32LE(at + 4);
      const name = elf.toString('latin1', at + 12, at + 12 + namesz).replace(/\0+$/, '');
      if (name === 'Xen' && elf.readUInt32LE(at + 8) === 18) return true;
      at += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
    }
  }
  return false;
}

/** The `key=value` strings of an ELF64 relocatable's .modinfo section (a kernel module's metadata). */
function modinfo(ko: Buffer): Map<string, string> {
  if (ko.readUInt32BE(0) !== 0x7f454c46 || ko[4] !== 2) throw new GuestImageError('module is not an ELF64 object');
  const shoff = Number(ko.readBigUInt64LE(0x28));
  const shentsize = ko.readUInt16LE(0x3a);
  const shnum = ko.readUInt16LE(0x3c);
  const section = (i: number): { name: number; offset: number; size: number } => {
    const sh = shoff + i * shentsize;
    return { name: ko.readUInt32LE(sh), offset: Number(ko.readBigUInt64LE(sh + 24)), size: Number(ko.readBigUInt64LE(sh + 32)) };
  };
  const names = section(ko.readUInt16LE(0x3e));
  const info = new Map<string, string>();
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    const at = names.offset + s.name;
    if (ko.toString('latin1', at, ko.indexOf(0, at)) !== '.modinfo') continue;
    for (const kv of ko.toString('latin1', s.offset, s.offset + s.size).split('\0')) {
      const eq = kv.indexOf('=');
      if (eq > 0) info.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
  }
  return info;
}

const moduleName = (file: string): string => basename(file).replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');

function readModule(file: string): Buffer {
  if (file.endsWith('.xz')) return run('xz', ['-dc', file]);
  if (file.endsWith('.zst')) return run('zstd', ['-dcq', file]);
  if (file.endsWith('.gz')) return run('gzip', ['-dc', file]);
  return readFileSync(file);
}

/** `wanted` and everything they depend on, dependencies first; built-in modules are left out. */
function resolveModules(modulesDir: string, wanted: string[]): { name: string; ko: Buffer }[] {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ko(\.(xz|zst|gz))?$/.test(e.name)) files.set(moduleName(e.name), p);
    }
  };
  walk(join(modulesDir, 'kernel'));
  const builtinList = join(modulesDir, 'modules.builtin');
  const builtin = new Set(existsSync(builtinList) ? readFileSync(builtinList, 'utf8').split('\n').filter(Boolean).map(moduleName) : []);
  const order: { name: string; ko: Buffer }[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, from: string): void => {
    if (state.get(name) === 'done' || builtin.has(name)) return;
    if (state.get(name) === 'visiting') throw new GuestImageError(`module dependency cycle through ${name}`);
    const file = files.get(name);
    if (!file) throw new GuestImageError(`module ${name} (needed by ${from}) is neither in ${modulesDir} nor built in`);
    state.set(name, 'visiting');
    const ko = readModule(file);
    for (const dep of (modinfo(ko).get('depends') ?? '').split(',').filter(Boolean)) visit(dep.replace(/-/g, '_'), name);
    state.set(name, 'done');
    order.push({ name, ko });
  };
  for (const w of wanted) visit(w, 'the guest');
  return order;
}

type CpioEntry = { path: string; mode: number; data?: Buffer; rdev?: [number, number] };
const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000, S_IFCHR = 0o020000;

/** An archive in the kernel's initramfs format (cpio "newc"), owned by root, mtime 0. */
function cpioNewc(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);
  const add = (e: CpioEntry, ino: number): void => {
    const data = e.data ?? Buffer.alloc(0);
    const name = Buffer.from(`${e.path}\0`);
    const fields = [ino, e.mode, 0, 0, e.mode & S_IFDIR ? 2 : 1, 0, data.length, 0, 0, e.rdev?.[0] ?? 0, e.rdev?.[1] ?? 0, name.length, 0];
    const header = Buffer.from(`070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}`, 'latin1');
    parts.push(header, name, pad4(header.length + name.length), data, pad4(data.length));
  };
  entries.forEach((e, i) => add(e, i + 1));
  add({ path: 'TRAILER!!!', mode: 0 }, 0);
  return Buffer.concat(parts);
}

/** The static busybox that busybox-static installs (a dynamic one would find no libc in the guest). */
function staticBusybox(): Buffer {
  const bin = readFileSync('/bin/busybox');
  const phoff = Number(bin.readBigUInt64LE(0x20));
  for (let i = 0; i < bin.readUInt16LE(0x38); i++) {
    if (bin.readUInt32LE(phoff + i * bin.readUInt16LE(0x36)) === 3) throw new GuestImageError('/bin/busybox is dynamically linked: install busybox-static');
  }
  return bin;
}

function initramfs(modules: { name: string; ko: Buffer }[]): Buffer {
  const busybox = staticBusybox();
  // `busybox --list` names busybox itself: a link by that name would replace the binary.
  const applets = run('/bin/busybox', ['--list']).toString().split('\n').filter((a) => a && a !== 'busybox');
  const dir = (path: string): CpioEntry => ({ path, mode: S_IFDIR | 0o755 });
  const file = (path: string, data: Buffer, perm = 0o644): CpioEntry => ({ path, mode: S_IFREG | perm, data });
  return cpioNewc([
    ...['bin', 'dev', 'proc', 'sys', 'tmp', 'run', 'lib', 'lib/modules'].map(dir),
    // The kernel opens /dev/console for PID 1 before devtmpfs is mounted.
    { path: 'dev/console', mode: S_IFCHR | 0o600, rdev: [5, 1] },
    file('bin/busybox', busybox, 0o755),
    ...applets.map((a): CpioEntry => ({ path: `bin/${a}`, mode: S_IFLNK | 0o777, data: Buffer.from('busybox') })),
    file('init', Buffer.from(INIT), 0o755),
    ...modules.map((m) => file(`lib/modules/${m.name}.ko`, m.ko)),
    file('lib/modules/load-order', Buffer.from(modules.map((m) => `${m.name}\n`).join(''))),
  ]);
}

function build(out: string): void {
  const pkg = kernelPackage();
  const cache = join(out, 'cache');
  const work = join(out, 'work');
  mkdirSync(cache, { recursive: true });
  rmSync(work, { recursive: true, force: true });
  const deb = downloadDeb(pkg, cache);
  console.log(`guest-image: unpacking ${basename(deb)}`);
  run('dpkg-deb', ['-x', deb, work]);
  try {
    const bz = readdirSync(join(work, 'boot')).find((f) => f.startsWith('vmlinuz-'));
    if (!bz) throw new GuestImageError(`${pkg} has no /boot/vmlinuz-*`);
    const modulesDir = join(work, 'lib', 'modules', bz.slice('vmlinuz-'.length));
    const modules = resolveModules(modulesDir, WANTED_MODULES);
    writeFileSync(join(out, 'vmlinux.tmp'), extractVmlinux(readFileSync(join(work, 'boot', bz))));
    writeFileSync(join(out, 'initramfs.cpio.gz.tmp'), gzipSync(initramfs(modules)));
    renameSync(join(out, 'vmlinux.tmp'), join(out, 'vmlinux'));
    renameSync(join(out, 'initramfs.cpio.gz.tmp'), join(out, 'initramfs.cpio.gz'));
    console.log(`guest-image: ${bz}, modules ${modules.map((m) => m.name).join(' ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function main(): void {
  const out = process.argv[2] ?? join(REPO, 'out', 'guest');
  const stampFile = join(out, 'stamp');
  const stamp = createHash('sha256').update(readFileSync(SELF)).digest('hex');
  const fresh = ['vmlinux', 'initramfs.cpio.gz'].every((f) => existsSync(join(out, f)));
  if (fresh && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  mkdirSync(out, { recursive: true });
  const t0 = Date.now();
  build(out);
  writeFileSync(stampFile, stamp);
  console.log(`guest-image: built in ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

try {
  main();
} catch (e) {
  console.error(e instanceof GuestImageError ? `guest-image: ${e.message}` : e);
  process.exit(1);
}
