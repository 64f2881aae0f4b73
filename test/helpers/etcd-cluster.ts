// An etcd cluster of N members on loopback for tests and benchmarks (Debian's etcd-server):
// each member on two free ports, its data in a temporary directory; members can be killed
// (SIGKILL) and started again on their data. Short raft timings so that failures are noticed
// within a second (and leases can be 1 s).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

interface Member {
  name: string;
  client: number;
  peer: number;
  proc?: ChildProcess;
  log: string;
}

export class EtcdCluster {
  private readonly dir = mkdtempSync(join(tmpdir(), 'vxvem-etcd-'));
  private constructor(private readonly members: Member[], private readonly extra: string[]) {}

  /** Starts `size` members and resolves once each serves clients. `extra` flags go to every member. */
  static async start(size = 3, extra: string[] = []): Promise<EtcdCluster> {
    const members: Member[] = [];
    for (let i = 1; i <= size; i++) members.push({ name: `e${i}`, client: await freePort(), peer: await freePort(), log: '' });
    const c = new EtcdCluster(members, extra);
    await Promise.all(members.map((_, i) => c.startMember(i)));
    return c;
  }

  /** `etcd://127.0.0.1:P,...`: what `vxvem vsm --store` takes. */
  get url(): string {
    return `etcd://${this.members.map((m) => `127.0.0.1:${m.client}`).join(',')}`;
  }

  get size(): number {
    return this.members.length;
  }

  /** Starts member `i` (0-based) on its data directory: a new member, or one that was killed. */
  startMember(i: number): Promise<void> {
    const m = this.members[i]!;
    const cluster = this.members.map((x) => `${x.name}=http://127.0.0.1:${x.peer}`).join(',');
    const proc = spawn('etcd', [
      '--name', m.name, '--data-dir', join(this.dir, m.name),
      '--listen-client-urls', `http://127.0.0.1:${m.client}`, '--advertise-client-urls', `http://127.0.0.1:${m.client}`,
      '--listen-peer-urls', `http://127.0.0.1:${m.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peer}`,
      '--initial-cluster', cluster, '--initial-cluster-state', 'new', '--initial-cluster-token', this.dir,
      '--heartbeat-interval', '50', '--election-timeout', '500', ...this.extra,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    m.proc = proc;
    m.log = '';
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`etcd ${m.name} did not start:\n${m.log}`)), 20_000);
      proc.stderr!.on('data', (d: Buffer) => {
        m.log = (m.log + d.toString()).slice(-20_000);
        if (m.log.includes('ready to serve client requests')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`etcd ${m.name} exited ${code}:\n${m.log}`));
      });
    }).then(() => void proc.removeAllListeners('exit'));
  }

  /** SIGKILL of member `i`: no goodbye to its peers. */
  async kill(i: number): Promise<void> {
    const p = this.members[i]!.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await done;
  }

  async destroy(): Promise<void> {
    for (let i = 0; i < this.members.length; i++) await this.kill(i);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
