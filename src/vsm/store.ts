// Where the VSM keeps its state between restarts. The interface lets a distributed store
// (etcd, say) replace the embedded file without touching the rules.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, fsyncSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { emptyState, type VsmState } from './model.js';

export interface StateStore {
  load(): VsmState;
  save(state: VsmState): void;
}

/** One JSON file in DIR, replaced atomically (write, fsync, rename). */
export class FileStore implements StateStore {
  private readonly file: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'state.json');
  }

  load(): VsmState {
    if (!existsSync(this.file)) return emptyState();
    return { ...emptyState(), ...(JSON.parse(readFileSync(this.file, 'utf8')) as Partial<VsmState>) };
  }

  save(state: VsmState): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2));
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
