// DHCP from the VEM (docs/dataplane.md, "DHCP") through BPF_PROG_TEST_RUN: what a port's client
// is answered, byte for byte; requests for another MAC and malformed ones dropped and counted;
// nothing of it switched, flooded or encapsulated; ports without DHCP left to the normal path.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dhcpFrom } from '../src/agent/dhcp-config.js';
import { dhcpLease } from '../src/agent/dhcp-options.js';
import { PORT_F_DHCP, PORT_F_SECURE } from '../src/maps/layout.js';
import { readDhcpTotals } from '../src/maps/totals.js';
import { PacketFixture, TC_ACT_REDIRECT, TC_ACT_SHOT, UNICAST_VNI, VM1, VM2, openPort } from '../testbed/packet-fixture.js';
import { DHCP_TYPE, dhcpFrame, parseDhcpReply } from '../testbed/dhcp.js';
import { eth, ipv4, udp } from '../testbed/packets.js';
import { ensureBpf } from './helpers/bpf.js';

ensureBpf();
let fx: PacketFixture;
beforeAll(() => {
  fx = new PacketFixture('dhcp');
});
afterAll(() => fx?.close());

const ADDRESS = '198.51.100.10';
const GATEWAY = '198.51.100.1';
const SETTINGS = dhcpFrom({ address: `${ADDRESS}/25`, gateway: GATEWAY, dns: ['198.51.100.53'], leaseSeconds: 3600 }, 'dhcp');
const SERVER_MAC = '0a:58:c6:33:64:01'; // from the gateway's address

// The options of an OFFER/ACK as the client must receive them, written out by hand.
const OFFER_OPTIONS = (type: number): Buffer => Buffer.concat([Buffer.from([
  53, 1, type,
  54, 4, 198, 51, 100, 1, // server identifier: the gateway
  51, 4, 0, 0, 0x0e, 0x10, // lease 3600 s
  58, 4, 0, 0, 0x07, 0x08, // renew at 1800 s
  59, 4, 0, 0, 0x0c, 0x4e, // rebind at 3150 s
  1, 4, 255, 255, 255, 128, // /25
  3, 4, 198, 51, 100, 1, // router
  6, 4, 198, 51, 100, 53, // DNS
  26, 2, 0x05, 0xaa, // interface MTU 1450
  255,
]), Buffer.alloc(256 - 50)]);
type RequestOpts = Partial<Parameters<typeof dhcpFrame>[0]>;
const NAK_OPTIONS = Buffer.concat([Buffer.from([53, 1, 6, 54, 4, 198, 51, 100, 1, 255]), Buffer.alloc(246)]);

beforeEach(() => {
  fx.configure();
  fx.dp.maps.ports.put(fx.port.p1, openPort(UNICAST_VNI, { flags: PORT_F_DHCP }));
  fx.dp.maps.dhcp.put(fx.port.p1, dhcpLease(VM1, SETTINGS, 1450));
});

const request = (o: RequestOpts = {}): Buffer => dhcpFrame({ mac: VM1, type: DHCP_TYPE.discover, ...o });
const replies = () => readDhcpTotals(fx.dp.maps).get(UNICAST_VNI) ?? { offers: 0, acks: 0, naks: 0 };

/** Nothing of a DHCP exchange reaches the segment: no tx, no flood, nothing learned. */
function expectNotSwitched(): void {
  const c = fx.counters(UNICAST_VNI);
  expect(c.txPackets).toBe(0n);
  expect(c.floodPackets).toBe(0n);
  expect(fx.dp.maps.macs.get({ vni: UNICAST_VNI, mac: VM1 })).toBeUndefined();
}

