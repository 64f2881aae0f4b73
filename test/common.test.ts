// The rules every side shares (src/common): addresses and CIDRs, VXLAN limits, interface names.
import { describe, expect, it } from 'vitest';
import { AddressError, inCidr, isMulticastMac, normalizeMac, parseCidr, prefixToNetmask, sameSubnet } from '../src/common/address.js';
import { groupProblem, interfaceNameProblem, isMulticastGroup, tapName, vniProblem } from '../src/common/vxlan.js';
import { CommandError, ip, run } from '../src/common/exec.js';

describe('addresses', () => {
  it('parses CIDRs, keeping the address and computing the network', () => {
    expect(parseCidr('192.0.2.77/25')).toEqual({ address: '192.0.2.77', prefixLength: 25, network: 0xc0000200, mask: 0xffffff80 });
    expect(parseCidr('0.0.0.0/0').mask).toBe(0);
    for (const bad of ['192.0.2.1', '192.0.2.1/33', '192.0.2.1/', '192.0.2.1/-1', '192.0.2/24', 'x/24']) expect(() => parseCidr(bad)).toThrow(AddressError);
  });

  it('answers subnet membership', () => {
    const c = parseCidr('198.51.100.128/25');
    expect(inCidr(c, '198.51.100.200')).toBe(true);
    expect(inCidr(c, '198.51.100.127')).toBe(false);
    expect(sameSubnet('192.0.2.1', '192.0.2.126', prefixToNetmask(25))).toBe(true);
    expect(sameSubnet('192.0.2.1', '192.0.2.129', prefixToNetmask(25))).toBe(false);
    expect(prefixToNetmask(26)).toBe('255.255.255.192');
  });

  it('normalises MACs and knows group addresses', () => {
    expect(normalizeMac('02:AB:cd:00:00:01')).toBe('02:ab:cd:00:00:01');
    expect(() => normalizeMac('02:ab:cd:00:00')).toThrow(AddressError);
    expect(() => normalizeMac('02-ab-cd-00-00-01')).toThrow(AddressError);
    expect(isMulticastMac('01:00:5e:01:01:01')).toBe(true);
    expect(isMulticastMac('ff:ff:ff:ff:ff:ff')).toBe(true);
    expect(isMulticastMac('02:00:00:00:00:01')).toBe(false);
  });
});

describe('VXLAN rules', () => {
  it('VNIs are 1..16777215', () => {
    expect(vniProblem(1)).toBeUndefined();
    expect(vniProblem(0xffffff)).toBeUndefined();
    for (const bad of [0, 0x1000000, 1.5, NaN]) expect(vniProblem(bad)).toMatch(/not in 1\.\.16777215/);
  });

  it('groups must be routable IPv4 multicast', () => {
    expect(groupProblem('239.1.0.20')).toBeUndefined();
    expect(groupProblem('224.0.1.1')).toBeUndefined();
    expect(groupProblem('224.0.0.251')).toMatch(/not a routable IPv4 multicast group/);
    expect(groupProblem('192.0.2.1')).toMatch(/not a routable IPv4 multicast group/);
    expect(groupProblem('239.1.0')).toMatch(/not an IPv4 address/);
    expect(isMulticastGroup('239.255.255.255')).toBe(true);
    expect(isMulticastGroup('240.0.0.1')).toBe(false);
  });

  it('interface names follow Linux, taps follow Nova', () => {
    expect(interfaceNameProblem('tap3f2a9c1e-7b')).toBeUndefined();
    for (const bad of ['', 'a b', 'x'.repeat(16), 'a/b']) expect(interfaceNameProblem(bad)).toMatch(/not a Linux interface name/);
    expect(tapName('3f2a9c1e-7b21-4c9e-9a55-0e7c2f1d8a10')).toBe('tap3f2a9c1e-7b');
  });
});

describe('command runner', () => {
  it('returns output, and fails with the command line and stderr', () => {
    expect(run('echo', ['hi'])).toBe('hi\n');
    expect(ip('-j', 'link', 'show', 'lo')).toContain('"ifname":"lo"');
    try {
      ip('link', 'show', 'dev', 'no-such-dev0');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CommandError);
      expect((e as CommandError).message).toMatch(/^ip link show dev no-such-dev0: .*(not exist|Cannot find)/);
    }
  });
});
