// DHCP from the local VEM (docs/dataplane.md, "DHCP") with a real client: busybox udhcpc in a VM
// behind a veth port and behind a tap port gets its address, router, DNS and the overlay MTU
// (1450 on a 1500 underlay) from the VEM, renews (a unicast request from a UDP socket, checksum
// left to offload) and reaches the gateway on another host; no DHCP frame ever reaches the
// underlay. A port without DHCP is switched as before; a request for another MAC is counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPinnedMaps } from '../src/maps/dataplane.js';
import { readDhcpTotals, type DhcpTotals } from '../src/maps/totals.js';
import { DHCP_TYPE, dhcpFrame } from '../testbed/dhcp.js';
import type { Netns } from '../testbed/netns.js';
import { startTapGuest, type TapGuest } from '../testbed/tap-guest.js';
import { ensureBpf } from './helpers/bpf.js';
import { RAWPKT, Topology } from './helpers/topology.js';
import { until } from './helpers/until.js';

ensureBpf();
const T = new Topology(`vxdh${process.pid}`);
const DIR = mkdtempSync(join(tmpdir(), 'vxvem-dhcp-'));
const H1 = '192.0.2.61';
const H2 = '192.0.2.62';
const TAP = 'tap5e1d0c4b-a2';
const MAC = { vm1: '02:00:00:00:0d:01', vm2: '02:00:00:00:0d:02', vm3: '02:00:00:00:0d:03', gw: '02:00:00:00:0d:fe', other: '02:00:00:00:0d:99' };
const IP = { vm1: '198.51.100.10', vm2: '198.51.100.11', gw: '198.51.100.1', dns: '198.51.100.53' };
const dhcp = (address: string) => ({ address: `${address}/25`, gateway: IP.gw, dns: [IP.dns], domain: 'example.org', leaseSeconds: 600 });
let tapGuest: TapGuest;
const clients: ChildProcess[] = [];

beforeAll(async () => {
  T.addSwitch('ula');
  // A 1500-byte underlay: guests must be told 1450.
  T.addHost('h1', [{ sw: 'ula', addr: `${H1}/26`, mtu: 1500 }]);
  T.addHost('h2', [{ sw: 'ula', addr: `${H2}/26`, mtu: 1500 }]);
  // Guests boot without an address: DHCP gives it.
  for (const [vm, port] of [['vm1', 'vnet0'], ['vm3', 'vnet1']] as const) {
    T.addVm(vm, 'h1', port, MAC[vm], '198.51.100.250/32');
    T.get(vm).ip('addr', 'flush', 'dev', 'eth0');
  }
  // vm1's renewal leaves its UDP checksum to offload; with no checksum offload on the port's host
  // side, the kernel completes the reply's checksum there, and the guest then checks it for real.
  T.get('h1').exec('ethtool', ['-K', 'vnet0', 'tx', 'off']);
  tapGuest = await startTapGuest(T.get('h1'), `${T.tag}-vm2`, TAP, MAC.vm2, true);
  T.ns.set('vm2', tapGuest.ns);
  T.addVm('gw', 'h2', 'vnet0', MAC.gw, `${IP.gw}/25`);
  await T.startAgent('h1', {
    vteps: [{ interface: 'up0', address: `${H1}/26` }],
    segments: [{ vni: 5000, mode: 'unicast', floodList: [H2] }],
    ports: [
      { interface: 'vnet0', vni: 5000, mac: MAC.vm1, addresses: [IP.vm1], dhcp: dhcp(IP.vm1) },
      { interface: TAP, vni: 5000, mac: MAC.vm2, addresses: [IP.vm2], dhcp: dhcp(IP.vm2) },
      { interface: 'vnet1', vni: 5000, mac: MAC.vm3 },
    ],
  });
  await T.startAgent('h2', {
    vteps: [{ interface: 'up0', address: `${H2}/26` }],
    segments: [{ vni: 5000, mode: 'unicast', floodList: [H1] }],
    ports: [{ interface: 'vnet0', vni: 5000, mac: MAC.gw }],
  });
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.kill('SIGKILL');
  tapGuest?.relay.kill('SIGKILL');
  await T.destroy();
  rmSync(DIR, { recursive: true, force: true });
}, 60_000);

/** udhcpc's event script: applies the lease as a distribution's script would, and logs it. */
function script(vm: string): { path: string; log: string } {
  const log = join(DIR, `${vm}.log`);
  const path = join(DIR, `${vm}.sh`);
  writeFileSync(path, `#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set dev "$interface" up ;;
  bound|renew)
    ip addr replace "$ip/\${mask:-$subnet}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "$router" dev "$interface"
    [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
    echo "$1 ip=$ip mask=$mask router=$router dns=$dns domain=$domain mtu=$mtu lease=$lease serverid=$serverid" >> "${log}" ;;
esac
`, { mode: 0o755 });
  return { path, log };
}

const events = (log: string): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

/**
 * Counts the DHCP messages (UDP 67/68, not ICMP quoting one) that VXLAN frames carry across `dev`
 * of `where`, both ways, until stopped.
 */
