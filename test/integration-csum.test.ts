// `"udpChecksum": true`: the outer UDP checksum is valid on the wire (counted and verified at
// the receiving host), with a kernel vxlan peer and with a vxvem peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBpf } from './helpers/bpf.js';
import { Topology, bulkTcp, listenWhile } from './helpers/topology.js';

ensureBpf();
const T = new Topology(`vxc${process.pid}`);
const H1 = '192.0.2.11';
const H2 = '192.0.2.12';
const K1 = '192.0.2.21';

beforeAll(async () => {
  T.addSwitch('ula');
  T.addHost('h1', [{ sw: 'ula', addr: `${H1}/26` }]);
  T.addHost('h2', [{ sw: 'ula', addr: `${H2}/26` }]);
  T.addHost('k1', [{ sw: 'ula', addr: `${K1}/26` }]);
  T.addVm('vm1', 'h1', 'vnet0', '02:00:00:00:00:01', '198.51.100.1/24');
  T.addVm('vm2', 'h2', 'vnet0', '02:00:00:00:00:02', '198.51.100.2/24');
  T.addVm('kv1', 'k1', 'vnet0', '02:00:00:00:00:21', '198.51.100.21/24');
  T.addKernelVtep('k1', { local: K1, vni: 5000, remotes: [H1, H2] });
  const cfg = (self: string, others: string[], udpChecksum: boolean) => ({
    vteps: [{ interface: 'up0', address: `${self}/26` }],
    segments: [{ vni: 5000, mode: 'unicast', floodList: others }],
    ports: [{ interface: 'vnet0', vni: 5000 }],
    udpChecksum,
  });
  // veth leaves an offloaded checksum unfinished (its peer trusts it): have h1's uplink compute
  // checksums in software so the wire carries the final value, as a real NIC would.
  T.get('h1').exec('ethtool', ['-K', 'up0', 'tx', 'off']);
  await T.startAgent('h1', cfg(H1, [H2, K1], true));
  await T.startAgent('h2', cfg(H2, [H1, K1], false));
}, 90_000);

afterAll(() => T.destroy(), 60_000);

/** Outer UDP checksums of the VXLAN frames `from` sends, verified at `where`. */
async function checksums(where: string, from: string, send: () => void): Promise<{ good: number; bad: number; zero: number }> {
  return JSON.parse(await listenWhile(T.get(where), ['vxcsum', 'up0', '2.5', from], send)) as { good: number; bad: number; zero: number };
}

const ping = (from: string, to: string) => T.get(from).exec('ping', ['-c', '5', '-i', '0.1', '-W', '2', to]);

describe('outer UDP checksum', () => {
  it('a kernel vxlan peer receives valid checksums, and traffic flows both ways', async () => {
    const c = await checksums('k1', H1, () => ping('vm1', '198.51.100.21'));
    expect(c.good).toBeGreaterThanOrEqual(5);
    expect(c.bad).toBe(0);
  });

  it('a vxvem peer receives valid checksums; its own replies stay at checksum 0 (its setting)', async () => {
    const c = await checksums('h2', H1, () => ping('vm1', '198.51.100.2'));
    expect(c).toMatchObject({ bad: 0 });
    expect(c.good).toBeGreaterThanOrEqual(5);
    const back = await checksums('h1', H2, () => ping('vm2', '198.51.100.1'));
    expect(back.zero).toBeGreaterThanOrEqual(5);
  });

  it('TCP (GSO) through the checksummed path', async () => {
    expect(await bulkTcp(T.get('vm1'), T.get('vm2'), '198.51.100.2', 100_000_000)).toBe(100_000_000);
  });
});
