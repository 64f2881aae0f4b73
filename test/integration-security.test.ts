// Each attack of docs/dataplane.md "Security", made for real in namespaces against running VEM
// agents, and shown to fail: VXLAN from an unknown VTEP, a host interface as a port, MAC theft,
// ARP spoofing, MAC-table exhaustion, a broadcast storm, a spray of VNIs. Each one is counted
// under its drop reason, and what it went for (a VM, the MAC table, the next hops) is untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { RAWPKT, Topology, listenWhile } from './helpers/topology.js';
import { arpRequest, eth, ipv4, udp, vxlanFrame } from '../testbed/packets.js';
import { parseIpv4, parseMac } from '../src/common/address.js';

ensureBpf();
const SPRAY = join(REPO, 'test', 'fixtures', 'spray.py');
const T = new Topology(`vxsec${process.pid}`);
const H1 = '192.0.2.41';
const H2 = '192.0.2.42';
const EVIL = '192.0.2.50'; // on the underlay, in the VTEPs' own subnet, named by no configuration
const MAC = { vm1: '02:00:00:00:00:01', vm1b: '02:00:00:00:00:04', vm1c: '02:00:00:00:00:05', vm2: '02:00:00:00:00:02', fixed: '02:00:00:00:0f:01' };
const IP = { vm1: '198.51.100.1', vm1b: '198.51.100.4', vm1c: '198.51.100.5', vm2: '198.51.100.2' };

function h1Config(extraPorts: unknown[] = []): unknown {
  return {
    vteps: [{ interface: 'up0', address: `${H1}/26` }],
    segments: [{ vni: 5000, mode: 'unicast', floodList: [H2] }],
    ports: [
      { interface: 'vnet0', vni: 5000, mac: MAC.vm1, addresses: [IP.vm1] },
      { interface: 'vnet1', vni: 5000, mac: MAC.vm1b, addresses: [IP.vm1b] },
      { interface: 'vnet2', vni: 5000, stormPps: 20 }, // no port security: the MAC limit and storm control still hold
      ...extraPorts,
    ],
    staticMacs: [{ vni: 5000, mac: MAC.fixed, vtep: H2 }],
    maxMacsPerPort: 16,
  };
}

beforeAll(async () => {
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: `${H1}/26` }]);
  T.addHost('h2', [{ sw: 'ula', addr: `${H2}/26` }]);
  T.addHost('evil', [{ sw: 'ula', addr: `${EVIL}/26` }]);
  T.addVm('vm1', 'h1', 'vnet0', MAC.vm1, `${IP.vm1}/24`);
  T.addVm('vm1b', 'h1', 'vnet1', MAC.vm1b, `${IP.vm1b}/24`);
  T.addVm('vm1c', 'h1', 'vnet2', MAC.vm1c, `${IP.vm1c}/24`);
  T.addVm('vm2', 'h2', 'vnet0', MAC.vm2, `${IP.vm2}/24`);
  await T.startAgent('h1', h1Config());
  await T.startAgent('h2', {
    vteps: [{ interface: 'up0', address: `${H2}/26` }],
    segments: [{ vni: 5000, mode: 'unicast', floodList: [H1] }],
    ports: [{ interface: 'vnet0', vni: 5000, mac: MAC.vm2, addresses: [IP.vm2] }],
  });
  T.get('vm1').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', IP.vm2]); // both sides learn, next hops resolve
}, 120_000);

afterAll(() => T.destroy(), 60_000);

const inst = (h: string): string => T.agents.get(h)!.instance;

/** Drops of a host as { "vni/reason": packets }. */
function drops(h: string): Record<string, number> {
  const rows = JSON.parse(T.cli(h, ['show', 'counters', '--json', '--instance', inst(h)])) as { vni: number; drop?: string; packets?: string }[];
  return Object.fromEntries(rows.filter((r) => r.drop).map((r) => [`${r.vni}/${r.drop}`, Number(r.packets)]));
}

