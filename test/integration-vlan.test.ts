// VLAN segments between two VEM hosts whose physical network uplinks meet on a plain bridge (this
// kernel has no VLAN-aware bridge): the same uplink carries the VTEP's VXLAN too. VLAN 100, VLAN
// 200 and VXLAN VNI 100 are isolated from one another; the wire shows the tags; a tagged-frame
// endpoint (scapy standing for a physical server) answers on VLAN 100; a trunked VM that tags its
// own frames with scapy reaches VLAN 200 through its subport.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBpf } from './helpers/bpf.js';
import { Topology } from './helpers/topology.js';
import { until } from './helpers/until.js';
import { vethPair } from '../testbed/netns.js';
import { startTaggedResponder, taggedPing } from '../testbed/vlan-wire.js';
import type { ChildProcess } from 'node:child_process';

ensureBpf();
const T = new Topology(`vxv${process.pid}`);
const mac = (n: number) => `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;
const SERVER = { vlan: 100, ip: '198.51.100.9', mac: '02:00:00:00:09:09' };
const TRUNK_VM = { mac: '02:00:00:00:07:07', ip: '198.51.100.7' };
/** VM name -> [host, port, segment reference, address]. Same /24 everywhere: only the segments keep them apart. */
const VMS = {
  v100a: ['h1', 'vnet0', { vlan: 100 }, '198.51.100.1'],
  v200a: ['h1', 'vnet1', { vlan: 200 }, '198.51.100.3'],
  x100a: ['h1', 'vnet2', { vni: 100 }, '198.51.100.5'],
  v100b: ['h2', 'vnet0', { vlan: 100 }, '198.51.100.2'],
  v200b: ['h2', 'vnet1', { vlan: 200 }, '198.51.100.4'],
  x100b: ['h2', 'vnet2', { vni: 100 }, '198.51.100.6'],
} as const;
let responder: ChildProcess | undefined;

const config = (self: string, peer: string, host: string): Record<string, unknown> => ({
  vteps: [{ interface: 'up0', address: `${self}/26` }],
  physicalNetworks: { physnet1: 'up0' },
  segments: [{ vlan: 100 }, { vlan: 200, physicalNetwork: 'physnet1' }, { vni: 100, mode: 'unicast', floodList: [peer] }],
  ports: [
    ...Object.values(VMS).filter(([h]) => h === host).map(([, port, seg]) => ({ interface: port, ...seg })),
    ...(host === 'h2' ? [{ interface: 'vnet3', vni: 100, trunk: [{ vlan: 10, segment: { vlan: 200 } }] }] : []),
  ],
});

const pings = (from: string, to: string): boolean => {
  try {
    T.get(from).exec('ping', ['-c', '1', '-W', '2', to]);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: '192.0.2.11/26' }]);
  T.addHost('h2', [{ sw: 'ula', addr: '192.0.2.12/26' }]);
  Object.entries(VMS).forEach(([name, [host, port, , addr]], i) => T.addVm(name, host, port, mac(i + 1), `${addr}/24`));
  // The trunked VM: an interface with only a MAC; scapy tags its frames.
  const trunk = T.addVm('trunk', 'h2', 'vnet3', TRUNK_VM.mac, `${TRUNK_VM.ip}/32`);
  trunk.ip('addr', 'flush', 'dev', 'eth0');
  // The physical server: scapy on a port of the underlay bridge.
  vethPair(T.underlay, 'srv', T.underlay, 'ulasrv');
  T.underlay.ip('link', 'set', 'ulasrv', 'master', 'ula');
  responder = await startTaggedResponder(T.underlay, 'srv', SERVER);
  await T.startAgent('h1', config('192.0.2.11', '192.0.2.12', 'h1'));
  await T.startAgent('h2', config('192.0.2.12', '192.0.2.11', 'h2'));
}, 90_000);

afterAll(async () => {
  responder?.kill('SIGKILL');
  await T.destroy();
}, 60_000);

describe('VLAN segments between two hosts', () => {
  it.each([
    ['VLAN 100', 'v100a', '198.51.100.2'],
    ['VLAN 200', 'v200a', '198.51.100.4'],
    ['VXLAN VNI 100 on the same uplink', 'x100a', '198.51.100.6'],
  ])('%s: the VMs on the two hosts ping each other', (_name, from, to) => {
    expect(pings(from, to)).toBe(true);
  });

  it.each([
    ['VLAN 100 to VLAN 200', 'v100a', '198.51.100.4'],
    ['VLAN 100 to VXLAN VNI 100', 'v100a', '198.51.100.6'],
    ['VXLAN VNI 100 to VLAN 100', 'x100a', '198.51.100.2'],
    ['VLAN 200 to VLAN 100', 'v200b', '198.51.100.1'],
  ])('%s: isolated', (_name, from, to) => {
    expect(pings(from, to)).toBe(false);
  });

  it('the wire between the hosts carries VLAN 100 tagged 100 and VLAN 200 tagged 200, VXLAN untagged', async () => {
    // ulap0 is the bridge's port towards h1's uplink: every frame of h1 crosses it.
    const cap = T.underlay.spawn('tshark', ['-i', 'ulap0', '-l', '-a', 'duration:30', '-Y', 'icmp.type == 8', '-T', 'fields', '-e', 'vlan.id', '-e', 'ip.src', '-e', 'ip.dst']);
    let out = '';
    cap.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<void>((r) => cap.on('close', () => r()));
    const rows = () => out.trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
    const want = [['100', '198.51.100.1', '198.51.100.2'], ['200', '198.51.100.3', '198.51.100.4'], ['', '192.0.2.11,198.51.100.5', '192.0.2.12,198.51.100.6']];
    const seen = () => want.every((w) => rows().some((r) => r.join() === w.join()));
    // tshark says "Capturing on" before it captures: ping until its output has all three (or the deadline).
    await until('tshark shows the three pings', () => {
      for (const [from, to] of [['v100a', '198.51.100.2'], ['v200a', '198.51.100.4'], ['x100a', '198.51.100.6']]) expect(pings(from!, to!)).toBe(true);
      return seen();
    }, (ok) => ok, 20_000);
    cap.kill('SIGINT');
    await done;
    // An ICMP request inside VXLAN shows the outer and inner addresses, and no tag; no other tag than its segment's.
    expect(seen()).toBe(true);
    for (const r of rows()) {
      if (r[1] === '198.51.100.1') expect(r[0]).toBe('100');
      if (r[1] === '198.51.100.3') expect(r[0]).toBe('200');
      if (r[1]!.startsWith('192.0.2.11,')) expect(r[0]).toBe('');
    }
  }, 40_000);

  it('a tagged-frame endpoint on the bridge (a physical server on VLAN 100) answers ARP and ping from VLAN 100 only', () => {
    expect(pings('v100a', SERVER.ip)).toBe(true);
    expect(pings('v100b', SERVER.ip)).toBe(true);
    expect(pings('v200a', SERVER.ip)).toBe(false);
    expect(pings('x100a', SERVER.ip)).toBe(false);
  });

  it('a trunked VM tagging 10 reaches VLAN 200 on the other host, and the reply comes back tagged 10', () => {
    T.get('v200a').ip('neigh', 'replace', TRUNK_VM.ip, 'lladdr', TRUNK_VM.mac, 'dev', 'eth0');
    const r = taggedPing(T.get('trunk'), 'eth0', { vlan: 10, srcMac: TRUNK_VM.mac, dstMac: mac(2), src: TRUNK_VM.ip, dst: '198.51.100.3' });
    expect(r).toBe('reply vlan 10 from 198.51.100.3');
  });

  it('a trunked VM tagging a VLAN with no subport reaches nobody', () => {
    T.get('v100b').ip('neigh', 'replace', TRUNK_VM.ip, 'lladdr', TRUNK_VM.mac, 'dev', 'eth0');
    const r = taggedPing(T.get('trunk'), 'eth0', { vlan: 100, srcMac: TRUNK_VM.mac, dstMac: mac(4), src: TRUNK_VM.ip, dst: '198.51.100.2' });
    expect(r).toBe('no reply');
  });
});