describe('a port\'s DHCP client is answered by the VEM', () => {
  const cases: {
    name: string; req: RequestOpts; type: number; dstMac: string; dst: string; yiaddr: string; ciaddr: string; options: Buffer;
  }[] = [
    { name: 'DISCOVER gets an OFFER to the client', req: {}, type: DHCP_TYPE.offer, dstMac: VM1, dst: ADDRESS, yiaddr: ADDRESS, ciaddr: '0.0.0.0', options: OFFER_OPTIONS(2) },
    { name: 'DISCOVER asking for broadcast gets a broadcast OFFER', req: { broadcast: true }, type: DHCP_TYPE.offer, dstMac: 'ff:ff:ff:ff:ff:ff', dst: '255.255.255.255', yiaddr: ADDRESS, ciaddr: '0.0.0.0', options: OFFER_OPTIONS(2) },
    { name: 'REQUEST (selecting) for its address gets an ACK', req: { type: DHCP_TYPE.request, requested: ADDRESS, server: GATEWAY }, type: DHCP_TYPE.ack, dstMac: VM1, dst: ADDRESS, yiaddr: ADDRESS, ciaddr: '0.0.0.0', options: OFFER_OPTIONS(5) },
    { name: 'REQUEST (renewing, ciaddr) gets an ACK to ciaddr', req: { type: DHCP_TYPE.request, ciaddr: ADDRESS, src: ADDRESS, dst: GATEWAY, dstMac: '02:00:00:00:77:01' }, type: DHCP_TYPE.ack, dstMac: VM1, dst: ADDRESS, yiaddr: ADDRESS, ciaddr: ADDRESS, options: OFFER_OPTIONS(5) },
    { name: 'REQUEST (init-reboot) for another address gets a NAK', req: { type: DHCP_TYPE.request, requested: '198.51.100.99' }, type: DHCP_TYPE.nak, dstMac: 'ff:ff:ff:ff:ff:ff', dst: '255.255.255.255', yiaddr: '0.0.0.0', ciaddr: '0.0.0.0', options: NAK_OPTIONS },
    { name: 'REQUEST (renewing) from another address gets a NAK', req: { type: DHCP_TYPE.request, ciaddr: '198.51.100.99', src: '198.51.100.99' }, type: DHCP_TYPE.nak, dstMac: 'ff:ff:ff:ff:ff:ff', dst: '255.255.255.255', yiaddr: '0.0.0.0', ciaddr: '0.0.0.0', options: NAK_OPTIONS },
  ];

  it.each(cases)('$name', (c) => {
    const r = fx.run('from_port', request({ xid: 0xcafe0001, ...c.req }), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_REDIRECT);
    expect(r.data.length).toBe(14 + 20 + 8 + 240 + 256);
    const m = parseDhcpReply(r.data);
    expect(m).toMatchObject({
      dstMac: c.dstMac, srcMac: SERVER_MAC, src: GATEWAY, dst: c.dst, ipChecksumOk: true, sport: 67, dport: 68, udpLength: 8 + 240 + 256,
      udpChecksumOk: true, op: 2, xid: 0xcafe0001, ciaddr: c.ciaddr, yiaddr: c.yiaddr, siaddr: '0.0.0.0', chaddr: VM1, cookie: 0x63825363, type: c.type,
    });
    expect(m.flags).toBe(c.req.broadcast ? 0x8000 : 0);
    expect(m.options.toString('hex')).toBe(c.options.toString('hex'));
    expect(replies()).toEqual({ offers: c.type === DHCP_TYPE.offer ? 1 : 0, acks: c.type === DHCP_TYPE.ack ? 1 : 0, naks: c.type === DHCP_TYPE.nak ? 1 : 0 });
    expect(fx.drops()).toEqual({});
    expectNotSwitched();
  });

  it('answers a secure port (its MAC) before port security looks at the 0.0.0.0 source', () => {
    fx.dp.maps.ports.put(fx.port.p1, openPort(UNICAST_VNI, { flags: PORT_F_DHCP | PORT_F_SECURE, mac: VM1 }));
    expect(fx.run('from_port', request(), fx.port.p1).retval).toBe(TC_ACT_REDIRECT);
    expect(replies().offers).toBe(1);
  });
});

