// VEMs that follow a VSM over mutual TLS, in network namespaces: the VSM listens on TCP in its
// own namespace on the underlay, each host's agent has its host's certificate, the VMs talk.
// An attacker on host h1 then tries to take host h2's place (to pull h2's VM traffic to itself)
// with h1's certificate and with a certificate of its own CA: both are refused and h2's traffic
// stays where it is. The attacks one by one, on loopback: vsm-tls.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, ensureBpf } from './helpers/bpf.js';
import { makePki } from './helpers/pki.js';
import { Topology } from './helpers/topology.js';
import { until } from './helpers/until.js';
import { VsmProcess } from './helpers/vsm-process.js';

ensureBpf();
const T = new Topology(`vxt${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-tls-int-'));
const PKI = join(dir, 'pki');
const EVIL = join(dir, 'evil');
const HOSTS = { h1: '192.0.2.11', h2: '192.0.2.12' } as const;
const VSM = '192.0.2.30:9400';
const vsm = new VsmProcess();
const MAIN = join(REPO, 'src', 'cli', 'main.ts');

/** An admin command, run from the VSM's namespace with the operator's certificate. */
const admin = (...args: string[]): string => T.get('ctl').exec('node', ['--import', 'tsx', MAIN, ...args, '--vsm', VSM, '--tls-dir', PKI, '--admin', 'ops']);
const hosts = () => JSON.parse(admin('host', 'list', '--json')) as { name: string; connected: boolean; vteps: { address: string }[] }[];
const floodList = (host: string): string | undefined =>
  (JSON.parse(T.cli(host, ['show', 'segments', '--json', '--instance', T.agents.get(host)!.instance])) as { vni: number; floodList: string }[]).find((s) => s.vni === 5000)?.floodList;
const ping = (from: string, to: string): string => T.get(from).exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', to]);

/** A Register of `host` with `vtep`, made from inside `from` with the files given (test/fixtures/vsm-peer.ts). */
function registerFrom(from: string, files: { ca: string; cert: string; key: string }, host: string, vtep: string): { ok?: true; code?: number; details?: string } {
  const out = T.get(from).exec('node', ['--import', 'tsx', join(REPO, 'test', 'fixtures', 'vsm-peer.ts'), VSM, files.ca, files.cert, files.key, 'register', host, vtep]);
  return JSON.parse(out) as { ok?: true; code?: number; details?: string };
}

beforeAll(async () => {
  makePki(PKI, { vsm: ['vsm1'], host: ['h1', 'h2'], admin: ['ops'] });
  makePki(EVIL, { host: ['h2'] });
  T.addSwitch('ula');
  for (const [h, a] of Object.entries(HOSTS)) T.addHost(h, [{ sw: 'ula', addr: `${a}/26` }]);
  T.addHost('ctl', [{ sw: 'ula', addr: '192.0.2.30/26' }]);
  T.addVm('vm1', 'h1', 'vnet0', '02:00:00:00:00:01', '198.51.100.1/24');
  T.addVm('vm2', 'h2', 'vnet0', '02:00:00:00:00:02', '198.51.100.2/24');
  await vsm.start(['--listen', VSM, '--data', join(dir, 'data'), '--metrics', 'off', '--tls-dir', PKI, '--name', 'vsm1'], { netns: T.get('ctl').name });
  for (const [h, a] of Object.entries(HOSTS)) await T.startVsmAgent(h, VSM, [`up0:${a}/26`], { args: ['--tls-dir', PKI] });
}, 180_000);

afterAll(async () => {
  await vsm.stop().catch(() => undefined);
  await T.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('VEMs follow a VSM over mutual TLS', () => {
  it('each host registers with its own certificate; the VMs talk', async () => {
    admin('net', 'create', 'web', '--vni', '5000');
    admin('port', 'create', 'p1', '--net', 'web', '--host', 'h1', '--mac', '02:00:00:00:00:01', '--interface', 'vnet0');
    admin('port', 'create', 'p2', '--net', 'web', '--host', 'h2', '--mac', '02:00:00:00:00:02', '--interface', 'vnet0');
    await until('h1 flood list', () => floodList('h1'), (f) => f === HOSTS.h2, 15_000);
    await until('h2 flood list', () => floodList('h2'), (f) => f === HOSTS.h1, 15_000);
    expect(hosts().map((h) => [h.name, h.connected, h.vteps.map((v) => v.address)])).toEqual([['h1', true, [HOSTS.h1]], ['h2', true, [HOSTS.h2]]]);
    ping('vm1', '198.51.100.2');
  }, 60_000);

  it('hijack from host h1: neither its own certificate nor one of another CA takes host h2\'s place', async () => {
    const own = { ca: join(PKI, 'ca.crt'), cert: join(PKI, 'h1.crt'), key: join(PKI, 'h1.key') };
    // A VTEP no host has (another host's would be refused as taken, certificates or not).
    const claimed = '192.0.2.40/26';
    expect(registerFrom('h1', own, 'h2', claimed)).toEqual({ code: grpc.status.PERMISSION_DENIED, details: 'Register of host "h2" refused: the peer\'s certificate names host h1' });
    const forged = { ca: join(PKI, 'ca.crt'), cert: join(EVIL, 'h2.crt'), key: join(EVIL, 'h2.key') };
    expect(registerFrom('h1', forged, 'h2', claimed).code).toBe(grpc.status.UNAVAILABLE);
    // The VSM's log is read while this process waits (the calls above block it).
    await until('the refusal in the VSM\'s log', () => vsm.log, (l) => /refused a call from 192\.0\.2\.11:\d+ \(host h1\): Register of host "h2" refused/.test(l));
    // Had either worked, h1's flood list (and every host's) would send vm2's traffic to 192.0.2.40.
    expect(hosts().find((h) => h.name === 'h2')?.vteps.map((v) => v.address)).toEqual([HOSTS.h2]);
    expect(floodList('h1')).toBe(HOSTS.h2);
    ping('vm1', '198.51.100.2');
  }, 60_000);
});
