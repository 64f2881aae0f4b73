// VTEPs in two subnets joined by a router namespace: next hops through a configured gateway,
// or through the router's proxy ARP; a host with two VTEPs whose segments are designated to
// different ones; a VM that moves between hosts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBpf } from './helpers/bpf.js';
import { Topology } from './helpers/topology.js';

ensureBpf();
const T = new Topology(`vxr${process.pid}`);
// Subnet A 192.0.2.0/26 (router .62), subnet B 192.0.2.64/26 (router .126).
const H1 = '192.0.2.11'; // A, gateway
const H3 = '192.0.2.13'; // A, no gateway: proxy ARP
const H2 = '192.0.2.75'; // B, gateway
const H4A = '192.0.2.14'; // h4's first VTEP (A)
const H4B = '192.0.2.76'; // h4's second VTEP (B)

const seg = (vni: number, floodList: string[], vtep?: string) => ({ vni, mode: 'unicast', floodList, ...(vtep ? { vtep } : {}) });

beforeAll(async () => {
  T.addSwitch('ula');
  T.addSwitch('ulb');
  T.addRouter('rt', [{ sw: 'ula', addr: '192.0.2.62/26' }, { sw: 'ulb', addr: '192.0.2.126/26' }], true);
  T.addHost('h1', [{ sw: 'ula', addr: `${H1}/26` }]);
  T.addHost('h2', [{ sw: 'ulb', addr: `${H2}/26` }]);
  T.addHost('h3', [{ sw: 'ula', addr: `${H3}/26` }]);
  T.addHost('h4', [{ sw: 'ula', addr: `${H4A}/26` }, { sw: 'ulb', addr: `${H4B}/26` }]);
  T.addVm('vm1', 'h1', 'vnet0', '02:00:00:00:00:01', '198.51.100.1/24');
  T.addVm('vm2', 'h2', 'vnet0', '02:00:00:00:00:02', '198.51.100.2/24');
  T.addVm('vm3', 'h3', 'vnet0', '02:00:00:00:00:03', '198.51.100.3/24');
  T.addVm('vm4a', 'h4', 'vnet0', '02:00:00:00:00:04', '198.51.100.4/24');
  T.addVm('vm2b', 'h2', 'vnet1', '02:00:00:00:01:02', '198.51.100.12/24');
  T.addVm('vm4b', 'h4', 'vnet1', '02:00:00:00:01:04', '198.51.100.14/24');
  await T.startAgent('h1', {
    vteps: [{ interface: 'up0', address: `${H1}/26`, gateway: '192.0.2.62' }],
    segments: [seg(5000, [H2, H3, H4A])],
    ports: [{ interface: 'vnet0', vni: 5000 }],
  });
  await T.startAgent('h2', {
    vteps: [{ interface: 'up0', address: `${H2}/26`, gateway: '192.0.2.126' }],
    segments: [seg(5000, [H1, H3, H4A]), seg(5001, [H4B])],
    ports: [{ interface: 'vnet0', vni: 5000 }, { interface: 'vnet1', vni: 5001 }],
  });
  await T.startAgent('h3', {
    vteps: [{ interface: 'up0', address: `${H3}/26` }], // no gateway: the router answers by proxy ARP
    segments: [seg(5000, [H1, H2, H4A])],
    ports: [{ interface: 'vnet0', vni: 5000 }],
  });
  await T.startAgent('h4', {
    vteps: [{ interface: 'up0', address: `${H4A}/26`, gateway: '192.0.2.62' }, { interface: 'up1', address: `${H4B}/26`, gateway: '192.0.2.126' }],
    segments: [seg(5000, [H1, H2, H3], H4A), seg(5001, [H2], H4B)],
    ports: [{ interface: 'vnet0', vni: 5000 }, { interface: 'vnet1', vni: 5001 }],
  });
}, 120_000);

afterAll(() => T.destroy(), 60_000);

const ping = (from: string, to: string) => T.get(from).exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', to]);
const macs = (host: string) => JSON.parse(T.cli(host, ['show', 'macs', '--json', '--instance', T.agents.get(host)!.instance])) as { vni: number; mac: string; kind: string; vtep: string }[];

