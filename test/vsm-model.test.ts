// The VSM's rules (src/vsm/rules.ts, indexes.ts): validation with nothing half-written, dynamic port
// profiles, designated VTEPs spread over a host's VTEPs, flood lists, the segmentation guard.
import { describe, expect, it } from 'vitest';
import { derived, designatedVteps, floodList } from '../src/vsm/indexes.js';
import { VsmError, emptyState, type VsmState } from '../src/vsm/objects.js';
import {
  createPolicy, createPort, createSegment, createSubnet, deletePolicy, deletePort, deleteSegment, deleteSubnet, portProfiles, registerHost, setSegmentation, update,
} from '../src/vsm/rules.js';
import { flatten, hostView, hostViewParts, partsDelta } from '../src/vsm/views.js';
import { applyDelta } from '../proto/delta.js';

const host = (name: string, ...addrs: string[]) => ({ name, vteps: addrs.map((a, i) => ({ address: a, prefixLength: 24, interface: `up${i}` })) });

function lab(): VsmState {
  return update(emptyState(), (s) => {
    registerHost(s, host('h1', '192.0.2.11'));
    registerHost(s, host('h2', '192.0.2.12', '192.0.2.22'));
    registerHost(s, host('h3', '192.0.2.13'));
    createSegment(s, { name: 'web', vni: 5000, mode: 'unicast' });
    createSegment(s, { name: 'db', vni: 5001, mode: 'unicast' });
    createSegment(s, { name: 'mc', vni: 6000, mode: 'multicast', group: '239.1.1.1' });
    createPolicy(s, { name: 'strict', portSecurity: true });
  });
}

const fails = (s: VsmState, change: (s: VsmState) => void): VsmError => {
  try {
    update(s, change);
  } catch (e) {
    return e as VsmError;
  }
  throw new Error('expected the change to be refused');
};

describe('validation', () => {
  it.each([
    ['VNI 0', (s: VsmState) => createSegment(s, { name: 'x', vni: 0, mode: 'unicast' }), /VNI 0 is not in 1\.\.16777215/],
    ['VNI above 24 bits', (s: VsmState) => createSegment(s, { name: 'x', vni: 1 << 24, mode: 'unicast' }), /not in 1\.\.16777215/],
    ['duplicate VNI', (s: VsmState) => createSegment(s, { name: 'x', vni: 5000, mode: 'unicast' }), /VNI 5000 is used by network web/],
    ['duplicate name', (s: VsmState) => createSegment(s, { name: 'web', vni: 7, mode: 'unicast' }), /network web exists/],
    ['link-local group', (s: VsmState) => createSegment(s, { name: 'x', vni: 7, mode: 'multicast', group: '224.0.0.251' }), /not a routable IPv4 multicast group/],
    ['unicast address as group', (s: VsmState) => createSegment(s, { name: 'x', vni: 7, mode: 'multicast', group: '192.0.2.1' }), /not a routable IPv4 multicast group/],
    ['group in unicast mode', (s: VsmState) => createSegment(s, { name: 'x', vni: 7, mode: 'unicast', group: '239.1.1.9' }), /only valid in multicast mode/],
    ['bad MAC', (s: VsmState) => createPort(s, { name: 'p', network: 'web', host: 'h1', mac: '02:00:00:00:00' }), /not a MAC address/],
    ['multicast MAC', (s: VsmState) => createPort(s, { name: 'p', network: 'web', host: 'h1', mac: '01:00:5e:00:00:01' }), /is a multicast MAC/],
    ['unknown network', (s: VsmState) => createPort(s, { name: 'p', network: 'nope', host: 'h1', mac: '02:00:00:00:00:01' }), /no network nope/],
    ['unknown policy', (s: VsmState) => createPort(s, { name: 'p', network: 'web', host: 'h1', mac: '02:00:00:00:00:01', policy: 'nope' }), /no policy nope/],
    ['bad name', (s: VsmState) => createSegment(s, { name: 'a b', vni: 7, mode: 'unicast' }), /network name "a b"/],
    ['five VTEPs', (s: VsmState) => registerHost(s, host('h9', '192.0.2.91', '192.0.2.92', '192.0.2.93', '192.0.2.94', '192.0.2.95')), /1 to 4 VTEPs/],
    ['a VTEP of another host', (s: VsmState) => registerHost(s, host('h9', '192.0.2.11')), /belongs to host h1/],
  ])('%s is refused with a clear message', (_n, change, message) => {
    const s = lab();
    const err = fails(s, change);
    expect(err).toBeInstanceOf(VsmError);
    expect(err.message).toMatch(message);
  });

  it('a refused change leaves the state and its revision untouched', () => {
    const s = lab();
    const before = JSON.stringify(s);
    fails(s, (x) => {
      createPort(x, { name: 'ok', network: 'web', host: 'h1', mac: '02:00:00:00:00:01' });
      createPort(x, { name: 'dup', network: 'web', host: 'h2', mac: '02:00:00:00:00:01' }); // same MAC, same network
    });
    expect(JSON.stringify(s)).toBe(before);
  });

  it('objects in use cannot be deleted', () => {
    const s = update(lab(), (x) => createPort(x, { name: 'p1', network: 'web', host: 'h1', mac: '02:00:00:00:00:01', policy: 'strict' }));
    expect(fails(s, (x) => deleteSegment(x, 'web')).message).toMatch(/network web has ports: p1/);
    expect(fails(s, (x) => deletePolicy(x, 'strict')).message).toMatch(/used by ports: p1/);
    expect(fails(s, (x) => deletePolicy(x, 'default')).message).toMatch(/cannot be deleted/);
  });

  it('a port interface defaults to OpenStack naming: tap + the first 11 characters of its id', () => {
    const s = update(lab(), (x) => createPort(x, { name: '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b', network: 'web', host: 'h1', mac: '02:00:00:00:00:01' }));
    expect(s.ports['3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b']!.interface).toBe('tap3f2a9c1e-5b');
  });
});

