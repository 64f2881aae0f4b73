// Certificates for tests, made by the CLI as an operator would (`vxvem ca init`, `vxvem ca issue`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadTls, type CertRole, type TlsMaterial } from '../../src/common/tls.js';
import { REPO } from './bpf.js';

/** `vxvem ARGS` run to its end: exit code, stdout, stderr. */
export function vxvem(args: string[], o: { timeout?: number } = {}): { code: number; out: string; err: string } {
  const r = spawnSync('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { encoding: 'utf8', timeout: o.timeout ?? 30_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** A CA in `dir` and one certificate per name and role; throws with the CLI's output when a step fails. */
export function makePki(dir: string, names: Partial<Record<CertRole, string[]>>): void {
  const steps = [['ca', 'init', '--dir', dir], ...Object.entries(names).flatMap(([role, list]) => list.map((n) => ['ca', 'issue', '--dir', dir, `--${role}`, n]))];
  for (const s of steps) {
    const r = vxvem(s);
    if (r.code !== 0) throw new Error(`vxvem ${s.join(' ')} exited ${r.code}: ${r.err}`);
  }
}

/** The checked files of `name` (role `role`) in `dir`. */
export const creds = (dir: string, role: CertRole, name: string): TlsMaterial => loadTls({ dir, role, name });
