// `vxvem bpf-info`: the pinned maps of an instance as the kernel reports them.
import { listPinnedMaps } from '../maps/pinned.js';
import { flagString, type Parsed } from './args.js';

export async function run(p: Parsed): Promise<number> {
  const rows = listPinnedMaps(flagString(p, 'instance') ?? 'default').map((m) => ({ ...m, type: m.type.name }));
  if (p.flags.get('json')) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log(['NAME', 'TYPE', 'KEY', 'VALUE', 'MAX', 'ID'].join('\t'));
    for (const r of rows) console.log([r.name, r.type, r.keySize, r.valueSize, r.maxEntries, r.id].join('\t'));
  }
  return 0;
}
