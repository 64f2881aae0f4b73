// The BPF filesystem under the pins. Pins outlive the agent, and are seen by the operator
// commands and the next agent, only on the bpffs of the host's /sys/fs/bpf. The agent mounts one
// where the host has none (as systemd does at boot) and refuses, at once and by name, where its
// /sys is a private one: `ip netns exec` mounts a fresh sysfs on /sys, hiding the host's bpffs,
// and Node's recursive mkdir loops forever under that read-only sysfs directory. So nothing is
// created under the pin root before its filesystem type is checked.
import { mkdirSync, readFileSync, statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { CommandError, run } from '../common/exec.js';
import { BPFFS_ROOT } from './paths.js';

/** statfs(2) f_type of a BPF filesystem and of sysfs. */
export const BPFFS_MAGIC = 0xcafe4a11;
const SYSFS_MAGIC = 0x62656572;

export class BpffsError extends Error {
  override readonly name = 'BpffsError';
}

function fsType(path: string): number | undefined {
  try {
    return statfsSync(path).type;
  } catch {
    return undefined;
  }
}

export function isBpffs(path: string): boolean {
  return fsType(path) === BPFFS_MAGIC;
}

function parentPid(pid: number): number {
  try {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/**
 * Whether /sys here is another sysfs than an ancestor process sees: a mount namespace that
 * mounted its own /sys (`ip netns exec` does). Ancestors this process may not inspect are
 * skipped; a mount namespace that only copied the host's mounts shares its sysfs.
 */
export function sysIsPrivate(): boolean {
  const mine = statSync('/sys').dev;
  for (let pid = process.ppid, depth = 0; pid >= 1 && depth < 64; pid = parentPid(pid), depth++) {
    try {
      if (statSync(`/proc/${pid}/root/sys`).dev !== mine) return true;
    } catch {
      // not ours to look into
    }
    if (pid === 1) break;
  }
  return false;
}

function mountBpffs(dir: string, type: number): void {
  if (type !== SYSFS_MAGIC) {
    throw new BpffsError(`${dir} is not a BPF filesystem (bpffs; statfs type 0x${type.toString(16)}): mount one there first (mount -t bpf bpf ${dir})`);
  }
  if (sysIsPrivate()) {
    throw new BpffsError(
      `the BPF filesystem (bpffs) is not mounted on ${dir}: this process has a private /sys (as under \`ip netns exec\`), ` +
        'which hides the host\'s, and pins made here would vanish with it. Start the agent in the host\'s mount namespace ' +
        `and name the network namespace with --netns NAME, or mount a bpffs first (mount -t bpf bpf ${dir}; its pins last only as long as this namespace)`,
    );
  }
  try {
    run('mount', ['-t', 'bpf', 'bpf', dir]);
  } catch (e) {
    const why = e instanceof CommandError ? e.stderr : (e as Error).message;
    throw new BpffsError(`the BPF filesystem (bpffs) is not mounted on ${dir} and mounting it failed (${why}): mount it (mount -t bpf bpf ${dir}) and start again`);
  }
  if (!isBpffs(dir)) throw new BpffsError(`mounted a bpffs on ${dir}, but ${dir} is still not one`);
}

/**
 * Makes sure `root` (default the agent's pin root) is a directory on a BPF filesystem: its
 * parent must be a bpffs, or the host's sysfs mount point for one, which is then mounted.
 * Returns whether it mounted one. Throws BpffsError naming the BPF filesystem and the way out.
 */
export function ensurePinRoot(root: string = BPFFS_ROOT): { mounted: boolean } {
  if (isBpffs(root)) return { mounted: false };
  const dir = dirname(root);
  const type = fsType(dir);
  if (type === undefined) throw new BpffsError(`${dir} does not exist: the kernel offers no BPF filesystem (bpffs) mount point there`);
  const mounted = type !== BPFFS_MAGIC;
  if (mounted) mountBpffs(dir, type);
  try {
    mkdirSync(root); // one level only: a recursive mkdir could loop (see above)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new BpffsError(`cannot create the pin directory ${root}: ${(e as Error).message}`);
  }
  if (!isBpffs(root)) throw new BpffsError(`${root} is not on the BPF filesystem (bpffs) mounted on ${dir}: something else is mounted there`);
  return { mounted };
}
