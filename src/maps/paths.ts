// Where the compiled BPF objects and the bpffs pins live.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/package.js';

/** Where the host's BPF filesystem is mounted, and the pin root of every VEM instance in it. */
export const BPFFS_MOUNT = '/sys/fs/bpf';
export const BPFFS_ROOT = `${BPFFS_MOUNT}/vxvem`;

const INSTANCE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

export class InstanceNameError extends Error {
  override readonly name = 'InstanceNameError';
}

/** The pin directory of one VEM instance; the name is checked so it cannot escape BPFFS_ROOT. */
export function instancePinDir(instance: string): string {
  if (!INSTANCE_RE.test(instance)) {
    throw new InstanceNameError(`bad instance name ${JSON.stringify(instance)}: use letters, digits, '-' and '_' (1-48)`);
  }
  return join(BPFFS_ROOT, instance);
}


/** Path of a compiled BPF object, e.g. bpfObjectPath('from-port'). */
export function bpfObjectPath(name: string): string {
  const p = join(packageRoot(), 'out', 'bpf', `${name}.bpf.o`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`make build\``);
  return p;
}
