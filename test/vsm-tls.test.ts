// The control plane attacked as someone on the VSM's network would, with the VSM as a process on
// loopback: mutual TLS with certificates of `vxvem ca`, every call checked against the peer's
// certificate, plaintext TCP refused unless asked for, the unix socket owner-only, and host
// identity (a VTEP belongs to one host; `host delete`). With real VEMs: integration-tls.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, VemClient, VsmCallError } from '../proto/clients.js';
import { VSM_SERVER_NAME, notAVsm, type TlsCreds } from '../proto/credentials.js';
import { protocol, type RegisterRequest } from '../proto/index.js';
import { TlsSetupError, identityOf, loadTls } from '../src/common/tls.js';
import { hostRefusal, roleRefusal } from '../src/vsm/authz.js';
import { ListenRefusedError } from '../src/vsm/listen-security.js';
import { VsmServer } from '../src/vsm/server.js';
import { FileStore } from '../src/vsm/store.js';
import { freePort } from './helpers/free-port.js';
import { creds, makePki, vxvem } from './helpers/pki.js';
import { until } from './helpers/until.js';
import { VsmProcess } from './helpers/vsm-process.js';

const dir = mkdtempSync(join(tmpdir(), 'vxvem-tls-'));
const PKI = join(dir, 'pki');
/** Another CA, as an attacker would make one, with certificates of the same names. */
const EVIL = join(dir, 'evil');
const vsm = new VsmProcess();
let ADDR = '';
const closers: (() => void)[] = [];
const track = <C extends { close(): void }>(c: C): C => (closers.push(() => c.close()), c);

const reg = (host: string, ...addrs: string[]): RegisterRequest => ({
  host, uplinkMtu: 1550, version: 'test', vteps: addrs.map((address, i) => ({ interface: `up${i}`, address, prefixLength: 24, gateway: '' })),
});
const failure = (p: Promise<unknown>): Promise<VsmCallError> => p.then(() => { throw new Error('the call succeeded'); }, (e: unknown) => e as VsmCallError);
const asHost = (name: string, addr = ADDR): VemClient => track(new VemClient(addr, creds(PKI, 'host', name)));
const ops = (addr = ADDR): AdminClient => track(new AdminClient(addr, creds(PKI, 'admin', 'ops')));
const vtepsOf = async (host: string): Promise<string[] | undefined> => (await ops().listHosts()).find((h) => h.name === host)?.vteps.map((v) => v.address);
const admin = (...args: string[]) => vxvem([...args, '--vsm', ADDR, '--tls-dir', PKI, '--admin', 'ops']);

beforeAll(async () => {
  makePki(PKI, { vsm: ['vsm1'], host: ['h1', 'h2'], admin: ['ops'] });
  makePki(EVIL, { vsm: ['vsm1'], host: ['h2'], admin: ['ops'] });
  ADDR = `127.0.0.1:${await freePort()}`;
  await vsm.start(['--listen', ADDR, '--data', join(dir, 'data'), '--metrics', 'off', '--tls-dir', PKI, '--name', 'vsm1']);
}, 120_000);