describe('what the VEM does not answer is dropped and counted, never forwarded', () => {
  const opt = (...b: number[]) => Buffer.from(b);
  const cases: { name: string; frame: () => Buffer; reason: string }[] = [
    { name: 'chaddr of another MAC', frame: () => request({ chaddr: VM2 }), reason: 'dhcp_foreign' },
    { name: 'Ethernet source of another MAC', frame: () => request({ mac: VM2, chaddr: VM1 }), reason: 'dhcp_foreign' },
    { name: 'both of another MAC (another VM behind the port)', frame: () => request({ mac: VM2 }), reason: 'dhcp_foreign' },
    { name: 'REQUEST for another server\'s offer', frame: () => request({ type: DHCP_TYPE.request, requested: ADDRESS, server: '198.51.100.2' }), reason: 'dhcp_unanswered' },
    { name: 'RELEASE', frame: () => request({ type: DHCP_TYPE.release, ciaddr: ADDRESS }), reason: 'dhcp_unanswered' },
    { name: 'DECLINE', frame: () => request({ type: DHCP_TYPE.decline, requested: ADDRESS }), reason: 'dhcp_unanswered' },
    { name: 'INFORM', frame: () => request({ type: DHCP_TYPE.inform, ciaddr: ADDRESS }), reason: 'dhcp_unanswered' },
    { name: 'plain BOOTP (no message type)', frame: () => request({ type: undefined }), reason: 'dhcp_malformed' },
    { name: 'a BOOTREPLY sent to the server port', frame: () => request({ op: 2 }), reason: 'dhcp_malformed' },
    { name: 'bad magic cookie', frame: () => request({ cookie: 0x01020304 }), reason: 'dhcp_malformed' },
    { name: 'an option running past the end', frame: () => request({ extra: opt(12, 40, 0x41), noEnd: true }), reason: 'dhcp_malformed' },
    { name: 'BOOTP cut short', frame: () => request().subarray(0, 14 + 20 + 8 + 100), reason: 'dhcp_malformed' },
    { name: 'UDP header only', frame: () => eth('ff:ff:ff:ff:ff:ff', VM1, 0x0800, ipv4({ src: '0.0.0.0', dst: '255.255.255.255', proto: 17 }, udp(68, 67, Buffer.alloc(0)))), reason: 'dhcp_malformed' },
    { name: 'IP length beyond the frame', frame: () => { const f = request(); f.writeUInt16BE(1400, 16); return f; }, reason: 'dhcp_malformed' },
    { name: 'an IPv4 fragment', frame: () => request({ ip: { moreFragments: true } }), reason: 'dhcp_malformed' },
    { name: 'IPv4 options', frame: () => request({ ip: { options: Buffer.from([0x94, 4, 0, 0]) } }), reason: 'dhcp_malformed' },
  ];

  it.each(cases)('$name', (c) => {
    const r = fx.run('from_port', c.frame(), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/${c.reason}`]: 1 });
    expect(replies()).toEqual({ offers: 0, acks: 0, naks: 0 });
    expectNotSwitched();
  });

  it('a message type past the 64 options looked at is not seen: dropped as malformed', () => {
    const r = fx.run('from_port', request({ type: undefined, extra: Buffer.concat([Buffer.alloc(100), opt(53, 1, 1)]) }), fx.port.p1);
    expect(r.retval).toBe(TC_ACT_SHOT);
    expect(fx.drops()).toEqual({ [`${UNICAST_VNI}/dhcp_malformed`]: 1 });
  });
});

describe('ports without DHCP and other traffic take the normal path', () => {
  it('a port without PORT_F_DHCP floods a DISCOVER as any broadcast', () => {
    fx.dp.maps.ports.put(fx.port.p1, openPort(UNICAST_VNI));
    const r = fx.run('from_port', request(), fx.port.p1);
    expect(r.retval).not.toBe(TC_ACT_SHOT);
    expect(fx.counters(UNICAST_VNI).txPackets).toBe(1n);
    expect(replies()).toEqual({ offers: 0, acks: 0, naks: 0 });
  });

  it('PORT_F_DHCP without a vx_dhcp record: switched as usual', () => {
    fx.dp.maps.dhcp.delete(fx.port.p1);
    fx.run('from_port', request(), fx.port.p1);
    expect(fx.counters(UNICAST_VNI).txPackets).toBe(1n);
    expect(fx.drops()).toEqual({});
  });

  it('other UDP from a DHCP port is switched', () => {
    const f = eth('ff:ff:ff:ff:ff:ff', VM1, 0x0800, ipv4({ src: ADDRESS, dst: '198.51.100.127', proto: 17 }, udp(68, 53, Buffer.alloc(32))));
    fx.run('from_port', f, fx.port.p1);
    expect(fx.counters(UNICAST_VNI).txPackets).toBe(1n);
    expect(replies()).toEqual({ offers: 0, acks: 0, naks: 0 });
  });
});
