// The layering of the house, checked on every import of the product's source: each layer
// imports only the layers below it (docs/architecture.md), and there are no import cycles.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const REPO = join(import.meta.dirname, '..');

/** Layer -> the layers it may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  'src/common': [],
  native: [],
  proto: ['src/common'],
  'src/maps': ['src/common', 'native'],
  'src/agent': ['src/common', 'src/maps', 'proto'],
  'src/vsm': ['src/common', 'proto'],
  'src/cli': ['src/common', 'src/maps', 'src/agent', 'src/vsm', 'proto'],
};
const LAYERS = Object.keys(ALLOWED);

function layerOf(file: string): string | undefined {
  const rel = relative(REPO, file);
  return LAYERS.find((l) => rel === l || rel.startsWith(`${l}/`));
}

function sources(): string[] {
  return LAYERS.flatMap((l) => (readdirSync(join(REPO, l), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(REPO, l, f)));
}

interface Import { path: string; typeOnly: boolean }

/** Relative imports of a file (static, dynamic and re-exports), resolved to .ts paths. */
function importsOf(file: string): Import[] {
  const src = readFileSync(file, 'utf8');
  const found = [...src.matchAll(/(import\s+type\s[^;]*?from\s+|from\s+|import\s*\(\s*|import\s+)'(\.[^']+)'/g)];
  return found.map((m) => ({ path: resolve(dirname(file), m[2]!).replace(/\.js$/, '.ts'), typeOnly: m[1]!.startsWith('import type') }));
}

const files = sources();
const imports = new Map(files.map((f) => [f, importsOf(f)]));
const graph = new Map([...imports].map(([f, list]) => [f, list.map((i) => i.path)]));
/** What runs: type-only imports vanish when compiled, so they cannot make a cycle at load time. */
const runtimeGraph = new Map([...imports].map(([f, list]) => [f, list.filter((i) => !i.typeOnly).map((i) => i.path)]));

describe('architecture', () => {
  it('finds the source of every layer', () => {
    for (const l of LAYERS) expect(files.some((f) => layerOf(f) === l), l).toBe(true);
  });

  it('each layer imports only the layers below it; only src/maps touches native/', () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      const from = layerOf(file)!;
      for (const dep of deps) {
        const to = layerOf(dep);
        if (to === from) continue;
        if (to === undefined || !ALLOWED[from]!.includes(to)) wrong.push(`${relative(REPO, file)} -> ${relative(REPO, dep)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the map codecs know nothing of the protocol', () => {
    for (const f of files.filter((x) => layerOf(x) === 'src/maps')) {
      expect(graph.get(f)!.filter((d) => layerOf(d) === 'proto'), relative(REPO, f)).toEqual([]);
    }
  });

  it('has no import cycles at load time', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((x) => relative(REPO, x)).join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const d of runtimeGraph.get(f) ?? []) if (runtimeGraph.has(d)) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('no source file is longer than one sitting (400 lines)', () => {
    const long = [...files, ...(readdirSync(join(REPO, 'native')) as string[]).filter((f) => f.endsWith('.cc')).map((f) => join(REPO, 'native', f))]
      .map((f) => [relative(REPO, f), readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });
});