describe('VTEPs in different subnets', () => {
  it('through the configured gateway, both ways', () => {
    ping('vm1', '198.51.100.2');
    ping('vm2', '198.51.100.1');
  });

  it('the next hop is the gateway: vx_neigh holds the router MAC for it, nothing for the remote VTEP', () => {
    const routerMac = T.get('rt').mac('rt0');
    const out = T.cli('h1', ['show', 'vteps', '--json', '--instance', T.agents.get('h1')!.instance]);
    expect(JSON.parse(out)[0]).toMatchObject({ address: H1, gateway: '192.0.2.62' });
    const fdb = macs('h1').find((m) => m.mac === '02:00:00:00:00:02');
    expect(fdb).toMatchObject({ kind: 'remote', vtep: H2 });
    const hops = JSON.parse(T.cli('h1', ['show', 'nexthops', '--json', '--instance', T.agents.get('h1')!.instance])) as { nextHop: string; mac: string }[];
    expect(hops.find((h) => h.nextHop === '192.0.2.62')?.mac).toBe(routerMac);
    expect(hops.some((h) => h.nextHop === H2)).toBe(false);
  });

  it('without a gateway, through the router answering proxy ARP for the remote VTEP', () => {
    ping('vm3', '198.51.100.2');
    ping('vm2', '198.51.100.3');
  });
});

describe('a host with two VTEPs', () => {
  it('each segment uses its designated VTEP as source and flood receiver', () => {
    ping('vm4a', '198.51.100.1');
    ping('vm4b', '198.51.100.12');
    const seen = macs('h2');
    expect(seen.find((m) => m.mac === '02:00:00:00:00:04')).toMatchObject({ vni: 5000, vtep: H4A });
    expect(seen.find((m) => m.mac === '02:00:00:00:01:04')).toMatchObject({ vni: 5001, vtep: H4B });
  });

  it('show segments lists the designated VTEP of each segment', () => {
    const segs = JSON.parse(T.cli('h4', ['show', 'segments', '--json', '--instance', T.agents.get('h4')!.instance])) as { vni: number; vtep: string; floodList: string[] }[];
    expect(segs).toEqual([
      expect.objectContaining({ vni: 5000, vtep: H4A, floodList: [H1, H2, H3] }),
      expect.objectContaining({ vni: 5001, vtep: H4B, floodList: [H2] }),
    ]);
  });
});

describe('MAC move', () => {
  it('a VM that moves to another host is found there: the remote entry moves and is counted', async () => {
    ping('vm1', '198.51.100.3');
    expect(macs('h1').find((m) => m.mac === '02:00:00:00:00:03')?.vtep).toBe(H3);
    // "Migrate" vm3: its interface is moved from h3 to h4 (same MAC and address, segment 5000).
    const vm3 = T.get('vm3');
    vm3.ip('link', 'del', 'eth0');
    T.get('h4').ip('link', 'add', 'vnet2', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', vm3.name);
    vm3.ip('link', 'set', 'eth0', 'address', '02:00:00:00:00:03');
    vm3.ip('addr', 'add', '198.51.100.3/24', 'dev', 'eth0');
    vm3.ip('link', 'set', 'eth0', 'up');
    T.get('h4').ip('link', 'set', 'vnet2', 'up');
    const a = T.agents.get('h4')!;
    const { writeFileSync, readFileSync } = await import('node:fs');
    const cfg = JSON.parse(readFileSync(a.configPath, 'utf8')) as { ports: { interface: string; vni: number }[] };
    cfg.ports.push({ interface: 'vnet2', vni: 5000 });
    writeFileSync(a.configPath, JSON.stringify(cfg));
    a.proc.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 1000));
    // The VM announces itself (gratuitous ARP, as hypervisors do after a migration).
    vm3.exec('arping', ['-c', '2', '-U', '-I', 'eth0', '198.51.100.3']);
    expect(macs('h1').find((m) => m.mac === '02:00:00:00:00:03')?.vtep).toBe(H4A);
    const counters = JSON.parse(T.cli('h1', ['show', 'counters', '--json', '--instance', T.agents.get('h1')!.instance])) as { vni: number; moves?: string }[];
    expect(Number(counters.find((c) => c.vni === 5000 && c.moves !== undefined)?.moves)).toBeGreaterThanOrEqual(1);
    ping('vm1', '198.51.100.3');
  });
});
