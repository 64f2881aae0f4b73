// Facts about the installed package: where it is, its version, and the defaults every
// command shares.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the VSM listens and the CLI and VEMs look for it unless told otherwise. */
export const DEFAULT_VSM_ADDRESS = 'unix:/run/vxvem/vsm.sock';

let root: string | undefined;
let version: string | undefined;

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

export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
