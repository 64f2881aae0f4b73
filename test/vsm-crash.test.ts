// Crash safety of the VSM's embedded store, with real faults: VSM processes killed with kill -9
// and started again with the same command, a second VSM on the same data directory, a small
// tmpfs that fills up in the middle of a journal append, and journal and snapshot files damaged
// by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AdminClient, VsmCallError } from '../proto/clients.js';
import { startTime } from '../src/vsm/data-lock.js';
import type { VsmState } from '../src/vsm/objects.js';
import { createSegment, deleteSegment, update } from '../src/vsm/rules.js';
import { StoreWriteError } from '../src/vsm/store-errors.js';
import { FileStore } from '../src/vsm/store.js';
import { REPO } from './helpers/bpf.js';
import { freePort } from './helpers/free-port.js';
import { VsmProcess } from './helpers/vsm-process.js';

const root = mkdtempSync(join(tmpdir(), 'vxvem-crash-'));
const procs: VsmProcess[] = [];
const clients: AdminClient[] = [];
const others: ChildProcess[] = [];
const mounts: string[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  for (const p of procs) await p.stop('SIGKILL');
  for (const o of others) o.kill('SIGKILL');
  for (const m of mounts) execFileSync('umount', [m]);
  rmSync(root, { recursive: true, force: true });
});

const client = (addr: string): AdminClient => {
  const c = new AdminClient(addr);
  clients.push(c);
  return c;
};

/** `vxvem ARGS` run to its end; a failure if it is still running at the deadline. */
function vxvem(args: string[], deadlineMs = 10_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`vxvem ${args.join(' ')} still running after ${deadlineMs} ms: ${stderr}`));
    }, deadlineMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Vsm { proc: VsmProcess; addr: string; sock: string; data: string; args: string[]; revision(): Promise<number> }

/** A VSM on `data` (default ROOT/NAME/data) listening on ROOT/NAME/vsm.sock, metrics on a free port: always the same command. */
async function vsmAt(name: string, o: { data?: string; extra?: string[] } = {}): Promise<Vsm> {
  mkdirSync(join(root, name));
  const sock = join(root, name, 'vsm.sock');
  const data = o.data ?? join(root, name, 'data');
  const metrics = await freePort();
  const proc = new VsmProcess();
  procs.push(proc);
  const revision = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
    return Number(/^vxvem_vsm_revision (\d+)$/m.exec(text)![1]);
  };
  return { proc, sock, data, addr: `unix:${sock}`, args: ['--listen', `unix:${sock}`, '--data', data, '--metrics', `127.0.0.1:${metrics}`, ...(o.extra ?? [])], revision };
}

const names = async (admin: AdminClient): Promise<string[]> => (await admin.listNetworks()).map((n) => n.name).sort();
const oneLine = (stderr: string): string => {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  return stderr.trimEnd();
};

describe('a VSM killed with kill -9', () => {
  it('restarts with the same command: the stale socket is removed and the state is there', async () => {
    const v = await vsmAt('restart');
    await v.proc.start(v.args);
    await client(v.addr).createNetwork({ name: 'web', vni: 5000 });
    await v.proc.stop('SIGKILL');
    expect(lstatSync(v.sock).isSocket()).toBe(true); // left on disk by the killed process
    await v.proc.start(v.args);
    expect(v.proc.log).toContain(`removed the stale socket ${v.addr} (nobody answered on it)`);
    expect(await names(client(v.addr))).toEqual(['web']);
  });

  it('refuses a socket that a live VSM answers on, and leaves that VSM alone', async () => {
    const v = await vsmAt('live');
    await v.proc.start(v.args);
    const r = await vxvem(['vsm', '--listen', v.addr, '--data', join(root, 'live', 'other'), '--metrics', 'off']);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`vxvem: cannot listen on ${v.addr}: another process answers there (a VSM already running?)`);
    expect(await names(client(v.addr))).toEqual([]); // still there, still answering
  });

  it('refuses a path that is not a socket and does not remove it', async () => {
    const v = await vsmAt('notsock');
    writeFileSync(v.sock, 'mine');
    const r = await vxvem(['vsm', ...v.args]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`vxvem: cannot listen on ${v.addr}: the file exists and is not a socket`);
    expect(readFileSync(v.sock, 'utf8')).toBe('mine');
  });
});