afterAll(async () => {
  closers.forEach((c) => c());
  await vsm.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('vxvem ca', () => {
  it('keys are owner-only, certificates name their role and name, nothing is overwritten', () => {
    for (const f of ['ca.key', 'h1.key', 'ops.key', 'vsm1.key']) expect(statSync(join(PKI, f)).mode & 0o777).toBe(0o600);
    expect(statSync(PKI).mode & 0o777).toBe(0o700);
    expect(creds(PKI, 'host', 'h1').identity).toEqual({ role: 'host', name: 'h1' });
    const again = vxvem(['ca', 'issue', '--dir', PKI, '--host', 'h1']);
    expect([again.code, again.err.trim()]).toEqual([1, `vxvem: ${join(PKI, 'h1.key')} exists: nothing is overwritten (remove it first if it is to be replaced)`]);
    expect(vxvem(['ca', 'init', '--dir', PKI]).code).toBe(1);
    expect(vxvem(['ca', 'issue', '--dir', join(dir, 'none'), '--host', 'h1']).err).toMatch(/ca\.key does not exist: make the CA first/);
    expect(vxvem(['ca', 'issue', '--dir', PKI, '--host', 'a', '--admin', 'b']).code).toBe(2);
    expect(vxvem(['ca', 'issue', '--dir', PKI, '--host', 'bad/name']).code).toBe(2);
  }, 30_000);

  it('a certificate is checked before use: its CA, role, name and key', () => {
    const bad = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(TlsSetupError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad(() => loadTls({ dir: PKI, role: 'admin', name: 'h1' }))).toMatch(/h1\.crt is a host certificate \(h1\), not an admin one/);
    expect(bad(() => loadTls({ dir: PKI, role: 'host', cert: join(PKI, 'h1.crt'), key: join(PKI, 'h1.key'), name: 'h2' }))).toMatch(/names host h1, not h2/);
    expect(bad(() => loadTls({ dir: PKI, role: 'host', cert: join(EVIL, 'h2.crt'), key: join(EVIL, 'h2.key') }))).toMatch(/was not issued by the CA/);
    expect(bad(() => loadTls({ dir: PKI, role: 'host', cert: join(PKI, 'h1.crt'), key: join(PKI, 'h2.key') }))).toMatch(/h2\.key is not the key of/);
  });
});

describe('each attack on the VSM fails', () => {
  it('hosts register as themselves; an admin certificate runs admin commands', async () => {
    await ops().createNetwork({ name: 'web', vni: 5000 });
    await asHost('h1').register(reg('h1', '192.0.2.11'));
    await asHost('h2').register(reg('h2', '192.0.2.12'));
    expect(await vtepsOf('h1')).toEqual(['192.0.2.11']);
    expect(await vtepsOf('h2')).toEqual(['192.0.2.12']);
  });

  it('hijacked host: a VEM with host h1\'s certificate cannot register as h2, nor claim h2\'s VTEP as its own', async () => {
    // A VTEP nobody has: another host's would be refused as taken, certificate or not.
    const e = await failure(asHost('h1').register(reg('h2', '192.0.2.40')));
    expect([e.code, e.message]).toEqual([grpc.status.PERMISSION_DENIED, 'Register of host "h2" refused: the peer\'s certificate names host h1']);
    expect(await vtepsOf('h2')).toEqual(['192.0.2.12']);
    await until('the refusal logged', () => vsm.log, (l) => /refused a call from 127\.0\.0\.1:\d+ \(host h1\): Register of host "h2" refused/.test(l));
    const taken = await failure(asHost('h1').register(reg('h1', '192.0.2.11', '192.0.2.12')));
    expect([taken.code, taken.message]).toEqual([grpc.status.ALREADY_EXISTS, 'VTEP 192.0.2.12 belongs to host h2']);
    expect(await vtepsOf('h1')).toEqual(['192.0.2.11']);
  });

  it('foreign watch: no Watch or Report for another host', async () => {
    const watched = await new Promise<{ updates: number; err?: Error }>((resolve) => {
      let updates = 0;
      asHost('h1').watch('h2', '0', () => updates++, (err) => resolve({ updates, ...(err ? { err } : {}) }));
    });
    expect(watched.updates).toBe(0);
    expect([(watched.err as VsmCallError).code, watched.err?.message]).toEqual([grpc.status.PERMISSION_DENIED, 'Watch of host "h2" refused: the peer\'s certificate names host h1']);
    const forged = await failure(asHost('h1').report({ host: 'h2', appliedRevision: '999', learned: [{ vni: 5000, mac: '02:00:00:00:66:66', vtep: '192.0.2.11', interface: '' }] }));
    expect(forged.code).toBe(grpc.status.PERMISSION_DENIED);
    const h2 = (await ops().listHosts()).find((h) => h.name === 'h2')!;
    expect([h2.appliedRevision, h2.lastReportMs, h2.learned]).toEqual(['0', '0', []]);
    // h2 itself watches its view.
    const own = await new Promise<number>((resolve) => {
      const stop = asHost('h2').watch('h2', '0', () => (resolve(1), stop()), () => resolve(0));
    });
    expect(own).toBe(1);
  });

  it('a peer without a valid certificate is refused: none, plaintext, another CA\'s, a VSM\'s', async () => {
    const ca = readFileSync(join(PKI, 'ca.crt'));
    const files = (d: string, n: string): TlsCreds => ({ ca, cert: readFileSync(join(d, `${n}.crt`)), key: readFileSync(join(d, `${n}.key`)) });
    const noCert = new (protocol().Vem)(ADDR, grpc.credentials.createSsl(ca, null, null, { checkServerIdentity: (_n, c) => notAVsm(c) }), { 'grpc.ssl_target_name_override': VSM_SERVER_NAME });
    closers.push(() => noCert.close());
    const raw = await new Promise<grpc.ServiceError | null>((resolve) =>
      (noCert as unknown as { register: (r: unknown, cb: (e: grpc.ServiceError | null) => void) => void }).register(reg('h2', '192.0.2.40'), resolve));
    expect(raw?.code).toBe(grpc.status.UNAVAILABLE);
    const plaintext = track(new VemClient(ADDR));
    const otherCa = track(new VemClient(ADDR, files(EVIL, 'h2')));
    const vsmCert = track(new VemClient(ADDR, files(PKI, 'vsm1')));
    for (const c of [plaintext, otherCa, vsmCert]) expect((await failure(c.register(reg('h2', '192.0.2.40')))).code).toBe(grpc.status.UNAVAILABLE);
    expect(await vtepsOf('h2')).toEqual(['192.0.2.12']);
  });

  it('a host certificate runs no admin command; an admin certificate acts as no host', async () => {
    const h1 = track(new AdminClient(ADDR, creds(PKI, 'host', 'h1')));
    for (const call of [() => h1.listHosts(), () => h1.createNetwork({ name: 'evil', vni: 7000 }), () => h1.deleteHost('h2'), () => h1.clusterStatus(), () => h1.sync()]) {
      const e = await failure(call());
      expect(e.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(e.message).toMatch(/needs an admin certificate; the peer's names host h1$/);
    }
    expect((await ops().listNetworks()).map((n) => n.name)).toEqual(['web']);
    const asAdmin = track(new VemClient(ADDR, creds(PKI, 'admin', 'ops')));
    expect((await failure(asAdmin.register(reg('ops', '192.0.2.13')))).message).toBe('Register needs a host certificate; the peer\'s names admin ops');
  });

  it('a VEM and an admin refuse a VSM whose certificate is not of their CA', async () => {
    const rogue = new VsmProcess();
    const at = `127.0.0.1:${await freePort()}`;
    await rogue.start(['--listen', at, '--data', join(dir, 'rogue'), '--metrics', 'off', '--tls-dir', EVIL, '--name', 'vsm1']);
    try {
      expect((await failure(asHost('h1', at).register(reg('h1', '192.0.2.11')))).code).toBe(grpc.status.UNAVAILABLE);
      expect((await failure(ops(at).listHosts())).code).toBe(grpc.status.UNAVAILABLE);
      expect(await track(new AdminClient(at, creds(EVIL, 'admin', 'ops'))).listHosts()).toEqual([]);
    } finally {
      await rogue.stop();
    }
  }, 30_000);
});

describe('host delete', () => {
  it('is refused while the host has ports, or its VEM is connected; then removes it and frees its VTEPs', async () => {
    await ops().createPort({ name: 'p2', network: 'web', host: 'h2', mac: '02:00:00:00:00:02' });
    expect(admin('host', 'delete', 'h2')).toMatchObject({ code: 1, err: 'vxvem: host h2 has ports: p2\n' });
    await ops().deletePort('p2');
    const stop = asHost('h2').watch('h2', '0', () => undefined, () => undefined);
    await until('h2 connected', async () => (await ops().listHosts()).find((h) => h.name === 'h2')?.connected, (c) => c === true);
    expect(admin('host', 'delete', 'h2')).toMatchObject({ code: 1, err: 'vxvem: host h2 is connected (its VEM follows this VSM): stop its VEM first\n' });
    stop();
    await until('h2 disconnected', async () => (await ops().listHosts()).find((h) => h.name === 'h2')?.connected, (c) => c === false);
    expect(admin('host', 'delete', 'h2')).toMatchObject({ code: 0, err: '' });
    expect((JSON.parse(admin('host', 'list', '--json').out) as { name: string }[]).map((h) => h.name)).toEqual(['h1']);
    expect(admin('host', 'delete', 'nope')).toMatchObject({ code: 1, err: 'vxvem: no host nope\n' });
    await asHost('h1').register(reg('h1', '192.0.2.11', '192.0.2.12')); // h2's VTEP is free
    expect(await vtepsOf('h1')).toEqual(['192.0.2.11', '192.0.2.12']);
  }, 60_000);
});

describe('listeners and flags', () => {
  it('a plaintext TCP listener is refused unless --insecure', async () => {
    const at = `127.0.0.1:${await freePort()}`;
    const r = vxvem(['vsm', '--listen', at, '--data', join(dir, 'plain'), '--metrics', 'off']);
    expect([r.code, r.err.trim()]).toEqual([2, `vxvem: ${at} is TCP: use mutual TLS (--tls-dir DIR) or say --insecure to send the control plane in the clear`]);
    const refused = await new VsmServer(new FileStore(join(dir, 'plain-api')), undefined, { warn: () => undefined }).listen(at).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ListenRefusedError);
    const plain = new VsmProcess();
    await plain.start(['--listen', at, '--data', join(dir, 'plain'), '--metrics', 'off', '--insecure']);
    try {
      expect(plain.log).toMatch(/listening on 127\.0\.0\.1:\d+ \(INSECURE: plaintext TCP, no authentication\)/);
      expect(vxvem(['net', 'list', '--vsm', at]).code).toBe(2); // a client too says --insecure
      expect(vxvem(['net', 'list', '--vsm', at, '--insecure'])).toMatchObject({ code: 0 });
    } finally {
      await plain.stop();
    }
  }, 60_000);

  it('the unix socket is owner-only (0600), whatever the umask', async () => {
    const sock = join(dir, 'vsm.sock');
    const server = new VsmServer(new FileStore(join(dir, 'unix')), undefined, { warn: () => undefined });
    const umask = process.umask(0);
    try {
      await server.listen(`unix:${sock}`);
    } finally {
      process.umask(umask);
    }
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    await server.close();
    const proc = new VsmProcess();
    await proc.start(['--listen', `unix:${join(dir, 'cli.sock')}`, '--data', join(dir, 'cli'), '--metrics', 'off']);
    expect(statSync(join(dir, 'cli.sock')).mode & 0o777).toBe(0o600);
    await proc.stop();
  }, 30_000);

  it('a VEM starts only with a certificate of its own host', () => {
    const r = vxvem(['vem', '--vsm', ADDR, '--host', 'h2', '--vtep', 'up0:192.0.2.12/24', '--tls-dir', PKI, '--cert', join(PKI, 'h1.crt'), '--key', join(PKI, 'h1.key')]);
    expect([r.code, r.err.trim()]).toEqual([2, `vxvem: --tls-dir ${PKI}: ${join(PKI, 'h1.crt')} names host h1, not h2`]);
    expect(vxvem(['vem', '--vsm', ADDR, '--host', 'h2', '--vtep', 'up0:192.0.2.12/24']).code).toBe(2);
  });
});

describe('the rules, one by one', () => {
  it('identities, roles and hosts', () => {
    expect(identityOf('URI:vxvem://host/h1')).toEqual({ role: 'host', name: 'h1' });
    expect(identityOf('DNS:x, URI:vxvem://admin/ops')).toEqual({ role: 'admin', name: 'ops' });
    for (const san of [undefined, '', 'URI:vxvem://root/x', 'URI:vxvem://host/a/b', 'URI:vxvem://host/h1, URI:vxvem://host/h2']) expect(identityOf(san)).toBeUndefined();
    const host = { role: 'host', name: 'h1' } as const;
    expect(roleRefusal('/vxvem.v1.Vem/Register', host)).toBeUndefined();
    expect(roleRefusal('/vxvem.v1.Admin/ListHosts', host)).toMatch(/needs an admin certificate/);
    expect(roleRefusal('/vxvem.v1.Vem/Watch', undefined)).toMatch(/no vxvem identity/);
    expect(roleRefusal('/other.Service/Call', { role: 'admin', name: 'ops' })).toMatch(/not served/);
    expect(hostRefusal('/vxvem.v1.Vem/Report', host, 'h1')).toBeUndefined();
    expect(hostRefusal('/vxvem.v1.Vem/Report', host, 'h2')).toMatch(/names host h1/);
    expect(hostRefusal('/vxvem.v1.Vem/Report', undefined, 'h2')).toMatch(/names no host/);
    expect(notAVsm({ subjectaltname: 'URI:vxvem://host/h1' } as never)?.message).toMatch(/not a VSM's \(it names host h1\)/);
    expect(notAVsm({ subjectaltname: 'URI:vxvem://vsm/r2' } as never)).toBeUndefined();
  });
});
