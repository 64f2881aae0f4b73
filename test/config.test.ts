// The VEM configuration file: every bad value is refused with the key named; defaults filled.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseVemConfig } from '../src/agent/config.js';
import { assignSlots, desiredFromConfig } from '../src/agent/desired.js';
import type { LinkInfo } from '../src/agent/links.js';

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
    const err = (() => { try { parseVemConfig(mutate(base() as never)); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
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