describe('subnets', () => {
  it('belong to a network, with a valid CIDR and a gateway inside it', () => {
    const s = update(lab(), (x) => createSubnet(x, { name: 'web-v4', network: 'web', cidr: '198.51.100.0/24', gateway: '198.51.100.1' }));
    expect(s.subnets['web-v4']).toEqual({ name: 'web-v4', network: 'web', cidr: '198.51.100.0/24', gateway: '198.51.100.1', origin: 'vsm' });
    for (const [bad, msg] of [
      [{ name: 'a', network: 'nope', cidr: '198.51.100.0/24' }, /no network nope/],
      [{ name: 'a', network: 'web', cidr: '198.51.100.0/33' }, /expected A\.B\.C\.D\/LEN/],
      [{ name: 'a', network: 'web', cidr: '198.51.100.1/24' }, /has host bits set/],
      [{ name: 'a', network: 'web', cidr: '198.51.100.0/24', gateway: '192.0.2.1' }, /outside 198\.51\.100\.0\/24/],
      [{ name: 'a', network: 'web', cidr: '198.51.100.0/24' }, /already subnet web-v4/],
    ] as const) {
      expect(fails(s, (x) => createSubnet(x, bad)).message).toMatch(msg);
    }
    expect(fails(s, (x) => deleteSegment(x, 'web')).message).toMatch(/network web has subnets: web-v4/);
    expect(update(s, (x) => { deleteSubnet(x, 'web-v4'); deleteSegment(x, 'web'); }).segments.web).toBeUndefined();
  });

  it('go with the segments when segmentation is disabled', () => {
    const s = update(lab(), (x) => { createSubnet(x, { name: 'n1', network: 'db', cidr: '198.51.100.0/25' }); setSegmentation(x, false); });
    expect([s.segments, s.subnets]).toEqual([{}, {}]);
  });
});

