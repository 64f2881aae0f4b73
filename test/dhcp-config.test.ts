// Where a port's DHCP answers come from (docs/dataplane.md, "DHCP"): the file's ports[].dhcp and
// its rules, the options the agent encodes, the desired state (flag, record, MTU), and in VSM mode
// the view entry made from Neutron's subnet and network, re-made when a subnet changes.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseVemConfig } from '../src/agent/config.js';
import { desiredFromConfig } from '../src/agent/desired.js';
import { dhcpFrom } from '../src/agent/dhcp-config.js';
import { describeDhcp, dhcpLease, dhcpServerAddress } from '../src/agent/dhcp-options.js';
import type { LinkInfo } from '../src/agent/links.js';
import { configFromView } from '../src/agent/view-config.js';
import { PORT_F_DHCP } from '../src/maps/layout.js';
import { emptyState, type VsmState } from '../src/vsm/objects.js';
import { createPort, createSegment, createSubnet, deleteSubnet, registerHost, update } from '../src/vsm/rules.js';
import { hostView, hostViewParts, partsDelta } from '../src/vsm/views.js';

const MAC = '02:00:00:00:0d:01';
const file = (dhcp: unknown, port: Record<string, unknown> = { mac: MAC }) => ({
  vteps: [{ interface: 'up0', address: '192.0.2.1/24' }],
  segments: [{ vni: 5000 }],
  ports: [{ interface: 'vnet0', vni: 5000, ...port, dhcp }],
});
const errorOf = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('ports[].dhcp in the file', () => {
  it('takes address, gateway, DNS, domain, lease and MTU', () => {
    const c = parseVemConfig(file({ address: '198.51.100.10/25', gateway: '198.51.100.1', dns: ['198.51.100.53'], domain: 'example.org', leaseSeconds: 600, mtu: 1400 }));
    expect(c.ports[0]!.dhcp).toEqual({ address: '198.51.100.10', prefixLength: 25, gateway: '198.51.100.1', dns: ['198.51.100.53'], domain: 'example.org', leaseSeconds: 600, mtu: 1400 });
  });

  it.each([
    ['no mac on the port', file({ address: '198.51.100.10/25' }, {}), 'ports[0].dhcp', /needs the port's mac/],
    ['an address without its length', file({ address: '198.51.100.10' }), 'ports[0].dhcp.address', /A\.B\.C\.D\/LEN/],
    ['the subnet\'s network address', file({ address: '198.51.100.0/25' }), 'ports[0].dhcp.address', /network or broadcast/],
    ['the subnet\'s broadcast address', file({ address: '198.51.100.127/25' }), 'ports[0].dhcp.address', /network or broadcast/],
    ['a /31', file({ address: '198.51.100.10/31' }), 'ports[0].dhcp.address prefix', /1\.\.30/],
    ['a gateway outside the subnet', file({ address: '198.51.100.10/25', gateway: '198.51.100.129' }), 'ports[0].dhcp.gateway', /not in 198\.51\.100\.0\/25/],
    ['the port\'s own address as gateway', file({ address: '198.51.100.10/25', gateway: '198.51.100.10' }), 'ports[0].dhcp.gateway', /own address/],
    ['nine DNS servers', file({ address: '198.51.100.10/25', dns: Array.from({ length: 9 }, (_, i) => `198.51.100.${50 + i}`) }), 'ports[0].dhcp.dns', /at most 8/],
    ['a domain that is not one', file({ address: '198.51.100.10/25', domain: 'a b' }), 'ports[0].dhcp.domain', /domain name/],
    ['a lease under a minute', file({ address: '198.51.100.10/25', leaseSeconds: 30 }), 'ports[0].dhcp.leaseSeconds', /60\.\./],
    ['an MTU under 68', file({ address: '198.51.100.10/25', mtu: 60 }), 'ports[0].dhcp.mtu', /68\.\.65535/],
    ['an unknown key', file({ address: '198.51.100.10/25', router: '198.51.100.1' }), 'ports[0].dhcp.router', /unknown key/],
  ])('refuses %s', (_name, f, key, message) => {
    const e = errorOf(() => parseVemConfig(f));
    expect(e.key).toBe(key);
    expect(e.message).toMatch(message);
  });
});

describe('the options the VEM sends', () => {
  it('server identifier: the gateway, else the first host address that is not the port\'s', () => {
    expect(dhcpServerAddress(dhcpFrom({ address: '198.51.100.10/25', gateway: '198.51.100.126' }, 'd'))).toBe('198.51.100.126');
    expect(dhcpServerAddress(dhcpFrom({ address: '198.51.100.10/25' }, 'd'))).toBe('198.51.100.1');
    expect(dhcpServerAddress(dhcpFrom({ address: '198.51.100.1/25' }, 'd'))).toBe('198.51.100.2');
  });

  it('a record: the port\'s MAC, a server MAC made from the server address, the options in order', () => {
    const l = dhcpLease(MAC, dhcpFrom({ address: '198.51.100.10/25', dns: ['198.51.100.53', '198.51.100.54'], domain: 'ex.org' }, 'd'), 1450);
    expect(l).toMatchObject({ mac: MAC, serverMac: '0a:58:c6:33:64:01', yiaddr: '198.51.100.10', server: '198.51.100.1' });
    expect(l.options.length).toBe(256);
    // No router without a gateway; the domain as ASCII; the default lease of a day.
    expect(l.options.subarray(0, 66).toString('hex')).toBe([
      '350100', '3604c6336401', '330400015180', '3a040000a8c0', '3b0400012750', '0104ffffff80',
      '0608c6336435c6336436', '0f06' + Buffer.from('ex.org').toString('hex'), '1a0205aa', 'ff',
    ].join('').padEnd(132, '0'));
    expect(describeDhcp(l)).toBe('198.51.100.10 lease 86400s mask 255.255.255.128 dns 198.51.100.53 198.51.100.54 domain ex.org mtu 1450');
  });
});

describe('the desired state', () => {
  const link = (name: string, ifindex: number, mtu: number, addresses: LinkInfo['addresses'] = []): [string, LinkInfo] =>
    [name, { name, ifindex, mac: '02:00:00:00:00:0a', mtu, up: true, kind: name.startsWith('up') ? '' : 'veth', addresses }];
  const links = (uplinkMtu: number) => new Map([link('up0', 2, uplinkMtu, [{ address: '192.0.2.1', prefixLength: 24 }]), link('vnet0', 3, 1500)]);

  it('a DHCP port: its record, its flag, the MTU of the segment\'s uplink less 50 unless set', () => {
    const want = desiredFromConfig(parseVemConfig(file({ address: '198.51.100.10/25' })), links(1500), new Map());
    expect(want.ports.get(3)!.flags & PORT_F_DHCP).toBe(PORT_F_DHCP);
    expect(describeDhcp(want.dhcp.get(3)!)).toMatch(/ mtu 1450$/);
    const jumbo = desiredFromConfig(parseVemConfig(file({ address: '198.51.100.10/25' })), links(9000), new Map());
    expect(describeDhcp(jumbo.dhcp.get(3)!)).toMatch(/ mtu 8950$/);
    const set = desiredFromConfig(parseVemConfig(file({ address: '198.51.100.10/25', mtu: 1400 })), links(1500), new Map());
    expect(describeDhcp(set.dhcp.get(3)!)).toMatch(/ mtu 1400$/);
  });

  it('a port without dhcp: no record, no flag', () => {
    const want = desiredFromConfig(parseVemConfig({ ...file(undefined), ports: [{ interface: 'vnet0', vni: 5000, mac: MAC }] }), links(1500), new Map());
    expect(want.ports.get(3)!.flags & PORT_F_DHCP).toBe(0);
    expect(want.dhcp.size).toBe(0);
  });
});

describe('VSM mode', () => {
  const IDS = { net: 'a1b2c3d4-0000-4000-8000-000000000001', sub: 'a1b2c3d4-0000-4000-8000-000000000002', port: 'a1b2c3d4-0000-4000-8000-000000000003' };
  const subnet = (neutron: Record<string, unknown>, gateway?: string) =>
    (s: VsmState) => createSubnet(s, { name: IDS.sub, network: IDS.net, cidr: '198.51.100.0/24', ...(gateway ? { gateway } : {}), origin: 'neutron', neutron });
  function state(neutronSubnet: Record<string, unknown>, mtu?: number): VsmState {
    return update(emptyState(), (s) => {
      registerHost(s, { name: 'h1', vteps: [{ address: '192.0.2.11', prefixLength: 24, interface: 'up0' }] });
      createSegment(s, { name: IDS.net, vni: 5000, mode: 'unicast', origin: 'neutron', neutron: mtu ? { mtu } : {} });
      subnet(neutronSubnet, '198.51.100.1')(s);
      createPort(s, {
        name: IDS.port, network: IDS.net, host: 'h1', mac: MAC, policy: 'default', origin: 'neutron', addresses: ['198.51.100.7'],
        neutron: { fixed_ips: [{ subnet_id: IDS.sub, ip_address: '198.51.100.7' }] },
      });
    });
  }
  const port = (s: VsmState) => hostView(s, 'h1').ports[0]!;

  it('a subnet with enable_dhcp: the port\'s address and length, gateway, DNS and the network\'s MTU', () => {
    const s = state({ enable_dhcp: true, dns_nameservers: ['198.51.100.53', '2001:db8::53'] }, 1400);
    expect(port(s)).toMatchObject({ dhcpAddress: '198.51.100.7/24', dhcpGateway: '198.51.100.1', dhcpDns: ['198.51.100.53'], dhcpMtu: 1400 });
    const c = configFromView({ vteps: [{ interface: 'up0', address: '192.0.2.11', prefixLength: 24, xdp: false }], macAgeingSeconds: 300, ttl: 64, tos: 'inherit', srcPortRange: [49152, 65535], udpChecksum: false }, hostView(s, 'h1'));
    expect(c.ports[0]!.dhcp).toEqual({ address: '198.51.100.7', prefixLength: 24, gateway: '198.51.100.1', dns: ['198.51.100.53'], leaseSeconds: 86400, mtu: 1400 });
  });

  it('no network MTU: 0, the VEM takes its uplink\'s less 50', () => {
    expect(port(state({ enable_dhcp: true })).dhcpMtu).toBe(0);
  });

  it('enable_dhcp false: no DHCP fields at all', () => {
    const p = port(state({ enable_dhcp: false }));
    expect(p.dhcpAddress).toBeUndefined();
    expect(Object.keys(p).filter((k) => k.startsWith('dhcp'))).toEqual([]);
  });

  it('a subnet change is a port upsert in the host\'s next delta', () => {
    const a = state({ enable_dhcp: true, dns_nameservers: ['198.51.100.53'] });
    const b = update(a, (s) => {
      deleteSubnet(s, IDS.sub);
      subnet({ enable_dhcp: true, dns_nameservers: ['198.51.100.54'] }, '198.51.100.1')(s);
    });
    const d = partsDelta(hostViewParts(a, 'h1'), hostViewParts(b, 'h1'));
    expect(d.upsertPorts.map((p) => p.dhcpDns)).toEqual([['198.51.100.54']]);
    const c = update(b, (s) => {
      deleteSubnet(s, IDS.sub);
      subnet({ enable_dhcp: false }, '198.51.100.1')(s);
    });
    const off = partsDelta(hostViewParts(b, 'h1'), hostViewParts(c, 'h1')).upsertPorts;
    expect(off.length).toBe(1);
    expect(off[0]!.dhcpAddress).toBeUndefined();
  });
});
