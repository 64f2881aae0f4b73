// VSM replicas on etcd behind mutual TLS: each replica serves with the certificate its --name
// names, and clients that list several replicas reach any of them with the certificate they
// have, whatever its address (cluster status asks each; a VEM whose replica stops goes on
// with the next one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, VemClient } from '../proto/clients.js';
import type { RegisterRequest } from '../proto/index.js';
import { EtcdCluster } from './helpers/etcd-cluster.js';
import { freePort } from './helpers/free-port.js';
import { creds, makePki, vxvem } from './helpers/pki.js';
import { VsmProcess } from './helpers/vsm-process.js';

const dir = mkdtempSync(join(tmpdir(), 'vxvem-tls-etcd-'));
const PKI = join(dir, 'pki');
let etcd: EtcdCluster;
const replicas = { r1: new VsmProcess(), r2: new VsmProcess() };
const at = { r1: '', r2: '' };
const closers: (() => void)[] = [];
const args = (name: string, listen: string): string[] => ['--store', etcd.url, '--name', name, '--listen', listen, '--metrics', 'off', '--tls-dir', PKI];
const reg = (address: string): RegisterRequest => ({ host: 'h1', uplinkMtu: 1550, version: 'test', vteps: [{ interface: 'up0', address, prefixLength: 24, gateway: '' }] });

beforeAll(async () => {
  makePki(PKI, { vsm: ['r1', 'r2'], host: ['h1'], admin: ['ops'] });
  etcd = await EtcdCluster.start(1);
  for (const n of ['r1', 'r2'] as const) {
    at[n] = `127.0.0.1:${await freePort()}`;
    await replicas[n].start(args(n, at[n]));
  }
}, 120_000);

afterAll(async () => {
  closers.forEach((c) => c());
  for (const r of Object.values(replicas)) await r.stop();
  await etcd?.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('replicas behind mutual TLS', () => {
  it('a replica serves only with a certificate of its own name', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    const none = vxvem(['vsm', ...args('r3', listen)]);
    expect([none.code, none.err.trim()]).toEqual([2, `vxvem: --tls-dir ${PKI}: cannot read the vsm certificate ${join(PKI, 'r3.crt')}: ENOENT`]);
    const other = vxvem(['vsm', ...args('r3', listen), '--cert', join(PKI, 'r1.crt'), '--key', join(PKI, 'r1.key')]);
    expect([other.code, other.err.trim()]).toEqual([2, `vxvem: --tls-dir ${PKI}: ${join(PKI, 'r1.crt')} names vsm r1, not r3`]);
  }, 30_000);

  it('admins and VEMs reach either replica; cluster status asks each; a VEM goes on with the next replica', async () => {
    const admin = new AdminClient(`${at.r1},${at.r2}`, creds(PKI, 'admin', 'ops'));
    const vem = new VemClient(`${at.r1},${at.r2}`, creds(PKI, 'host', 'h1'));
    closers.push(() => admin.close(), () => vem.close());
    await admin.createNetwork({ name: 'web', vni: 5000 });
    await vem.register(reg('192.0.2.11'));
    const status = vxvem(['cluster', 'status', '--json', '--vsm', at.r2, '--tls-dir', PKI, '--admin', 'ops']);
    expect(status.code).toBe(0);
    const rows = (JSON.parse(status.out) as { replicas: { name: string; address: string; reachable: boolean }[] }).replicas;
    expect(rows.map((r) => [r.name, r.address, r.reachable]).sort()).toEqual([['r1', at.r1, true], ['r2', at.r2, true]]);
    await replicas.r1.stop();
    await vem.register(reg('192.0.2.21')); // on r2 now
    const r2 = new AdminClient(at.r2, creds(PKI, 'admin', 'ops'));
    closers.push(() => r2.close());
    expect((await r2.listHosts()).map((h) => [h.name, h.vteps.map((v) => v.address)])).toEqual([['h1', ['192.0.2.21']]]);
  }, 60_000);
});
