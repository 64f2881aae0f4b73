// Three hosts running `vxvem vem` on a veth/bridge underlay, VMs in their own namespaces:
// traffic in both flood modes, local switching, exact flood copies, learning then unicast,
// the operator commands, TCP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { ensureBpf } from './helpers/bpf.js';
import { RAWPKT, Topology, bulkTcp } from './helpers/topology.js';
import { eth, ipv4, udp } from '../testbed/packets.js';

ensureBpf();
const T = new Topology(`vxi${process.pid}`);
const HOSTS = { h1: '192.0.2.11', h2: '192.0.2.12', h3: '192.0.2.13' } as const;
type Host = keyof typeof HOSTS;
const MAC = { vm1: '02:00:00:00:00:01', vm1b: '02:00:00:00:00:04', vm2: '02:00:00:00:00:02', vm3: '02:00:00:00:00:03' };

function config(host: Host): unknown {
  const others = (Object.keys(HOSTS) as Host[]).filter((h) => h !== host).map((h) => HOSTS[h]);
  const ports = [{ interface: 'vnet0', vni: 5000 }, { interface: 'vnetm', vni: 6000 }];
  if (host === 'h1') ports.push({ interface: 'vnet1', vni: 5000 });
  return {
    vteps: [{ interface: 'up0', address: `${HOSTS[host]}/26` }],
    segments: [
      { vni: 5000, mode: 'unicast', floodList: others },
      { vni: 6000, mode: 'multicast', group: '239.1.1.1' },
    ],
    ports,
  };
}

beforeAll(async () => {
  T.addSwitch('ula');
  for (const h of Object.keys(HOSTS) as Host[]) T.addHost(h, [{ sw: 'ula', addr: `${HOSTS[h]}/26` }]);
  T.addVm('vm1', 'h1', 'vnet0', MAC.vm1, '198.51.100.1/24');
  T.addVm('vm1b', 'h1', 'vnet1', MAC.vm1b, '198.51.100.4/24');
  T.addVm('vm2', 'h2', 'vnet0', MAC.vm2, '198.51.100.2/24');
  T.addVm('vm3', 'h3', 'vnet0', MAC.vm3, '198.51.100.3/24');
  for (const [i, h] of (['h1', 'h2', 'h3'] as const).entries()) T.addVm(`m${i + 1}`, h, 'vnetm', `02:00:00:00:01:0${i + 1}`, `198.51.100.10${i + 1}/24`);
  await Promise.all((Object.keys(HOSTS) as Host[]).map((h) => T.startAgent(h, config(h))));
}, 90_000);

afterAll(() => T.destroy(), 60_000);

function ping(from: string, to: string, count = 3): void {
  T.get(from).exec('ping', ['-c', String(count), '-i', '0.2', '-W', '2', to]);
}

/** Sends `count` copies of `frame` from a VM and counts exact copies at each listener. */
async function countCopies(from: string, frame: Buffer, listeners: string[], count = 10): Promise<Record<string, number>> {
  const needle = frame.subarray(frame.length - 16).toString('hex');
  const procs = listeners.map((vm) => T.get(vm).spawn('/usr/bin/python3', [RAWPKT, 'count', 'eth0', '3', needle]));
  const outputs = procs.map((p) => new Promise<string>((resolve) => {
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', () => resolve(out));
  }));
  // Wait until every listener's socket is bound before sending.
  await Promise.all(procs.map((p) => new Promise<void>((r) => p.stdout!.once('data', () => r()))));
  T.get(from).exec('/usr/bin/python3', [RAWPKT, 'send', 'eth0', String(count), frame.toString('hex'), '20']);
  const results = await Promise.all(outputs);
  return Object.fromEntries(listeners.map((vm, i) => [vm, Number(results[i]!.trim().split('\n').pop())]));
}

function marked(dstMac: string, srcMac: string, marker: string): Buffer {
  const payload = Buffer.concat([Buffer.alloc(16), Buffer.from(marker.padEnd(16, '.'))]);
  return eth(dstMac, srcMac, 0x0800, ipv4({ src: '198.51.100.1', dst: '198.51.100.200', proto: 17 }, udp(7, 7, payload)));
}

