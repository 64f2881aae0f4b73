// Loads each BPF object given on the command line into the kernel (without pinning and
// without attaching) so that `make build` fails loudly, with the verifier log, on a rejection.
// An object without programs (btf-anchor) still has its BTF loaded, and checked, by the kernel.
import { mkdirSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { native } from '../native/index.js';

// Pin-by-name maps get a throwaway directory, removed below.
const pinRoot = `/sys/fs/bpf/vxvem/verify-${process.pid}`;
mkdirSync(pinRoot, { recursive: true });
// Also when an object cannot even be opened (a missing extern, say): no pin directory left behind.
process.on('exit', () => rmSync(pinRoot, { recursive: true, force: true }));
let failed = 0;
for (const path of process.argv.slice(2)) {
  // Fixtures named rejected* exist to be refused by the verifier (binding tests).
  if (basename(path).startsWith('rejected')) continue;
  let obj: ReturnType<ReturnType<typeof native>['openObject']> | undefined;
  try {
    obj = native().openObject(path, { pinRoot });
    obj.load();
    const names = obj.programs().map((p) => p.name);
    console.log(`verified ${path}: ${names.length ? names.join(', ') : 'BTF only, no programs'}`);
  } catch (e) {
    failed++;
    console.error(`BPF OBJECT REFUSED ${path} (open, or the verifier: log below):\n${(e as Error).message}`);
  } finally {
    obj?.close();
    rmSync(pinRoot, { recursive: true, force: true });
    mkdirSync(pinRoot, { recursive: true });
  }
}
rmSync(pinRoot, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
