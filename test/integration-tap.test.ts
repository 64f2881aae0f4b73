// VMs on tap ports, as KVM plugs them: the guest's TSO super-frames reach the VEM through a
// real tap's virtio-net header (gso_size set, gso_segs 0). Bulk TCP must pass whole, with no
// frag-needed ICMP and no MTU drops, on a Nova-style pre-created tap and on one the guest's
// process created itself (as QEMU does with script=no).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { Topology, bulkTcp } from './helpers/topology.js';
import { Netns, vethPair } from '../testbed/netns.js';

ensureBpf();
const T = new Topology(`vxt${process.pid}`);
const TAPGUEST = join(REPO, 'test', 'fixtures', 'tapguest.py');
// Nova names a port's tap "tap" + the first 11 characters of the port id.
const TAP = { h1: 'tap3f2a9c1e-7b', h2: 'tap0c55d2aa-19' } as const;
const TAP_LOCAL = 'tap81d4e0b2-c3'; // a second guest on h1: local switching between taps
const guests: { proc: ChildProcess; out: string[] }[] = [];

const config = (self: string, peer: string, tap: string): unknown => ({
  vteps: [{ interface: 'up0', address: `${self}/26` }],
  segments: [{ vni: 5000, mode: 'unicast', floodList: [peer] }],
  ports: [{ interface: tap, vni: 5000 }, ...(tap === TAP.h1 ? [{ interface: TAP_LOCAL, vni: 5000 }] : [])],
});

/** A guest namespace with a real TCP stack, relayed onto the host's tap by tapguest.py. */
async function addTapGuest(name: string, host: string, tap: string, mac: string, addr: string, preCreate: boolean): Promise<void> {
  const h = T.get(host);
  const ns = Netns.create(`${T.tag}-${name}`);
  T.ns.set(name, ns);
  ns.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  vethPair(ns, 'eth0', h, `g${name}`);
  h.exec('sysctl', ['-qw', `net.ipv6.conf.g${name}.disable_ipv6=1`]);
  ns.ip('link', 'set', 'eth0', 'address', mac);
  ns.ip('addr', 'add', addr, 'dev', 'eth0');
  if (preCreate) h.ip('tuntap', 'add', 'dev', tap, 'mode', 'tap', 'vnet_hdr');
  const proc = h.spawn('/usr/bin/python3', [TAPGUEST, tap, `g${name}`]);
  const out: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  guests.push({ proc, out });
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.once('data', () => resolve());
    proc.once('exit', (code) => reject(new Error(`tapguest ${tap} exited ${code}: ${out.join('')}`)));
  });
  // libvirt brings the tap up; QEMU with script=no leaves that to whoever plugs it.
  h.ip('link', 'set', tap, 'up');
  h.exec('sysctl', ['-qw', `net.ipv6.conf.${tap}.disable_ipv6=1`]);
}

beforeAll(async () => {
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: '192.0.2.11/26' }]);
  T.addHost('h2', [{ sw: 'ula', addr: '192.0.2.12/26' }]);
  await addTapGuest('vm1', 'h1', TAP.h1, '02:00:00:00:00:01', '198.51.100.1/24', true);
  await addTapGuest('vm2', 'h2', TAP.h2, '02:00:00:00:00:02', '198.51.100.2/24', false);
  await addTapGuest('vm3', 'h1', TAP_LOCAL, '02:00:00:00:00:03', '198.51.100.3/24', true);
  await T.startAgent('h1', config('192.0.2.11', '192.0.2.12', TAP.h1));
  await T.startAgent('h2', config('192.0.2.12', '192.0.2.11', TAP.h2));
}, 90_000);

afterAll(async () => {
  for (const g of guests) g.proc.kill('SIGKILL');
  await T.destroy();
}, 60_000);

type CounterRow = { vni: number; drop?: string; packets?: string | number };
const drops = (host: string): Record<string, number> => {
  const rows = JSON.parse(T.cli(host, ['show', 'counters', '--json', '--instance', T.agents.get(host)!.instance])) as CounterRow[];
  return Object.fromEntries(rows.filter((r) => r.drop).map((r) => [r.drop!, Number(r.packets)]));
};

const bulk = (from: string, to: string, toAddr: string, bytes: number): Promise<number> => bulkTcp(T.get(from), T.get(to), toAddr, bytes);

describe('tap ports', () => {
  it('the guests see GSO on their side (the test exercises super-frames)', () => {
    for (const g of ['vm1', 'vm2', 'vm3']) {
      const features = T.get(g).exec('ethtool', ['-k', 'eth0']);
      expect(features).toMatch(/tcp-segmentation-offload: on/);
    }
  });

  it('ping across hosts between tap guests', () => {
    T.get('vm1').exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', '198.51.100.2']);
  });

  it('bulk TCP from a pre-created tap passes whole: no frag-needed, no MTU drop', async () => {
    expect(await bulk('vm1', 'vm2', '198.51.100.2', 200_000_000)).toBe(200_000_000);
    // A guest that got frag-needed caches a lowered path MTU to its peer.
    expect(T.get('vm1').exec('ip', ['route', 'get', '198.51.100.2'])).not.toMatch(/mtu/);
    for (const h of ['h1', 'h2']) {
      const d = drops(h);
      expect(d.mtu_exceeded ?? 0).toBe(0);
      expect(d.icmp_ratelimit ?? 0).toBe(0);
    }
  });

  it('bulk TCP into a tap the guest created, the other way', async () => {
    expect(await bulk('vm2', 'vm1', '198.51.100.1', 200_000_000)).toBe(200_000_000);
    expect(T.get('vm2').exec('ip', ['route', 'get', '198.51.100.1'])).not.toMatch(/mtu/);
  });

  it('bulk TCP between two taps of one host (local switching keeps the partial checksum)', async () => {
    expect(await bulk('vm3', 'vm1', '198.51.100.1', 200_000_000)).toBe(200_000_000);
    expect(Number(T.get('vm1').exec('nstat', ['-az', 'TcpInCsumErrors']).match(/TcpInCsumErrors\s+(\d+)/)?.[1] ?? 0)).toBe(0);
  });
});
