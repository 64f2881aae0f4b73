// `vxvem bpf-info`: the pinned maps of an instance as the kernel reports them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../../native/index.js';
import { instancePinDir } from '../maps/paths.js';
import { flagString, parseArgs } from './args.js';

const MAP_TYPES: Record<number, string> = {
  1: 'hash', 2: 'array', 5: 'percpu_hash', 6: 'percpu_array', 9: 'lru_hash', 27: 'ringbuf',
};

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { instance: { kind: 'string' }, json: { kind: 'boolean' } });
  const dir = instancePinDir(flagString(p, 'instance') ?? 'default');
  const n = native();
  const rows = readdirSync(dir).sort().map((name) => {
    const fd = n.objGet(join(dir, name));
    try {
      const i = n.mapInfo(fd);
      return { name, type: MAP_TYPES[i.type] ?? String(i.type), keySize: i.keySize, valueSize: i.valueSize, maxEntries: i.maxEntries, id: i.id };
    } finally {
      n.closeFd(fd);
    }
  });
  if (p.flags.get('json')) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log(['NAME', 'TYPE', 'KEY', 'VALUE', 'MAX', 'ID'].join('\t'));
    for (const r of rows) console.log([r.name, r.type, r.keySize, r.valueSize, r.maxEntries, r.id].join('\t'));
  }
  return 0;
}
