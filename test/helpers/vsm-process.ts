// A `vxvem vsm` process for integration tests: started, its log collected, stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './bpf.js';

export class VsmProcess {
  private proc?: ChildProcess;
  /** Everything the VSM wrote to stderr since the last start(). */
  log = '';

  /**
   * Starts `vxvem vsm ARGS` (inside network namespace `netns` when given) and resolves once it
   * reports its data directory or store (fully up).
   */
  async start(args: string[], o: { netns?: string } = {}): Promise<void> {
    this.log = '';
    const argv = ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'vsm', ...args];
    // nsenter execs node in the namespace: the pid stays the VSM's.
    const proc = o.netns ? spawn('nsenter', [`--net=/run/netns/${o.netns}`, 'node', ...argv], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn('node', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      proc.stderr!.on('data', (d: Buffer) => /data in|store etcd/.test(this.log += d.toString()) && resolve());
      proc.once('exit', () => reject(new Error(this.log)));
    });
    proc.removeAllListeners('exit');
  }

  /** The running process's pid (undefined before start). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** SIGTERM (a clean stop) or SIGKILL (a crash: nothing is cleaned up); resolves once it has exited. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const done = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await done;
  }
}
