// Where the compiled BPF objects and the bpffs pins live.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BPFFS_ROOT = '/sys/fs/bpf/vxvem';

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

let root: string | undefined;

/** The package root (works from src/ under tsx and from dist/src/ when compiled). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'vxvem') {
      root = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the vxvem package root');
}

/** Path of a compiled BPF object, e.g. bpfObjectPath('from-port'). */
export function bpfObjectPath(name: string): string {
  const p = join(packageRoot(), 'out', 'bpf', `${name}.bpf.o`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`make build\``);
  return p;
}
