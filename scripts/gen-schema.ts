// The JSON Schema of the VEM's configuration file, docs/vem-config.schema.json, built from what
// the validator itself applies (src/agent/config.ts: the objects' keys and required keys, the
// ranges, defaults and modes; the limits of src/common and src/maps). The value formats are
// patterns here; test/config-schema.test.ts holds them to the validator's functions.
//   npx tsx scripts/gen-schema.ts            rewrites docs/vem-config.schema.json
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS, FILE_OBJECTS, FLOOD_MODES, RANGES } from '../src/agent/config.js';
import { MAX_PHYSNETS_PER_HOST } from '../src/common/vlan.js';
import { DEFAULT_LEASE_SECONDS, DHCP_MTU_RANGE, LEASE_RANGE, MAX_DHCP_DNS, MAX_DHCP_DOMAIN } from '../src/agent/dhcp-config.js';
import { MAX_PORT_SOURCES, MAX_VTEPS_PER_HOST } from '../src/common/vxlan.js';
import { VXVEM_MAX_FLOOD, VXVEM_MAX_SEG_PORTS } from '../src/maps/layout.js';

export const SCHEMA_PATH = join(import.meta.dirname, '..', 'docs', 'vem-config.schema.json');

type Schema = Record<string, unknown>;

// Decimal octets without leading zeros, as parseIpv4 takes them (no octal ambiguity).
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const NONZERO_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]?)';
const QUAD = `${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}`;
const PREFIX = '(?:0?[1-9]|[12][0-9]|3[0-2])';
const ANY_PREFIX = '(?:[0-2]?[0-9]|3[0-2])'; // 0..32: a source or trusted prefix may be /0
// 224.0.0.0/24 is link-local control traffic, never a segment's group.
const GROUP = `(?:(?:22[5-9]|23[0-9])\\.${OCTET}\\.${OCTET}\\.${OCTET}|224\\.0\\.${NONZERO_OCTET}\\.${OCTET}|224\\.${NONZERO_OCTET}\\.${OCTET}\\.${OCTET})`;

const int = ([minimum, maximum]: readonly [number, number], description: string, dflt?: unknown): Schema =>
  ({ type: 'integer', minimum, maximum, ...(dflt === undefined ? {} : { default: dflt }), description });

const DEFS: Record<string, Schema> = {
  ipv4: { type: 'string', pattern: `^${QUAD}$`, description: 'an IPv4 address, A.B.C.D' },
  vni: int(RANGES.vni, 'a VXLAN network identifier'),
  vlan: int(RANGES.vlan, 'an 802.1Q VLAN id (0 and 4095 are reserved)'),
  physicalNetwork: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'a physical network of physicalNetworks (default: the only one)' },
  interface: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,15}$', description: 'a Linux interface name' },
  unicastMac: { type: 'string', pattern: '^[0-9A-Fa-f][02468ACEace](?::[0-9A-Fa-f]{2}){5}$', description: 'a unicast MAC, xx:xx:xx:xx:xx:xx' },
  source: { type: 'string', pattern: `^${QUAD}(?:/${ANY_PREFIX})?$`, description: 'an IPv4 source: A.B.C.D or A.B.C.D/LEN' },
};
const ref = (name: keyof typeof DEFS, description?: string): Schema => ({ $ref: `#/$defs/${name}`, ...(description ? { description } : {}) });

