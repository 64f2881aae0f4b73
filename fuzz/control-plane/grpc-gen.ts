// gRPC messages for the control-plane fuzzer: well-formed but wrong (bad names, addresses, MACs,
// VNIs, CIDRs, rates; objects that exist or do not; Report before Register, Watch of an unknown
// host), oversized (past Register's 64 KiB, Report's 1 MiB, gRPC's 4 MiB), garbage on the wire,
// and valid changes and reads so that the state the wrong ones aim at moves.
import type { Rng } from '../rng.js';
import { encode, methods, type Service } from './grpc-raw.js';
import { BAD_IPV4, BAD_MACS, BAD_NAMES, type Known, type Msg } from './messages.js';

const grpc = (service: Service, method: string, msg: object): Msg['grpc'] => ({ service, method, bytes: encode(service, method, msg) });
const bad = (label: string, service: Service, method: string, msg: object): Msg => ({ label, refuse: true, grpc: grpc(service, method, msg) });

const vtep = (address: string, extra: object = {}) => ({ interface: 'up0', address, prefixLength: 24, gateway: '', ...extra });
const fresh = (rng: Rng, what: string): string => `fz-${what}-missing-${rng.u32().toString(36)}`;

/** Well-formed messages the rules refuse (invalid values, objects that are not there or are in use). */
function wrong(rng: Rng, k: Known): Msg {
  const name = (): string => rng.pick(BAD_NAMES);
  const b = k.busy;
  const makers: (() => Msg)[] = [
    () => bad('CreateNetwork with a bad name', 'Admin', 'CreateNetwork', { name: name(), vni: 900000 + rng.below(1000), mode: 'unicast' }),
    () => bad('CreateNetwork with a VNI out of range', 'Admin', 'CreateNetwork', { name: fresh(rng, 'n'), vni: rng.pick([0, 16777216, 4294967295]), mode: 'unicast' }),
    () => bad('CreateNetwork with a bad mode', 'Admin', 'CreateNetwork', { name: fresh(rng, 'n'), vni: 900000 + rng.below(1000), mode: rng.pick(['foo', 'Unicast', 'multicast ', 'broadcast']) }),
    () => bad('CreateNetwork multicast without a (valid) group', 'Admin', 'CreateNetwork', { name: fresh(rng, 'n'), vni: 900000 + rng.below(1000), mode: 'multicast', group: rng.pick(['', '1.2.3.4', '224.0.0.5', '240.0.0.1', ...BAD_IPV4]) }),
    () => bad('CreateNetwork unicast with a group', 'Admin', 'CreateNetwork', { name: fresh(rng, 'n'), vni: 900000 + rng.below(1000), mode: 'unicast', group: '239.1.2.3' }),
    () => bad('CreateNetwork that exists', 'Admin', 'CreateNetwork', { name: b.network, vni: 900000 + rng.below(1000), mode: 'unicast' }),
    () => bad('CreateNetwork with a VNI in use', 'Admin', 'CreateNetwork', { name: fresh(rng, 'n'), vni: b.vni, mode: 'unicast' }),
    () => bad('DeleteNetwork that does not exist', 'Admin', 'DeleteNetwork', { name: rng.chance(0.5) ? fresh(rng, 'n') : name() }),
    () => bad('DeleteNetwork with ports and subnets', 'Admin', 'DeleteNetwork', { name: b.network }),
    () => bad('CreateSubnet on a missing network', 'Admin', 'CreateSubnet', { name: fresh(rng, 's'), network: fresh(rng, 'n'), cidr: '198.51.100.0/24' }),
    () => bad('CreateSubnet with a bad CIDR', 'Admin', 'CreateSubnet', { name: fresh(rng, 's'), network: b.network, cidr: rng.pick(['x', '198.51.100.1/24', '198.51.100.0/33', '198.51.100.0', '198.51.100.0/-1', '198.51.100.0/024']) }),
    () => bad('CreateSubnet with a bad gateway', 'Admin', 'CreateSubnet', { name: fresh(rng, 's'), network: b.network, cidr: '203.0.113.0/24', gateway: rng.pick(['198.51.100.1', '203.0.114.1', ...BAD_IPV4.filter(Boolean)]) }),
    () => bad('CreateSubnet with a CIDR the network has', 'Admin', 'CreateSubnet', { name: fresh(rng, 's'), network: b.network, cidr: '198.51.100.0/24' }),
    () => bad('CreateSubnet with a bad name', 'Admin', 'CreateSubnet', { name: name(), network: b.network, cidr: '203.0.113.0/24' }),
    () => bad('DeleteSubnet that does not exist', 'Admin', 'DeleteSubnet', { name: fresh(rng, 's') }),
    () => bad('CreatePolicy with a bad name', 'Admin', 'CreatePolicy', { name: name(), portSecurity: true }),
    () => bad('CreatePolicy that exists', 'Admin', 'CreatePolicy', { name: rng.pick(k.policies), portSecurity: false }),
    () => bad('CreatePolicy with a storm rate out of range', 'Admin', 'CreatePolicy', { name: fresh(rng, 'p'), portSecurity: true, stormPps: rng.pick([10_000_001, 4294967295]) }),
    () => bad('DeletePolicy that does not exist, or the default', 'Admin', 'DeletePolicy', { name: rng.chance(0.5) ? fresh(rng, 'p') : 'default' }),
    () => bad('CreatePort with a bad name', 'Admin', 'CreatePort', { name: name(), network: b.network, host: b.host, mac: '02:00:00:aa:00:01' }),
    () => bad('CreatePort that exists', 'Admin', 'CreatePort', { name: rng.pick(k.ports), network: b.network, host: b.host, mac: '02:00:00:aa:00:02' }),
    () => bad('CreatePort on a missing network', 'Admin', 'CreatePort', { name: fresh(rng, 'port'), network: fresh(rng, 'n'), host: b.host, mac: '02:00:00:aa:00:03' }),
    () => bad('CreatePort with a bad host name', 'Admin', 'CreatePort', { name: fresh(rng, 'port'), network: b.network, host: rng.pick(BAD_NAMES.filter(Boolean)), mac: '02:00:00:aa:00:04' }),
    () => bad('CreatePort with a missing policy', 'Admin', 'CreatePort', { name: fresh(rng, 'port'), network: b.network, host: b.host, mac: '02:00:00:aa:00:05', policy: fresh(rng, 'p') }),
    () => bad('CreatePort with a bad MAC', 'Admin', 'CreatePort', { name: fresh(rng, 'port'), network: b.network, host: b.host, mac: rng.pick(BAD_MACS) }),
    () => bad('CreatePort with a MAC in use', 'Admin', 'CreatePort', { name: fresh(rng, 'port'), network: b.network, host: b.host, mac: b.mac }),
    () => bad('CreatePort on a host interface', 'Admin', 'CreatePort', { name: fresh(rng, 'port'), network: b.network, host: b.host, mac: '02:00:00:aa:00:06', interface: rng.pick(['eth0', 'lo', 'up0', `tap${'x'.repeat(20)}`, 'vnet0 ', 'tap/0']) }),
    () => bad('DeletePort that does not exist', 'Admin', 'DeletePort', { name: fresh(rng, 'port') }),
    () => bad('SetFeature of an unknown feature', 'Admin', 'SetFeature', { name: rng.pick(['', 'segmentations', 'x'.repeat(200)]), enabled: rng.chance(0.5) }),
    () => bad('SetFeature segmentation off while ports use it', 'Admin', 'SetFeature', { name: 'segmentation', enabled: false }),
    () => bad('a list with a cursor that was never given', 'Admin', rng.pick(['ListNetworks', 'ListSubnets', 'ListPorts', 'ListProfiles', 'ListHosts']), { limit: rng.below(10), cursor: rng.pick(['x', '0123456789abcdef:5', `${'f'.repeat(16)}:99999999999`, 'a'.repeat(10000)]) }),
    () => bad('Register with a bad host name', 'Vem', 'Register', { host: name(), vteps: [vtep('192.0.2.200')], uplinkMtu: 1500, version: 'fuzz' }),
    () => bad('Register with no VTEP, or five', 'Vem', 'Register', { host: fresh(rng, 'h'), vteps: rng.chance(0.5) ? [] : [1, 2, 3, 4, 5].map((i) => vtep(`192.0.2.${210 + i}`)), uplinkMtu: 1500, version: 'fuzz' }),
    () => bad('Register with a bad VTEP address or gateway', 'Vem', 'Register', { host: fresh(rng, 'h'), vteps: [rng.chance(0.5) ? vtep(rng.pick(BAD_IPV4)) : vtep('192.0.2.220', { gateway: rng.pick(BAD_IPV4.filter(Boolean)) })], uplinkMtu: 1500, version: 'fuzz' }),
    () => bad('Register with one VTEP twice', 'Vem', 'Register', { host: fresh(rng, 'h'), vteps: [vtep('192.0.2.221'), vtep('192.0.2.221')], uplinkMtu: 1500, version: 'fuzz' }),
    () => bad('Register with another host\'s VTEP', 'Vem', 'Register', { host: fresh(rng, 'h'), vteps: [vtep(b.otherHostVtep)], uplinkMtu: 1500, version: 'fuzz' }),
    () => bad('Register with a prefix length above 32', 'Vem', 'Register', { host: fresh(rng, 'h'), vteps: [vtep('192.0.2.222', { prefixLength: rng.pick([33, 255, 4294967295]) })], uplinkMtu: 1500, version: 'fuzz' }),
    () => bad('Report before Register', 'Vem', 'Report', { host: fresh(rng, 'h'), appliedRevision: '1', learned: [] }),
    () => bad('Report with learned entries that are not MACs, VNIs or addresses', 'Vem', 'Report', {
      host: b.host, appliedRevision: '1',
      learned: [{ vni: rng.pick([0, 16777216, 4294967295]), mac: rng.pick(BAD_MACS), vtep: rng.pick(BAD_IPV4), interface: 'x'.repeat(rng.int(0, 300)) }],
    }),
    () => bad('Watch of a host that never registered', 'Vem', 'Watch', { host: rng.chance(0.5) ? fresh(rng, 'h') : name(), lastRevision: '0', vsmId: '', chunked: true }),
  ];
  return rng.pick(makers)();
}

