// Real QEMU guests (virtio-net) on tap ports of two hosts switched by vxvem: one tap pre-created
// the way Nova does it, one created by QEMU itself. The guests' own kernels send TSO super-frames
// through the tap's virtio-net header; ping and bulk TCP must pass whole both ways, with no MTU
// drops, no frag-needed reaching a guest and no bad TCP checksums. Under TCG where there is no
// usable KVM (testbed/qemu.ts), so the transfers are sized for an emulated CPU.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBpf } from './helpers/bpf.js';
import { Topology } from './helpers/topology.js';
import { QemuGuest, tcpTransfer } from '../testbed/qemu.js';

ensureBpf();
const T = new Topology(`vxq${process.pid}`);
// Nova names a port's tap "tap" + the first 11 characters of the port id.
const NOVA_TAP = 'tap5b1c2d3e-4f';
const QEMU_TAP = 'vnet7';
const ADDR = { g1: '198.51.100.1', g2: '198.51.100.2' } as const;
const MTU = 1450;
const BLOCKS = 512; // x 64 KiB = 32 MiB each way
const guests: Partial<Record<'g1' | 'g2', QemuGuest>> = {};

const config = (self: string, peer: string, tap: string): unknown => ({
  vteps: [{ interface: 'up0', address: `${self}/26` }],
  segments: [{ vni: 5000, mode: 'unicast', floodList: [peer] }],
  ports: [{ interface: tap, vni: 5000 }],
});

const guest = (name: 'g1' | 'g2'): QemuGuest => {
  const g = guests[name];
  if (!g) throw new Error(`guest ${name} did not start`);
  return g;
};

beforeAll(async () => {
  T.addSwitch('ula');
  const h1 = T.addHost('h1', [{ sw: 'ula', addr: '192.0.2.11/26' }]);
  const h2 = T.addHost('h2', [{ sw: 'ula', addr: '192.0.2.12/26' }]);
  const [g1, g2] = await Promise.allSettled([
    QemuGuest.start({ name: 'g1', host: h1, tap: NOVA_TAP, preCreateTap: true, mac: '02:00:00:00:00:01', addr: `${ADDR.g1}/24`, mtu: MTU }),
    QemuGuest.start({ name: 'g2', host: h2, tap: QEMU_TAP, preCreateTap: false, mac: '02:00:00:00:00:02', addr: `${ADDR.g2}/24`, mtu: MTU }),
  ]);
  if (g1.status === 'fulfilled') guests.g1 = g1.value;
  if (g2.status === 'fulfilled') guests.g2 = g2.value;
  for (const r of [g1, g2]) if (r.status === 'rejected') throw r.reason;
  await T.startAgent('h1', config('192.0.2.11', '192.0.2.12', NOVA_TAP));
  await T.startAgent('h2', config('192.0.2.12', '192.0.2.11', QEMU_TAP));
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(guests).map((g) => g.stop()));
  await T.destroy();
}, 60_000);

/** Packets a host's VEM dropped for `reason`, summed over its segments (`vxvem show drops`). */
const dropped = (host: string, reason: string): number => {
  const out = T.cli(host, ['show', 'drops', '--json', '--instance', T.agents.get(host)!.instance]);
  const rows = JSON.parse(out) as { reason: string; packets: number }[];
  return rows.filter((r) => r.reason === reason).reduce((n, r) => n + r.packets, 0);
};

describe('QEMU guests on tap ports', () => {
  it('virtio-net negotiated TSO both ways, so the guests send and take super-frames', async () => {
    for (const name of ['g1', 'g2'] as const) {
      // One character per feature bit: 7 GUEST_TSO4 (host to guest), 11 HOST_TSO4 (guest to host).
      const bits = (await guest(name).sh('cat /sys/class/net/eth0/device/features')).trim();
      expect(bits[7], `${name} GUEST_TSO4`).toBe('1');
      expect(bits[11], `${name} HOST_TSO4`).toBe('1');
      expect((await guest(name).sh('cat /sys/class/net/eth0/mtu')).trim()).toBe(String(MTU));
    }
    for (const [host, tap] of [['h1', NOVA_TAP], ['h2', QEMU_TAP]] as const) {
      // A tap reports operstate UNKNOWN; LOWER_UP says that QEMU holds its queue.
      expect(T.get(host).ip('link', 'show', 'dev', tap)).toMatch(/<[^>]*\bUP,LOWER_UP\b/);
    }
  });

  it('ping across hosts', async () => {
    // The agents bind the ports and the guests ARP: wait for the first reply, then demand three.
    await guest('g1').until(`ping -c 1 -W 1 ${ADDR.g2}`, 30_000);
    const out = await guest('g1').sh(`ping -c 3 -W 2 ${ADDR.g2}`);
    expect(out).toMatch(/3 packets transmitted, 3 packets received/);
  });

  it('bulk TCP from the Nova-style tap into the QEMU-created one arrives whole', async () => {
    const r = await tcpTransfer(guest('g1'), guest('g2'), ADDR.g2, { port: 5001, blocks: BLOCKS, timeoutMs: 90_000 });
    expect(r.bytes).toBe(BLOCKS * 65536);
  }, 120_000);

  it('bulk TCP the other way arrives whole', async () => {
    const r = await tcpTransfer(guest('g2'), guest('g1'), ADDR.g1, { port: 5002, blocks: BLOCKS, timeoutMs: 90_000 });
    expect(r.bytes).toBe(BLOCKS * 65536);
  }, 120_000);

  it('no MTU drops, no frag-needed reached a guest, no bad TCP checksums', async () => {
    for (const h of ['h1', 'h2']) {
      for (const reason of ['mtu_exceeded', 'icmp_ratelimit']) expect(dropped(h, reason), `${h} ${reason}`).toBe(0);
    }
    for (const name of ['g1', 'g2'] as const) {
      expect(await guest(name).snmp('Icmp', 'InDestUnreachs'), `${name} ICMP unreachable received`).toBe(0);
      expect(await guest(name).snmp('Tcp', 'InCsumErrors'), `${name} TcpInCsumErrors`).toBe(0);
    }
  });
});
