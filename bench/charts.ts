// `npm run charts` (and the end of `npm run bench`): SVG charts of the results in bench/results/
// (or $VXVEM_BENCH_RESULTS), drawn with Vega-Lite and rendered to SVG in Node (no browser, no
// canvas). Each chart goes next to its JSON: e2e.svg (e2e-gro.svg, two-hosts.svg), flood.svg,
// prog-run.svg, qemu-tcp.svg. Results that are absent are skipped.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { packageRoot } from '../src/common/package.js';
import type { E2eRow } from './e2e-measure.js';
import type { FloodRow } from './flood.js';

interface Dated { date: string; options?: { rounds?: number } }
interface ProgRunResults extends Dated { runs: number; results: { case: string; meanNs: number; p50Ns: number; p99Ns: number }[] }
interface QemuResults extends Dated { accel: string; rows: { metric: string; kernel: number; vxvem: number; ratio: number | null }[] }

/** Metrics where less is better (time, CPU, retransmissions); the others are rates. */
const LOWER_IS_BETTER = /(_ns_per_packet|_us|retransmits|retrans_segs)$/;
const better = (metric: string): string => `${metric} ${LOWER_IS_BETTER.test(metric) ? '↓' : '↑'}`;
const ARROWS = '↑ higher is better, ↓ lower is better.';

const MODE_COLOURS: Record<string, string> = { kernel: '#7f7f7f', vxvem: '#1f77b4', 'vxvem-xdp': '#17becf', 'vxvem-csum': '#9467bd', floor: '#2ca02c', bridge: '#bcbd22', 'vxvem-vlan': '#ff7f0e' };
const CONFIG = { font: 'DejaVu Sans, Verdana, sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11 }, title: { fontSize: 14, subtitleFontSize: 11, anchor: 'start' } } as const;

/** Renders a Vega-Lite spec to SVG text. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const day = (d: Dated): string => d.date.slice(0, 10);

/**
 * End to end: per metric, each switch's value against the kernel's (left) and against the
 * floor's (right), a rule at 1 in both. Ratios that do not exist (the kernel runs no BPF) are left out.
 */
export function e2eSpec(title: string, d: Dated & { rows: E2eRow[] }): TopLevelSpec {
  const modes = Object.keys(d.rows[0]?.values ?? {});
  const values = d.rows.flatMap((r) => modes.flatMap((mode) => [
    ['value / kernel', r.vsKernel[mode as keyof E2eRow['vsKernel']], mode !== 'kernel'] as const,
    ['value / floor', r.ofFloor[mode as keyof E2eRow['ofFloor']], mode !== 'floor'] as const,
  ].filter(([, ratio, shown]) => shown && ratio !== null && ratio !== undefined)
    .map(([kind, ratio]) => ({ metric: better(r.metric), mode, kind, ratio, value: r.values[mode as keyof E2eRow['values']] }))));
  const metrics = d.rows.map((r) => better(r.metric));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: [`${day(d)}, medians of ${d.options?.rounds ?? '?'} round(s). Each bar: a switch's value divided by the kernel's (left)`, `or by the floor's (right, a program that only redirects); the dashed line marks 1. ${ARROWS}`] },
    config: CONFIG,
    data: { values },
    facet: { column: { field: 'kind', type: 'nominal', title: null, sort: ['value / kernel', 'value / floor'], header: { labelFontSize: 13, labelFontWeight: 'bold' } } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 300,
      height: { step: 11 },
      layer: [
        {
          mark: { type: 'bar', height: { band: 0.9 } },
          encoding: {
            y: { field: 'metric', type: 'nominal', sort: metrics, title: null, axis: { labelLimit: 260 } },
            yOffset: { field: 'mode', type: 'nominal', sort: modes },
            x: { field: 'ratio', type: 'quantitative', title: 'ratio' },
            color: { field: 'mode', type: 'nominal', title: 'switch', sort: modes, scale: { domain: modes, range: modes.map((m) => MODE_COLOURS[m] ?? '#bcbd22') } },
            tooltip: [{ field: 'mode' }, { field: 'metric' }, { field: 'value' }, { field: 'ratio' }],
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 3, fontSize: 8 },
          encoding: {
            y: { field: 'metric', type: 'nominal', sort: metrics },
            yOffset: { field: 'mode', type: 'nominal', sort: modes },
            x: { field: 'ratio', type: 'quantitative' },
            text: { field: 'ratio', type: 'quantitative', format: '.2f' },
          },
        },
        { mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] }, encoding: { x: { datum: 1 } } },
      ],
    },
  } as TopLevelSpec;
}

