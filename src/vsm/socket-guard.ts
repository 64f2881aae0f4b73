// Before binding a unix socket: a socket file left by a process that died (kill -9 leaves it on
// disk, and bind() then fails with EADDRINUSE) is removed; one that a live process answers on is
// never touched. Stale means that connect() is refused.
import { lstatSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';

export class SocketInUseError extends Error {
  override readonly name = 'SocketInUseError';
  constructor(readonly path: string, why: string) {
    super(`cannot listen on unix:${path}: ${why}`);
  }
}

/** 'stale' when nobody listens, 'gone' when the file vanished, else the live answer or the error code. */
function probe(path: string): Promise<string> {
  return new Promise((resolve) => {
    const c = createConnection({ path });
    // A listener whose backlog is full does not answer at once: that is a live one too.
    const timer = setTimeout(() => finish('no answer within 2 s'), 2000);
    const finish = (r: string): void => {
      clearTimeout(timer);
      c.destroy();
      resolve(r);
    };
    c.on('connect', () => finish('live'));
    c.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNREFUSED' ? 'stale' : e.code === 'ENOENT' ? 'gone' : e.code ?? e.message));
  });
}

/** Makes `path` free to bind; returns true when a stale socket was removed. Throws SocketInUseError otherwise. */
export async function clearStaleSocket(path: string): Promise<boolean> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new SocketInUseError(path, (e as Error).message);
  }
  if (!isSocket) throw new SocketInUseError(path, 'the file exists and is not a socket');
  const r = await probe(path);
  if (r === 'gone') return false;
  if (r === 'live') throw new SocketInUseError(path, 'another process answers there (a VSM already running?)');
  if (r !== 'stale') throw new SocketInUseError(path, `cannot tell whether it is in use (${r})`);
  unlinkSync(path);
  return true;
}
