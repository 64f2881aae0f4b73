// A lab guest's serial console, reached over the unix socket QEMU serves it on, so that any later
// command (status, the demo, a test) can drive a guest that `lab up` started. The guest's init
// (scripts/guest-image.ts) runs one shell command per line "ID COMMAND" and frames its output
// with "vx-begin ID" and "vx-end ID STATUS"; ids here start from the clock, so that the output of
// an earlier client's commands, still arriving, is never taken for ours.
import { createConnection, type Socket } from 'node:net';

export class ConsoleError extends Error {
  override name = 'ConsoleError';
}

export interface ConsoleResult {
  status: number;
  output: string;
}

export class GuestConsole {
  private text = '';
  private next = Date.now() % 1_000_000_000;
  private readonly pending = new Map<number, (r: ConsoleResult) => void>();
  private closed = false;

  private constructor(private readonly sock: Socket, readonly path: string) {
    sock.on('data', (d: Buffer) => this.feed(d.toString('latin1')));
    sock.on('close', () => (this.closed = true));
    sock.on('error', () => undefined); // reported by the next run() as a closed console
  }

  static open(path: string, timeoutMs = 5_000): Promise<GuestConsole> {
    return new Promise((resolve, reject) => {
      const sock = createConnection(path);
      const timer = setTimeout(() => (sock.destroy(), reject(new ConsoleError(`console ${path}: no connection within ${timeoutMs} ms`))), timeoutMs);
      sock.once('connect', () => (clearTimeout(timer), resolve(new GuestConsole(sock, path))));
      sock.once('error', (e) => (clearTimeout(timer), reject(new ConsoleError(`console ${path}: ${e.message}`))));
    });
  }

  /** Completed output blocks are cut out of the text; everything else (boot messages) is dropped. */
  private feed(chunk: string): void {
    this.text += chunk.replace(/\r/g, '');
    for (;;) {
      const end = /(?:^|\n)(.*)vx-end (\d+) (\d+)\n/.exec(this.text);
      if (!end) break;
      const id = Number(end[2]);
      const begin = this.text.lastIndexOf(`vx-begin ${id}\n`, end.index + 1);
      const body = begin < 0 ? '' : this.text.slice(begin + `vx-begin ${id}\n`.length, end.index + (end[0].startsWith('\n') ? 1 : 0));
      this.text = this.text.slice(end.index + end[0].length);
      this.pending.get(id)?.({ status: Number(end[3]), output: body + end[1]! });
      this.pending.delete(id);
    }
    if (this.text.length > 1 << 20) this.text = this.text.slice(-4096);
  }

  /** Runs one shell command line in the guest; commands run one at a time, in order. */
  run(cmd: string, timeoutMs = 30_000): Promise<ConsoleResult> {
    if (cmd.includes('\n')) throw new ConsoleError('a guest command is one line');
    if (this.closed) return Promise.reject(new ConsoleError(`console ${this.path} is closed`));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ConsoleError(`console ${this.path}: \`${cmd}\` did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (r) => (clearTimeout(timer), resolve(r)));
      this.sock.write(`${id} ${cmd}\n`);
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Opens the console, runs `fn` with it, and closes it. */
export async function withConsole<T>(path: string, fn: (c: GuestConsole) => Promise<T>): Promise<T> {
  const c = await GuestConsole.open(path);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}
