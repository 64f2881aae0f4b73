// A VSM view with VLAN segments and trunks as this host's configuration: the VSM's segment ids
// become this host's (physical network slot and VLAN id), trunk subports follow, and a VLAN
// segment on a physical network the host has no uplink for is left out with its ports, not the
// whole view. `--physnet NAME:IF` gives the host its physical networks.
import { describe, expect, it } from 'vitest';
import type { HostView } from '../proto/index.js';
import { hostConfigFromFlags } from '../src/agent/host-flags.js';
import { viewConfig } from '../src/agent/view-config.js';
import { SEG_VLAN_BIT, vlanSegmentId } from '../src/common/vlan.js';

const host = hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24'], physnets: ['physnet2:up1', 'physnet1:up0'] });
const seg = (o: Partial<HostView['segments'][number]>): HostView['segments'][number] =>
  ({ vni: 0, mode: 'unicast', group: '', designatedVtep: '', floodList: [], physicalNetwork: '', vlan: 0, ...o });

const view = (): HostView => ({
  revision: '3',
  segments: [
    seg({ vni: 5000, designatedVtep: '192.0.2.11' }),
    seg({ vni: SEG_VLAN_BIT, mode: 'vlan', physicalNetwork: 'physnet2', vlan: 100 }),
    seg({ vni: SEG_VLAN_BIT + 1, mode: 'vlan', physicalNetwork: 'physnet9', vlan: 200 }),
  ],
  ports: [
    { interface: 'tapparent', vni: 5000, mac: '02:00:00:00:00:01', trunk: [{ vlan: 10, vni: SEG_VLAN_BIT, mac: '02:00:00:00:00:01' }, { vlan: 20, vni: SEG_VLAN_BIT + 1, mac: '02:00:00:00:00:01' }] },
    { interface: 'tapvlan', vni: SEG_VLAN_BIT, mac: '02:00:00:00:00:02' },
    { interface: 'tapelsewhere', vni: SEG_VLAN_BIT + 1, mac: '02:00:00:00:00:03' },
  ],
  staticMacs: [],
});

describe('a VSM view with VLAN segments', () => {
  it('maps the VSM\'s VLAN ids to this host\'s slots (sorted names: physnet1 = 1, physnet2 = 2), trunks included', () => {
    const { config, skipped } = viewConfig(host, view());
    const mine = vlanSegmentId(2, 100);
    expect(config.physicalNetworks).toEqual({ physnet1: 'up0', physnet2: 'up1' });
    expect(config.segments.map((s) => s.vni)).toEqual([5000, mine]);
    expect(config.segments[1]).toMatchObject({ mode: 'vlan', vlan: { physicalNetwork: 'physnet2', vid: 100 } });
    expect(config.ports.find((p) => p.interface === 'tapvlan')?.vni).toBe(mine);
    // The subport into the VLAN this host cannot reach is dropped; the one it can is kept.
    expect(config.ports.find((p) => p.interface === 'tapparent')?.trunk).toEqual([{ vid: 10, segment: mine }]);
    expect(config.ports.some((p) => p.interface === 'tapelsewhere')).toBe(false);
    expect(skipped).toEqual(['VLAN 200 on physnet9']);
  });

  it('refuses a VLAN id out of range, naming it', () => {
    const v = view();
    v.segments[1]!.vlan = 4095;
    expect(() => viewConfig(host, v)).toThrow(/^segments\[1\]\.vlan: /);
  });

  it('--physnet is checked as the file\'s physicalNetworks are, naming the flag', () => {
    expect(() => hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24'], physnets: ['physnet1'] })).toThrow(/^--physnet: expected NAME:IF/);
    expect(() => hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24'], physnets: ['a:up1', 'b:up1'] })).toThrow(/^--physnet: up1 is already the uplink of a/);
    expect(() => hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24'], physnets: ['bad name:up1'] })).toThrow(/^--physnet: .*not a physical network name/);
    expect(hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24'] }).physicalNetworks).toBeUndefined();
  });
});

describe('the security host flags of vem --vsm', () => {
  it('are the file\'s portNames, trustedUnderlay and maxMacsPerPort, and win over the defaults in the view\'s configuration', () => {
    const h = hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24'], portNames: ['qvo*'], trustedUnderlay: ['198.51.100.0/24'], maxMacsPerPort: '8' });
    const { config } = viewConfig(h, { revision: '1', segments: [], ports: [], staticMacs: [] });
    expect(config).toMatchObject({ portNames: ['qvo*'], trustedUnderlay: ['198.51.100.0/24'], maxMacsPerPort: 8 });
    const plain = viewConfig(hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24'] }), { revision: '1', segments: [], ports: [], staticMacs: [] }).config;
    expect(plain).toMatchObject({ portNames: ['tap*', 'vnet*', 'veth*'], maxMacsPerPort: 64 });
    expect(plain.trustedUnderlay).toBeUndefined();
  });

  it('bad values name the flag', () => {
    const v = ['up0:192.0.2.11/24'];
    expect(() => hostConfigFromFlags({ vteps: v, maxMacsPerPort: '0' })).toThrow(/^--max-macs-per-port: /);
    expect(() => hostConfigFromFlags({ vteps: v, trustedUnderlay: ['198.51.100.0'] })).toThrow(/^--trusted-underlay: /);
    expect(() => hostConfigFromFlags({ vteps: v, portNames: ['*'] })).toThrow(/^--port-name: /);
  });
});
