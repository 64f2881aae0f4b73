// The protocol's TypeScript types, proto/generated/, made from proto/vxvem.proto by
// @grpc/proto-loader's generator with the options proto/index.ts loads the file with, so that
// each `__Output` type is what the loader delivers. The output is committed;
// test/proto-gen.test.ts generates again and compares.
//   npx tsx scripts/proto-gen.ts [OUTDIR]     (`npm run proto`; OUTDIR defaults to proto/generated)
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOADER_OPTIONS } from '../proto/index.js';

const REPO = join(import.meta.dirname, '..');
export const GENERATED_DIR = join(REPO, 'proto', 'generated');

/** The generator's flags for the loader's options (its defaults are protobufjs's, as the loader's are). */
export function generatorFlags(): string[] {
  const o = LOADER_OPTIONS;
  return [
    ...(o.keepCase ? ['--keepCase'] : []),
    `--longs=${o.longs.name}`,
    `--enums=${o.enums.name}`,
    ...(['defaults', 'arrays', 'objects', 'oneofs'] as const).filter((k) => o[k]).map((k) => `--${k}`),
    '--includeComments',
    '--grpcLib=@grpc/grpc-js',
    '--importFileExtension=.js',
  ];
}

/** Writes the types into `outDir` (emptied first); the proto's path is given relative to the repository, as the files quote it. */
export function generate(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  const bin = createRequire(import.meta.url).resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
  execFileSync(process.execPath, [bin, ...generatorFlags(), `--outDir=${resolve(outDir)}`, 'proto/vxvem.proto'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? GENERATED_DIR;
  generate(out);
  console.log(`wrote ${out}`);
}