describe('unicast-only mode (head-end replication)', () => {
  it('VMs on different hosts reach each other (ARP flooded, then unicast)', () => {
    ping('vm1', '198.51.100.2');
    ping('vm1', '198.51.100.3');
    ping('vm3', '198.51.100.2');
  });

  it('VMs on one host are switched locally', () => {
    ping('vm1', '198.51.100.4');
    const macs = JSON.parse(T.cli('h1', ['show', 'macs', '--json', '--instance', T.agents.get('h1')!.instance])) as { mac: string; kind: string }[];
    expect(macs.find((m) => m.mac === MAC.vm1b)?.kind).toBe('local');
  });

  it('learned the remote VMs behind their VTEPs', () => {
    const macs = JSON.parse(T.cli('h1', ['show', 'macs', '--json', '--instance', T.agents.get('h1')!.instance])) as { vni: number; mac: string; kind: string; vtep: string }[];
    expect(macs.find((m) => m.mac === MAC.vm2)).toMatchObject({ vni: 5000, kind: 'remote', vtep: HOSTS.h2 });
    expect(macs.find((m) => m.mac === MAC.vm3)).toMatchObject({ vni: 5000, kind: 'remote', vtep: HOSTS.h3 });
  });

  it('unknown unicast reaches every other port of the segment exactly once per frame', async () => {
    const got = await countCopies('vm1', marked('de:ad:be:ef:13:37', MAC.vm1, 'flood-u'), ['vm1b', 'vm2', 'vm3', 'm2']);
    expect(got).toEqual({ vm1b: 10, vm2: 10, vm3: 10, m2: 0 });
  });

  it('known unicast reaches only its destination', async () => {
    ping('vm1', '198.51.100.2', 1);
    const got = await countCopies('vm1', marked(MAC.vm2, MAC.vm1, 'ucast-2'), ['vm1b', 'vm2', 'vm3']);
    expect(got).toEqual({ vm1b: 0, vm2: 10, vm3: 0 });
  });

  it('TCP across hosts (GSO through the encapsulation)', async () => {
    expect(await bulkTcp(T.get('vm1'), T.get('vm2'), '198.51.100.2', 100_000_000)).toBe(100_000_000);
  });
});

describe('multicast mode', () => {
  it('each host joined the group: the underlay snooping table lists all three ports', async () => {
    const ports = (): string[] => {
      const mdb = execFileSync('ip', ['netns', 'exec', T.underlay.name, 'bridge', '-j', 'mdb', 'show'], { encoding: 'utf8' });
      return (JSON.parse(mdb) as { mdb: { grp: string; port: string }[] }[]).flatMap((b) => b.mdb).filter((e) => e.grp === '239.1.1.1').map((e) => e.port);
    };
    // Snooping entries are refreshed by reports; allow a moment for one in flight.
    for (let i = 0; i < 20 && new Set(ports()).size < 3; i++) await new Promise((r) => setTimeout(r, 250));
    expect(new Set(ports()).size).toBe(3);
  });

  it('VMs on different hosts reach each other', () => {
    ping('m1', '198.51.100.102');
    ping('m3', '198.51.100.101');
  });

  it('unknown unicast reaches every other host exactly once per frame, and no other segment', async () => {
    const got = await countCopies('m1', marked('de:ad:be:ef:13:38', '02:00:00:00:01:01', 'flood-m'), ['m2', 'm3', 'vm2']);
    expect(got).toEqual({ m2: 10, m3: 10, vm2: 0 });
  });
});

describe('operator commands on the live dataplane', () => {
  const inst = (): string => T.agents.get('h1')!.instance;

  it('mac delete removes one learned entry; traffic re-learns it', () => {
    T.cli('h1', ['mac', 'delete', '--vni', '5000', '--mac', MAC.vm2, '--instance', inst()]);
    let macs = JSON.parse(T.cli('h1', ['show', 'macs', '--json', '--instance', inst()])) as { mac: string }[];
    expect(macs.some((m) => m.mac === MAC.vm2)).toBe(false);
    ping('vm1', '198.51.100.2', 1);
    macs = JSON.parse(T.cli('h1', ['show', 'macs', '--json', '--instance', inst()])) as { mac: string }[];
    expect(macs.some((m) => m.mac === MAC.vm2)).toBe(true);
  });

  it('mac flush --vni removes the learned entries of that segment only', () => {
    ping('m1', '198.51.100.102', 1);
    const out = T.cli('h1', ['mac', 'flush', '--vni', '5000', '--json', '--instance', inst()]);
    expect(JSON.parse(out).deleted).toBeGreaterThan(0);
    const macs = JSON.parse(T.cli('h1', ['show', 'macs', '--json', '--instance', inst()])) as { vni: number }[];
    expect(macs.filter((m) => m.vni === 5000)).toHaveLength(0);
    expect(macs.filter((m) => m.vni === 6000).length).toBeGreaterThan(0);
  });

  it('show counters has per-VNI traffic', () => {
    const rows = JSON.parse(T.cli('h1', ['show', 'counters', '--json', '--instance', inst()])) as { vni: number; txPackets?: string; rxPackets?: string }[];
    const seg = rows.find((r) => r.vni === 5000 && r.txPackets !== undefined)!;
    expect(Number(seg.txPackets)).toBeGreaterThan(10);
    expect(Number(seg.rxPackets)).toBeGreaterThan(5);
  });
});
