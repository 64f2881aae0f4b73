// `npm run tempest` on a few of Tempest's network tests (list and show networks): the runner
// starts Keystone and the VSM, Tempest passes them through Keystone's catalog, the note and the
// record are written, and nothing is left behind. The whole suite is `npm run tempest` (minutes).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './helpers/bpf.js';

const dir = mkdtempSync(join(tmpdir(), 'vxvem-tempest-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runDirs = (): string[] => readdirSync(tmpdir()).filter((d) => d.startsWith('vxvem-tempest-') && !d.startsWith('vxvem-tempest-test-'));

describe('npm run tempest', () => {
  it('runs the chosen tests against the VSM behind Keystone: passed, none failed, cleaned up', async () => {
    const before = new Set(runDirs());
    const out = join(dir, 'tempest.md');
    const json = join(dir, 'tempest.json');
    const regex = 'tempest\\.api\\.network\\.test_networks\\.NetworksTest\\.test_(list|show)_network';
    const proc = spawn('node', ['--import', 'tsx', join(REPO, 'scripts/tempest.ts'), '--regex', regex, '--out', out, '--json', json], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    expect(code, log.slice(-4000)).toBe(0);
    const rec = JSON.parse(readFileSync(json, 'utf8')) as { results: { id: string; status: string }[] };
    const passed = rec.results.filter((r) => r.status === 'success');
    expect(passed.length).toBeGreaterThanOrEqual(1);
    expect(rec.results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(passed.map((r) => r.id).join('\n')).toMatch(/NetworksTest\.test_show_network\[/);
    expect(readFileSync(out, 'utf8')).toMatch(new RegExp(`\\| ${passed.length} \\| 0 \\| 0 \\|`));
    expect(runDirs().filter((d) => !before.has(d))).toEqual([]);
    expect(existsSync(out)).toBe(true);
  }, 180_000);
});
