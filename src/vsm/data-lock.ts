// One VSM per data directory, for the life of the process.
//
// Node has no flock(), and a pid file alone is weak: after kill -9 the file stays, pids are reused,
// and two VSMs that both find a stale file can both take it over. The lock is therefore a
// listening unix socket in the abstract namespace, named after the directory's device and inode:
// bind() is atomic, the kernel releases the name when the process dies however it dies, and
// nothing is left on disk. The holder answers a connection with its pid, so a second VSM can
// name it. Abstract names are per network namespace, so DIR/vsm.lock also records the holder
// (pid, start time from /proc/PID/stat, boot id): a record naming a process that still runs with
// that start time refuses the directory too (a VSM started in another network namespace); a
// dead or reused pid does not.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';

export class DataLockError extends Error {
  override readonly name = 'DataLockError';
  constructor(readonly dir: string, readonly pid: number | undefined) {
    super(`data directory ${dir} is in use by another VSM (pid ${pid ?? 'unknown'}); one VSM per --data`);
  }
}

interface Holder { pid: number; start: string; boot: string }

const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot); undefined if gone or a zombie. */
export function startTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return Number.isSafeInteger(h.pid) && typeof h.start === 'string' && typeof h.boot === 'string' ? (h as Holder) : undefined;
  } catch {
    return undefined; // missing or unreadable: nobody to name
  }
}

const running = (h: Holder): boolean => h.boot === bootId() && startTime(h.pid) === h.start;

/** Asks the holder of the abstract name for its pid (undefined if it does not say within 2 s). */
function askPid(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const c = createConnection({ path: name });
    const done = (): void => {
      clearTimeout(timer);
      c.destroy();
      resolve(/^\d+\n/.test(text) ? Number.parseInt(text, 10) : undefined);
    };
    const timer = setTimeout(done, 2000);
    c.on('data', (d: Buffer) => (text += d.toString()));
    c.on('end', done);
    c.on('error', done);
  });
}

export class DataLock {
  private constructor(private readonly server: Server, private readonly file: string, private readonly me: Holder) {}

  /** Takes DIR's lock or throws DataLockError naming the holder. DIR must exist. */
  static async acquire(dir: string): Promise<DataLock> {
    const st = statSync(dir);
    const name = `\0vxvem-vsm-data:${st.dev}:${st.ino}`;
    const file = join(dir, 'vsm.lock');
    const server = createServer((c) => c.end(`${process.pid}\n`));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ path: name }, () => resolve());
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      throw new DataLockError(dir, (await askPid(name)) ?? readHolder(file)?.pid);
    }
    server.unref();
    const me: Holder = { pid: process.pid, start: startTime(process.pid) ?? '', boot: bootId() };
    const other = readHolder(file);
    if (other && other.pid !== me.pid && running(other)) {
      server.close();
      throw new DataLockError(dir, other.pid);
    }
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(me));
      renameSync(`${file}.tmp`, file);
    } catch {
      // The record only adds the other-namespace check: a full disk must not stop the VSM here.
      rmSync(`${file}.tmp`, { force: true });
    }
    return new DataLock(server, file, me);
  }

  release(): void {
    this.server.close();
    const h = readHolder(this.file);
    try {
      if (h?.pid === this.me.pid && h.start === this.me.start) rmSync(this.file, { force: true });
    } catch {
      // a record left behind names a dead process: the next VSM ignores it
    }
  }
}
