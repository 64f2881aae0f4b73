// QEMU guests on tap ports, as a KVM hypervisor plugs them: virtio-net on a tap in a host
// namespace, either pre-created by the caller (Nova's `tap` + 11 characters, `ip tuntap ...
// vnet_hdr`) or created by QEMU itself. The guest boots the image of scripts/guest-image.ts and
// runs shell commands sent over its serial console; QEMU is always killed and its tap removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/common/package.js';
import type { Netns } from './netns.js';

export const GUEST_DIR = join(packageRoot(), 'out', 'guest');
const CONSOLE_TAIL_LINES = 60;

export class GuestError extends Error {
  override name = 'GuestError';
  constructor(readonly guest: string, message: string, readonly consoleTail: string) {
    super(`guest ${guest}: ${message}${consoleTail ? `\n--- console ---\n${consoleTail}` : ''}`);
  }
}

export interface GuestOptions {
  /** For messages only. */
  name: string;
  /** The hypervisor host's namespace: the tap lives there. */
  host: Netns;
  /** The tap's name (at most 15 characters). */
  tap: string;
  /** Nova-style: the tap exists (persistent, vnet_hdr) before QEMU opens it by name. */
  preCreateTap: boolean;
  mac: string;
  /** eth0's address in the guest, A.B.C.D/LEN. */
  addr: string;
  mtu?: number;
  memMb?: number;
  bootTimeoutMs?: number;
}

export interface CommandResult {
  status: number;
  output: string;
}

/**
 * Hardware acceleration where the host has a usable KVM. A KVM-PVM host (kvm_pvm loaded, no
 * VMX/SVM) boots only PVM guest kernels, so stock guests run under TCG there.
 */
export function qemuAccel(): { accel: 'kvm' | 'tcg'; args: string[] } {
  if (existsSync('/dev/kvm') && !existsSync('/sys/module/kvm_pvm')) return { accel: 'kvm', args: ['-accel', 'kvm', '-cpu', 'host'] };
  return { accel: 'tcg', args: ['-accel', 'tcg', '-cpu', 'max'] };
}

export function guestImage(): { kernel: string; initrd: string } {
  const kernel = join(GUEST_DIR, 'vmlinux');
  const initrd = join(GUEST_DIR, 'initramfs.cpio.gz');
  for (const f of [kernel, initrd]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`make build\` (scripts/guest-image.ts builds it)`);
  return { kernel, initrd };
}

const running = new Set<ChildProcess>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const p of running) p.kill('SIGKILL');
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tapExists(host: Netns, tap: string): boolean {
  try {
    host.ip('link', 'show', 'dev', tap);
    return true;
  } catch {
    return false;
  }
}

