// `vxvem show` as an operator reads it: the dataplane's tables with interfaces by name (found in
// the agent's network namespace from outside it), the MAC table filtered and counted, drops by
// VNI and reason with what each means, JSON with real types; the VSM's objects made through
// Neutron with their OpenStack name and project, taken by name or UUID; a VSM that does not
// answer said in one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterfaceNames } from '../src/cli/iface-names.js';
import { resolveName } from '../src/cli/names.js';
import { printTable } from '../src/cli/table.js';
import { pingFrame, vxlanFrame } from '../testbed/packets.js';
import { ensureBpf, REPO } from './helpers/bpf.js';
import { freePort } from './helpers/free-port.js';
import { RAWPKT, Topology } from './helpers/topology.js';
import { VsmProcess } from './helpers/vsm-process.js';

ensureBpf();
const T = new Topology(`vxw${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'vxvem-show-'));
const VSM = `unix:${join(dir, 'vsm.sock')}`;
const H1 = '192.0.2.41';
const H2 = '192.0.2.42';
const MAC = { vm1: '02:00:00:00:00:01', vm2: '02:00:00:00:00:02', fixed: '02:00:00:00:00:09' };
const vsm = new VsmProcess();
let neutron = 0;

/** `vxvem ARGS` from the test's own network namespace (not the agent's). */
function vxvem(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('node', ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { encoding: 'utf8' });
}
function ok(...args: string[]): string {
  const r = vxvem(...args);
  if (r.status !== 0) throw new Error(`vxvem ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
const inst = (): string => T.agents.get('h1')!.instance;
const show = (what: string, ...args: string[]): unknown => JSON.parse(ok('show', what, '--json', '--instance', inst(), ...args));

async function neutronPost(body: object): Promise<{ id: string }> {
  const r = await fetch(`http://127.0.0.1:${neutron}/v2.0/networks`, { method: 'POST', body: JSON.stringify({ network: body }) });
  expect(r.status).toBe(201);
  return ((await r.json()) as { network: { id: string } }).network;
}

beforeAll(async () => {
  neutron = await freePort();
  await vsm.start(['--listen', VSM, '--data', join(dir, 'data'), '--metrics', 'off', '--neutron', String(neutron)]);
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: `${H1}/24` }]);
  T.addHost('h2', [{ sw: 'ula', addr: `${H2}/24` }]); // no agent: it sends frames h1 must drop
  T.addVm('vm1', 'h1', 'vnet0', MAC.vm1, '198.51.100.1/24');
  T.addVm('vm2', 'h1', 'vnet1', MAC.vm2, '198.51.100.2/24');
  await T.startAgent('h1', {
    vteps: [{ interface: 'up0', address: `${H1}/24` }],
    segments: [{ vni: 5000, mode: 'unicast', floodList: [H2] }],
    ports: [{ interface: 'vnet0', vni: 5000 }, { interface: 'vnet1', vni: 5000 }],
    staticMacs: [{ vni: 5000, mac: MAC.fixed, vtep: H2 }],
  });
  T.get('vm1').exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', '198.51.100.2']);
  // Three VXLAN frames for a VNI h1 does not have: dropped as unknown_vni, counted under VNI 0.
  const bad = vxlanFrame({
    dstMac: T.get('h1').mac('up0'), srcMac: T.get('h2').mac('up0'), src: H2, dst: H1, vni: 7777,
    inner: pingFrame({ dstMac: MAC.vm1, srcMac: '02:00:00:00:00:77', src: '198.51.100.77', dst: '198.51.100.1' }),
  });
  T.get('h2').exec('python3', [RAWPKT, 'send', 'up0', '3', bad.toString('hex'), '1']);
}, 120_000);