describe('dynamic port profiles', () => {
  it('one per (policy, segment) in use: created with the first port, shared, removed with the last', () => {
    let s = update(lab(), (x) => createPort(x, { name: 'p1', network: 'web', host: 'h1', mac: '02:00:00:00:00:01' }));
    expect(portProfiles(s)).toEqual([{ name: 'dyn-default-web', policy: 'default', network: 'web', ports: ['p1'] }]);
    s = update(s, (x) => {
      createPort(x, { name: 'p2', network: 'web', host: 'h2', mac: '02:00:00:00:00:02' });
      createPort(x, { name: 'p3', network: 'web', host: 'h2', mac: '02:00:00:00:00:03', policy: 'strict' });
    });
    expect(portProfiles(s).map((p) => [p.name, p.ports])).toEqual([['dyn-default-web', ['p1', 'p2']], ['dyn-strict-web', ['p3']]]);
    s = update(s, (x) => deletePort(x, 'p3'));
    expect(portProfiles(s).map((p) => p.name)).toEqual(['dyn-default-web']);
  });
});

describe('designated VTEPs and flood lists', () => {
  const withPorts = () => update(lab(), (x) => {
    createPort(x, { name: 'a1', network: 'web', host: 'h1', mac: '02:00:00:00:00:01' });
    createPort(x, { name: 'b1', network: 'web', host: 'h2', mac: '02:00:00:00:00:02' });
    createPort(x, { name: 'b2', network: 'db', host: 'h2', mac: '02:00:00:00:00:03' });
    createPort(x, { name: 'c1', network: 'db', host: 'h3', mac: '02:00:00:00:00:04' });
  });

  it('spreads a host\'s segments over its VTEPs', () => {
    const d = designatedVteps(withPorts());
    expect([...d.get('h2')!]).toEqual([[5000, '192.0.2.12'], [5001, '192.0.2.22']]);
    expect([...d.get('h1')!]).toEqual([[5000, '192.0.2.11']]);
  });

  it('a flood list holds the designated VTEP of every other host with a port in the segment', () => {
    const s = withPorts();
    expect(floodList(s, 'h1', 5000)).toEqual(['192.0.2.12']);
    expect(floodList(s, 'h3', 5001)).toEqual(['192.0.2.22']);
    expect(floodList(s, 'h2', 5001)).toEqual(['192.0.2.13']);
    expect(floodList(s, 'h1', 5001)).toEqual(['192.0.2.13', '192.0.2.22']); // h1 has no db port: what it would flood to
  });

  it('a VTEP that goes away hands its segments to the host\'s other VTEP', () => {
    const s = update(withPorts(), (x) => registerHost(x, host('h2', '192.0.2.12')));
    expect([...designatedVteps(s).get('h2')!]).toEqual([[5000, '192.0.2.12'], [5001, '192.0.2.12']]);
    expect(floodList(s, 'h3', 5001)).toEqual(['192.0.2.12']);
  });
});

describe('the segmentation feature', () => {
  it('disabling is refused while ports use VXLAN port profiles, naming them', () => {
    const s = update(lab(), (x) => createPort(x, { name: 'p1', network: 'web', host: 'h1', mac: '02:00:00:00:00:01' }));
    expect(fails(s, (x) => setSegmentation(x, false)).message).toMatch(/in use by port profiles: dyn-default-web \(p1\)/);
  });

  it('once allowed, it removes all VXLAN segment configuration, and new segments are refused', () => {
    const s = update(lab(), (x) => setSegmentation(x, false));
    expect(s.segments).toEqual({});
    expect(fails(s, (x) => createSegment(x, { name: 'x', vni: 9, mode: 'unicast' })).message).toMatch(/segmentation feature is disabled/);
    expect(Object.keys(update(s, (x) => { setSegmentation(x, true); createSegment(x, { name: 'x', vni: 9, mode: 'unicast' }); }).segments)).toEqual(['x']);
  });
});