/** Past the size bounds: Register's 64 KiB, Report's 1 MiB, and 4 MiB for anything. */
function oversized(rng: Rng, k: Known): Msg {
  switch (rng.below(3)) {
    case 0: return bad('Register over 64 KiB', 'Vem', 'Register', { host: k.busy.host, vteps: [vtep(k.busy.vtep)], uplinkMtu: 1500, version: 'v'.repeat(70_000) });
    case 1: return bad('Report over 1 MiB', 'Vem', 'Report', { host: k.busy.host, appliedRevision: '1', learned: Array.from({ length: 30_000 }, (_, i) => ({ vni: 5000, mac: `02:00:00:00:${(i >> 8 & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, vtep: '192.0.2.2', interface: '' })) });
    default: {
      const method = rng.pick(['CreateNetwork', 'CreatePort', 'DeleteNetwork', 'CreatePolicy']);
      return bad(`${method} over gRPC's 4 MiB`, 'Admin', method, { name: 'n'.repeat(5 * 1024 * 1024), network: 'x', vni: 1 });
    }
  }
}

/** Bytes on the wire that may or may not decode: random, a valid encoding mutated, wrong wire types. */
function garbage(rng: Rng, k: Known): Msg {
  const service: 'Admin' | 'Vem' = rng.chance(0.6) ? 'Admin' : 'Vem';
  const method = rng.pick(methods(service).filter((m) => m !== 'Sync')); // a Sync that decodes would remove what the messages aim at
  let bytes: Buffer;
  let how: string;
  switch (rng.below(4)) {
    case 0:
      bytes = rng.bytes(rng.int(0, 200));
      how = 'random bytes';
      break;
    case 1: {
      bytes = Buffer.from(encode(service, method, { name: k.busy.network, host: k.busy.host, vni: 5000, mac: k.busy.mac, network: k.busy.network, cidr: '198.51.100.0/24', vteps: [vtep('192.0.2.230')], learned: [{ vni: 5000, mac: k.busy.mac }] }));
      for (let n = rng.int(1, 4); n > 0 && bytes.length; n--) bytes[rng.below(bytes.length)]! ^= 1 << rng.below(8);
      if (rng.chance(0.3)) bytes = bytes.subarray(0, rng.below(bytes.length + 1));
      how = 'a valid encoding, mutated';
      break;
    }
    case 2:
      // Field 1 (a string everywhere) as a varint, field 2 as a fixed64, a group start, a reserved wire type.
      bytes = Buffer.from(rng.pick([[0x08, 0x96, 0x01], [0x11, 1, 2, 3, 4, 5, 6, 7, 8], [0x0b, 0x0c], [0x0e, 0x01], [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x41]]));
      how = 'wrong wire types or lengths';
      break;
    default:
      bytes = Buffer.concat([Buffer.from([0x0a]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), rng.bytes(8)]);
      how = 'an overlong length prefix';
  }
  return { label: `${service}.${method} with ${how}`, refuse: undefined, grpc: { service, method, bytes } };
}

/** Valid changes and reads, so that the state moves under the wrong messages. */
function valid(rng: Rng, k: Known, index: number): Msg {
  const id = `fz${index}`;
  const net = rng.pick(k.networks);
  const makers: (() => Msg)[] = [
    () => ({ label: 'CreateNetwork', refuse: false, changes: true, grpc: grpc('Admin', 'CreateNetwork', { name: `${id}-n`, vni: 100000 + index, mode: 'unicast' }), record: (kn) => void kn.networks.push(`${id}-n`) }),
    () => ({ label: 'CreatePolicy', refuse: false, changes: true, grpc: grpc('Admin', 'CreatePolicy', { name: `${id}-p`, portSecurity: rng.chance(0.5), stormPps: rng.below(1000) }), record: (kn) => void kn.policies.push(`${id}-p`) }),
    () => ({ label: 'CreateSubnet', refuse: false, changes: true, grpc: grpc('Admin', 'CreateSubnet', { name: `${id}-s`, network: net, cidr: `10.${index >> 8 & 255}.${index & 255}.0/24` }), record: (kn) => void kn.subnets.push(`${id}-s`) }),
    () => ({
      label: 'CreatePort', refuse: false, changes: true,
      grpc: grpc('Admin', 'CreatePort', { name: `${id}-port`, network: net, host: k.busy.host, mac: `02:00:01:${(index >> 16 & 255).toString(16).padStart(2, '0')}:${(index >> 8 & 255).toString(16).padStart(2, '0')}:${(index & 255).toString(16).padStart(2, '0')}`, policy: rng.pick(k.policies) }),
      record: (kn) => void kn.ports.push(`${id}-port`),
    }),
    () => {
      const port = rng.pick(k.ports.slice(1)) as string | undefined; // never the first: the busy network keeps a port
      return { label: 'DeletePort', refuse: false, changes: true, grpc: grpc('Admin', 'DeletePort', { name: port ?? `${id}-none` }), record: (kn) => void (port && kn.ports.splice(kn.ports.indexOf(port), 1)) };
    },
    () => ({ label: 'Register again', refuse: false, changes: true, grpc: grpc('Vem', 'Register', { host: k.busy.host, vteps: [vtep(k.busy.vtep)], uplinkMtu: 1550, version: 'fuzz' }) }),
    () => ({ label: 'Report', refuse: false, changes: false, grpc: grpc('Vem', 'Report', { host: k.busy.host, appliedRevision: String(index), learned: [{ vni: k.busy.vni, mac: k.busy.mac, vtep: '192.0.2.2', interface: '' }] }) }),
    () => ({ label: 'Watch', refuse: false, changes: false, grpc: grpc('Vem', 'Watch', { host: k.busy.host, lastRevision: '0', vsmId: '', chunked: true }) }),
    () => ({ label: 'a list', refuse: false, changes: false, grpc: grpc('Admin', rng.pick(['ListNetworks', 'ListSubnets', 'ListPorts', 'ListProfiles', 'ListHosts', 'ListPolicies', 'ListFeatures', 'GetClusterStatus']), { limit: rng.below(5) }) }),
  ];
  return rng.pick(makers)();
}

export function grpcMessage(rng: Rng, k: Known, index: number): Msg {
  switch (rng.weighted([[50, 0], [3, 1], [25, 2], [22, 3]])) {
    case 0: return wrong(rng, k);
    case 1: return oversized(rng, k);
    case 2: return garbage(rng, k);
    default: return valid(rng, k, index);
  }
}
