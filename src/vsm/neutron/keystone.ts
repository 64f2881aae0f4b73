// Keystone v3 for the Neutron API, as keystonemiddleware does it for Neutron: the VSM's own
// service user (the [keystone_authtoken] section of a neutron.conf-style file) gets a token,
// and with it every request's X-Auth-Token is validated (GET /v3/auth/tokens), the answer
// cached until the token expires (at most 5 minutes, keystonemiddleware's token_cache_time, so
// that a revoked token stops working). The service token also authenticates the VSM to Nova.
import { readFileSync } from 'node:fs';
import type { RequestContext } from './context.js';
import type { TokenSource } from './nova-notifier.js';

export interface KeystoneConfig {
  /** Keystone's endpoint, without /v3. */
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
  /** Named in WWW-Authenticate of a 401 (www_authenticate_uri, default auth_url). */
  wwwAuthenticateUri: string;
}

export class KeystoneConfigError extends Error {
  override readonly name = 'KeystoneConfigError';
}

/** Keystone cannot be reached or answers what it should not: requests get 503 meanwhile. */
export class KeystoneUnavailableError extends Error {
  override readonly name = 'KeystoneUnavailableError';
}

/** The `[keystone_authtoken]` section of an INI file (key = value, # and ; comments). */
export function parseKeystoneConfig(text: string, file: string): KeystoneConfig {
  const section: Record<string, string> = {};
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      current = head[1]!.trim();
      continue;
    }
    const eq = line.indexOf('=');
    if (current === 'keystone_authtoken' && eq > 0) section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  const need = (k: string): string => {
    if (!section[k]) throw new KeystoneConfigError(`${file}: [keystone_authtoken] has no ${k}`);
    return section[k]!;
  };
  const authUrl = need('auth_url').replace(/\/+$/, '').replace(/\/v3$/, '');
  if (!/^https?:\/\/[^/]+/.test(authUrl)) throw new KeystoneConfigError(`${file}: auth_url ${JSON.stringify(section.auth_url)} is not an http(s) URL`);
  return {
    authUrl, username: need('username'), password: need('password'), projectName: need('project_name'),
    userDomainName: section.user_domain_name || 'Default', projectDomainName: section.project_domain_name || 'Default',
    wwwAuthenticateUri: section.www_authenticate_uri || section.auth_uri || authUrl,
  };
}

export function readKeystoneConfig(file: string): KeystoneConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KeystoneConfigError(`${file}: ${(e as Error).message}`);
  }
  return parseKeystoneConfig(text, file);
}

const CACHE_MS = 5 * 60_000;
const CACHE_ENTRIES = 10_000;
/** A service token this close to its expiry is replaced before use. */
const RENEW_MS = 60_000;

interface KeystoneToken {
  expires_at?: string;
  project?: { id?: string };
  user?: { id?: string };
  roles?: { name?: string }[];
}

export class Keystone implements TokenSource {
  private service?: { token: string; expiresMs: number };
  private pendingService?: Promise<string>;
  private readonly cache = new Map<string, { ctx: RequestContext; untilMs: number }>();

  constructor(readonly config: KeystoneConfig, private readonly timeoutMs = 10_000) {}

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.config.authUrl}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new KeystoneUnavailableError(`Keystone at ${this.config.authUrl} cannot be reached: ${(e as Error).message}`);
    }
  }

  /** The service user's token (password authentication, scoped to its project), renewed before it expires. */
  token(): Promise<string> {
    if (this.service && this.service.expiresMs - RENEW_MS > Date.now()) return Promise.resolve(this.service.token);
    this.pendingService ??= this.authenticate().finally(() => (this.pendingService = undefined));
    return this.pendingService;
  }

  invalidate(): void {
    this.service = undefined;
  }

  private async authenticate(): Promise<string> {
    const c = this.config;
    const r = await this.fetch('/v3/auth/tokens', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: { name: c.username, password: c.password, domain: { name: c.userDomainName } } } },
        scope: { project: { name: c.projectName, domain: { name: c.projectDomainName } } },
      } }),
    });
    const token = r.headers.get('x-subject-token');
    if (r.status !== 201 || !token) {
      throw new KeystoneUnavailableError(`Keystone refused the service user ${c.username} (project ${c.projectName}): HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
    }
    const body = (await r.json()) as { token?: KeystoneToken };
    this.service = { token, expiresMs: Date.parse(body.token?.expires_at ?? '') || Date.now() + CACHE_MS };
    return token;
  }

  /** Who `token` is (its project, user and roles), or undefined when Keystone does not know it (expired, revoked, made up). */
  async validate(token: string): Promise<RequestContext | undefined> {
    const hit = this.cache.get(token);
    if (hit && hit.untilMs > Date.now()) return hit.ctx;
    if (hit) this.cache.delete(token);
    for (let attempt = 0; ; attempt++) {
      const r = await this.fetch('/v3/auth/tokens', { method: 'GET', headers: { 'x-auth-token': await this.token(), 'x-subject-token': token } });
      if (r.status === 401 && attempt === 0) {
        this.invalidate(); // the service token itself expired or was revoked
        continue;
      }
      if (r.status === 404 || r.status === 401) return undefined;
      if (r.status !== 200) throw new KeystoneUnavailableError(`Keystone could not validate a token: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
      const t = ((await r.json()) as { token?: KeystoneToken }).token ?? {};
      const roles = (t.roles ?? []).map((x) => String(x.name ?? ''));
      const ctx: RequestContext = { projectId: t.project?.id ?? '', userId: t.user?.id ?? '', roles, isAdmin: roles.includes('admin') };
      const expires = Date.parse(t.expires_at ?? '') || Date.now();
      this.remember(token, ctx, Math.min(expires, Date.now() + CACHE_MS));
      return ctx;
    }
  }

  private remember(token: string, ctx: RequestContext, untilMs: number): void {
    if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!); // the oldest
    this.cache.set(token, { ctx, untilMs });
  }
}