describe('indexes', () => {
  it('indexes adjusted from the previous state equal indexes built from scratch', () => {
    let s = lab();
    derived(s);
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let i = 0; i < 300; i++) {
      const names = Object.keys(s.ports);
      s = update(s, (x) => {
        if (names.length > 5 && rnd(3) === 0) deletePort(x, names[rnd(names.length)]!);
        else createPort(x, { name: `r${i}`, network: ['web', 'db', 'mc'][rnd(3)]!, host: `h${1 + rnd(3)}`, mac: `02:00:00:01:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}` });
      });
      const inc = derived(s);
      const full = derived({ ...s }); // a copy with no history: built from scratch
      const norm = (d: ReturnType<typeof derived>) => JSON.stringify({
        designated: [...d.designated].map(([h, m]) => [h, [...m].sort()]).sort(),
        ports: [...d.portsByNetwork].map(([n, ps]) => [n, ps.map((p) => p.name).sort()]).filter(([, ps]) => ps.length).sort(),
      });
      expect(norm(inc)).toBe(norm(full));
    }
  });
});

describe('host views by parts', () => {
  it('the delta between memoised views, applied, equals the view built from scratch, for every host', () => {
    let s = lab();
    let seed = 11;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const hosts = ['h1', 'h2', 'h3', 'h4'];
    let views = new Map(hosts.map((h) => [h, hostViewParts(s, h)]));
    for (let i = 0; i < 300; i++) {
      const names = Object.keys(s.ports);
      s = update(s, (x) => {
        const r = rnd(20);
        if (r === 0 && !x.hosts.h4) registerHost(x, host('h4', '192.0.2.14', '192.0.2.24', '192.0.2.34'));
        else if (r === 1 && x.hosts.h4) registerHost(x, host('h4', '192.0.2.14'));
        else if (names.length > 5 && rnd(3) === 0) deletePort(x, names[rnd(names.length)]!);
        else createPort(x, { name: `r${i}`, network: ['web', 'db', 'mc'][rnd(3)]!, host: hosts[rnd(4)]!, mac: `02:00:00:02:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}` });
      });
      for (const h of hosts) {
        const next = hostViewParts(s, h);
        const applied = applyDelta(flatten(views.get(h)!), partsDelta(views.get(h)!, next));
        expect(applied, `change ${i}, host ${h}`).toEqual(hostView({ ...s }, h)); // a copy with no history: from scratch
        views.set(h, next);
      }
    }
    // Parts a change did not touch are the very same objects (nothing recomputed, nothing compared).
    const before = hostViewParts(s, 'h1');
    const after = hostViewParts(update(s, (x) => createPort(x, { name: 'last', network: 'mc', host: 'h3', mac: '02:00:00:03:00:01' })), 'h1');
    expect(after.parts.get(5000)).toBe(before.parts.get(5000));
  });
});