describe('one VSM per data directory', () => {
  it('a second VSM on the same --data exits 1 within 5 s naming the directory and the holder; kill -9 frees it', async () => {
    const v = await vsmAt('lock');
    await v.proc.start(v.args);
    const message = `vxvem: data directory ${v.data} is in use by another VSM (pid ${v.proc.pid}); one VSM per --data`;
    const second = await vxvem(['vsm', '--listen', `unix:${join(root, 'lock', 'second.sock')}`, '--data', v.data, '--metrics', 'off'], 5000);
    expect(second.code).toBe(1);
    expect(oneLine(second.stderr)).toBe(message);
    const recover = await vxvem(['vsm', '--data', v.data, '--recover'], 5000);
    expect([recover.code, oneLine(recover.stderr)]).toEqual([1, message]);
    // The kernel releases the lock with the process; the record it leaves names a dead pid.
    await v.proc.stop('SIGKILL');
    expect(JSON.parse(readFileSync(join(v.data, 'vsm.lock'), 'utf8'))).toMatchObject({ pid: v.proc.pid });
    await v.proc.start(v.args);
  });

  it('a lock record refuses the directory only while its pid runs with the recorded start time', async () => {
    const v = await vsmAt('record');
    mkdirSync(v.data);
    const holder = spawn('sleep', ['600']); // stands for a VSM in another network namespace
    others.push(holder);
    const pid = holder.pid!;
    const start = startTime(pid)!;
    const record = (s: string): void => writeFileSync(join(v.data, 'vsm.lock'),
      JSON.stringify({ pid, start: s, boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() }));
    record(start);
    const r = await vxvem(['vsm', ...v.args], 5000);
    expect([r.code, oneLine(r.stderr)]).toEqual([1, `vxvem: data directory ${v.data} is in use by another VSM (pid ${pid}); one VSM per --data`]);
    record(String(Number(start) + 1)); // the same pid, another process: a reused pid
    await v.proc.start(v.args);
  });
});

