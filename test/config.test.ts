// The VEM configuration file: every bad value is refused with the key named; defaults filled.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseVemConfig } from '../src/agent/config.js';
import { assignSlots, desiredFromConfig } from '../src/agent/desired.js';
import { hostConfigFromFlags, parseVtepFlag } from '../src/agent/host-flags.js';
import type { LinkInfo } from '../src/agent/links.js';
import { SECURITY_DEFAULTS } from '../src/agent/security-config.js';
import { configFromView } from '../src/agent/view-config.js';
import type { HostView } from '../proto/index.js';

const errorOf = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as Error;
  }
  throw new Error('no error');
};

const base = () => ({
  vteps: [{ interface: 'up0', address: '192.0.2.1/24', gateway: '192.0.2.254' }],
  segments: [{ vni: 5000, mode: 'unicast', floodList: ['192.0.2.2'] }, { vni: 6000, mode: 'multicast', group: '239.1.1.1' }],
  ports: [{ interface: 'vnet0', vni: 5000 }],
});

describe('parseVemConfig', () => {
  it('fills the documented defaults', () => {
    const c = parseVemConfig(base());
    expect(c).toMatchObject({ macAgeingSeconds: 300, ttl: 64, tos: 'inherit', srcPortRange: [49152, 65535], udpChecksum: false, staticMacs: [] });
    expect(c.vteps[0]).toEqual({ interface: 'up0', address: '192.0.2.1', prefixLength: 24, gateway: '192.0.2.254', xdp: false });
  });

  const bad: [string, (c: ReturnType<typeof base> & Record<string, unknown>) => unknown, RegExp][] = [
    ['unknown top-level key', (c) => ({ ...c, vlan: 1 }), /^vlan: unknown key$/],
    ['unknown nested key', (c) => ({ ...c, vteps: [{ ...c.vteps[0], mtu: 9000 }] }), /^vteps\[0\]\.mtu: unknown key$/],
    ['missing ports', ({ ports: _p, ...c }) => c, /^ports: is required$/],
    ['VNI 0', (c) => ({ ...c, segments: [{ vni: 0 }] }), /^segments\[0\]\.vni: must be an integer in 1\.\.16777215/],
    ['VNI above 24 bits', (c) => ({ ...c, segments: [{ vni: 16777216 }] }), /segments\[0\]\.vni/],
    ['duplicate VNI', (c) => ({ ...c, segments: [c.segments[0], c.segments[0]] }), /^segments\[1\]\.vni: VNI 5000 is defined twice/],
    ['bad mode', (c) => ({ ...c, segments: [{ vni: 1, mode: 'broadcast' }] }), /^segments\[0\]\.mode/],
    ['multicast without group', (c) => ({ ...c, segments: [{ vni: 1, mode: 'multicast' }] }), /^segments\[0\]\.group: is required/],
    ['unicast group', (c) => ({ ...c, segments: [{ vni: 1, mode: 'multicast', group: '192.0.2.9' }] }), /not a routable IPv4 multicast group/],
    ['link-local group', (c) => ({ ...c, segments: [{ vni: 1, mode: 'multicast', group: '224.0.0.5' }] }), /not a routable IPv4 multicast group/],
    ['flood list in multicast mode', (c) => ({ ...c, segments: [{ vni: 1, mode: 'multicast', group: '239.1.1.2', floodList: [] }] }), /floodList: only valid in unicast mode/],
    ['duplicate flood VTEP', (c) => ({ ...c, segments: [{ vni: 5000, floodList: ['192.0.2.2', '192.0.2.2'] }] }), /lists a VTEP twice/],
    ['own VTEP in flood list', (c) => ({ ...c, segments: [{ vni: 5000, floodList: ['192.0.2.1'] }] }), /floodList\[0\]: 192\.0\.2\.1 is a local VTEP/],
    ['five VTEPs', (c) => ({ ...c, vteps: [1, 2, 3, 4, 5].map((i) => ({ interface: `up${i}`, address: `192.0.2.${i}/24` })) }), /^vteps: a host has 1 to 4 VTEPs/],
    ['address without prefix', (c) => ({ ...c, vteps: [{ interface: 'up0', address: '192.0.2.1' }] }), /must be ADDRESS\/PREFIX/],
    ['bad address', (c) => ({ ...c, vteps: [{ interface: 'up0', address: '192.0.2.300/24' }] }), /vteps\[0\]\.address: not an IPv4 address/],
    ['bad interface name', (c) => ({ ...c, ports: [{ interface: 'a b', vni: 5000 }] }), /ports\[0\]\.interface: "a b" is not a Linux interface name/],
    ['port on an unknown VNI', (c) => ({ ...c, ports: [{ interface: 'vnet0', vni: 7 }] }), /ports\[0\]\.vni: VNI 7 is not a configured segment/],
    ['uplink as a port', (c) => ({ ...c, ports: [{ interface: 'up0', vni: 5000 }] }), /up0 is an uplink/],
    ['port bound twice', (c) => ({ ...c, ports: [c.ports[0], c.ports[0]] }), /vnet0 is bound twice/],
    ['segment VTEP not local', (c) => ({ ...c, segments: [{ vni: 5000, vtep: '192.0.2.9' }] }), /is not one of this host's VTEPs/],
    ['static MAC multicast', (c) => ({ ...c, staticMacs: [{ vni: 5000, mac: '01:00:5e:00:00:01', vtep: '192.0.2.2' }] }), /staticMacs\[0\]\.mac: .* is a multicast MAC/],
    ['static MAC malformed', (c) => ({ ...c, staticMacs: [{ vni: 5000, mac: '02:00:00:00:00', vtep: '192.0.2.2' }] }), /staticMacs\[0\]\.mac: not a MAC address/],
    ['ttl 0', (c) => ({ ...c, ttl: 0 }), /^ttl: must be an integer in 1\.\.255/],
    ['tos string', (c) => ({ ...c, tos: 'copy' }), /^tos: must be an integer/],
    ['reversed port range', (c) => ({ ...c, srcPortRange: [60000, 50000] }), /srcPortRange: min is above max/],
    ['udpChecksum not a boolean', (c) => ({ ...c, udpChecksum: 1 }), /^udpChecksum: must be true or false/],
    ['not an object', () => [], /must be an object/],
  ];

  it.each(bad)('%s', (_name, mutate, message) => {
    expect(errorOf(() => parseVemConfig(mutate(base() as never))).message).toMatch(message);
  });
});

describe('host flags (vem --vsm)', () => {
  it('--vtep IF:ADDR/LEN[@GATEWAY], interface names holding ":" included', () => {
    expect(parseVtepFlag('up0:192.0.2.11/24@192.0.2.254')).toEqual({ interface: 'up0', address: '192.0.2.11', prefixLength: 24, gateway: '192.0.2.254', xdp: false });
    expect(parseVtepFlag('eth0:1:192.0.2.11/24')).toEqual({ interface: 'eth0:1', address: '192.0.2.11', prefixLength: 24, xdp: false });
  });

  it('without settings flags a host runs the file\'s defaults', () => {
    expect(hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24'] })).toMatchObject({ macAgeingSeconds: 300, ttl: 64, tos: 'inherit', srcPortRange: [49152, 65535], udpChecksum: false });
  });

  it('settings flags become the dataplane settings', () => {
    const c = hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24'], ttl: '9', tos: '184', srcPortRange: '50000-50100', udpChecksum: true, macAgeing: '30' });
    expect(c).toMatchObject({ ttl: 9, tos: 184, srcPortRange: [50000, 50100], udpChecksum: true, macAgeingSeconds: 30 });
    expect(hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24'], tos: 'inherit' }).tos).toBe('inherit');
  });

  // The file's rules and sentences, under the flag's name.
  const bad: [Parameters<typeof hostConfigFromFlags>[0], RegExp][] = [
    [{ vteps: ['up0:192.0.2.11/24'], ttl: '0' }, /^--ttl: must be an integer in 1\.\.255 \(got 0\)$/],
    [{ vteps: ['up0:192.0.2.11/24'], ttl: 'x' }, /^--ttl: must be an integer in 1\.\.255 \(got "x"\)$/],
    [{ vteps: ['up0:192.0.2.11/24'], tos: 'copy' }, /^--tos: must be an integer in 0\.\.255/],
    [{ vteps: ['up0:192.0.2.11/24'], srcPortRange: '60000-50000' }, /^--src-port-range: min is above max$/],
    [{ vteps: ['up0:192.0.2.11/24'], srcPortRange: '1-70000' }, /^--src-port-range\[1\]: must be an integer in 1\.\.65535/],
    [{ vteps: ['up0:192.0.2.11/24'], srcPortRange: '50000' }, /^--src-port-range: must be MIN-MAX/],
    [{ vteps: ['up0:192.0.2.11/24'], macAgeing: '0' }, /^--mac-ageing: must be an integer in 1\.\.1000000/],
    [{ vteps: ['up0'] }, /^--vtep: expected IF:ADDR\/LEN\[@GATEWAY\]/],
    [{ vteps: ['a b:192.0.2.11/24'] }, /^--vtep: "a b" is not a Linux interface name$/],
    [{ vteps: ['up0:192.0.2.300/24'] }, /^--vtep: not an IPv4 address/],
    [{ vteps: ['up0:192.0.2.11'] }, /^--vtep: must be ADDRESS\/PREFIX/],
    [{ vteps: ['up0:192.0.2.11/24@gw'] }, /^--vtep: not an IPv4 address: "gw"/],
    [{ vteps: ['up0:192.0.2.11/24', 'up1:192.0.2.11/24'] }, /^--vtep: 192\.0\.2\.11 is used twice$/],
  ];

  it.each(bad)('%o is refused naming the flag', (flags, message) => {
    expect(errorOf(() => hostConfigFromFlags(flags)).message).toMatch(message);
  });
});

describe('a VSM view as configuration', () => {
  const host = hostConfigFromFlags({ vteps: ['up0:192.0.2.11/24', 'up1:192.0.2.12/24'], ttl: '9' });
  const view = (): HostView => ({
    revision: '7',
    segments: [
      { vni: 5000, mode: 'unicast', group: '', designatedVtep: '192.0.2.12', floodList: ['192.0.2.21', '192.0.2.31'], physicalNetwork: '', vlan: 0 },
      { vni: 6000, mode: 'multicast', group: '239.1.1.1', designatedVtep: '192.0.2.11', floodList: [], physicalNetwork: '', vlan: 0 },
    ],
    ports: [{
      interface: 'tap0123456789a', vni: 5000, mac: '02:00:00:00:00:01', portSecurity: true, addresses: ['198.51.100.1'],
      allowedPairs: [{ mac: '02:00:00:00:00:0B', address: '198.51.100.128/25' }], stormPps: 500,
    }],
    staticMacs: [{ vni: 5000, mac: '02:00:00:00:00:0A', vtep: '192.0.2.21' }],
  });

  it('is typed from the view directly, with the host\'s VTEPs and settings', () => {
    expect(configFromView(host, view())).toEqual({
      ...host,
      segments: [
        { vni: 5000, mode: 'unicast', floodList: ['192.0.2.21', '192.0.2.31'], vtep: '192.0.2.12' },
        { vni: 6000, mode: 'multicast', group: '239.1.1.1', floodList: [], vtep: '192.0.2.11' },
      ],
      ports: [{
        interface: 'tap0123456789a', vni: 5000, mac: '02:00:00:00:00:01', portSecurity: true, addresses: ['198.51.100.1/32'],
        allowedPairs: [{ mac: '02:00:00:00:00:0b', address: '198.51.100.128/25' }], stormPps: 500,
      }],
      staticMacs: [{ vni: 5000, mac: '02:00:00:00:00:0a', vtep: '192.0.2.21' }],
      ...SECURITY_DEFAULTS,
    });
  });

  const bad: [string, (v: HostView) => void, RegExp][] = [
    ['VNI out of range', (v) => void (v.segments[0]!.vni = 0), /^segments\[0\]\.vni: must be an integer in 1\.\.16777215/],
    ['unknown mode', (v) => void (v.segments[0]!.mode = 'broadcast'), /^segments\[0\]\.mode/],
    ['link-local group', (v) => void (v.segments[1]!.group = '224.0.0.5'), /^segments\[1\]\.group: .*not a routable IPv4 multicast group/],
    ['designated VTEP not local', (v) => void (v.segments[0]!.designatedVtep = '192.0.2.99'), /^segments\[0\]\.vtep: 192\.0\.2\.99 is not one of this host's VTEPs/],
    ['own VTEP flooded to', (v) => void (v.segments[0]!.floodList = ['192.0.2.11']), /^segments\[0\]\.floodList\[0\]: 192\.0\.2\.11 is a local VTEP/],
    ['bad interface', (v) => void (v.ports[0]!.interface = 'tap/x'), /^ports\[0\]\.interface: "tap\/x" is not a Linux interface name/],
    ['uplink as a port', (v) => void (v.ports[0]!.interface = 'up1'), /^ports\[0\]\.interface: up1 is an uplink/],
    ['port on a segment not in the view', (v) => void (v.ports[0]!.vni = 7000), /^ports\[0\]\.vni: VNI 7000 is not a configured segment/],
    ['multicast static MAC', (v) => void (v.staticMacs[0]!.mac = '01:00:5e:00:00:01'), /^staticMacs\[0\]\.mac: 01:00:5e:00:00:01 is a multicast MAC/],
  ];

  it.each(bad)('%s is refused with the rule a file would break', (_name, mutate, message) => {
    const v = view();
    mutate(v);
    expect(errorOf(() => configFromView(host, v)).message).toMatch(message);
  });
});

describe('VTEP slots', () => {
  it('keep their address across reloads; new addresses take the lowest free slot', () => {
    const current = new Map([[1, '192.0.2.1'], [2, '192.0.2.2']]);
    const s = assignSlots(['192.0.2.2', '192.0.2.3'], current);
    expect([...s]).toEqual([['192.0.2.2', 2], ['192.0.2.3', 1]]);
  });
});

describe('desired state', () => {
  const link = (name: string, ifindex: number, addresses: LinkInfo['addresses'] = [], kind = 'veth'): [string, LinkInfo] =>
    [name, { name, ifindex, mac: '02:00:00:00:00:0a', mtu: 1550, up: true, kind, addresses }];

  it('joins a segment group only while the segment has a local port on this host', () => {
    const cfg = parseVemConfig({ ...base(), ports: [{ interface: 'vnet0', vni: 5000 }, { interface: 'vnet1', vni: 6000 }] });
    const links = new Map([link('up0', 2, [{ address: '192.0.2.1', prefixLength: 24 }], ''), link('vnet0', 3)]);
    expect([...desiredFromConfig(cfg, links, new Map()).groups]).toEqual([]); // vnet1 does not exist yet
    links.set(...link('vnet1', 4));
    expect([...desiredFromConfig(cfg, links, new Map()).groups]).toEqual([['239.1.1.1', 'up0']]);
  });

  it('refuses a VTEP whose address is not configured on its interface', () => {
    const links = new Map([link('up0', 2, [{ address: '192.0.2.9', prefixLength: 24 }], '')]);
    expect(() => desiredFromConfig(parseVemConfig(base()), links, new Map())).toThrow(/192\.0\.2\.1\/24 is not configured on up0/);
  });

  it('marks veth ports for peer delivery, and only them', () => {
    const cfg = parseVemConfig({ ...base(), ports: [{ interface: 'vnet0', vni: 5000 }, { interface: 'tap0', vni: 5000 }] });
    const links = new Map([link('up0', 2, [{ address: '192.0.2.1', prefixLength: 24 }], ''), link('vnet0', 3), link('tap0', 4, [], 'tun')]);
    const ports = desiredFromConfig(cfg, links, new Map()).ports;
    expect([ports.get(3)?.flags, ports.get(4)?.flags]).toEqual([1, 0]);
  });
});

describe('security keys (docs/dataplane.md, "Security")', () => {
  const port = (extra: Record<string, unknown>) => ({ ...base(), ports: [{ interface: 'vnet0', vni: 5000, ...extra }] });

  it('defaults: VM interface names, 64 learned MACs per port, the VTEPs\' subnets trusted; a port with a MAC is secure', () => {
    const c = parseVemConfig(port({ mac: '02:00:00:00:00:AA' }));
    expect(c).toMatchObject({ portNames: ['tap*', 'vnet*', 'veth*'], maxMacsPerPort: 64 });
    expect(c.trustedUnderlay).toBeUndefined();
    expect(c.ports[0]).toEqual({ interface: 'vnet0', vni: 5000, mac: '02:00:00:00:00:aa', portSecurity: true, addresses: [], allowedPairs: [], stormPps: 0 });
    expect(parseVemConfig(base()).ports[0]).toMatchObject({ portSecurity: false, stormPps: 0 });
  });

  it('takes trusted prefixes, name patterns, the MAC limit, and a port\'s addresses, pairs and storm rate', () => {
    const c = parseVemConfig({
      ...base(), trustedUnderlay: ['192.0.2.0/25', '198.51.100.7/24'], portNames: ['qvo*', 'vm-??'], maxMacsPerPort: 8,
      ports: [{ interface: 'qvo1', vni: 5000, mac: '02:00:00:00:00:01', addresses: ['198.51.100.1', '198.51.100.64/26'], allowedPairs: [{ address: '198.51.100.200' }, { mac: '02:00:00:00:00:02', address: '198.51.100.128/25' }], stormPps: 100 }],
    });
    expect(c.trustedUnderlay).toEqual(['192.0.2.0/25', '198.51.100.0/24']);
    expect(c.ports[0]).toMatchObject({
      addresses: ['198.51.100.1/32', '198.51.100.64/26'], stormPps: 100,
      allowedPairs: [{ mac: '02:00:00:00:00:01', address: '198.51.100.200/32' }, { mac: '02:00:00:00:00:02', address: '198.51.100.128/25' }],
    });
  });

  const bad: [string, unknown, RegExp][] = [
    ['a host interface as a port', port({ interface: 'eth0' }), /^ports\[0\]\.interface: "eth0" is not a VM interface \(tap\*, vnet\*, veth\*\): a port never takes a host interface$/],
    ['loopback as a port', port({ interface: 'lo' }), /^ports\[0\]\.interface: "lo" is not a VM interface/],
    ['a name outside the configured patterns', { ...port({}), portNames: ['qvo*'] }, /^ports\[0\]\.interface: "vnet0" is not a VM interface \(qvo\*\)/],
    ['a pattern matching everything', { ...base(), portNames: ['*'] }, /^portNames\[0\]: pattern "\*" must start with 2 or more literal/],
    ['no patterns', { ...base(), portNames: [] }, /^portNames: lists at least one pattern/],
    ['a trusted prefix that is not one', { ...base(), trustedUnderlay: ['192.0.2.0'] }, /^trustedUnderlay\[0\]: must be A\.B\.C\.D\/LEN/],
    ['no MAC learning at all', { ...base(), maxMacsPerPort: 0 }, /^maxMacsPerPort: must be an integer in 1\.\.65535/],
    ['port security without a MAC', port({ portSecurity: true }), /^ports\[0\]\.mac: is required with portSecurity/],
    ['addresses without port security', port({ mac: '02:00:00:00:00:01', portSecurity: false, addresses: ['198.51.100.1'] }), /^ports\[0\]\.portSecurity: is off/],
    ['a bad address', port({ mac: '02:00:00:00:00:01', addresses: ['198.51.100.300'] }), /^ports\[0\]\.addresses\[0\]: must be A\.B\.C\.D\/LEN or A\.B\.C\.D/],
    ['a multicast pair MAC', port({ mac: '02:00:00:00:00:01', allowedPairs: [{ mac: '01:00:5e:00:00:01', address: '198.51.100.9' }] }), /^ports\[0\]\.allowedPairs\[0\]\.mac: .* is a multicast MAC/],
    ['33 sources', port({ mac: '02:00:00:00:00:01', addresses: Array.from({ length: 33 }, (_, i) => `198.51.100.${i + 1}`) }), /at most 32 addresses and pairs/],
    ['a storm rate out of range', port({ stormPps: 10_000_001 }), /^ports\[0\]\.stormPps: must be an integer in 0\.\.10000000/],
  ];

  it.each(bad)('%s is refused, naming the key', (_name, input, message) => {
    expect(errorOf(() => parseVemConfig(input)).message).toMatch(message);
  });
});

describe('desired security state', () => {
  const up0: [string, LinkInfo] = ['up0', { name: 'up0', ifindex: 2, mac: '02:00:00:00:00:0a', mtu: 1550, up: true, kind: '', addresses: [{ address: '192.0.2.1', prefixLength: 24 }] }];
  const vnet0: [string, LinkInfo] = ['vnet0', { name: 'vnet0', ifindex: 3, mac: '02:00:00:00:00:0b', mtu: 1500, up: true, kind: 'veth', addresses: [] }];
  const desired = (extra: Record<string, unknown>) => desiredFromConfig(parseVemConfig({ ...base(), ...extra }), new Map([up0, vnet0]), new Map());

  it('trusts each segment\'s flood list and static entries\' VTEPs, and by default the VTEPs\' own subnets', () => {
    const d = desired({ staticMacs: [{ vni: 6000, mac: '02:00:00:00:00:09', vtep: '198.51.100.50' }, { vni: 5000, mac: '02:00:00:00:00:08', vtep: '192.0.2.2' }] });
    expect(d.peers).toEqual([{ vni: 5000, addr: '192.0.2.2' }, { vni: 6000, addr: '198.51.100.50' }]);
    expect(d.trusted).toEqual([{ prefixlen: 24, addr: '192.0.2.0' }]);
    expect(desired({ trustedUnderlay: [] }).trusted).toEqual([]);
  });

  it('a secure port with addresses: its MAC and first address in the port entry, every (MAC, prefix) source in the trie', () => {
    const p = desired({
      maxMacsPerPort: 3,
      ports: [{ interface: 'vnet0', vni: 5000, mac: '02:00:00:00:00:01', addresses: ['198.51.100.1'], allowedPairs: [{ mac: '02:00:00:00:00:02', address: '0.0.0.0/0' }], stormPps: 9 }],
    }).ports.get(3)!;
    expect(p).toMatchObject({ flags: 0x1 | 0x2 | 0x4, mac: '02:00:00:00:00:01', ipv4: '198.51.100.1', maxMacs: 3, stormPps: 9 });
    expect(p.addrs).toEqual([
      { key: { prefixlen: 128, ifindex: 3, mac: '02:00:00:00:00:01', addr: '198.51.100.1' }, flags: 2 },
      // another MAC: allowed to send at all (prefix 96), and here from any address (the same key)
      { key: { prefixlen: 96, ifindex: 3, mac: '02:00:00:00:00:02', addr: '0.0.0.0' }, flags: 3 },
    ]);
  });

  it('a port without port security has no source checks', () => {
    const p = desired({ ports: [{ interface: 'vnet0', vni: 5000 }] }).ports.get(3)!;
    expect(p).toMatchObject({ flags: 0x1, mac: '00:00:00:00:00:00', ipv4: '0.0.0.0', maxMacs: 64, addrs: [] });
  });
});
