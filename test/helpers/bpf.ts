// Shared helpers for tests that touch the kernel. They never skip: BPF tests run as root here
// and in CI, and a missing capability is a failure with a clear message.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');
export const BPF_OUT = join(REPO, 'out', 'bpf');

/** Path of a compiled object: `objectPath('from-port')` or `objectPath('fixtures/binding')`. */
export function objectPath(name: string): string {
  const p = join(BPF_OUT, `${name}.bpf.o`);
  if (!existsSync(p)) throw new Error(`${p} missing: run \`make build\``);
  return p;
}

/** Throws unless this process can use bpf() and bpffs (root with CAP_BPF/CAP_NET_ADMIN). */
export function ensureBpf(): void {
  if (process.getuid?.() !== 0) throw new Error('BPF tests need root (VXVEM_REQUIRE_BPF: a missing capability is a failure)');
  if (!existsSync('/sys/fs/bpf')) throw new Error('bpffs is not mounted at /sys/fs/bpf: run `make setup`');
}

/** A pin directory private to one test file, removed by the returned cleanup. */
export function testPinRoot(name: string): { dir: string; cleanup: () => void } {
  const dir = `/sys/fs/bpf/vxvem/test-${name}-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