export class QemuGuest {
  /** Milliseconds from starting QEMU to the guest's "vx-ready" (eth0 up and addressed). */
  bootMs = 0;
  private readonly tail: string[] = [];
  private partial = '';
  private current: { id: number; lines: string[] } | undefined;
  private readonly waiting = new Map<number, { resolve: (r: CommandResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private isReady = false;
  private onReady: (() => void) | undefined;
  private exited: GuestError | undefined;
  private readonly exit: Promise<void>;

  private constructor(readonly opts: GuestOptions, private readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => this.consume(d.toString('latin1')));
    proc.stderr!.on('data', (d: Buffer) => this.remember(`[qemu] ${d.toString().trimEnd()}`));
    // Writing to a QEMU that died fails with EPIPE; the exit handler reports the death.
    proc.stdin!.on('error', () => undefined);
    this.exit = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        running.delete(proc);
        this.exited = this.error(`QEMU exited (${signal ?? `status ${code}`})`);
        for (const w of this.waiting.values()) w.reject(this.exited);
        this.waiting.clear();
        resolve();
      }),
    );
  }

  /** Starts QEMU in `opts.host` and resolves once the guest's network is configured. */
  static async start(opts: GuestOptions): Promise<QemuGuest> {
    const { kernel, initrd } = guestImage();
    if (opts.tap.length > 15) throw new Error(`tap name ${opts.tap} is longer than 15 characters`);
    if (opts.preCreateTap) opts.host.ip('tuntap', 'add', 'dev', opts.tap, 'mode', 'tap', 'vnet_hdr');
    // no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer probe can miss its
    // window and panic; the emulated timer works, the probe is what fails.
    const append = ['console=ttyS0', 'quiet', 'panic=-1', 'no_timer_check', 'ipv6.disable=1', `vx.addr=${opts.addr}`, ...(opts.mtu ? [`vx.mtu=${opts.mtu}`] : [])];
    const args = [
      ...qemuAccel().args, '-M', 'pc', '-smp', '1', '-m', String(opts.memMb ?? 256),
      '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio', '-no-reboot',
      '-kernel', kernel, '-initrd', initrd, '-append', append.join(' '),
      // No vhost-net on every host kernel; without a script QEMU leaves the tap down.
      '-netdev', `tap,id=n0,ifname=${opts.tap},script=no,downscript=no,vhost=off`,
      // romfile= : no iPXE option ROM, the kernel is loaded directly.
      '-device', `virtio-net-pci,netdev=n0,mac=${opts.mac},romfile=`,
    ];
    hookExit();
    const t0 = Date.now();
    // setpriv: QEMU dies with the process that started it, even one killed without clean-up.
    const proc = spawn('nsenter', [`--net=${opts.host.path}`, 'setpriv', '--pdeathsig', 'KILL', 'qemu-system-x86_64', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.add(proc);
    const guest = new QemuGuest(opts, proc);
    try {
      await guest.plugTap(10_000);
      await guest.ready(opts.bootTimeoutMs ?? 60_000);
    } catch (e) {
      await guest.stop();
      throw e;
    }
    guest.bootMs = Date.now() - t0;
    return guest;
  }

  /** As libvirt does after QEMU opened the tap: no IPv6 on the host side, link up. */
  private async plugTap(timeoutMs: number): Promise<void> {
    const { host, tap } = this.opts;
    const deadline = Date.now() + timeoutMs;
    while (!tapExists(host, tap)) {
      if (this.exited) throw this.exited;
      if (Date.now() > deadline) throw this.error(`tap ${tap} did not appear within ${timeoutMs} ms`);
      await sleep(50);
    }
    host.exec('sysctl', ['-qw', `net.ipv6.conf.${tap}.disable_ipv6=1`]);
    host.ip('link', 'set', tap, 'up');
  }

  private ready(timeoutMs: number): Promise<void> {
    if (this.isReady) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(this.error(`not ready within ${timeoutMs} ms`)), timeoutMs);
      this.onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      void this.exit.then(() => {
        clearTimeout(timer);
        reject(this.exited);
      });
    });
  }

  private error(message: string): GuestError {
    return new GuestError(this.opts.name, message, this.tail.join('\n'));
  }

  private remember(line: string): void {
    this.tail.push(line);
    if (this.tail.length > CONSOLE_TAIL_LINES) this.tail.shift();
  }

  /** Console lines: the ready marker, then each command's output between its markers. */
  private consume(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const raw of lines) {
      const line = raw.replace(/\r/g, '');
      this.remember(line);
      if (line === 'vx-ready') {
        this.isReady = true;
        this.onReady?.();
      }
      const begin = /^vx-begin (\d+)$/.exec(line);
      if (begin) {
        this.current = { id: Number(begin[1]), lines: [] };
        continue;
      }
      // A command whose output lacks a final newline leaves its text before the end marker.
      const end = /^(.*)vx-end (\d+) (\d+)$/.exec(line);
      if (end && this.current && Number(end[2]) === this.current.id) {
        if (end[1]) this.current.lines.push(end[1]);
        const w = this.waiting.get(this.current.id);
        this.waiting.delete(this.current.id);
        w?.resolve({ status: Number(end[3]), output: this.current.lines.join('\n') });
        this.current = undefined;
        continue;
      }
      this.current?.lines.push(line);
    }
  }

  /** Runs one shell command line in the guest (commands run one at a time, in order). */
  run(cmd: string, timeoutMs = 30_000): Promise<CommandResult> {
    if (cmd.includes('\n')) throw new Error('guest commands are one line');
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(this.error(`\`${cmd}\` did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.proc.stdin!.write(`${id} ${cmd}\n`);
    });
  }

  /** Runs `cmd` and returns its output; a non-zero status is an error. */
  async sh(cmd: string, timeoutMs = 30_000): Promise<string> {
    const r = await this.run(cmd, timeoutMs);
    if (r.status !== 0) throw this.error(`\`${cmd}\` exited ${r.status}:\n${r.output}`);
    return r.output;
  }

  /** Runs `cmd` until it exits 0 or `timeoutMs` passes; returns the last output. */
  async until(cmd: string, timeoutMs: number, intervalMs = 200): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.run(cmd, Math.max(1000, deadline - Date.now()));
      if (r.status === 0) return r.output;
      if (Date.now() > deadline) throw this.error(`\`${cmd}\` still failing after ${timeoutMs} ms:\n${r.output}`);
      await sleep(intervalMs);
    }
  }

  /** A counter of the guest's /proc/net/snmp, e.g. ('Tcp', 'InCsumErrors'). */
  async snmp(proto: string, field: string): Promise<number> {
    const rows = (await this.sh(`grep '^${proto}:' /proc/net/snmp`)).split('\n').map((l) => l.trim().split(/\s+/));
    const at = rows[0]?.indexOf(field) ?? -1;
    if (at < 0 || !rows[1]) throw this.error(`no ${proto} ${field} in /proc/net/snmp`);
    return Number(rows[1][at]);
  }

  /** Kills QEMU (TERM, then KILL) and removes the tap if it outlived QEMU (a pre-created one does). */
  async stop(): Promise<void> {
    if (!this.exited) {
      this.proc.kill('SIGTERM');
      const killer = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
      await this.exit;
      clearTimeout(killer);
    }
    if (tapExists(this.opts.host, this.opts.tap)) this.opts.host.ip('link', 'del', this.opts.tap);
  }
}

