// The monitoring files in monitoring/: promtool accepts the alert rules and proves every alert
// fires (alerts.test.yml); the Grafana dashboard is well formed and its queries parse; every
// metric they use is documented. test/lab.test.ts runs them against a live lab.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './helpers/bpf.js';
import { MONITORING, alertNames, dashboardQueries, readDashboard, selectors } from './helpers/monitoring.js';

const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: MONITORING, encoding: 'utf8' });

describe('alert rules', () => {
  it('promtool check rules accepts every rule', () => {
    const r = promtool('check', 'rules', 'alerts.yml');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`SUCCESS: ${alertNames().length} rules found`);
  });

  it('promtool test rules: every alert fires where it should and stays quiet elsewhere', () => {
    const r = promtool('test', 'rules', 'alerts.test.yml');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('every alert has a unit test that expects it to fire', () => {
    const tests = readFileSync(join(MONITORING, 'alerts.test.yml'), 'utf8');
    for (const name of alertNames()) {
      expect(tests, name).toMatch(new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels:`));
    }
  });
});

describe('Grafana dashboard', () => {
  const d = readDashboard();
  const panels = d.panels;

  it('panels have unique ids, sit on the 24-column grid without overlapping, and query ${datasource}', () => {
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const p of panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${p.title} overlaps at ${i},${j}`).toBe(false);
          cells.add(`${i},${j}`);
        }
      }
      if (p.type === 'row') continue;
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) expect(t.datasource?.uid, `${p.title} ${t.refId}`).toBe('${datasource}');
    }
    expect(d.templating.list.map((v) => v.name)).toEqual(['datasource', 'instance']);
  });

  it('the panels cover per-VNI traffic, drops by reason, MAC table fill, the VSM lag and hosts', () => {
    const exprs = dashboardQueries(d).map((q) => q.expr).join('\n');
    for (const m of ['vxvem_vni_packets_total', 'vxvem_vni_bytes_total', 'vxvem_drops_total', 'vxvem_mac_entries', 'vxvem_map_entries', 'vxvem_map_capacity',
      'vxvem_vsm_host_stream_lag_seconds', 'vxvem_vsm_hosts_connected']) expect(exprs).toContain(m);
    expect(exprs).toMatch(/sum by \(reason\) \(rate\(vxvem_drops_total/);
  });

  it('every query parses (promtool checks them as recording rules)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vxvem-dash-'));
    try {
      const queries = dashboardQueries(d);
      const rules = queries.map((q, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(q.expr)}`);
      writeFileSync(join(dir, 'dashboard.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
      const r = spawnSync('promtool', ['check', 'rules', join(dir, 'dashboard.yml')], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('documentation', () => {
  it('every vxvem metric the dashboard and the alerts use is in README\'s metrics tables', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/`(vxvem_\w+)`/g)].map((m) => m[1]));
    const alerts = readFileSync(join(MONITORING, 'alerts.yml'), 'utf8');
    const used = [...dashboardQueries().map((q) => q.expr), ...alerts.split('\n').filter((l) => l.trim().startsWith('expr:'))]
      .flatMap(selectors).map((s) => s.split('{')[0]!).filter((n) => n.startsWith('vxvem_'));
    expect(used.length).toBeGreaterThan(10);
    for (const n of new Set(used)) expect(documented.has(n), n).toBe(true);
  });
});