/** Each key of each object of the file; a key the validator knows and this table does not fails the build of the schema. */
const PROPERTIES: Record<keyof typeof FILE_OBJECTS, Record<string, Schema>> = {
  file: {
    vteps: { type: 'array', minItems: 1, maxItems: MAX_VTEPS_PER_HOST, items: { $ref: '#/$defs/vtep' }, description: 'the host\'s VTEPs, distinct addresses' },
    physicalNetworks: {
      type: 'object', maxProperties: MAX_PHYSNETS_PER_HOST, propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
      additionalProperties: { $ref: '#/$defs/interface' }, description: 'physical network name -> its uplink (VLAN segments); an interface carries one physical network and may also be a VTEP\'s',
    },
    segments: { type: 'array', items: { $ref: '#/$defs/segment' }, description: 'the segments: a VNI, or a VLAN id on a physical network' },
    ports: { type: 'array', items: { $ref: '#/$defs/port' }, description: 'the VM ports; one whose interface does not exist yet is bound when it appears' },
    staticMacs: { type: 'array', items: { $ref: '#/$defs/staticMac' }, description: 'remote MACs never overridden by learning, never aged' },
    macAgeingSeconds: int(RANGES.macAgeingSeconds, 'learned entries unused this long are removed', DEFAULTS.macAgeingSeconds),
    ttl: int(RANGES.ttl, 'outer TTL', DEFAULTS.ttl),
    tos: { anyOf: [{ const: 'inherit' }, int(RANGES.tos, 'a fixed outer TOS')], default: DEFAULTS.tos, description: '"inherit" (outer DSCP from the inner header) or a fixed TOS; ECN follows RFC 6040 either way' },
    srcPortRange: { type: 'array', items: int(RANGES.udpPort, 'a UDP port'), minItems: 2, maxItems: 2, default: DEFAULTS.srcPortRange, description: 'outer UDP source port range [min, max], from the inner flow hash' },
    udpChecksum: { type: 'boolean', default: DEFAULTS.udpChecksum, description: 'true: valid outer UDP checksums (encapsulation through the kernel\'s vxlan device)' },
    trustedUnderlay: { type: 'array', items: { type: 'string', pattern: `^${QUAD}/${ANY_PREFIX}$` }, description: 'underlay prefixes (A.B.C.D/LEN) multicast segments accept VXLAN from besides their known VTEPs; default: the subnets of the host\'s VTEPs' },
    portNames: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(?=.{2,15}$)[A-Za-z0-9_.:-]{2}[A-Za-z0-9_.:*?-]*$' }, default: DEFAULTS.portNames, description: 'glob patterns (*, ?) a port\'s interface must match' },
    maxMacsPerPort: int(RANGES.maxMacsPerPort, 'learned MACs one port may have', DEFAULTS.maxMacsPerPort),
  },
  vtep: {
    interface: ref('interface', 'the uplink'),
    address: { type: 'string', pattern: `^${QUAD}/${PREFIX}$`, description: 'ADDRESS/PREFIX, configured on the interface' },
    gateway: ref('ipv4', 'next hop to VTEPs outside the subnet'),
    xdp: { type: 'boolean', default: DEFAULTS.xdp, description: 'native XDP on this uplink, for NICs that have it' },
  },
  segment: {
    vni: ref('vni'),
    vlan: ref('vlan', 'a VLAN segment (then no mode, group, floodList or vtep)'),
    physicalNetwork: ref('physicalNetwork'),
    mode: { enum: [...FLOOD_MODES], default: DEFAULTS.mode, description: 'unicast: head-end replication to floodList; multicast: to group' },
    group: { type: 'string', pattern: `^${GROUP}$`, description: 'multicast mode: the group, in 224.0.1.0-239.255.255.255' },
    floodList: { type: 'array', items: ref('ipv4'), uniqueItems: true, maxItems: VXVEM_MAX_FLOOD, description: 'unicast mode: the remote designated VTEPs' },
    vtep: ref('ipv4', 'the local VTEP designated for the segment (default: the first)'),
  },
  port: {
    interface: ref('interface', 'the VM\'s tap or veth (matching portNames)'),
    vni: ref('vni'),
    vlan: ref('vlan', 'the port\'s VLAN segment (instead of vni)'),
    physicalNetwork: ref('physicalNetwork'),
    trunk: { type: 'array', maxItems: VXVEM_MAX_SEG_PORTS, items: { $ref: '#/$defs/trunk' }, description: 'trunk subports: frames the VM tags with vlan belong to the subport\'s segment' },
    mac: ref('unicastMac', 'the VM\'s MAC: port security is on when it is given'),
    portSecurity: { type: 'boolean', description: 'source checks (default: on when mac is given)' },
    addresses: { type: 'array', items: ref('source'), maxItems: MAX_PORT_SOURCES, description: 'IPv4 sources allowed from mac' },
    allowedPairs: { type: 'array', items: { $ref: '#/$defs/allowedPair' }, maxItems: MAX_PORT_SOURCES, description: 'further (MAC, IPv4 prefix) sources' },
    stormPps: int(RANGES.stormPps, 'flooded frames per second the port may send; 0: no limit', DEFAULTS.stormPps),
    dhcp: { $ref: '#/$defs/dhcp', description: 'DHCP from the VEM for the port\'s client (needs mac)' },
  },
  dhcp: {
    address: { type: 'string', pattern: `^${QUAD}/(?:[1-9]|[12][0-9]|30)$`, description: 'the port\'s address and its subnet\'s length, A.B.C.D/LEN' },
    gateway: ref('ipv4', 'the router option and the server identifier; in the subnet'),
    dns: { type: 'array', items: ref('ipv4'), maxItems: MAX_DHCP_DNS, description: 'DNS servers' },
    domain: { type: 'string', minLength: 1, maxLength: MAX_DHCP_DOMAIN, description: 'domain name option' },
    leaseSeconds: int(LEASE_RANGE, 'lease time', DEFAULT_LEASE_SECONDS),
    mtu: int(DHCP_MTU_RANGE, 'interface MTU option (default: the segment\'s uplink MTU - 50)'),
  },
  allowedPair: { mac: ref('unicastMac', 'default: the port\'s'), address: ref('source') },
  staticMac: {
    vni: ref('vni'),
    vlan: ref('vlan', 'a MAC of a VLAN segment, behind the physical network\'s uplink (no vtep)'),
    physicalNetwork: ref('physicalNetwork'),
    mac: ref('unicastMac'),
    vtep: ref('ipv4', 'the remote VTEP (VXLAN segments)'),
  },
  trunk: {
    vlan: ref('vlan', 'the tag the VM puts on the subport\'s frames'),
    vni: ref('vni', 'the subport\'s VXLAN segment'),
    segment: { $ref: '#/$defs/segmentRef', description: 'the subport\'s segment, { "vni": N } or { "vlan": N, "physicalNetwork": P }' },
  },
  segmentRef: { vni: ref('vni'), vlan: ref('vlan'), physicalNetwork: ref('physicalNetwork') },
};

