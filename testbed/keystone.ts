// Debian's Keystone (package `keystone`) for tests and the Tempest run: bootstrapped under a temporary directory
// with its own keystone.conf (SQLite in write-ahead-log mode, fernet tokens) and served by uwsgi
// on loopback, one process with one thread (SQLite allows one writer). `http11-socket` with
// `Connection: close`: uwsgi's plain http-socket resets connections clients reuse, which breaks
// the openstack CLI. The `openstack` CLI drives it as an operator would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Credentials { user: string; password: string; project: string }

/** A TCP port on 127.0.0.1 that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A JSON POST on a connection of its own (uwsgi closes each one): status, X-Subject-Token, body. */
function postJson(url: string, body: unknown): Promise<{ status: number; token: string; text: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', accept: 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, token: String(res.headers['x-subject-token'] ?? ''), text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

export class KeystoneServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'vxvem-keystone-'));
  private proc?: ChildProcess;
  /** Keystone's endpoint (auth_url), without /v3. */
  url = '';
  readonly admin: Credentials = { user: 'admin', password: 'admin-secret', project: 'admin' };

  private manage(...args: string[]): void {
    const r = spawnSync('keystone-manage', ['--config-file', join(this.dir, 'keystone.conf'), ...args], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`keystone-manage ${args[0]}: ${r.status} ${r.stderr.slice(-2000)}`);
  }

  /** Bootstraps and serves; resolves once a token can be had (the app loads well after uwsgi listens). */
  async start(ms = 120_000): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const d = this.dir;
    for (const sub of ['fernet-keys', 'credential-keys']) mkdirSync(join(d, sub));
    writeFileSync(join(d, 'keystone.conf'), [
      '[DEFAULT]', 'use_stderr = true',
      '[database]', `connection = sqlite:///${join(d, 'keystone.db')}`,
      '[token]', 'provider = fernet', 'expiration = 3600',
      '[fernet_tokens]', `key_repository = ${join(d, 'fernet-keys')}`,
      '[fernet_receipts]', `key_repository = ${join(d, 'fernet-keys')}`,
      '[credential]', `key_repository = ${join(d, 'credential-keys')}`, '',
    ].join('\n'));
    this.manage('db_sync');
    this.manage('fernet_setup', '--keystone-user', 'root', '--keystone-group', 'root');
    this.manage('credential_setup', '--keystone-user', 'root', '--keystone-group', 'root');
    this.manage('bootstrap', '--bootstrap-password', this.admin.password, '--bootstrap-username', this.admin.user,
      '--bootstrap-project-name', this.admin.project, '--bootstrap-role-name', 'admin', '--bootstrap-service-name', 'keystone',
      '--bootstrap-region-id', 'RegionOne', '--bootstrap-public-url', `${this.url}/v3`);
    const wal = spawnSync('sqlite3', [join(d, 'keystone.db'), 'PRAGMA journal_mode=WAL;'], { encoding: 'utf8' });
    if (wal.stdout.trim() !== 'wal') throw new Error(`sqlite3 WAL: ${wal.stdout}${wal.stderr}`);
    writeFileSync(join(d, 'uwsgi.ini'), [
      '[uwsgi]', 'plugins = python3', `http11-socket = 127.0.0.1:${port}`, 'add-header = Connection: close',
      'wsgi-file = /usr/bin/keystone-wsgi-public', 'processes = 1', 'threads = 1', 'master = true', 'die-on-term = true',
      'buffer-size = 65535', `env = OS_KEYSTONE_CONFIG_FILES=${join(d, 'keystone.conf')}`,
      // To a file: a pipe would fill while the tests block in the CLI (spawnSync), and stop uwsgi.
      `logto = ${join(d, 'uwsgi.log')}`, '',
    ].join('\n'));
    const proc = spawn('uwsgi', ['--ini', join(d, 'uwsgi.ini')], { stdio: 'ignore' });
    this.proc = proc;
    const end = Date.now() + ms;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`uwsgi exited ${proc.exitCode}: ${this.log().slice(-3000)}`);
      if (await this.issue(this.admin).catch(() => undefined)) return;
      if (Date.now() > end) throw new Error(`Keystone did not answer in ${ms} ms: ${this.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** What uwsgi and Keystone logged. */
  log(): string {
    const f = join(this.dir, 'uwsgi.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** A project-scoped token for `c` (password authentication), as keystoneauth gets one. */
  async issue(c: Credentials): Promise<string> {
    const r = await postJson(`${this.url}/v3/auth/tokens`, { auth: {
      identity: { methods: ['password'], password: { user: { name: c.user, password: c.password, domain: { name: 'Default' } } } },
      scope: { project: { name: c.project, domain: { name: 'Default' } } },
    } });
    if (r.status !== 201) throw new Error(`token for ${c.user}: ${r.status} ${r.text}`);
    return r.token;
  }

  /** The CLI's environment for `c`. */
  env(c: Credentials): NodeJS.ProcessEnv {
    return {
      ...process.env, OS_AUTH_URL: `${this.url}/v3`, OS_IDENTITY_API_VERSION: '3', OS_USERNAME: c.user, OS_PASSWORD: c.password,
      OS_PROJECT_NAME: c.project, OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default', OS_REGION_NAME: 'RegionOne',
    };
  }

  /** `openstack ARGS` as `c` (the admin by default). */
  openstack(args: string[], c: Credentials = this.admin): { status: number | null; out: string; err: string } {
    const r = spawnSync('openstack', args, { encoding: 'utf8', env: this.env(c), timeout: 120_000 });
    return { status: r.status, out: r.stdout, err: r.stderr };
  }

  /** `openstack ARGS -f json` as `c`, parsed; throws with the CLI's error when it fails. */
  os<T = Record<string, unknown>>(args: string[], c: Credentials = this.admin): T {
    const r = this.openstack([...args, '-f', 'json'], c);
    if (r.status !== 0) throw new Error(`openstack ${args.join(' ')} as ${c.user}: ${r.err}`);
    return JSON.parse(r.out) as T;
  }

  /** A project, and a user with `role` in it. */
  addUser(c: Credentials, role = 'member'): void {
    if (this.openstack(['project', 'show', c.project]).status !== 0) this.os(['project', 'create', '--domain', 'default', c.project]);
    this.os(['user', 'create', '--domain', 'default', '--password', c.password, c.user]);
    const r = this.openstack(['role', 'add', '--project', c.project, '--user', c.user, role]);
    if (r.status !== 0) throw new Error(`role add: ${r.err}`);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      const done = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await done;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