afterAll(async () => {
  await vsm.stop();
  await T.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the MAC table', () => {
  it('names each local entry\'s port, also read from outside the agent\'s namespace', () => {
    const rows = show('macs') as Record<string, unknown>[];
    expect(rows).toEqual([
      { vni: 5000, mac: MAC.vm1, kind: 'local', static: false, port: 'vnet0', vtep: null, ageSeconds: expect.any(Number) },
      { vni: 5000, mac: MAC.vm2, kind: 'local', static: false, port: 'vnet1', vtep: null, ageSeconds: expect.any(Number) },
      { vni: 5000, mac: MAC.fixed, kind: 'remote', static: true, port: null, vtep: H2, ageSeconds: null },
    ]);
    // Inside the agent's namespace: the same (ages aside: time passes between the two reads).
    const noAge = (r: Record<string, unknown>[]) => r.map(({ ageSeconds: _, ...x }) => x);
    expect(noAge(JSON.parse(T.cli('h1', ['show', 'macs', '--json', '--instance', inst()])) as Record<string, unknown>[])).toEqual(noAge(rows));
  });

  it('filters by VNI, MAC and port (by name or ifindex), with a count', () => {
    const macs = (...f: string[]) => (show('macs', ...f) as { mac: string }[]).map((r) => r.mac);
    expect(macs('--port', 'vnet1')).toEqual([MAC.vm2]);
    expect(macs('--port', String(T.get('h1').ifindex('vnet0')))).toEqual([MAC.vm1]);
    expect(macs('--vni', '5000', '--mac', MAC.fixed.toUpperCase())).toEqual([MAC.fixed]);
    expect(macs('--vni', '6000')).toEqual([]);
    expect(show('macs', '--count')).toEqual({ entries: 3, total: 3 });
    expect(show('macs', '--count', '--port', 'vnet0')).toEqual({ entries: 1, total: 3 });
    const text = ok('show', 'macs', '--instance', inst(), '--port', 'vnet1').trimEnd().split('\n');
    expect(text[0]).toMatch(/^VNI\s+MAC\s+KIND\s+STATIC\s+PORT\s+VTEP\s+AGE-SECONDS$/);
    expect(text[1]).toMatch(new RegExp(`^5000\\s+${MAC.vm2}\\s+local\\s+no\\s+vnet1\\s+\\d+$`));
    expect(text[2]).toBe('1 entry of 3 in the MAC table');
    expect(ok('show', 'macs', '--instance', inst(), '--count').trim()).toBe('3 entries');
  });

  it('a port that is not there, or a flag a table does not take, is a usage error', () => {
    const r = vxvem('show', 'macs', '--instance', inst(), '--port', 'vnet9');
    expect([r.status, r.stderr]).toEqual([2, `vxvem: --port vnet9: no such interface in network namespace ${T.get('h1').name}\n`]);
    expect(vxvem('show', 'vteps', '--instance', inst(), '--mac', MAC.vm1).stderr).toBe('vxvem: show vteps takes no --mac\n');
  });
});

describe('the other tables', () => {
  it('segments, ports, VTEPs and next hops: names, arrays, numbers, null for nothing', () => {
    const h1 = T.get('h1');
    expect(show('segments')).toEqual([{ vni: 5000, mode: 'unicast', group: null, vtep: H1, floodList: [H2], ports: ['vnet0', 'vnet1'] }]);
    expect(show('ports')).toEqual([{ port: 'vnet0', ifindex: h1.ifindex('vnet0'), vni: 5000 }, { port: 'vnet1', ifindex: h1.ifindex('vnet1'), vni: 5000 }]);
    expect(show('vteps')).toEqual([{ slot: 1, interface: 'up0', ifindex: h1.ifindex('up0'), address: H1, prefixLength: 24, gateway: null, mac: h1.mac('up0'), mtu: 1550 }]);
    expect(show('nexthops')).toEqual([{ uplink: 'up0', nextHop: H2, mac: T.get('h2').mac('up0') }]);
    // --netns names the namespace outright.
    expect(show('ports', '--netns', h1.name)).toEqual(show('ports'));
  });

  it('counters are numbers; drops by VNI and reason, with what the reason means', () => {
    const [c] = show('counters') as Record<string, unknown>[];
    expect(c).toMatchObject({ vni: 5000, txPackets: expect.any(Number), rxBytes: expect.any(Number), learned: 2 });
    expect(c!.txPackets as number).toBeGreaterThanOrEqual(4);
    // An unknown VNI is counted under VNI 0 (one series however many VNIs are sprayed).
    expect(show('drops')).toEqual([{ vni: 0, reason: 'unknown_vni', packets: 3, meaning: 'VXLAN frame for a VNI not bound on this host' }]);
    expect(show('drops', '--vni', '5000')).toEqual([]);
    expect(ok('show', 'drops', '--instance', inst()).trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^VNI\s+REASON\s+PACKETS\s+MEANING$/),
      expect.stringMatching(/^0\s+unknown_vni\s+3\s+VXLAN frame for a VNI not bound on this host$/),
      '3 packets dropped',
    ]);
    expect(ok('show', 'counters', '--instance', inst()).trimEnd().split('\n').at(-1)).toBe('3 packets dropped: vxvem show drops');
  });
});

