// The results of a run as a note: counts, then every failure and every skip with why. Why comes
// from explanations.ts (what was found reading the test and the VSM); a skip without one gives
// Tempest's own reason, a failure without one is marked UNEXPLAINED with its error.
import { explain } from './explanations.js';
import type { TestResult } from './workspace.js';

export interface Counts { passed: number; failed: number; skipped: number }

export interface Summary {
  counts: Counts;
  failures: TestResult[];
  skips: TestResult[];
  /** Failures and skips explanations.ts does not account for. */
  unexplained: TestResult[];
}

/** A test's id without its attributes (`[id-...,smoke]`). */
export const shortId = (id: string): string => id.replace(/\[.*\]$/, '');

export function summarize(results: TestResult[]): Summary {
  const failures = results.filter((r) => r.status === 'fail' || r.status === 'uxsuccess');
  const skips = results.filter((r) => r.status === 'skip');
  return {
    counts: { passed: results.filter((r) => r.status === 'success' || r.status === 'xfail').length, failed: failures.length, skipped: skips.length },
    failures, skips,
    unexplained: [...failures.filter((f) => !explain(shortId(f.id), 'fail')), ...skips.filter((r) => !explain(shortId(r.id), 'skip', r.reason))],
  };
}

/** The last line of a traceback that says what went wrong. */
function errorLine(tb: string): string {
  const lines = tb.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.reverse().find((l) => /Error|Exception|Mismatch|Details|not/.test(l)) ?? lines[0] ?? '';
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 600);

export interface RunInfo { regex: string; date: string; seconds: number; tempest: string; plugin: string; extensions: string[] }

/** Rows of `| tests | (Tempest says |) why |`, one per explanation, the tests it covers together. */
function grouped(items: TestResult[], kind: 'fail' | 'skip'): string[] {
  const groups = new Map<string, { ids: string[]; reasons: Set<string> }>();
  for (const r of items) {
    const why = explain(shortId(r.id), kind, r.reason) ?? (kind === 'skip' ? 'UNEXPLAINED' : `UNEXPLAINED: ${errorLine(r.traceback)}`);
    const g = groups.get(why) ?? { ids: [], reasons: new Set<string>() };
    g.ids.push(`\`${shortId(r.id)}\``);
    g.reasons.add(r.reason);
    groups.set(why, g);
  }
  const head = kind === 'skip' ? ['| tests | Tempest says | why |', '|---|---|---|'] : ['| tests | why |', '|---|---|'];
  return [...head, ...[...groups].map(([why, g]) => kind === 'skip'
    ? `| ${g.ids.join('<br>')} | ${cell([...g.reasons].join('; '))} | ${cell(why)} |`
    : `| ${g.ids.join('<br>')} | ${cell(why)} |`)];
}

export function markdown(s: Summary, run: RunInfo): string {
  const { passed, failed, skipped } = s.counts;
  return [
    '# Tempest against the VSM', '',
    `OpenStack Tempest ${run.tempest} and neutron-tempest-plugin ${run.plugin} (Debian's packages), run by`,
    '`npm run tempest` against `vxvem vsm --neutron --keystone-config` with Debian\'s Keystone on loopback,',
    `Tempest's dynamic credentials, concurrency 1. Run of ${run.date}, ${Math.round(run.seconds)} s.`, '',
    `Tests: \`${run.regex}\``, '',
    `Extensions the VSM lists (Tempest's \`api_extensions\`): ${run.extensions.map((e) => `\`${e}\``).join(', ')}.`, '',
    '| passed | failed | skipped |', '|---:|---:|---:|', `| ${passed} | ${failed} | ${skipped} |`, '',
    '## Failures', '',
    'Every failure, grouped by why (found reading the test and the VSM, scripts/tempest/explanations.ts).', '',
    ...(s.failures.length ? grouped(s.failures, 'fail') : ['None.']), '',
    '## Skips', '',
    ...(s.skips.length ? grouped(s.skips, 'skip') : ['None.']), '',
  ].join('\n');
}
