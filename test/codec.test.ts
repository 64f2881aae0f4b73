// Pure codec behaviour: round trips, byte order, and bad input rejected with a clear error.
import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4, parseMac } from '../src/common/address.js';
import { CodecError } from '../src/maps/codec.js';
import { floodListCodec, macEntryCodec, macKeyCodec, segmentCodec, MacKind, FloodMode, VXVEM_MAX_FLOOD } from '../src/maps/layout.js';

describe('codecs', () => {
  it('writes IPv4 fields in network order and integers in host order', () => {
    const b = segmentCodec.encode({ vni: 5000, mode: FloodMode.Multicast, vtepSlot: 2, group: '239.1.1.1', statsSlot: 0 });
    expect([...b]).toEqual([0x88, 0x13, 0, 0, 2, 2, 0, 0, 239, 1, 1, 1, 0, 0, 0, 0]);
    expect(segmentCodec.decode(b)).toEqual({ vni: 5000, mode: 2, vtepSlot: 2, group: '239.1.1.1', statsSlot: 0 });
  });

  it('round-trips a MAC key with zero padding (keys compare bytewise in the kernel)', () => {
    const b = macKeyCodec.encode({ vni: 0xffffff, mac: '02:AB:cd:00:00:01' });
    expect(b.toString('hex')).toBe('ffffff0002abcd0000010000');
    expect(macKeyCodec.decode(b)).toEqual({ vni: 0xffffff, mac: '02:ab:cd:00:00:01' });
  });

  it('round-trips a MAC entry with a 64-bit timestamp', () => {
    const e = { kind: MacKind.Remote, flags: 1, ifindex: 7, vtep: '192.0.2.2', lastSeenNs: 2n ** 63n + 5n };
    expect(macEntryCodec.decode(macEntryCodec.encode(e))).toEqual(e);
  });

  it('counted arrays write the count and refuse overflow', () => {
    const b = floodListCodec.encode({ vteps: ['192.0.2.2', '198.51.100.7'] });
    expect(b.readUInt32LE(0)).toBe(2);
    expect(floodListCodec.decode(b)).toEqual({ vteps: ['192.0.2.2', '198.51.100.7'] });
    const many = Array.from({ length: VXVEM_MAX_FLOOD + 1 }, (_, i) => `192.0.2.${i % 250}`);
    expect(() => floodListCodec.encode({ vteps: many })).toThrow(CodecError);
  });

  it.each(['', '1.2.3', '256.1.1.1', '1.2.3.4.5', 'a.b.c.d', ' 1.2.3.4', '010.0.0.1', '192.0.2.01'])('rejects IPv4 %j', (s) => {
    expect(() => parseIpv4(s)).toThrow(/not an IPv4 address/);
  });

  it.each(['', '02:00:00:00:00', '02:00:00:00:00:0g', '0200.0000.0001', '02-00-00-00-00-01'])('rejects MAC %j', (s) => {
    expect(() => parseMac(s)).toThrow(/not a MAC address/);
  });

  it('rejects out-of-range integers instead of wrapping them', () => {
    expect(() => segmentCodec.encode({ vni: 2 ** 32, mode: 1, vtepSlot: 1, group: '0.0.0.0', statsSlot: 0 })).toThrow(CodecError);
    expect(() => segmentCodec.encode({ vni: 1, mode: 256 as FloodMode, vtepSlot: 1, group: '0.0.0.0', statsSlot: 0 })).toThrow(CodecError);
    expect(formatIpv4(parseIpv4('198.51.100.255'))).toBe('198.51.100.255');
    expect(formatIpv4(parseIpv4('0.0.0.0'))).toBe('0.0.0.0'); // a lone 0 is an octet, not a leading zero
  });
});