/** Flood replication: copies per second at the receiver, kernel against vxvem, per fan-out. */
export function floodSpec(d: Dated & { rows: FloodRow[] }): TopLevelSpec {
  const values = d.rows.flatMap((r) => (['kernel', 'vxvem'] as const).map((sw) => ({ vteps: `${r.vteps} remote VTEPs`, sw, copies: r[sw], label: sw === 'vxvem' ? `${r.ratio}x the kernel` : '' })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Flood replication (higher is better)', subtitle: [`${day(d)}: broadcast into a unicast-only segment,`, `copies per second at the receiving host, medians of ${d.options?.rounds ?? '?'} round(s).`] },
    config: CONFIG,
    data: { values },
    width: 420,
    height: { step: 22 },
    encoding: {
      y: { field: 'vteps', type: 'nominal', title: null },
      yOffset: { field: 'sw', type: 'nominal', sort: ['kernel', 'vxvem'] },
      x: { field: 'copies', type: 'quantitative', title: 'copies per second', axis: { format: '~s' } },
    },
    layer: [
      { mark: 'bar', encoding: { color: { field: 'sw', type: 'nominal', title: 'switch', scale: { domain: ['kernel', 'vxvem'], range: [MODE_COLOURS.kernel!, MODE_COLOURS.vxvem!] } } } },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { text: { field: 'label' } } },
    ],
  } as TopLevelSpec;
}

/** Program cost: kernel-measured run time per path, p50 bars with a line out to p99 (log scale). */
export function progRunSpec(d: ProgRunResults): TopLevelSpec {
  const values = d.results.map((r) => ({ ...r, label: `p50 ${r.p50Ns} ns, p99 ${r.p99Ns} ns` }));
  const y = { field: 'case', type: 'nominal', sort: d.results.map((r) => r.case), title: null, axis: { labelLimit: 480 } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Program cost per packet (lower is better)', subtitle: [`${day(d)}: BPF_PROG_TEST_RUN, ${d.runs} single runs per case.`, 'Bar: p50, line on to p99; ns per run, log scale.'] },
    config: CONFIG,
    data: { values },
    width: 360,
    height: { step: 24 },
    layer: [
      // A log scale has no zero: bars start where the axis does.
      { mark: { type: 'bar', color: MODE_COLOURS.vxvem!, height: { band: 0.7 } }, encoding: { y, x: { field: 'p50Ns', type: 'quantitative', title: 'ns per run', scale: { type: 'log', domain: [10, 100_000] } }, x2: { datum: 10 } } },
      { mark: { type: 'rule', color: '#333' }, encoding: { y, x: { field: 'p50Ns', type: 'quantitative' }, x2: { field: 'p99Ns' } } },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { y, x: { field: 'p99Ns', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  } as TopLevelSpec;
}

/** QEMU guests: each metric on its own scale, kernel against vxvem. */
export function qemuSpec(d: QemuResults): TopLevelSpec {
  const values = d.rows.flatMap((r) => (['kernel', 'vxvem'] as const).map((sw) => ({ metric: better(r.metric), sw, value: r[sw] })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'TCP between QEMU guests', subtitle: `${day(d)}: ${d.accel.toUpperCase()} guests on taps of two hosts, medians of ${d.options?.rounds ?? '?'} round(s). ${ARROWS}` },
    config: CONFIG,
    data: { values },
    facet: { row: { field: 'metric', type: 'nominal', title: null, sort: d.rows.map((r) => better(r.metric)), header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 11 } } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 320,
      height: { step: 18 },
      layer: [
        { mark: 'bar', encoding: { y: { field: 'sw', type: 'nominal', title: null, sort: ['kernel', 'vxvem'] }, x: { field: 'value', type: 'quantitative', title: null }, color: { field: 'sw', type: 'nominal', title: 'switch', scale: { domain: ['kernel', 'vxvem'], range: [MODE_COLOURS.kernel!, MODE_COLOURS.vxvem!] } } } },
        { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { y: { field: 'sw', type: 'nominal', sort: ['kernel', 'vxvem'] }, x: { field: 'value', type: 'quantitative' }, text: { field: 'value', type: 'quantitative' } } },
      ],
    },
  } as TopLevelSpec;
}

/** The charts for every result file present in `dir`: [file name, spec]. */
export function chartSpecs(dir: string): [string, TopLevelSpec][] {
  const read = <T>(name: string): T | undefined => (existsSync(join(dir, `${name}.json`)) ? (JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as T) : undefined);
  const out: [string, TopLevelSpec][] = [];
  for (const [name, title] of [['e2e', 'End to end: VM to VM across two hosts (veth underlay)'], ['e2e-gro', 'End to end, GRO on the underlay'], ['two-hosts', 'End to end between two machines (real NICs)']] as const) {
    const d = read<Dated & { rows: E2eRow[] }>(name);
    if (d) out.push([name, e2eSpec(title, d)]);
  }
  const flood = read<Dated & { rows: FloodRow[] }>('flood');
  if (flood) out.push(['flood', floodSpec(flood)]);
  const prog = read<ProgRunResults>('prog-run');
  if (prog) out.push(['prog-run', progRunSpec(prog)]);
  const qemu = read<QemuResults>('qemu-tcp');
  if (qemu) out.push(['qemu-tcp', qemuSpec(qemu)]);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const dir = process.env.VXVEM_BENCH_RESULTS ?? join(packageRoot(), 'bench', 'results');
  for (const [name, spec] of chartSpecs(dir)) {
    writeFileSync(join(dir, `${name}.svg`), await renderSvg(spec));
    console.error(`charts: ${join(dir, `${name}.svg`)}`);
  }
}
