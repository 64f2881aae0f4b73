// Interop and parity with the Linux kernel's own vxlan: a host running vx0 (unicast, all-zeros
// FDB head-end replication) and vxm (group mode) in a bridge, next to two vxvem hosts. The
// cases of tools/testing/selftests/net/forwarding/vxlan_bridge_1d.sh, counted the same strict
// way on the wire: exact flood copies, TTL, TOS inheritance, the ECN encap and decap tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBpf } from './helpers/bpf.js';
import { RAWPKT, Topology, listenAllWhile, listenWhile } from './helpers/topology.js';
import { eth, ipv4, udp, vxlanFrame } from '../testbed/packets.js';
import type { Netns } from '../testbed/netns.js';

ensureBpf();
const T = new Topology(`vxk${process.pid}`);
const H1 = '192.0.2.11';
const H2 = '192.0.2.12';
const K1 = '192.0.2.21';
const MAC = { vm1: '02:00:00:00:00:01', vm2: '02:00:00:00:00:02', kv1: '02:00:00:00:00:21', m1: '02:00:00:00:01:01', km1: '02:00:00:00:01:21' };

const vxvemConfig = (self: string, others: string[]): unknown => ({
  vteps: [{ interface: 'up0', address: `${self}/26` }],
  // 198.51.100.99 is unreachable (outside the subnet, no gateway, nobody answers ARP): it must
  // cost its own copy only, as in the selftest's "flood, unresolved FDB entry" case.
  segments: [
    { vni: 5000, mode: 'unicast', floodList: [...others, '198.51.100.99'] },
    { vni: 6000, mode: 'multicast', group: '239.1.1.1' },
  ],
  ports: [{ interface: 'vnet0', vni: 5000 }, { interface: 'vnetm', vni: 6000 }],
  ttl: 100,
});

/** Group mode beside the unicast vx0: vxm (VNI 6000, 239.1.1.1) bridged with vnetm. */
function kernelGroupVtep(k: Netns): void {
  k.ip('link', 'add', 'vxm', 'type', 'vxlan', 'id', '6000', 'local', K1, 'group', '239.1.1.1', 'dstport', '4789', 'dev', 'up0');
  k.ip('link', 'add', 'br1', 'type', 'bridge');
  for (const d of ['vxm', 'vnetm', 'br1']) k.ip('link', 'set', d, 'up');
  for (const d of ['vxm', 'vnetm']) k.ip('link', 'set', d, 'master', 'br1');
}

beforeAll(async () => {
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: `${H1}/26` }]);
  T.addHost('h2', [{ sw: 'ula', addr: `${H2}/26` }]);
  T.addHost('k1', [{ sw: 'ula', addr: `${K1}/26` }]);
  T.addVm('vm1', 'h1', 'vnet0', MAC.vm1, '198.51.100.1/24');
  T.addVm('vm2', 'h2', 'vnet0', MAC.vm2, '198.51.100.2/24');
  T.addVm('kv1', 'k1', 'vnet0', MAC.kv1, '198.51.100.21/24');
  T.addVm('m1', 'h1', 'vnetm', MAC.m1, '198.51.100.101/24');
  T.addVm('km1', 'k1', 'vnetm', MAC.km1, '198.51.100.121/24');
  T.addKernelVtep('k1', { local: K1, vni: 5000, remotes: [H1, H2] });
  kernelGroupVtep(T.get('k1'));
  await T.startAgent('h1', vxvemConfig(H1, [H2, K1]));
  await T.startAgent('h2', vxvemConfig(H2, [H1, K1]));
}, 90_000);

afterAll(() => T.destroy(), 60_000);

const ping = (from: string, to: string, extra: string[] = []) => T.get(from).exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', ...extra, to]);

/** Counts frames per rule at several places; `send` runs once all of them listen. */
async function matchAll(at: { where: Netns; dev: string; rules: { needle: string; bytes?: Record<number, number> }[] }[], send: () => void, seconds = 2.5): Promise<number[][]> {
  const lines = await listenAllWhile(at.map((x) => ({ where: x.where, args: ['match', x.dev, String(seconds), JSON.stringify(x.rules)] })), send);
  return lines.map((l) => JSON.parse(l) as number[]);
}

/** Counts frames per rule at `where`'s interface while `send` runs. */
async function match(where: Netns, dev: string, rules: { needle: string; bytes?: Record<number, number> }[], send: () => void, seconds = 2.5): Promise<number[]> {
  // The window must outlast every sender process (one per case, slower on a loaded machine).
  return JSON.parse(await listenWhile(where, ['match', dev, String(seconds), JSON.stringify(rules)], send)) as number[];
}

const marker = (s: string): Buffer => Buffer.from(s.padEnd(16, '.'));

function frameTo(dstMac: string, srcMac: string, tos: number, mark: string): Buffer {
  return eth(dstMac, srcMac, 0x0800, ipv4({ src: '198.51.100.1', dst: '198.51.100.200', proto: 17, tos }, udp(7, 7, Buffer.concat([Buffer.alloc(8), marker(mark)]))));
}

const send = (vm: string, frame: Buffer, count = 10) => T.get(vm).exec('/usr/bin/python3', [RAWPKT, 'send', 'eth0', String(count), frame.toString('hex'), '10']);