describe('port security in the model and the views (docs/dataplane.md, "Security")', () => {
  const withPorts = (): VsmState => update(lab(), (s) => {
    createPolicy(s, { name: 'open', portSecurity: false, stormPps: 0 });
    createPolicy(s, { name: 'calm', portSecurity: true, stormPps: 200 });
    createPort(s, { name: 'p1', network: 'web', host: 'h1', mac: '02:00:00:00:00:01', interface: 'vnet1', addresses: ['198.51.100.1'], allowedPairs: [{ address: '198.51.100.64/26' }, { address: '198.51.100.200', mac: '02:00:00:00:00:AA' }] });
    createPort(s, { name: 'p2', network: 'web', host: 'h1', mac: '02:00:00:00:00:02', interface: 'vnet2', policy: 'open', addresses: ['198.51.100.2'] });
    createPort(s, { name: 'p3', network: 'web', host: 'h1', mac: '02:00:00:00:00:03', interface: 'vnet3', policy: 'calm', portSecurity: false });
    createPort(s, { name: 'p4', network: 'web', host: 'h2', mac: '02:00:00:00:00:04', interface: 'vnet1' });
  });

  it('each port tells its host whether its sources are checked, which ones, and its storm rate', () => {
    const ports = hostView(withPorts(), 'h1').ports;
    expect(ports).toEqual([
      { interface: 'vnet1', vni: 5000, mac: '02:00:00:00:00:01', portSecurity: true, addresses: ['198.51.100.1'], stormPps: 0,
        allowedPairs: [{ mac: '02:00:00:00:00:01', address: '198.51.100.64/26' }, { mac: '02:00:00:00:00:aa', address: '198.51.100.200' }] },
      // the policy turns port security off: no sources sent
      { interface: 'vnet2', vni: 5000, mac: '02:00:00:00:00:02', portSecurity: false, addresses: [], allowedPairs: [], stormPps: 0 },
      // the port itself (Neutron's port_security_enabled=false) turns it off; the policy's storm rate stays
      { interface: 'vnet3', vni: 5000, mac: '02:00:00:00:00:03', portSecurity: false, addresses: [], allowedPairs: [], stormPps: 200 },
    ]);
  });

  it('the other hosts\' ports are static entries behind their designated VTEPs: the VTEPs h1 trusts for the segment', () => {
    const v = hostView(withPorts(), 'h1');
    expect(v.segments.find((x) => x.vni === 5000)?.floodList).toEqual(['192.0.2.12']);
    expect(v.staticMacs).toEqual([{ vni: 5000, mac: '02:00:00:00:00:04', vtep: '192.0.2.12' }]);
  });

  it('a port added beside others: only it is in the delta (the others\' pairs are the same messages)', () => {
    const a = withPorts();
    const b = update(a, (s) => createPort(s, { name: 'p5', network: 'web', host: 'h1', mac: '02:00:00:00:00:05', interface: 'vnet5' }));
    const d = partsDelta(hostViewParts(a, 'h1'), hostViewParts(b, 'h1'));
    expect(d.upsertPorts.map((p) => p.interface)).toEqual(['vnet5']);
  });

  it.each([
    ['a host interface', { interface: 'eth0' }, /interface "eth0" is not a VM interface \(tap\*, vnet\*, veth\*\): a port never takes a host interface/],
    ['loopback', { interface: 'lo' }, /interface "lo" is not a VM interface/],
    ['the host\'s uplink, even named like a VM interface', { interface: 'vnet9', host: 'h9' }, /interface vnet9 is an uplink of host h9/],
    ['a bad address', { addresses: ['198.51.100.300'] }, /"198\.51\.100\.300" is not an IPv4 address or A\.B\.C\.D\/LEN/],
    ['a bad prefix', { allowedPairs: [{ address: '198.51.100.0/33' }] }, /not an IPv4 address or A\.B\.C\.D\/LEN/],
    ['a multicast pair MAC', { allowedPairs: [{ address: '198.51.100.9', mac: '01:00:5e:00:00:01' }] }, /is a multicast MAC/],
    ['33 sources', { addresses: Array.from({ length: 33 }, (_, i) => `198.51.100.${i + 1}`) }, /at most 32 addresses and address pairs/],
  ])('%s is refused', (_n, fields, message) => {
    const s = update(lab(), (x) => registerHost(x, { name: 'h9', vteps: [{ address: '192.0.2.99', prefixLength: 24, interface: 'vnet9' }] }));
    expect(fails(s, (x) => createPort(x, { name: 'p', network: 'web', host: 'h1', mac: '02:00:00:00:00:01', ...fields })).message).toMatch(message);
  });

  it('a policy\'s storm rate is frames per second, 0 to 10,000,000', () => {
    expect(fails(lab(), (x) => createPolicy(x, { name: 'x', portSecurity: true, stormPps: -1 })).message).toMatch(/storm rate -1 is not an integer in 0\.\.10000000/);
    expect(update(lab(), (x) => createPolicy(x, { name: 'x', portSecurity: true, stormPps: 5 })).policies.x).toEqual({ name: 'x', portSecurity: true, stormPps: 5 });
  });
});
