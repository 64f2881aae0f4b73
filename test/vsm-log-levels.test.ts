// The VSM logs what went wrong at the level an operator filters on (journald priority,
// VXVEM_LOG): a stale socket it removed is a warning, a store it cannot write is an error.
import { afterEach, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Level } from '../src/common/log.js';
import { createSegment } from '../src/vsm/rules.js';
import { VsmServer } from '../src/vsm/server.js';
import { FileStore } from '../src/vsm/store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function leveledLog(): { log: ((line: string) => void) & Record<Level, (line: string) => void>; lines: [Level, string][] } {
  const lines: [Level, string][] = [];
  const at = (l: Level) => (line: string): void => void lines.push([l, line]);
  return { log: Object.assign(at('info'), { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }), lines };
}

it('a stale socket removed at start is a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vxvem-loglevels-'));
  dirs.push(dir);
  const sock = join(dir, 'vsm.sock');
  // A socket file nobody listens on: what a VSM killed with -9 leaves.
  expect(spawnSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(sock)})`]).status).toBe(0);
  const { log, lines } = leveledLog();
  const vsm = new VsmServer(new FileStore(join(dir, 'data')), log);
  await vsm.listen(`unix:${sock}`);
  await vsm.close();
  expect(lines.find(([, l]) => l.includes('stale socket'))?.[0]).toBe('warn');
});

it('a change the store cannot write is refused and logged as an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vxvem-loglevels-'));
  dirs.push(dir);
  const data = join(dir, 'data');
  mkdirSync(data);
  const { log, lines } = leveledLog();
  const vsm = new VsmServer(new FileStore(data), log);
  await vsm.listen(`unix:${join(dir, 'vsm.sock')}`);
  // Root ignores modes: a read-only bind of the store directory is what refuses the write.
  const ro = spawnSync('mount', ['--bind', '-o', 'ro', data, data]);
  if (ro.status !== 0) chmodSync(data, 0o500);
  try {
    await expect(vsm.commit.change((s) => createSegment(s, { name: 'n1', vni: 5001, mode: 'unicast' }))).rejects.toThrow();
  } finally {
    spawnSync('umount', [data]);
    await vsm.close();
  }
  expect(lines.some(([level, l]) => level === 'error' && /store|write|journal/i.test(l))).toBe(true);
});