describe('interop with the kernel vxlan', () => {
  it('unicast mode with all-zeros FDB head-end replication: traffic both ways', () => {
    ping('vm1', '198.51.100.21');
    ping('kv1', '198.51.100.2');
  });

  it('each side learns the other: vxvem MAC table and the kernel FDB', () => {
    const macs = JSON.parse(T.cli('h1', ['show', 'macs', '--json', '--instance', T.agents.get('h1')!.instance])) as { mac: string; vtep: string }[];
    expect(macs.find((m) => m.mac === MAC.kv1)?.vtep).toBe(K1);
    const fdb = JSON.parse(T.get('k1').exec('bridge', ['-j', 'fdb', 'show', 'dev', 'vx0'])) as { mac: string; dst?: string }[];
    expect(fdb.find((e) => e.mac === MAC.vm1 && e.dst)?.dst).toBe(H1);
    expect(fdb.find((e) => e.mac === MAC.vm2 && e.dst)?.dst).toBe(H2);
  });

  it('group mode: traffic both ways', () => {
    ping('m1', '198.51.100.121');
    ping('km1', '198.51.100.101');
  });
});

describe('vxlan_bridge_1d.sh cases against vxvem', () => {
  it('flood from vxvem: every VTEP exactly once per frame, the unresolvable entry costs nothing else', async () => {
    const f = frameTo('de:ad:be:ef:13:37', MAC.vm1, 0, 'flood-a');
    const needle = marker('flood-a').toString('hex');
    const counts = await matchAll([{ where: T.get('vm2'), dev: 'eth0', rules: [{ needle }] }, { where: T.get('kv1'), dev: 'eth0', rules: [{ needle }] }], () => send('vm1', f));
    expect(counts).toEqual([[10], [10]]);
  });

  it('flood from the kernel: each vxvem VM exactly once per frame', async () => {
    const f = frameTo('de:ad:be:ef:13:38', MAC.kv1, 0, 'flood-k');
    const needle = marker('flood-k').toString('hex');
    const counts = await matchAll([{ where: T.get('vm1'), dev: 'eth0', rules: [{ needle }] }, { where: T.get('vm2'), dev: 'eth0', rules: [{ needle }] }], () => send('kv1', f));
    expect(counts).toEqual([[10], [10]]);
  });

  it('known unicast: only the destination VTEP gets it', async () => {
    ping('vm1', '198.51.100.2');
    const f = frameTo(MAC.vm2, MAC.vm1, 0, 'ucast');
    const needle = marker('ucast').toString('hex');
    const counts = await matchAll([{ where: T.get('kv1'), dev: 'eth0', rules: [{ needle }] }, { where: T.get('vm2'), dev: 'eth0', rules: [{ needle }] }], () => send('vm1', f));
    expect(counts).toEqual([[0], [10]]);
  });

  // Outer header on the wire at the kernel host: TTL (configured 100) and TOS/ECN (RFC 6040).
  it('TTL and TOS inheritance with the ECN encap table, counted on the wire', async () => {
    ping('vm1', '198.51.100.21');
    const table: [number, number][] = [[0x14, 0x14], [0x00, 0x00], [0x01, 0x01], [0x02, 0x02], [0x03, 0x02]];
    const rules = table.map(([inner, outer]) => ({ needle: marker(`tos-${inner}`).toString('hex'), bytes: { 15: outer, 22: 100 } }));
    const counts = await match(T.get('k1'), 'up0', rules, () => {
      for (const [inner] of table) send('vm1', frameTo(MAC.kv1, MAC.vm1, inner, `tos-${inner}`));
    }, 5);
    expect(counts).toEqual(table.map(() => 10));
  });

  // Crafted VXLAN from the kernel host to h1: outer ECN x inner ECN, the inner TOS at the VM.
  it('the ECN decap table, counted at the VM (and the CE over Not-ECT drop counted)', async () => {
    const h1mac = T.get('h1').mac('up0');
    const k1mac = T.get('k1').mac('up0');
    const table: [number, number, number | null][] = [
      [0, 0, 0], [0, 1, 1], [0, 2, 2], [0, 3, 3], [1, 0, 0], [1, 1, 1], [1, 2, 1], [1, 3, 3],
      [2, 0, 0], [2, 1, 1], [2, 2, 2], [2, 3, 3], [3, 0, null], [3, 1, 3], [3, 2, 3], [3, 3, 3],
    ];
    const frames = table.map(([o, i]) => vxlanFrame({
      dstMac: h1mac, srcMac: k1mac, src: K1, dst: H1, vni: 5000, tos: o,
      inner: frameTo(MAC.vm1, MAC.kv1, i, `ecn-${o}-${i}`),
    }));
    const rules = table.map(([o, i, want]) => ({ needle: marker(`ecn-${o}-${i}`).toString('hex'), bytes: want === null ? {} : { 15: want } as Record<number, number> }));
    const counts = await match(T.get('vm1'), 'eth0', rules, () => {
      for (const f of frames) T.get('k1').exec('/usr/bin/python3', [RAWPKT, 'send', 'up0', '10', f.toString('hex'), '5']);
    }, 8);
    expect(counts).toEqual(table.map(([, , want]) => (want === null ? 0 : 10)));
    const rows = JSON.parse(T.cli('h1', ['show', 'counters', '--json', '--instance', T.agents.get('h1')!.instance])) as { vni: number; drop?: string; packets?: string }[];
    expect(rows.find((r) => r.vni === 5000 && r.drop === 'ecn_error')?.packets).toBe('10');
  });
});
