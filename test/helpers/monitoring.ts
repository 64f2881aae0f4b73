// The repository's monitoring files as tests read them: the Grafana dashboard's queries (with
// its variables given values Prometheus accepts), the alert rules' names, and the series
// selectors inside an expression.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './bpf.js';

export const MONITORING = join(REPO, 'monitoring');

export interface DashboardTarget {
  expr: string;
  refId: string;
  datasource?: { type?: string; uid?: string };
  format?: string;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: { name: string; type: string; query?: unknown; definition?: string; allValue?: string }[] };
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(join(MONITORING, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
}

/**
 * Grafana's variables as a dashboard viewer with "All" selected gets them: every VEM, and rate
 * windows that fit a 1 s scrape interval.
 */
const VARIABLES: Record<string, string> = { instance: '.+', __rate_interval: '10s', __range: '5m', __interval: '1s' };

export function substitute(expr: string): string {
  return expr.replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a?: string, b?: string) => {
    const v = VARIABLES[(a ?? b)!];
    if (v === undefined) throw new Error(`dashboard query uses an unknown variable ${m}: ${expr}`);
    return v;
  });
}

/** Every panel's targets (rows included), with variables substituted. */
export function dashboardQueries(d = readDashboard()): { panel: string; expr: string }[] {
  const panels = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  return panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: substitute(t.expr) })));
}

/** The alert names of monitoring/alerts.yml, in file order. */
export function alertNames(): string[] {
  return [...readFileSync(join(MONITORING, 'alerts.yml'), 'utf8').matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]!);
}

/** The series selectors of an expression: `name{matchers}` or a bare name (vxvem_* and up). */
export function selectors(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b(vxvem_\w+|up(?=\{))(\{[^}]*\})?/g)].map((m) => m[0]))];
}
