// The VSM under test: `vxvem vsm` with its Neutron API on loopback behind Keystone, its own
// listener on a unix socket and its data in the run's directory; its log kept in a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/common/package.js';
import type { Credentials } from '../../testbed/keystone.js';

export class VsmRun {
  private proc?: ChildProcess;
  readonly logFile: string;

  constructor(private readonly dir: string) {
    this.logFile = join(dir, 'vsm.log');
  }

  /** Starts the VSM with Neutron on 127.0.0.1:`port`, tokens checked by Keystone at `keystoneUrl` as `service`. */
  async start(port: number, keystoneUrl: string, service: Credentials): Promise<void> {
    const conf = join(this.dir, 'neutron.conf');
    writeFileSync(conf, [
      '[keystone_authtoken]', `www_authenticate_uri = ${keystoneUrl}`, `auth_url = ${keystoneUrl}/v3`, 'auth_type = password',
      'user_domain_name = Default', 'project_domain_name = Default', `project_name = ${service.project}`,
      `username = ${service.user}`, `password = ${service.password}`, '',
    ].join('\n'));
    const argv = ['--import', 'tsx', join(packageRoot(), 'src/cli/main.ts'), 'vsm', '--listen', `unix:${join(this.dir, 'vsm.sock')}`,
      '--data', join(this.dir, 'data'), '--metrics', 'off', '--neutron', `127.0.0.1:${port}`, '--keystone-config', conf];
    const proc = spawn('node', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    const log = createWriteStream(this.logFile);
    let head = '';
    await new Promise<void>((resolve, reject) => {
      proc.stderr!.on('data', (d: Buffer) => {
        log.write(d);
        if (head.length < 1 << 16 && /Neutron API on/.test(head += d.toString())) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`vxvem vsm exited ${code}: ${head.slice(-2000)}`)));
    });
    proc.removeAllListeners('exit');
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await done;
  }
}
