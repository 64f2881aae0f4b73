// docs/vem-config.schema.json against the validator it is generated from: the committed file is
// the generator's output, and a JSON Schema validator (ajv, draft 2020-12) and parseVemConfig
// agree on valid files (the README's example among them), on invalid ones, and on every value of
// a pool put in every place of the README's example. The rules across values that JSON Schema
// cannot state are listed in the schema; there the validator alone refuses.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ConfigError, parseVemConfig } from '../src/agent/config.js';
import { SCHEMA_PATH, schemaText } from '../scripts/gen-schema.js';

const REPO = join(import.meta.dirname, '..');
// Strict, but a conditional may require a key its own subschema does not describe.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
const schemaValid = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);

type Json = unknown;

function validator(file: Json): { ok: true } | { ok: false; key: string; message: string } {
  try {
    parseVemConfig(file);
    return { ok: true };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { ok: false, key: e.key, message: e.message };
  }
}

/** The README's example file (the JSON block of "Running a VEM from a file"). */
function readmeExample(): Record<string, Json> {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Running a VEM from a file'));
  const block = /```json\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md: no JSON example under "Running a VEM from a file"');
  return JSON.parse(block[1]!) as Record<string, Json>;
}

const VTEP = { interface: 'up0', address: '192.0.2.1/24' };
const base = (o: Record<string, Json> = {}): Record<string, Json> => ({ vteps: [VTEP], segments: [{ vni: 5000 }], ports: [], ...o });
const seg = (s: Record<string, Json>): Record<string, Json> => base({ segments: [{ vni: 5000, ...s }] });

const VALID: [string, Json][] = [
  ['the README example', readmeExample()],
  ['the example installed as /etc/vxvem/vem.json', JSON.parse(readFileSync(join(REPO, 'packaging', 'vem.json'), 'utf8'))],
  ['the smallest file', base({ segments: [], ports: [] })],
  ['a multicast segment', seg({ mode: 'multicast', group: '239.1.1.1' })],
  ['the lowest routable group', seg({ mode: 'multicast', group: '224.0.1.0' })],
  ['a unicast segment with its local VTEP', seg({ mode: 'unicast', floodList: ['192.0.2.2'], vtep: '192.0.2.1' })],
  ['a full flood list', seg({ floodList: Array.from({ length: 128 }, (_, i) => `198.51.100.${i}`) })],
  ['four VTEPs with xdp and a gateway', base({ vteps: [0, 1, 2, 3].map((i) => ({ interface: `up${i}`, address: `192.0.2.${i + 1}/24`, gateway: '192.0.2.254', xdp: i % 2 === 0 })) })],
  ['a short prefix written with a leading zero', base({ vteps: [{ interface: 'eth0.100', address: '192.0.2.1/08' }] })],
  ['every setting at its edges', base({ ttl: 255, tos: 0, srcPortRange: [1, 65535], udpChecksum: true, macAgeingSeconds: 1_000_000 })],
  ['the widest VNI and an upper-case MAC', base({ segments: [{ vni: 16777215 }], staticMacs: [{ vni: 16777215, mac: 'AA:BB:CC:DD:EE:FF', vtep: '198.51.100.9' }] })],
  ['every security key', base({
    trustedUnderlay: ['192.0.2.0/24', '0.0.0.0/0'], portNames: ['qvo*', 'vm??x'], maxMacsPerPort: 65535,
    ports: [{ interface: 'qvo1', vni: 5000, mac: '02:00:00:00:00:01', portSecurity: true, addresses: ['198.51.100.1', '198.51.100.64/26'],
      allowedPairs: [{ address: '198.51.100.200' }, { mac: '02:00:00:00:00:02', address: '0.0.0.0/0' }], stormPps: 10_000_000 }],
  })],
];

const INVALID: [string, Json, string][] = [
  ['an array', [], ''],
  ['no ports', { vteps: [VTEP], segments: [] }, 'ports'],
  ['an unknown key', base({ mtu: 1500 }), 'mtu'],
  ['an address with a leading zero (octal to inet_aton)', base({ vteps: [{ interface: 'up0', address: '192.000.002.001/24' }] }), 'vteps[0].address'],
  ['a group with a leading zero', seg({ mode: 'multicast', group: '224.000.001.000' }), 'segments[0].group'],
  ['no VTEP', base({ vteps: [] }), 'vteps'],
  ['five VTEPs', base({ vteps: [1, 2, 3, 4, 5].map((i) => ({ interface: `up${i}`, address: `192.0.2.${i}/24` })) }), 'vteps'],
  ['a VTEP without a prefix', base({ vteps: [{ interface: 'up0', address: '192.0.2.1' }] }), 'vteps[0].address'],
  ['a VTEP prefix /0', base({ vteps: [{ interface: 'up0', address: '192.0.2.1/0' }] }), 'vteps[0].address prefix'],
  ['a VTEP prefix /33', base({ vteps: [{ interface: 'up0', address: '192.0.2.1/33' }] }), 'vteps[0].address'],
  ['a VTEP octet 256', base({ vteps: [{ interface: 'up0', address: '192.0.2.256/24' }] }), 'vteps[0].address'],
  ['an interface name of 16 characters', base({ vteps: [{ interface: 'abcdefghijklmnop', address: '192.0.2.1/24' }] }), 'vteps[0].interface'],
  ['an interface name with a space', base({ ports: [{ interface: 'vnet 0', vni: 5000 }] }), 'ports[0].interface'],
  ['a bad gateway', base({ vteps: [{ ...VTEP, gateway: '192.0.2' }] }), 'vteps[0].gateway'],
  ['xdp as a string', base({ vteps: [{ ...VTEP, xdp: 'yes' }] }), 'vteps[0].xdp'],
  ['VNI 0', seg({ vni: 0 }), 'segments[0].vni'],
  ['VNI 2^24', seg({ vni: 16777216 }), 'segments[0].vni'],
  ['a VNI as a string', seg({ vni: '5000' }), 'segments[0].vni'],
  ['a fractional VNI', seg({ vni: 5000.5 }), 'segments[0].vni'],
  ['mode broadcast', seg({ mode: 'broadcast' }), 'segments[0].mode'],
  ['multicast without a group', seg({ mode: 'multicast' }), 'segments[0].group'],
  ['multicast with a flood list', seg({ mode: 'multicast', group: '239.1.1.1', floodList: [] }), 'segments[0].floodList'],
  ['unicast with a group', seg({ group: '239.1.1.1' }), 'segments[0].group'],
  ['a link-local group', seg({ mode: 'multicast', group: '224.0.0.5' }), 'segments[0].group'],
  ['a group above the multicast range', seg({ mode: 'multicast', group: '240.0.0.1' }), 'segments[0].group'],
  ['a unicast address as group', seg({ mode: 'multicast', group: '192.0.2.9' }), 'segments[0].group'],
  ['a VTEP twice in a flood list', seg({ floodList: ['192.0.2.2', '192.0.2.2'] }), 'segments[0].floodList'],
  ['a flood list of 129', seg({ floodList: Array.from({ length: 129 }, (_, i) => `198.51.100.${i}`) }), 'segments[0].floodList'],
  ['a port without a VNI', base({ ports: [{ interface: 'vnet0' }] }), 'ports[0].vni'],
  ['a multicast static MAC', base({ staticMacs: [{ vni: 5000, mac: '01:00:5e:00:00:01', vtep: '192.0.2.2' }] }), 'staticMacs[0].mac'],
  ['a short MAC', base({ staticMacs: [{ vni: 5000, mac: '02:00:00:00:00', vtep: '192.0.2.2' }] }), 'staticMacs[0].mac'],
  ['a MAC with dashes', base({ staticMacs: [{ vni: 5000, mac: '02-00-00-00-00-01', vtep: '192.0.2.2' }] }), 'staticMacs[0].mac'],
  ['ttl 0', base({ ttl: 0 }), 'ttl'],
  ['tos 256', base({ tos: 256 }), 'tos'],
  ['tos as a word', base({ tos: 'fixed' }), 'tos'],
  ['a source port range of one', base({ srcPortRange: [1000] }), 'srcPortRange'],
  ['source port 0', base({ srcPortRange: [0, 10] }), 'srcPortRange[0]'],
  ['udpChecksum as a word', base({ udpChecksum: 'no' }), 'udpChecksum'],
  ['ageing 0', base({ macAgeingSeconds: 0 }), 'macAgeingSeconds'],
  ['a trusted prefix without a length', base({ trustedUnderlay: ['192.0.2.0'] }), 'trustedUnderlay[0]'],
  ['a pattern that is only a wildcard', base({ portNames: ['*'] }), 'portNames[0]'],
  ['no MAC learning', base({ maxMacsPerPort: 0 }), 'maxMacsPerPort'],
  ['a port source /33', base({ ports: [{ interface: 'vnet0', vni: 5000, mac: '02:00:00:00:00:01', addresses: ['198.51.100.0/33'] }] }), 'ports[0].addresses[0]'],
  ['a pair without an address', base({ ports: [{ interface: 'vnet0', vni: 5000, mac: '02:00:00:00:00:01', allowedPairs: [{ mac: '02:00:00:00:00:02' }] }] }), 'ports[0].allowedPairs[0].address'],
  ['a storm rate above 10,000,000', base({ ports: [{ interface: 'vnet0', vni: 5000, stormPps: 10_000_001 }] }), 'ports[0].stormPps'],
];

/** Refused by the validator only: the rules the schema's description lists. */
const ACROSS: [string, Json, string][] = [
  ['a VTEP address twice', base({ vteps: [VTEP, { interface: 'up1', address: '192.0.2.1/25' }] }), 'vteps[1].address'],
  ['a VNI twice', base({ segments: [{ vni: 5000 }, { vni: 5000 }] }), 'segments[1].vni'],
  ['a segment on a foreign VTEP', seg({ vtep: '192.0.2.9' }), 'segments[0].vtep'],
  ['a local VTEP in a flood list', seg({ floodList: ['192.0.2.1'] }), 'segments[0].floodList[0]'],
  ['a port on an unknown VNI', base({ ports: [{ interface: 'vnet0', vni: 6000 }] }), 'ports[0].vni'],
  ['an uplink as a port', base({ ports: [{ interface: 'up0', vni: 5000 }] }), 'ports[0].interface'],
  ['a host interface as a port', base({ ports: [{ interface: 'eth0', vni: 5000 }] }), 'ports[0].interface'],
  ['port security without a MAC', base({ ports: [{ interface: 'vnet0', vni: 5000, portSecurity: true }] }), 'ports[0].mac'],
  ['addresses without port security', base({ ports: [{ interface: 'vnet0', vni: 5000, mac: '02:00:00:00:00:01', portSecurity: false, addresses: ['198.51.100.1'] }] }), 'ports[0].portSecurity'],
  ['a port bound twice', base({ ports: [{ interface: 'vnet0', vni: 5000 }, { interface: 'vnet0', vni: 5000 }] }), 'ports[1].interface'],
  ['a static MAC on an unknown VNI', base({ staticMacs: [{ vni: 6000, mac: '02:00:00:00:00:01', vtep: '192.0.2.2' }] }), 'staticMacs[0].vni'],
  ['a source port range upside down', base({ srcPortRange: [2000, 1000] }), 'srcPortRange'],
];

describe('docs/vem-config.schema.json', () => {
  it('is what scripts/gen-schema.ts makes of the validator (npx tsx scripts/gen-schema.ts)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(schemaText());
  });

  it.each(VALID)('accepts %s, as the validator does', (_, file) => {
    expect(validator(file)).toEqual({ ok: true });
    expect(schemaValid(file), JSON.stringify(schemaValid.errors)).toBe(true);
  });

  it.each(INVALID)('refuses %s, as the validator does (naming %s)', (_, file, key) => {
    const v = validator(file);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.key).toBe(key);
    expect(schemaValid(file)).toBe(false);
  });

  it.each(ACROSS)('leaves %s to the validator, which names %s', (_, file, key) => {
    const v = validator(file);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.key).toBe(key);
    expect(schemaValid(file)).toBe(true);
  });

  it('agrees with the validator on every value of a pool in every place of the README example', () => {
    const pool: Json[] = [
      0, 1, 2, 255, 256, 65535, 65536, 1_000_000, 1_000_001, 16777215, 16777216, -1, 1.5, true, false, null, [], {}, [1, 2], [2, 1],
      '', 'x', 'inherit', 'unicast', 'multicast', 'up0', 'vnet7', 'eth0.100', 'a-very-long-name0', 'has space',
      '192.0.2.1', '192.0.2.7', '192.0.2.1/24', '192.0.2.1/0', '192.0.2.1/32', '192.0.2.1/33', '001.002.003.004', '256.1.1.1', '1.2.3',
      '239.1.1.1', '224.0.0.1', '224.0.1.1', '224.000.000.001', '239.255.255.255', '240.0.0.0',
      '02:00:00:00:00:09', '03:00:00:00:00:09', 'AA:BB:CC:DD:EE:FE', '02:00:00:00:00:0g',
    ];
    const example = readmeExample();
    const leaves: (string | number)[][] = [];
    const walk = (v: Json, path: (string | number)[]): void => {
      if (path.length) leaves.push(path);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk(example, []);
    const across = /defined twice|not a configured segment|is a local VTEP|is used twice|min is above max|is an uplink|is bound twice|not one of this host's VTEPs|is not a VM interface|is required with portSecurity|is off: addresses|addresses and pairs|is required when the port names no MAC/;
    const disagreements: string[] = [];
    let compared = 0;
    for (const path of leaves) {
      for (const value of pool) {
        const file = structuredClone(example);
        let at: Record<string | number, Json> = file;
        for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, Json>;
        at[path.at(-1)!] = value;
        const v = validator(file);
        if (!v.ok && across.test(v.message)) continue;
        compared++;
        if (v.ok !== schemaValid(file)) disagreements.push(`${path.join('.')} = ${JSON.stringify(value)}: validator ${v.ok ? 'accepts' : `refuses (${v.message})`}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
  });
});
