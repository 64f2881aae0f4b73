// The drawn pictures the READMEs show: every image they link exists and is an SVG with a title
// (what screen readers announce), and the pictures of the README are where it says.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO } from './helpers/bpf.js';

const images = (doc: string): string[] => [...readFileSync(join(REPO, doc), 'utf8').matchAll(/!\[[^\]]+\]\(([^)]+)\)/g)].map((m) => join(REPO, dirname(doc), m[1]!));

describe('pictures in the READMEs', () => {
  it('README.md shows the architecture and the lab as SVG; bench/README.md a chart', () => {
    expect(images('README.md').map((p) => p.slice(REPO.length + 1))).toEqual(['docs/img/architecture.svg', 'docs/img/lab-topology.svg']);
    expect(images('bench/README.md').map((p) => p.slice(REPO.length + 1))).toEqual(['bench/results/e2e.svg']);
  });

  it('every linked image exists and is an SVG document', () => {
    for (const p of [...images('README.md'), ...images('bench/README.md')]) {
      expect(existsSync(p), p).toBe(true);
      const svg = readFileSync(p, 'utf8');
      expect(svg, p).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg.trimEnd().endsWith('</svg>'), p).toBe(true);
    }
    for (const p of images('README.md')) expect(readFileSync(p, 'utf8'), p).toMatch(/<title>[^<]{20,}<\/title>/);
  });
});
