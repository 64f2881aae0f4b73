// The VLAN keys of the VEM's file (src/agent/vlan-config.ts) and what they become in the desired
// state: physical networks and their uplinks, VLAN segments' ids, trunk subports. Every refusal
// names its key.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SCHEMA_PATH } from '../scripts/gen-schema.js';
import { ConfigError, parseVemConfig } from '../src/agent/config.js';
import { DesiredStateError, desiredFromConfig } from '../src/agent/desired.js';
import type { LinkInfo } from '../src/agent/links.js';
import { SEG_VLAN_BIT, physnetSlots, vlanSegmentId } from '../src/common/vlan.js';
import { FloodMode, MAC_F_TRUNK, MacKind, PORT_F_TRUNK } from '../src/maps/layout.js';
import { Dataplane } from '../src/maps/dataplane.js';
import { reconcile } from '../src/agent/reconcile.js';
import { ensureBpf } from './helpers/bpf.js';

type Json = Record<string, unknown>;
const base = (o: Json = {}): Json => ({
  vteps: [{ interface: 'up0', address: '192.0.2.1/24' }],
  physicalNetworks: { physnet1: 'up0', physnet2: 'eth1' },
  segments: [{ vni: 5000 }, { vlan: 100, physicalNetwork: 'physnet1' }, { vlan: 100, physicalNetwork: 'physnet2' }],
  ports: [{ interface: 'vnet0', vlan: 100, physicalNetwork: 'physnet1' }],
  ...o,
});
const refusal = (file: Json): string => {
  try {
    parseVemConfig(file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};
const link = (name: string, ifindex: number, addresses: LinkInfo['addresses'] = [], kind = 'veth'): [string, LinkInfo] =>
  [name, { name, ifindex, mac: `02:00:00:00:00:0${ifindex}`, mtu: 1500, up: true, kind, addresses }];
const LINKS = new Map([link('up0', 2, [{ address: '192.0.2.1', prefixLength: 24 }], ''), link('eth1', 3, [], ''), link('vnet0', 4), link('vnet1', 5)]);

describe('segment ids', () => {
  it('physical networks take slots by sorted name; a VLAN segment\'s id is 1<<24 | slot<<12 | vid', () => {
    expect([...physnetSlots(['physnet2', 'physnet1'])]).toEqual([['physnet1', 1], ['physnet2', 2]]);
    expect(vlanSegmentId(2, 100)).toBe(SEG_VLAN_BIT | (2 << 12) | 100);
    const c = parseVemConfig(base());
    expect(c.segments.map((s) => [s.vni, s.mode])).toEqual([[5000, 'unicast'], [vlanSegmentId(1, 100), 'vlan'], [vlanSegmentId(2, 100), 'vlan']]);
    expect(c.ports[0]!.vni).toBe(vlanSegmentId(1, 100));
  });

  it('the same VLAN id on two physical networks, and a VXLAN VNI of the same number, are three segments', () => {
    const c = parseVemConfig(base({ segments: [{ vni: 100 }, { vlan: 100, physicalNetwork: 'physnet1' }, { vlan: 100, physicalNetwork: 'physnet2' }] }));
    expect(new Set(c.segments.map((s) => s.vni)).size).toBe(3);
  });

  it('with one physical network, physicalNetwork may be left out', () => {
    const c = parseVemConfig(base({ physicalNetworks: { physnet1: 'up0' }, segments: [{ vlan: 7 }], ports: [{ interface: 'vnet0', vlan: 7 }] }));
    expect(c.ports[0]!.vni).toBe(vlanSegmentId(1, 7));
  });
});

describe('refusals name the key', () => {
  it.each<[string, Json, RegExp]>([
    ['VLAN 0', { segments: [{ vlan: 0, physicalNetwork: 'physnet1' }] }, /^segments\[0\]\.vlan: VLAN 0 is not in 1\.\.4094 \(0 and 4095 are reserved\)$/],
    ['VLAN 4095', { segments: [{ vlan: 4095, physicalNetwork: 'physnet1' }] }, /^segments\[0\]\.vlan: VLAN 4095 is not in 1\.\.4094/],
    ['a VLAN id that is not an integer', { segments: [{ vlan: '100', physicalNetwork: 'physnet1' }] }, /^segments\[0\]\.vlan: must be an integer in 1\.\.4094/],
    ['an unknown physical network', { segments: [{ vlan: 100, physicalNetwork: 'physnet9' }] }, /^segments\[0\]\.physicalNetwork: unknown physical network "physnet9"/],
    ['no physicalNetwork with several', { segments: [{ vlan: 100 }] }, /^segments\[0\]\.physicalNetwork: is required: the host has several/],
    ['a VLAN without any physical network', { physicalNetworks: undefined, segments: [{ vlan: 100 }], ports: [] }, /^segments\[0\]\.physicalNetwork: no physicalNetworks are configured/],
    ['vni and vlan together', { segments: [{ vni: 100, vlan: 100, physicalNetwork: 'physnet1' }] }, /^segments\[0\]\.vlan: a segment is a vni or a vlan, not both/],
    ['physicalNetwork with a vni', { segments: [{ vni: 100, physicalNetwork: 'physnet1' }] }, /^segments\[0\]\.physicalNetwork: only with vlan/],
    ['a flood list on a VLAN segment', { segments: [{ vlan: 100, physicalNetwork: 'physnet1', floodList: [] }] }, /^segments\[0\]\.floodList: not valid for a VLAN segment/],
    ['a VLAN segment twice', { segments: [{ vlan: 100, physicalNetwork: 'physnet1' }, { vlan: 100, physicalNetwork: 'physnet1' }] }, /^segments\[1\]\.vlan: VLAN 100 on physnet1 is defined twice/],
    ['a port on a VLAN segment not configured', { ports: [{ interface: 'vnet0', vlan: 300, physicalNetwork: 'physnet1' }] }, /^ports\[0\]\.vlan: VLAN 300 on physnet1 is not a configured segment/],
    ['a port on a physical network\'s uplink', { ports: [{ interface: 'eth1', vni: 5000 }] }, /^ports\[0\]\.interface: eth1 is an uplink/],
    ['one interface for two physical networks', { physicalNetworks: { a: 'eth1', b: 'eth1' }, segments: [], ports: [] }, /^physicalNetworks\.b: eth1 is already the uplink of a/],
    ['a bad physical network name', { physicalNetworks: { 'phys net': 'eth1' }, segments: [], ports: [] }, /^physicalNetworks\.phys net: "phys net" is not a physical network name/],
    ['a bad uplink name', { physicalNetworks: { physnet1: 'a/b' }, segments: [], ports: [] }, /^physicalNetworks\.physnet1:/],
    ['physicalNetworks as a list', { physicalNetworks: ['eth1'], segments: [], ports: [] }, /^physicalNetworks: must be an object of NAME: INTERFACE/],
    ['a static MAC of a VLAN segment with a VTEP', { staticMacs: [{ vlan: 100, physicalNetwork: 'physnet1', mac: '02:00:00:00:00:09', vtep: '192.0.2.2' }] }, /^staticMacs\[0\]\.vtep: not valid in a VLAN segment/],
    ['a static MAC of a VXLAN segment without a VTEP', { staticMacs: [{ vni: 5000, mac: '02:00:00:00:00:09' }] }, /^staticMacs\[0\]\.vtep: is required/],
    ['a trunk tag 4095', { ports: [{ interface: 'vnet0', vni: 5000, trunk: [{ vlan: 4095, vni: 5000 }] }] }, /^ports\[0\]\.trunk\[0\]\.vlan: VLAN 4095 is not in 1\.\.4094/],
    ['a trunk tag twice', { ports: [{ interface: 'vnet0', vni: 5000, trunk: [{ vlan: 10, segment: { vlan: 100, physicalNetwork: 'physnet1' } }, { vlan: 10, segment: { vlan: 100, physicalNetwork: 'physnet2' } }] }] }, /^ports\[0\]\.trunk\[1\]\.vlan: VLAN 10 is used twice on the port/],
    ['a subport in the port\'s own segment', { ports: [{ interface: 'vnet0', vni: 5000, trunk: [{ vlan: 10, vni: 5000 }] }] }, /^ports\[0\]\.trunk\[0\]: VNI 5000 is already the port's or another subport's segment/],
    ['a subport of a segment not configured', { ports: [{ interface: 'vnet0', vni: 5000, trunk: [{ vlan: 10, vni: 7000 }] }] }, /^ports\[0\]\.trunk\[0\]: VNI 7000 is not a configured segment/],
    ['a subport naming vni and segment', { ports: [{ interface: 'vnet0', vni: 5000, trunk: [{ vlan: 10, vni: 7000, segment: { vni: 7000 } }] }] }, /^ports\[0\]\.trunk\[0\]\.segment: a subport names a vni or a segment, not both/],
    ['a subport naming no segment', { ports: [{ interface: 'vnet0', vni: 5000, trunk: [{ vlan: 10 }] }] }, /^ports\[0\]\.trunk\[0\]\.vni: is required \(or segment\)/],
  ])('%s', (_name, extra, message) => {
    const file = base(extra);
    for (const [k, v] of Object.entries(file)) if (v === undefined) delete file[k];
    expect(refusal(file)).toMatch(message);
  });
});

describe('desired state', () => {
  const trunked = () => parseVemConfig(base({
    ports: [{ interface: 'vnet0', vni: 5000, trunk: [{ vlan: 10, segment: { vlan: 100, physicalNetwork: 'physnet1' } }, { vlan: 20, segment: { vlan: 100, physicalNetwork: 'physnet2' } }] },
      { interface: 'vnet1', vlan: 100, physicalNetwork: 'physnet1' }],
  }));

  it('physical networks in their slots with their uplinks; VLAN segments in vlan mode with no VTEP', () => {
    const d = desiredFromConfig(trunked(), LINKS, new Map());
    expect(d.physnets).toEqual([{ slot: 1, name: 'physnet1', interface: 'up0', ifindex: 2 }, { slot: 2, name: 'physnet2', interface: 'eth1', ifindex: 3 }]);
    expect(d.segments.get(vlanSegmentId(1, 100))).toEqual({ vni: vlanSegmentId(1, 100), mode: FloodMode.Vlan, vtepSlot: 0, group: '0.0.0.0', statsSlot: 0 });
    expect(d.flood.has(vlanSegmentId(1, 100))).toBe(false);
  });

  it('a trunk parent: its own segment\'s port list, its subports\' trunk lists, PORT_F_TRUNK', () => {
    const d = desiredFromConfig(trunked(), LINKS, new Map());
    expect(d.ports.get(4)!.flags & PORT_F_TRUNK).toBe(PORT_F_TRUNK);
    expect([...d.ports.get(4)!.trunk]).toEqual([[10, vlanSegmentId(1, 100)], [20, vlanSegmentId(2, 100)]]);
    expect(d.ports.get(5)!.flags & PORT_F_TRUNK).toBe(0);
    expect(d.segPorts.get(5000)).toEqual([4]);
    expect(d.segPorts.get(vlanSegmentId(1, 100))).toEqual([5]);
    expect([...d.segTrunks]).toEqual([[vlanSegmentId(1, 100), [4]], [vlanSegmentId(2, 100), [4]]]);
  });

  it('an uplink that does not exist is refused, as a VTEP\'s interface is', () => {
    const links = new Map([...LINKS].filter(([n]) => n !== 'eth1'));
    expect(() => desiredFromConfig(trunked(), links, new Map())).toThrow(DesiredStateError);
    expect(() => desiredFromConfig(trunked(), links, new Map())).toThrow(/uplink eth1 of physical network physnet2 does not exist/);
  });

  it('static MACs of a VLAN segment are behind the uplink (VTEP 0.0.0.0) and trust no VTEP', () => {
    const d = desiredFromConfig(parseVemConfig(base({ staticMacs: [{ vlan: 100, physicalNetwork: 'physnet1', mac: '02:00:00:00:00:09' }] })), LINKS, new Map());
    expect(d.staticMacs).toEqual([{ key: { vni: vlanSegmentId(1, 100), mac: '02:00:00:00:00:09' }, entry: expect.objectContaining({ vtep: '0.0.0.0' }) }]);
    expect(d.peers).toEqual([]);
  });
});

describe('the README\'s VLAN example and docs/vem-config.schema.json', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Running a VEM from a file'));
  const example = JSON.parse([...section.matchAll(/```json\n([\s\S]*?)```/g)][1]![1]!) as Json;
  const schemaValid = new Ajv2020({ strict: true, strictRequired: false, allErrors: true }).compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  const accepts = (file: Json): boolean => {
    try {
      parseVemConfig(file);
      return true;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // Rules across values the schema cannot state (it lists them): the validator alone refuses.
      if (/unknown physical network|several physical networks|not a configured segment|defined twice|already the|used twice|is an uplink|no physicalNetworks|is not a VM interface/.test(e.message)) return schemaValid(file);
      return false;
    }
  };

  it('is valid for both', () => {
    expect(accepts(example)).toBe(true);
    expect(schemaValid(example)).toBe(true);
  });

  it('they agree on every value of a pool put in every place of it', () => {
    const pool: unknown[] = [0, 1, 10, 100, 4094, 4095, 5000, 16777216, -1, 1.5, true, null, [], {}, '', 'physnet1', 'physnet2', 'up0', 'has space', '192.0.2.2', { vni: 5000 }, { vlan: 100 }];
    const leaves: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]): void => {
      if (path.length) leaves.push(path);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk(example, []);
    const disagreements: string[] = [];
    for (const path of leaves) {
      for (const value of pool) {
        const file = structuredClone(example);
        let at = file as Record<string | number, unknown>;
        for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
        at[path.at(-1)!] = value;
        if (accepts(file) !== schemaValid(file)) disagreements.push(`${path.join('.')} = ${JSON.stringify(value)}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('reconcile', () => {
  ensureBpf();
  const trunkFile = (trunk: Json[]) => parseVemConfig(base({ ports: [{ interface: 'vnet0', vni: 5000, trunk }] }));
  const SEG = vlanSegmentId(1, 100);

  it('writes physical networks, uplinks and subports; keeps MACs learned on a subport until the subport goes', () => {
    const dp = Dataplane.open({ instance: `test-vlanrc-${process.pid}`, macTableSize: 1024 });
    try {
      const m = dp.maps;
      reconcile(m, desiredFromConfig(trunkFile([{ vlan: 10, segment: { vlan: 100, physicalNetwork: 'physnet1' } }]), LINKS, new Map()));
      expect(m.physnets.get(1)).toEqual({ ifindex: 2, flags: 0 });
      expect(m.physnets.get(2)).toEqual({ ifindex: 3, flags: 0 });
      expect(new Map(m.uplinkPhysnet.entries())).toEqual(new Map([[2, 1], [3, 2]]));
      expect(m.trunkIn.get({ ifindex: 4, id: 10 })).toBe(SEG);
      expect(m.trunkOut.get({ ifindex: 4, id: SEG })).toBe(10);
      expect(m.segTrunks.get(SEG)).toEqual({ ifindex: [4] });
      expect(m.ports.get(4)!.flags & PORT_F_TRUNK).toBe(PORT_F_TRUNK);

      const key = { vni: SEG, mac: '02:00:00:00:00:07' };
      m.macs.put(key, { kind: MacKind.Local, flags: MAC_F_TRUNK, ifindex: 4, vtep: '0.0.0.0', lastSeenNs: 1n });
      expect(reconcile(m, desiredFromConfig(trunkFile([{ vlan: 10, segment: { vlan: 100, physicalNetwork: 'physnet1' } }]), LINKS, new Map())).changes).toBe(0);
      expect(m.macs.get(key)).toBeDefined();

      // The subport goes: its tag, its trunk list and its MACs go with it; the port is no trunk any more.
      reconcile(m, desiredFromConfig(parseVemConfig(base({ ports: [{ interface: 'vnet0', vni: 5000 }], physicalNetworks: { physnet1: 'up0' }, segments: [{ vni: 5000 }, { vlan: 100 }] })), LINKS, new Map()));
      expect(m.macs.get(key)).toBeUndefined();
      expect([...m.trunkIn.keys()]).toEqual([]);
      expect([...m.trunkOut.keys()]).toEqual([]);
      expect([...m.segTrunks.keys()]).toEqual([]);
      expect(m.ports.get(4)!.flags & PORT_F_TRUNK).toBe(0);
      expect(m.physnets.get(2)).toEqual({ ifindex: 0, flags: 0 });
      expect(new Map(m.uplinkPhysnet.entries())).toEqual(new Map([[2, 1]]));
    } finally {
      dp.close();
      Dataplane.removePins(`test-vlanrc-${process.pid}`);
    }
  });
});
