// Logs: text lines with a time, JSON lines with --log-format json, and under systemd's journal
// (stderr is the stream JOURNAL_STREAM names) the sd-daemon priority first and no time; VXVEM_LOG
// sets the least level. The VSM logs its hosts' connections and every admin write: what, by
// whom, from where, the request id, and the outcome at the level it deserves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { AdminClient, VemClient } from '../proto/clients.js';
import { formatEntry } from '../src/common/log.js';
import { REPO } from './helpers/bpf.js';
import { freePort } from './helpers/free-port.js';
import { until } from './helpers/until.js';
import { VsmProcess } from './helpers/vsm-process.js';

const dir = mkdtempSync(join(tmpdir(), 'vxvem-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = new Date('2026-01-02T03:04:05.678Z');

describe('line formats', () => {
  it('text: time, level, component; continuation lines indented', () => {
    expect(formatEntry({ format: 'text', journal: false }, 'warn', 'vsm', 'one\ntwo', T))
      .toBe('2026-01-02T03:04:05.678Z warn vsm: one\n  two\n');
  });

  it('journal: the priority on every line, no time', () => {
    const f = { format: 'text' as const, journal: true };
    expect(formatEntry(f, 'error', 'vem[a]', 'failed', T)).toBe('<3>vem[a]: failed\n');
    expect(formatEntry(f, 'warn', 'vem[a]', 'x', T)).toBe('<4>vem[a]: x\n');
    expect(formatEntry(f, 'info', 'vem[a]', 'x\ny', T)).toBe('<6>vem[a]: x\n<6>  y\n');
    expect(formatEntry(f, 'debug', 'vem[a]', 'x', T)).toBe('<7>vem[a]: x\n');
  });

  it('json: one object a line (the priority before it under the journal)', () => {
    const line = formatEntry({ format: 'json', journal: false }, 'info', 'vsm', 'a "quoted"\nline', T);
    expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({ time: T.toISOString(), level: 'info', component: 'vsm', msg: 'a "quoted"\nline' });
    expect(formatEntry({ format: 'json', journal: true }, 'error', 'vsm', 'x', T)).toMatch(/^<3>\{"time":/);
  });
});

/** What a process writes through stderrLogger('t') to a file as its stderr, with `env`. */
function logOf(env: (stderr: { dev: bigint; ino: bigint }) => NodeJS.ProcessEnv, args: string[] = []): string {
  const file = join(dir, `stderr-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(file, 'w');
  try {
    const st = fstatSync(fd, { bigint: true });
    const script = `import { stderrLogger } from ${JSON.stringify(join(REPO, 'src/common/log.ts'))};
      const l = stderrLogger('t'); l.debug('d'); l.info('i'); l.warn('w'); l.error('e');`;
    const r = spawnSync('node', ['--import', 'tsx', '--input-type=module', '-e', script, ...args], {
      stdio: ['ignore', 'ignore', fd], env: { ...process.env, VXVEM_LOG: undefined, JOURNAL_STREAM: undefined, ...env(st) },
    });
    expect(r.status).toBe(0);
  } finally {
    closeSync(fd);
  }
  return readFileSync(file, 'utf8');
}

describe('stderrLogger in a process', () => {
  it('under the journal: priorities, no time', () => {
    expect(logOf((st) => ({ JOURNAL_STREAM: `${st.dev}:${st.ino}` }))).toBe('<6>t: i\n<4>t: w\n<3>t: e\n');
  });

  it('JOURNAL_STREAM naming another stream (stderr redirected since): plain text', () => {
    const out = logOf((st) => ({ JOURNAL_STREAM: `${st.dev}:${st.ino + 1n}` }));
    expect(out).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z info t: i\n\S+ warn t: w\n\S+ error t: e\n$/);
  });

  it('VXVEM_LOG sets the least level; an unknown one says so and logs from info', () => {
    expect(logOf(() => ({ VXVEM_LOG: 'debug' }))).toMatch(/ debug t: d\n.* info t: i\n/);
    expect(logOf(() => ({ VXVEM_LOG: 'error' }))).toMatch(/^\S+ error t: e\n$/);
    expect(logOf(() => ({ VXVEM_LOG: 'loud' }))).toMatch(/^\S+ warn t: VXVEM_LOG=loud is not a level \(debug, info, warn, error\): logging from info\n\S+ info t: i\n/);
  });
});

describe('the VSM log (--log-format json)', () => {
  const vsm = new VsmProcess();
  const addr = `unix:${join(dir, 'vsm.sock')}`;
  let admin: AdminClient;
  let neutron: number;
  const entries = (): { level: string; component: string; msg: string }[] =>
    vsm.log.split('\n').slice(0, -1).map((l) => JSON.parse(l) as { level: string; component: string; msg: string });

  beforeAll(async () => {
    neutron = await freePort();
    await vsm.start(['--listen', addr, '--data', join(dir, 'data'), '--metrics', 'off', '--neutron', String(neutron), '--log-format', 'json']);
    admin = new AdminClient(addr);
  });
  afterAll(async () => {
    admin?.close();
    await vsm.stop();
  });

  it('every line is a JSON object', () => {
    expect(entries().some((e) => e.level === 'info' && e.component === 'vsm' && /^data in /.test(e.msg))).toBe(true);
  });

  it('logs each admin write: what, by whom, from where, the request id; a refusal at info', async () => {
    await admin.createNetwork({ name: 'web', vni: 5000 });
    await admin.createNetwork({ name: 'again', vni: 5000 }).catch(() => undefined);
    await admin.listNetworks(); // a read: not logged
    const who = `${userInfo().username}@${hostname()}`;
    const writes = await until('two admin lines', () => entries().filter((e) => e.msg.startsWith('admin: ')), (l) => l.length >= 2);
    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatchObject({ level: 'info', component: 'vsm' });
    expect(writes[0]!.msg).toMatch(new RegExp(`^admin: create network web \\(VNI 5000, unicast\\) by ${who} from the local socket \\(request req-[0-9a-f-]{36}\\)$`));
    expect(writes[1]!.level).toBe('info');
    expect(writes[1]!.msg).toMatch(/^admin: create network again \(VNI 5000, unicast\) by .* \(request req-[0-9a-f-]{36}\) refused: VNI 5000 is used by network web$/);
    // Each call its own id.
    expect(new Set(writes.map((w) => /request (req-[0-9a-f-]+)/.exec(w.msg)![1])).size).toBe(2);
  });

  it('logs a host connecting and disconnecting', async () => {
    const vem = new VemClient(addr);
    try {
      await vem.register({ host: 'h7', vteps: [{ interface: 'up0', address: '192.0.2.7', prefixLength: 24, gateway: '' }], uplinkMtu: 1500, version: 'test' });
      const stop = vem.watch('h7', '0', () => undefined, () => undefined);
      await until('connected', () => entries().map((e) => e.msg), (m) => m.includes('host h7 connected from the local socket'));
      stop();
      await until('disconnected', () => entries().map((e) => e.msg), (m) => m.includes('host h7 disconnected (the local socket)'));
    } finally {
      vem.close();
    }
  });

  it('logs each Neutron write with its request id (the one the reply carries)', async () => {
    const r = await fetch(`http://127.0.0.1:${neutron}/v2.0/networks`, { method: 'POST', body: JSON.stringify({ network: { name: 'os-net' } }) });
    expect(r.status).toBe(201);
    const id = r.headers.get('x-openstack-request-id')!;
    const line = await until('the neutron line', () => entries().find((e) => e.msg.startsWith('neutron: ')), (e) => e !== undefined);
    expect(line!.msg).toMatch(new RegExp(`^neutron: POST /v2\\.0/networks -> 201 from 127\\.0\\.0\\.1:\\d+ \\(request ${id}\\)$`));
  });
});