describe('objects made through Neutron, in the VSM\'s view', () => {
  const cli = (...args: string[]) => ok(...args, '--vsm', VSM);
  let web = '';

  beforeAll(async () => {
    web = (await neutronPost({ name: 'web', project_id: 'p-blue', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 10100 })).id;
    await neutronPost({ name: 'dup', project_id: 'p-blue' });
    await neutronPost({ name: 'dup', project_id: 'p-red' });
    cli('net', 'create', 'vsmnet', '--vni', '20000');
  });

  it('net list and show networks give their OpenStack name and project', () => {
    const nets = JSON.parse(cli('net', 'list', '--json')) as Record<string, unknown>[];
    expect(nets.find((n) => n.name === web)).toEqual({ name: web, vni: 10100, mode: 'unicast', group: '', origin: 'neutron', displayName: 'web', project: 'p-blue', physicalNetwork: '', vlan: 0 });
    expect(nets.find((n) => n.name === 'vsmnet')).toMatchObject({ origin: 'vsm', displayName: '', project: '' });
    expect(JSON.parse(cli('show', 'networks', 'web', '--json'))).toEqual([{
      network: web, displayName: 'web', project: 'p-blue', vni: 10100, mode: 'unicast', group: null, subnets: [], host: null, designated: null, floodList: null, ports: [],
    }]);
    expect(cli('show', 'networks')).toMatch(new RegExp(`^${web}\\s+web\\s+p-blue\\s+10100\\s+unicast`, 'm'));
  });

  it('takes a network by its UUID or its OpenStack name; a name two networks share is refused with their IDs', () => {
    expect(JSON.parse(cli('net', 'show', 'web', '--json'))).toMatchObject({ name: web });
    expect(JSON.parse(cli('net', 'show', web, '--json'))).toMatchObject({ displayName: 'web' });
    const dups = (JSON.parse(cli('net', 'list', '--json')) as { name: string; displayName: string }[]).filter((n) => n.displayName === 'dup').map((n) => n.name);
    const r = vxvem('net', 'show', 'dup', '--vsm', VSM);
    expect([r.status, r.stderr]).toEqual([1, `vxvem: 2 networks are named dup in OpenStack: give one's ID (${dups.join(', ')})\n`]);
    cli('port', 'create', 'p1', '--net', 'web', '--host', 'h9', '--mac', '02:00:00:00:00:55');
    expect(JSON.parse(cli('port', 'show', 'p1', '--json'))).toMatchObject({ network: web });
    cli('port', 'delete', 'p1');
    cli('net', 'delete', 'web');
    expect((JSON.parse(cli('net', 'list', '--json')) as { name: string }[]).map((n) => n.name)).not.toContain(web);
  });
});

describe('a VSM that does not answer', () => {
  it('is one line: where, and why', async () => {
    const none = `unix:${join(dir, 'none.sock')}`;
    const port = await freePort();
    const line = (...args: string[]) => {
      const r = vxvem(...args);
      expect(r.status).toBe(1);
      return r.stderr;
    };
    expect(line('net', 'list', '--vsm', none)).toBe(`vxvem: no VSM answers at ${none} (no such socket): is vxvem-vsm running there? (--vsm ADDR[,ADDR...])\n`);
    expect(line('show', 'hosts', `--vsm=127.0.0.1:${port}`, '--insecure')).toBe(`vxvem: no VSM answers at 127.0.0.1:${port} (connection refused): is vxvem-vsm running there? (--vsm ADDR[,ADDR...])\n`);
    expect(line('host', 'list', '--vsm', `127.0.0.1:${port},${none}`, '--insecure'))
      .toBe(`vxvem: no VSM replica answers at 127.0.0.1:${port}, ${none} (the last: no such socket): is vxvem-vsm running there? (--vsm ADDR[,ADDR...])\n`);
  });
});

describe('pieces', () => {
  it('tables: lists comma-separated, nothing empty, yes/no', () => {
    const lines: string[] = [];
    printTable([{ name: 'a', list: ['x', 'y'], none: null, flag: true }, { name: 'bb', list: [], none: 'z', flag: false }], (l) => lines.push(l));
    expect(lines).toEqual(['NAME  LIST  NONE  FLAG', 'a     x,y         yes', 'bb          z     no']);
  });

  it('an OpenStack port id names its tap; a name is taken only where one object has it', () => {
    const names = new InterfaceNames([{ name: 'tap0a1b2c3d-4e', ifindex: 7, mac: '', up: true }], undefined, true);
    expect(names.ifindex('0a1b2c3d-4e5f-6789-abcd-ef0123456789')).toBe(7);
    expect(names.ifindex('tap0a1b2c3d-4e')).toBe(7);
    expect(names.ifindex('7')).toBe(7);
    expect(names.ifindex('vnet0')).toBeUndefined();
    expect(new InterfaceNames([], undefined, false).name(7)).toBe('if7');
    const items = [{ name: 'u1', displayName: 'a' }, { name: 'u2', displayName: 'b' }, { name: 'u3', displayName: 'b' }, { name: 'a', displayName: '' }];
    expect(resolveName(items, 'a', 'network').name).toBe('a'); // a key before an OpenStack name
    expect(resolveName(items, 'u2', 'network').name).toBe('u2');
    expect(() => resolveName(items, 'b', 'network')).toThrow('2 networks are named b in OpenStack: give one\'s ID (u2, u3)');
    expect(() => resolveName(items, 'c', 'network')).toThrow('no network c');
  });
});
