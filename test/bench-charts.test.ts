// The benchmark charts: bench/charts.ts draws each result file as an SVG, and the SVGs committed
// in bench/results/ are the ones the committed JSON gives (regenerate with `npm run charts`).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chartSpecs, renderSvg } from '../bench/charts.js';
import { REPO } from './helpers/bpf.js';

const RESULTS = join(REPO, 'bench', 'results');

describe('benchmark charts', () => {
  it('the committed SVGs are the charts of the committed results', async () => {
    const specs = chartSpecs(RESULTS);
    expect(specs.map(([name]) => name)).toEqual(expect.arrayContaining(['e2e', 'flood', 'prog-run']));
    for (const [name, spec] of specs) {
      expect(readFileSync(join(RESULTS, `${name}.svg`), 'utf8'), `${name}.svg is stale: npm run charts`).toBe(await renderSvg(spec));
    }
  }, 60_000);

  it('the end-to-end chart shows every metric with its ratios to the kernel and to the floor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vxvem-charts-'));
    try {
      const row = (metric: string, vxvem: number) => ({
        metric, values: { kernel: 100, vxvem, floor: 200 }, vsKernel: { kernel: 1, vxvem: vxvem / 100, floor: 2 }, ofFloor: { kernel: 0.5, vxvem: vxvem / 200, floor: 1 },
      });
      writeFileSync(join(dir, 'e2e.json'), JSON.stringify({ date: '2026-01-02T00:00:00Z', options: { rounds: 5 }, rows: [row('pps_pinned', 150), row('rr_p99_us', 130)] }));
      const specs = chartSpecs(dir);
      expect(specs.map(([n]) => n)).toEqual(['e2e']);
      const svg = await renderSvg(specs[0]![1]);
      expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      for (const text of ['pps_pinned ↑', 'rr_p99_us ↓', 'value / kernel', 'value / floor', '1.50', '0.75', '1.30', '0.65', 'medians of 5 round(s)']) expect(svg, text).toContain(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