/** What `act` added to a host's drops. */
async function dropsDuring(h: string, act: () => Promise<unknown> | unknown): Promise<Record<string, number>> {
  const before = drops(h);
  await act();
  const after = drops(h);
  return Object.fromEntries(Object.entries(after).filter(([k, v]) => v !== (before[k] ?? 0)).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

const macs = (h: string) => JSON.parse(T.cli(h, ['show', 'macs', '--json', '--instance', inst(h)])) as { vni: number; mac: string; kind: string; port: number | string; vtep: string }[];
const nextHops = (h: string) => (JSON.parse(T.cli(h, ['show', 'nexthops', '--json', '--instance', inst(h)])) as { nextHop: string }[]).map((n) => n.nextHop);

/** Sends `frame` `count` times from a VM's eth0 (or a host's up0). */
const send = (ns: string, dev: string, frame: Buffer, count: number, gapMs = 2) =>
  T.get(ns).exec('/usr/bin/python3', [RAWPKT, 'send', dev, String(count), frame.toString('hex'), String(gapMs)]);
/** `count` copies of `frame`, bytes [offset, offset + width) counting up from frame to frame. */
const spray = (ns: string, dev: string, frame: Buffer, count: number, offset: number, width: number, gapMs = 0) =>
  T.get(ns).exec('/usr/bin/python3', [SPRAY, dev, String(count), frame.toString('hex'), String(offset), String(width), String(gapMs)]);
/** How many frames holding `needle` reach `vm` while `act` runs. */
const heard = async (vm: string, needle: Buffer, act: () => void): Promise<number> =>
  Number(await listenWhile(T.get(vm), ['count', 'eth0', '3', needle.toString('hex')], act));

/** A UDP frame whose payload ends in a 16-byte marker (what the listeners look for). */
function marked(dstMac: string, srcMac: string, src: string, dst: string, marker: string): Buffer {
  return eth(dstMac, srcMac, 0x0800, ipv4({ src, dst, proto: 17 }, udp(7, 7, Buffer.concat([Buffer.alloc(16), Buffer.from(marker.padEnd(16, '.'))]))));
}
const tail = (f: Buffer): Buffer => f.subarray(f.length - 16);

describe('what the checks let through', () => {
  it('VMs with port security on reach each other across hosts (ARP, IPv4 from their own addresses)', () => {
    T.get('vm1b').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', IP.vm2]);
    T.get('vm2').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', IP.vm1]);
    expect(drops('h1')).toEqual({});
  });
});

describe('attacks', () => {
  it('VXLAN from a VTEP no segment names: dropped as unknown_vtep, nothing learned, no next hop written', async () => {
    const h1Mac = T.get('h1').mac('up0');
    const intruder = '02:00:00:00:66:66';
    const inner = marked(MAC.vm1, intruder, '198.51.100.66', IP.vm1, 'spoofed-vtep');
    const frame = vxlanFrame({ dstMac: h1Mac, srcMac: T.get('evil').mac('up0'), src: EVIL, dst: H1, vni: 5000, inner });
    let got = -1;
    const d = await dropsDuring('h1', async () => {
      got = await heard('vm1', tail(inner), () => send('evil', 'up0', frame, 20));
    });
    expect(got).toBe(0);
    expect(d).toEqual({ '5000/unknown_vtep': 20 });
    expect(macs('h1').some((m) => m.mac === intruder)).toBe(false);
    expect(nextHops('h1')).not.toContain(EVIL);
  });

  it('a VNI spray: 500 VNIs make one unknown_vni series, under VNI 0', async () => {
    const frame = vxlanFrame({ dstMac: T.get('h1').mac('up0'), srcMac: T.get('evil').mac('up0'), src: EVIL, dst: H1, vni: 700000, inner: marked(MAC.vm1, '02:00:00:00:66:67', '198.51.100.66', IP.vm1, 'vni-spray') });
    const d = await dropsDuring('h1', () => spray('evil', 'up0', frame, 500, 46, 3)); // the VNI: bytes 46-48
    expect(d).toEqual({ '0/unknown_vni': 500 });
  });

  it('MAC theft: a VM sending with its neighbour\'s MAC is dropped as spoofed_source; the MAC stays on its port', async () => {
    const owner = macs('h1').find((m) => m.mac === MAC.vm1)!;
    const frame = marked(MAC.vm2, MAC.vm1, IP.vm1, IP.vm2, 'mac-theft');
    let got = -1;
    const d = await dropsDuring('h1', async () => {
      got = await heard('vm2', tail(frame), () => send('vm1b', 'eth0', frame, 10));
    });
    expect(got).toBe(0);
    expect(d).toEqual({ '5000/spoofed_source': 10 });
    expect(macs('h1').find((m) => m.mac === MAC.vm1)).toMatchObject({ kind: 'local', port: owner.port });
  });

  it('ARP spoofing: a VM claiming its neighbour\'s address, or another sender MAC, is dropped; the victim\'s cache is untouched', async () => {
    const claim = arpRequest(MAC.vm1b, IP.vm1, IP.vm2); // "198.51.100.1 is at vm1b"
    const forged = arpRequest(MAC.vm1b, IP.vm1b, IP.vm2);
    parseMac(MAC.vm1).copy(forged, 14 + 8); // sender MAC field: vm1's
    forged.writeUInt32BE(parseIpv4(IP.vm1b), 14 + 14);
    let got = -1;
    const d = await dropsDuring('h1', async () => {
      got = await heard('vm2', claim.subarray(14 + 8, 14 + 18), () => {
        send('vm1b', 'eth0', claim, 5);
        send('vm1b', 'eth0', forged, 5);
      });
    });
    expect(got).toBe(0);
    expect(d).toEqual({ '5000/spoofed_source': 10 });
    const neigh = T.get('vm2').exec('ip', ['-j', 'neigh', 'show', IP.vm1]);
    expect(neigh).not.toContain(MAC.vm1b);
  });

  it('MAC-table exhaustion: a port learns at most maxMacsPerPort, a secure port none; static entries stay', async () => {
    const open = marked(MAC.vm2, '02:00:00:11:00:00', IP.vm1c, IP.vm2, 'exhaust-open');
    const secure = marked(MAC.vm2, '02:00:00:22:00:00', IP.vm1b, IP.vm2, 'exhaust-secure');
    const d = await dropsDuring('h1', () => {
      spray('vm1c', 'eth0', open, 300, 9, 3); // source MAC bytes 9-11
      spray('vm1b', 'eth0', secure, 300, 9, 3);
    });
    const vnet2 = T.get('h1').ifindex('vnet2');
    const learned = macs('h1').filter((m) => m.kind === 'local' && m.port === vnet2).length;
    expect(learned).toBeLessThanOrEqual(16);
    expect(d['5000/mac_limit']).toBe(300 - (learned - (macs('h1').some((m) => m.mac === MAC.vm1c) ? 1 : 0)));
    expect(d['5000/spoofed_source']).toBe(300);
    expect(macs('h1').some((m) => m.mac.startsWith('02:00:00:22'))).toBe(false);
    expect(macs('h1').find((m) => m.mac === MAC.fixed)).toMatchObject({ kind: 'remote-static', vtep: H2 });
  });

  it('a broadcast storm: what passes the port\'s 20 frames/s and what is dropped as storm add up to what was sent', async () => {
    const frame = marked('ff:ff:ff:ff:ff:ff', MAC.vm1c, IP.vm1c, '198.51.100.255', 'storm');
    let got = -1;
    const d = await dropsDuring('h1', async () => {
      got = await heard('vm2', tail(frame), () => send('vm1c', 'eth0', frame, 300, 1));
    });
    expect(d['5000/storm']).toBeGreaterThan(150);
    expect(got + d['5000/storm']!).toBe(300);
    expect(Object.keys(d)).toEqual(['5000/storm']);
  });

  it('a host interface as a port: refused by the agent on start and on reload, nothing attached to it', async () => {
    // Its own host, where eth0 exists: the agent must refuse it rather than bind it.
    T.addHost('h3', [{ sw: 'ula', addr: '192.0.2.43/26' }]);
    T.get('h3').ip('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p');
    const bad = { vteps: [{ interface: 'up0', address: '192.0.2.43/26' }], segments: [{ vni: 5000, floodList: [H1] }], ports: [{ interface: 'eth0', vni: 5000 }] };
    await expect(T.startAgent('h3', bad)).rejects.toThrow(/ports\[0\]\.interface: "eth0" is not a VM interface \(tap\*, vnet\*, veth\*\): a port never takes a host interface/);
    expect(T.get('h3').exec('tc', ['filter', 'show', 'dev', 'eth0', 'ingress']).trim()).toBe('');

    const a = T.agents.get('h1')!;
    T.get('h1').ip('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p');
    writeFileSync(a.configPath, JSON.stringify(h1Config([{ interface: 'eth0', vni: 5000 }])));
    a.proc.kill('SIGHUP');
    const deadline = Date.now() + 10_000;
    while (!a.log.join('').includes('reload refused') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(a.log.join('')).toMatch(/reload refused, keeping the running configuration: ports\[3\]\.interface: "eth0" is not a VM interface/);
    expect(T.get('h1').exec('tc', ['filter', 'show', 'dev', 'eth0', 'ingress']).trim()).toBe('');
    T.get('vm1').exec('ping', ['-c', '1', '-W', '2', IP.vm2]); // still forwarding
  });
});
