// proto/generated/ is the generator's output for proto/vxvem.proto as it stands (regenerating
// gives the same files), and its `__Output` types are what the loader delivers: each request and
// reply of every RPC, decoded from an empty message, has exactly the fields its type declares
// always present (defaults filled).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { protocol } from '../proto/index.js';
import { GENERATED_DIR, generate } from '../scripts/proto-gen.js';

function files(dir: string): Map<string, string> {
  return new Map((readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort()
    .map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** The keys `export interface NAME__Output { ... }` declares in the generated file of NAME: those always present, and those that may be (oneof members). */
function outputKeys(message: string): { always: string[]; maybe: string[] } {
  const src = readFileSync(join(GENERATED_DIR, 'vxvem', 'v1', `${message}.ts`), 'utf8');
  const body = new RegExp(`export interface ${message}__Output \\{([\\s\\S]*?)\\n\\}`).exec(src)?.[1];
  if (body === undefined) throw new Error(`no ${message}__Output in the generated file`);
  const keys = [...body.matchAll(/^ {2}'(\w+)'(\??):/gm)];
  return { always: keys.filter((m) => !m[2]).map((m) => m[1]!).sort(), maybe: keys.filter((m) => m[2]).map((m) => m[1]!).sort() };
}

describe('generated protocol types', () => {
  it('regenerating from vxvem.proto gives the committed files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vxvem-proto-'));
    try {
      generate(dir);
      const fresh = files(dir);
      const committed = files(GENERATED_DIR);
      expect([...committed.keys()]).toEqual([...fresh.keys()]);
      for (const [f, text] of fresh) expect(committed.get(f), `${relative(process.cwd(), join(GENERATED_DIR, f))} differs: npm run proto`).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every request and reply, as the loader decodes it, has the fields of its __Output type', () => {
    const p = protocol();
    let checked = 0;
    for (const svc of [p.Vem, p.Admin]) {
      for (const m of Object.values(svc.service) as grpc.MethodDefinition<unknown, unknown>[]) {
        // The message names from the method's path's descriptor: /vxvem.v1.Admin/ListNetworks -> its types.
        const def = m as unknown as { requestType: { type: { name: string } }; responseType: { type: { name: string } } };
        const pairs: [string, unknown][] = [
          [def.requestType.type.name, m.requestDeserialize(Buffer.alloc(0))],
          [def.responseType.type.name, m.responseDeserialize(Buffer.alloc(0))],
        ];
        for (const [name, decoded] of pairs) {
          const { always, maybe } = outputKeys(name);
          expect(Object.keys(decoded as object).sort(), `${m.path}: ${name}`).toEqual(always);
          // An empty HostUpdate carries neither of its oneof's members.
          for (const k of maybe) expect((decoded as Record<string, unknown>)[k], `${m.path}: ${name}.${k}`).toBeUndefined();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});