/**
 * Sends `blocks` x 64 KiB of zeros over TCP from `from` to `to` (busybox: `dd | nc` into
 * `nc -l | wc -c`) and returns the bytes the receiver counted and the sender's wall time. The
 * sending nc half-closes at the end of its input and exits once the receiver has closed too, so
 * its exit means that everything arrived. The receiver's input is a long sleep: busybox nc closes
 * the connection as soon as its own input ends (the sleep outlives the transfer, harmlessly).
 */
export async function tcpTransfer(
  from: QemuGuest,
  to: QemuGuest,
  toAddr: string,
  o: { port: number; blocks: number; timeoutMs: number },
): Promise<{ bytes: number; seconds: number }> {
  const rx = `/tmp/rx.${o.port}`;
  const linger = Math.ceil(o.timeoutMs / 1000) + 10;
  // wc writes its count once, at the end: the file stays empty until then.
  await to.sh(`rm -f ${rx}; sleep ${linger} | nc -l -p ${o.port} | wc -c >${rx} 2>/dev/null &`);
  await to.until(`netstat -ltn | grep -q ':${o.port} '`, 10_000, 100);
  const t0 = process.hrtime.bigint();
  // The guest's own timeout ends a stuck sender, so that later commands are not queued behind it.
  const send = `dd if=/dev/zero bs=65536 count=${o.blocks} 2>/dev/null | timeout ${Math.ceil(o.timeoutMs / 1000)} nc ${toAddr} ${o.port}`;
  await from.sh(send, o.timeoutMs + 5_000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const bytes = Number((await to.until(`[ -s ${rx} ] && cat ${rx}`, 10_000, 100)).trim());
  return { bytes, seconds };
}