/** Rules across values that JSON Schema cannot state: the validator (and `vem --check`) applies them. */
export const CROSS_RULES = [
  'VTEP addresses are distinct',
  'a segment\'s VNI is defined once; its vtep is one of the vteps; its floodList names no local VTEP',
  'a port\'s VNI and a static MAC\'s VNI are configured segments; a port is not an uplink and is bound once',
  'a segment, port or static MAC names a vni or a vlan (with physicalNetwork when there are several); a static MAC of a VLAN segment has no vtep, one of a VXLAN segment has one',
  'a trunk subport names a configured segment other than its port\'s and its other subports\', with a VLAN id used once on the port',
  'a port\'s interface matches portNames (default tap*, vnet*, veth*)',
  'a port with portSecurity names its mac; addresses and allowedPairs come only with port security, at most 32 together; a pair names a mac when its port does not',
  'srcPortRange: min <= max',
  'a port with dhcp names its mac; dhcp.address is a host address of its subnet, dhcp.gateway lies in that subnet, dhcp.domain is a domain name',
];

function objectSchema(name: keyof typeof FILE_OBJECTS): Schema {
  const spec = FILE_OBJECTS[name];
  const props = PROPERTIES[name];
  const missing = spec.keys.filter((k) => !(k in props));
  const extra = Object.keys(props).filter((k) => !(spec.keys as readonly string[]).includes(k));
  if (missing.length || extra.length) throw new Error(`schema of ${name} out of step with the validator: missing ${missing.join(', ') || '-'}; extra ${extra.join(', ') || '-'}`);
  return { type: 'object', additionalProperties: false, required: [...spec.required], properties: Object.fromEntries(spec.keys.map((k) => [k, props[k]])) };
}

export function vemConfigSchema(): Schema {
  const multicast = { type: 'object', required: ['mode'], properties: { mode: { const: 'multicast' } } };
  // A segment is named by its vni, or by a vlan (with its physicalNetwork).
  const vniOrVlan = { oneOf: [{ required: ['vni'] }, { required: ['vlan'] }], dependentRequired: { physicalNetwork: ['vlan'] } };
  const isVlan = { type: 'object', required: ['vlan'] };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'vxvem VEM configuration (vxvem vem --config FILE)',
    description: 'Generated by scripts/gen-schema.ts from the validator in src/agent/config.ts: do not edit. ' +
      `Checked only by the validator (vxvem vem --config FILE --check): ${CROSS_RULES.join('; ')}.`,
    ...objectSchema('file'),
    $defs: {
      ...DEFS,
      vtep: objectSchema('vtep'),
      segment: {
        ...objectSchema('segment'),
        ...vniOrVlan,
        allOf: [
          // group in multicast mode only, and required there; floodList in unicast mode only.
          {
            if: multicast,
            then: { type: 'object', required: ['group'], properties: { floodList: false } },
            else: { type: 'object', properties: { group: false } },
          },
          // A VLAN segment floods on its uplink: no mode, group, flood list or VTEP.
          { if: isVlan, then: { type: 'object', properties: { mode: false, group: false, floodList: false, vtep: false } } },
        ],
      },
      port: { ...objectSchema('port'), ...vniOrVlan },
      allowedPair: objectSchema('allowedPair'),
      staticMac: {
        ...objectSchema('staticMac'),
        ...vniOrVlan,
        if: isVlan, then: { type: 'object', properties: { vtep: false } }, else: { type: 'object', required: ['vtep'] },
      },
      trunk: { ...objectSchema('trunk'), oneOf: [{ required: ['vni'] }, { required: ['segment'] }] },
      segmentRef: { ...objectSchema('segmentRef'), ...vniOrVlan },
      dhcp: objectSchema('dhcp'),
    },
  };
}

export const schemaText = (): string => `${JSON.stringify(vemConfigSchema(), null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_PATH, schemaText());
  console.log(`wrote ${SCHEMA_PATH}`);
}