async function watch(where: Netns, dev: string): Promise<{ stop: () => Promise<number> }> {
  const code = [
    'import signal, socket, struct, sys',
    's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); s.bind((sys.argv[1], 0))',
    'n = 0',
    'def stop(*_): print(n, flush=True); sys.exit(0)',
    'signal.signal(signal.SIGTERM, stop)',
    'def dhcp(f):',
    '    if f[12:14] != b"\\x08\\x00" or f[23] != 17: return False',
    '    o = 14 + (f[14] & 15) * 4',
    '    if struct.unpack_from("!H", f, o + 2)[0] != 4789: return False',
    '    i = o + 16',
    '    if f[i + 12:i + 14] != b"\\x08\\x00" or f[i + 23] != 17: return False',
    '    u = i + 14 + (f[i + 14] & 15) * 4',
    '    return set(struct.unpack_from("!HH", f, u)) == {67, 68}',
    'print("ready", flush=True)',
    'while True:',
    '    f = s.recv(65536)',
    '    if len(f) > 100 and dhcp(f): n += 1; print("dhcp", f.hex(), flush=True)',
  ].join('\n');
  const p = where.spawn('/usr/bin/python3', ['-c', code, dev]);
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await until('capture ready', () => out, (o) => o.includes('ready'));
  return {
    stop: async () => {
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      await exited;
      return Number(out.trim().split('\n').pop());
    },
  };
}

const h1Replies = (): DhcpTotals => {
  const { maps, close } = openPinnedMaps(T.agents.get('h1')!.instance);
  try {
    return readDhcpTotals(maps).get(5000) ?? { offers: 0, acks: 0, naks: 0 };
  } finally {
    close();
  }
};

const h1Drops = (): Record<string, number> => {
  const rows = JSON.parse(T.cli('h1', ['show', 'drops', '--json', '--instance', T.agents.get('h1')!.instance])) as { vni: number; reason: string; packets: number }[];
  return Object.fromEntries(rows.map((r) => [`${r.vni}/${r.reason}`, r.packets]));
};

/** Runs udhcpc in `vm` until bound, renews once, and checks what the guest was configured with. */
async function leaseAndRenew(vm: 'vm1' | 'vm2', address: string): Promise<void> {
  const s = script(vm);
  const before = h1Replies();
  const wire = await watch(T.get('h1'), 'up0');
  const client = T.get(vm).spawn('busybox', ['udhcpc', '-f', '-i', 'eth0', '-s', s.path, '-t', '10', '-T', '1', '-O', 'mtu']);
  clients.push(client);
  const bound = await until(`${vm} bound`, () => events(s.log), (e) => e.some((l) => l.startsWith('bound')), 30_000);
  expect(bound[0]).toBe(`bound ip=${address} mask=25 router=${IP.gw} dns=${IP.dns} domain=example.org mtu=1450 lease=600 serverid=${IP.gw}`);

  // A renewal: unicast to the server identifier (the gateway, on h2), from udhcpc's UDP socket.
  client.kill('SIGUSR1');
  await until(`${vm} renewed`, () => events(s.log), (e) => e.some((l) => l.startsWith('renew')), 30_000);
  expect(await wire.stop()).toBe(0);

  const after = h1Replies();
  expect(after.offers - before.offers).toBeGreaterThanOrEqual(1);
  expect(after.acks - before.acks).toBeGreaterThanOrEqual(2);
  expect(after.naks).toBe(before.naks);

  expect(Number(T.get(vm).exec('nstat', ['-az', 'UdpInCsumErrors']).match(/UdpInCsumErrors\s+(\d+)/)?.[1] ?? 0)).toBe(0);
  const link = JSON.parse(T.get(vm).exec('ip', ['-j', 'addr', 'show', 'eth0'])) as { mtu: number; addr_info: { local: string; prefixlen: number }[] }[];
  expect(link[0]!.mtu).toBe(1450);
  expect(link[0]!.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain(`${address}/25`);
  expect(T.get(vm).exec('ip', ['route', 'show', 'default'])).toContain(`via ${IP.gw}`);
  T.get(vm).exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', IP.gw]); // the address works across hosts
}

describe('DHCP from the VEM', () => {
  it('a VM on a veth port gets its address, router, DNS, domain and MTU 1450, and renews; nothing reaches the underlay', async () => {
    await leaseAndRenew('vm1', IP.vm1);
  }, 90_000);

  it('a guest on a tap port (virtio-net header, checksum offload) the same', async () => {
    await leaseAndRenew('vm2', IP.vm2);
  }, 90_000);

  it('a port without DHCP: the DISCOVER is switched like any broadcast and nobody answers', async () => {
    const s = script('vm3');
    const before = h1Replies();
    const wire = await watch(T.get('h1'), 'up0');
    // -n: exit when no lease comes.
    expect(() => T.get('vm3').exec('busybox', ['udhcpc', '-n', '-q', '-f', '-i', 'eth0', '-s', s.path, '-t', '2', '-T', '1'])).toThrow();
    expect(await wire.stop()).toBeGreaterThanOrEqual(2); // the DISCOVERs went to h2
    expect(events(s.log)).toEqual([]);
    expect(h1Replies()).toEqual(before);
  }, 60_000);

  it('a DISCOVER for another MAC from a DHCP port is dropped and counted, never forwarded', async () => {
    const frame = dhcpFrame({ mac: MAC.vm1, chaddr: MAC.other, type: DHCP_TYPE.discover });
    const before = h1Drops()['5000/dhcp_foreign'] ?? 0;
    const wire = await watch(T.get('h1'), 'up0');
    T.get('vm1').exec('/usr/bin/python3', [RAWPKT, 'send', 'eth0', '5', frame.toString('hex'), '2']);
    await until('dhcp_foreign drops', () => h1Drops()['5000/dhcp_foreign'] ?? 0, (n) => n - before === 5);
    expect(await wire.stop()).toBe(0);
  }, 60_000);
});