describe('a full disk (a small tmpfs)', () => {
  let fs = '';
  beforeAll(() => {
    fs = join(root, 'tmpfs');
    mkdirSync(fs);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'vxvem-test', fs]);
    mounts.push(fs);
  });
  /** Takes every free page; files keep the free room of their last page. */
  const fill = (): void => {
    const fd = openSync(join(fs, 'filler'), 'a');
    try {
      for (;;) writeSync(fd, Buffer.alloc(4096));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    } finally {
      closeSync(fd);
    }
  };
  const unfill = (): void => rmSync(join(fs, 'filler'));

  it('refuses the change that does not fit (gRPC, CLI, Neutron), leaves the journal as it was; acknowledged changes survive', async () => {
    const neutron = await freePort();
    const v = await vsmAt('full', { data: join(fs, 'data'), extra: ['--neutron', String(neutron)] });
    await v.proc.start(v.args);
    let admin = client(v.addr);
    const acked: string[] = [];
    for (let i = 0; i < 3; i++) acked.push((await admin.createNetwork({ name: `n${i}`, vni: 100 + i })).name);
    fill();
    const journal = join(v.data, 'journal.jsonl');
    let refused: VsmCallError | undefined;
    for (let i = 3; !refused && i < 1000; i++) {
      const before = readFileSync(journal);
      const r = await admin.createNetwork({ name: `n${i}`, vni: 100 + i }).catch((e: unknown) => e);
      if (!(r instanceof VsmCallError)) acked.push(`n${i}`);
      else {
        refused = r;
        expect(readFileSync(journal)).toEqual(before); // the partial line was cut off
      }
    }
    expect(refused?.code).toBe(grpc.status.UNAVAILABLE);
    expect(refused?.message).toMatch(`change not saved, the store stays at revision ${acked.length}: append to ${journal} failed (ENOSPC`);
    expect(await v.revision()).toBe(acked.length);

    const cli = await vxvem(['net', 'create', 'by-cli', '--vni', '4000', '--vsm', v.addr]);
    expect(cli.code).toBe(1);
    expect(oneLine(cli.stderr)).toMatch(/^vxvem: change not saved, the store stays at revision \d+: .*ENOSPC/);
    const res = await fetch(`http://127.0.0.1:${neutron}/v2.0/networks`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ network: { name: 'by-neutron' } }),
    });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { NeutronError: object }).NeutronError).toMatchObject({ type: 'HTTPInternalServerError', message: expect.stringContaining('ENOSPC') });
    expect(await v.revision()).toBe(acked.length);

    unfill();
    acked.push((await admin.createNetwork({ name: 'after', vni: 3000 })).name);
    expect(await v.revision()).toBe(acked.length);
    await v.proc.stop('SIGKILL');
    await v.proc.start(v.args);
    admin = client(v.addr);
    expect(await names(admin)).toEqual([...acked].sort());
    expect(await v.revision()).toBe(acked.length);
  });

  it('in the store: a snapshot that does not fit is refused, a compaction that does not fit is tried again later', () => {
    const d = join(fs, 'store');
    const store = new FileStore(d, 2);
    const seg = (s: VsmState, name: string, vni: number): VsmState => update(s, (x) => createSegment(x, { name, vni, mode: 'unicast' }));
    const s0 = store.load();
    const s1 = seg(s0, 'a', 1);
    store.save(s1, s0);
    const s2 = seg(s1, 'b', 2);
    fill();
    try {
      store.save(s2, s1); // the line fits in the journal's last page; the compaction's snapshot does not
      expect(readdirSync(d)).toEqual(['journal.jsonl']);
      expect(new FileStore(d).load()).toEqual(s2);
      const err = (() => {
        try {
          store.save(update(s2, (x) => deleteSegment(x, 'a')));
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(StoreWriteError);
      expect((err as Error).message).toMatch(`change not saved, the store stays at revision 2: write ${join(d, 'state.json')} failed (ENOSPC`);
      expect(readdirSync(d)).toEqual(['journal.jsonl']);
      expect(new FileStore(d).load()).toEqual(s2);
    } finally {
      unfill();
    }
    const s3 = seg(s2, 'c', 3);
    store.save(s3, s2); // journaled, then the compaction goes through
    expect(readFileSync(join(d, 'journal.jsonl'), 'utf8')).toBe('');
    expect(new FileStore(d).load()).toEqual(s3);
  });
});

describe('kill -9 during a churn of creates', () => {
  it('every acknowledged change survives the restart, and nothing that was not asked for appears', async () => {
    const v = await vsmAt('churn');
    const acked = new Set<string>();
    const asked = new Set<string>();
    let n = 0;
    for (let round = 0; round < 3; round++) {
      await v.proc.start(v.args);
      const admin = client(v.addr);
      const target = acked.size + 150;
      let killed: Promise<void> | undefined;
      const worker = async (): Promise<void> => {
        while (!killed) {
          const i = n++;
          asked.add(`c${i}`);
          try {
            await admin.createNetwork({ name: `c${i}`, vni: 1000 + i });
          } catch {
            return; // killed under it
          }
          acked.add(`c${i}`);
          if (acked.size >= target) killed ??= v.proc.stop('SIGKILL');
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      await killed;
    }
    await v.proc.start(v.args);
    const present = await names(client(v.addr));
    expect([...acked].filter((a) => !present.includes(a))).toEqual([]);
    expect(present.filter((p) => !asked.has(p))).toEqual([]);
    expect(await v.revision()).toBe(present.length); // one revision per create: none lost, none twice
  });
});

describe('damaged files', () => {
  let v: Vsm;
  let journal = '';
  let snapshot = '';
  const create = async (from: number, to: number): Promise<void> => {
    const admin = client(v.addr);
    for (let i = from; i <= to; i++) await admin.createNetwork({ name: `d${String(i).padStart(2, '0')}`, vni: 2000 + i });
  };
  const expected = (upTo: number): string[] => Array.from({ length: upTo }, (_, i) => `d${String(i + 1).padStart(2, '0')}`);
  const refused = async (args: string[]): Promise<string> => {
    const r = await vxvem(args);
    expect(r.code).toBe(1);
    return oneLine(r.stderr);
  };

  beforeAll(async () => {
    v = await vsmAt('damaged');
    journal = join(v.data, 'journal.jsonl');
    snapshot = join(v.data, 'state.json');
  });

  it('a torn last line is folded silently', async () => {
    await v.proc.start(v.args);
    await create(1, 6);
    await v.proc.stop();
    appendFileSync(journal, '{"revision":7,"segmentation":tr');
    await v.proc.start(v.args);
    expect(await names(client(v.addr))).toEqual(expected(6));
    expect(readFileSync(journal, 'utf8')).toBe('');
    await create(7, 12);
    await v.proc.stop();
  });

  it('a bad line that is not the last refuses the start, naming file and line; the files stay as they are', async () => {
    const good = readFileSync(journal, 'utf8').split('\n');
    expect(good).toHaveLength(7); // revisions 7..12 and the final newline
    writeFileSync(journal, [...good.slice(0, 3), good[4], good[3], ...good.slice(5)].join('\n'));
    expect(await refused(['vsm', ...v.args])).toBe(`vxvem: ${journal} line 4 is damaged (revision 11 where 10 was expected); `
      + `\`vxvem vsm --data ${v.data} --recover\` keeps the 3 change(s) before it (revision 9) and drops 3`);
    const damaged = [...good.slice(0, 2), '{"revision":9,"segmentation":true,"set":{"segments":{"d09"', ...good.slice(3)].join('\n');
    writeFileSync(journal, damaged);
    expect(await refused(['vsm', ...v.args])).toMatch(new RegExp(`^vxvem: ${journal} line 3 is damaged \\(not JSON: .*\\); .*keeps the 2 change\\(s\\) before it \\(revision 8\\) and drops 4$`));
    expect(readFileSync(journal, 'utf8')).toBe(damaged);
  });

  it('--recover keeps everything up to the last good change and says how many it dropped', async () => {
    const damaged = readFileSync(journal, 'utf8');
    const r = await vxvem(['vsm', '--data', v.data, '--recover']);
    expect(r.code).toBe(0);
    const copy = readdirSync(v.data).find((f) => f.startsWith('journal.jsonl.damaged-'))!;
    expect(r.stdout).toMatch(new RegExp(`^${v.data}: ${journal} line 3 was damaged \\(not JSON: .*\\); kept 2 change\\(s\\) up to revision 8, dropped 4 change\\(s\\); the damaged journal is kept as ${join(v.data, copy)}\\n$`));
    expect(readFileSync(join(v.data, copy), 'utf8')).toBe(damaged);
    await v.proc.start(v.args);
    expect(await names(client(v.addr))).toEqual(expected(8));
    expect(await v.revision()).toBe(8);
    await v.proc.stop();
    const again = await vxvem(['vsm', '--data', v.data, '--recover']);
    expect([again.code, again.stdout]).toEqual([0, `${v.data}: nothing damaged; 0 journal change(s), revision 8\n`]);
  });

  it('a damaged or unreadable state.json refuses the start and cannot be recovered from the journal', async () => {
    const text = readFileSync(snapshot, 'utf8');
    writeFileSync(snapshot, `${text.slice(0, 40)}\0${text.slice(41)}`); // a byte gone bad
    expect(await refused(['vsm', ...v.args])).toMatch(`vxvem: ${snapshot} line 1 column 41 is damaged (not JSON: `);
    expect(await refused(['vsm', '--data', v.data, '--recover'])).toMatch(/line 1 column 41 .*--recover cannot rebuild it: restore it from a backup$/);
    writeFileSync(snapshot, `${text.slice(0, text.indexOf(',') + 1)}\n`); // cut short after a line end
    expect(await refused(['vsm', ...v.args])).toMatch(`vxvem: ${snapshot} line 2 column 1 is damaged (not JSON: `);
    expect(text).toContain('"revision":8,');
    writeFileSync(snapshot, text.replace('"revision":8,', '"revision":"8",'));
    expect(await refused(['vsm', ...v.args])).toBe(`vxvem: ${snapshot} line 1 is damaged (not a VSM state: revision or tables missing); `
      + 'the journal holds only the changes since it, so --recover cannot rebuild it: restore it from a backup');
    rmSync(snapshot);
    mkdirSync(snapshot);
    expect(await refused(['vsm', ...v.args])).toMatch(`vxvem: ${snapshot} cannot be read (EISDIR`);
    rmSync(snapshot, { recursive: true });
    writeFileSync(snapshot, text);
    await v.proc.start(v.args);
    expect(await v.revision()).toBe(8);
  });
});
