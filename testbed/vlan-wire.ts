// 802.1Q on the wire for tests: in-band tags in built frames, and scapy sending raw frames and
// capturing what arrives on interfaces of a namespace. This kernel has no VLAN devices and no
// act_vlan, so scapy stands for whatever tags (a physical server on a trunk, a VM that tags);
// its capture rebuilds a tag the kernel keeps in the skb's metadata, as tshark does.
import type { ChildProcess } from 'node:child_process';
import type { Netns } from './netns.js';

/** `frame` with an 802.1Q header (TPID 0x8100, `vid`, priority 0) after its MAC addresses. */
export function tagged(frame: Buffer, vid: number): Buffer {
  const tag = Buffer.alloc(4);
  tag.writeUInt16BE(0x8100, 0);
  tag.writeUInt16BE(vid & 0xfff, 2);
  return Buffer.concat([frame.subarray(0, 12), tag, frame.subarray(12)]);
}

/** A frame seen by a capture: its tag (null: untagged), MACs, EtherType after the tag, and its bytes without the tag. */
export interface WireFrame {
  iface: string;
  vlan: number | null;
  src: string;
  dst: string;
  type: number;
  /** Hex of the frame with any 802.1Q header taken out. */
  untagged: string;
}

const SCRIPT = String.raw`
import json, sys, threading, time
from scapy.all import AsyncSniffer, Dot1Q, Ether, sendp, conf
conf.verb = 0
req = json.loads(sys.stdin.read())
sniffers = []
for iface in req["sniff"]:
    ready = threading.Event()
    s = AsyncSniffer(iface=iface, store=True, started_callback=ready.set, lfilter=lambda p, m=req["macs"]: Ether in p and p[Ether].src in m)
    s.start()
    sniffers.append((iface, s, ready))
for _, _, ready in sniffers:
    ready.wait(10)
for f in req["send"]:
    sendp(bytes.fromhex(f["hex"]), iface=f["iface"])
time.sleep(req["settle"])
out = []
for iface, s, _ in sniffers:
    for p in s.stop() or []:
        e = p[Ether]
        vlan = None
        if Dot1Q in p:
            vlan = p[Dot1Q].vlan
            inner = p[Dot1Q].payload
            raw = bytes(Ether(src=e.src, dst=e.dst, type=p[Dot1Q].type) / inner)
            etype = p[Dot1Q].type
        else:
            raw = bytes(p)
            etype = e.type
        out.append({"iface": iface, "vlan": vlan, "src": e.src, "dst": e.dst, "type": etype, "untagged": raw.hex()})
print(json.dumps(out))
`;

/**
 * Starts captures on `sniff`, sends `send` (raw frames, tags in-band), waits `settleMs` for
 * copies to arrive, and returns the frames captured whose source MAC is one of those sent.
 */
export function sendAndCapture(ns: Netns, send: { iface: string; frame: Buffer }[], sniff: string[], settleMs = 700): WireFrame[] {
  const macs = [...new Set(send.map((s) => [...s.frame.subarray(6, 12)].map((b) => b.toString(16).padStart(2, '0')).join(':')))];
  const input = JSON.stringify({ send: send.map((s) => ({ iface: s.iface, hex: s.frame.toString('hex') })), sniff, macs, settle: settleMs / 1000 });
  const out = ns.exec('/usr/bin/python3', ['-c', SCRIPT], { input });
  return JSON.parse(out.trim().split('\n').pop()!) as WireFrame[];
}

const RESPONDER = String.raw`
import sys, threading
from scapy.all import ARP, Dot1Q, Ether, ICMP, IP, AsyncSniffer, sendp, conf
conf.verb = 0
iface, vlan, ip, mac = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def answer(p):
    if Dot1Q not in p or p[Dot1Q].vlan != vlan:
        return
    e = p[Ether]
    if ARP in p and p[ARP].op == 1 and p[ARP].pdst == ip:
        sendp(Ether(src=mac, dst=e.src) / Dot1Q(vlan=vlan) / ARP(op=2, hwsrc=mac, psrc=ip, hwdst=p[ARP].hwsrc, pdst=p[ARP].psrc), iface=iface)
    elif IP in p and ICMP in p and p[ICMP].type == 8 and p[IP].dst == ip:
        i = p[IP]
        sendp(Ether(src=mac, dst=e.src) / Dot1Q(vlan=vlan) / IP(src=ip, dst=i.src) / ICMP(type=0, id=p[ICMP].id, seq=p[ICMP].seq) / bytes(p[ICMP].payload), iface=iface)
ready = threading.Event()
s = AsyncSniffer(iface=iface, prn=answer, store=False, started_callback=ready.set)
s.start()
ready.wait(10)
print("ready", flush=True)
s.join()
`;

/**
 * A physical server on a VLAN trunk, played by scapy on `iface` of `ns`: answers ARP for `ip`
 * and pings to it on VLAN `vlan` only, tagged. Resolves once it listens; kill the process to stop it.
 */
export async function startTaggedResponder(ns: Netns, iface: string, o: { vlan: number; ip: string; mac: string }): Promise<ChildProcess> {
  const p = ns.spawn('/usr/bin/python3', ['-c', RESPONDER, iface, String(o.vlan), o.ip, o.mac]);
  await new Promise<void>((resolve, reject) => {
    p.stdout!.once('data', () => resolve());
    p.once('exit', (code) => reject(new Error(`tagged responder exited ${code}`)));
  });
  return p;
}

const TAGGED_PING = String.raw`
import sys
from scapy.all import Dot1Q, Ether, ICMP, IP, srp1, conf
conf.verb = 0
iface, vlan, src_mac, dst_mac, src, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
req = Ether(src=src_mac, dst=dst_mac) / Dot1Q(vlan=vlan) / IP(src=src, dst=dst) / ICMP(id=7, seq=1) / (b"x" * 32)
r = srp1(req, iface=iface, timeout=3, retry=2, filter=None, nofilter=1)
if r is not None and Dot1Q in r and ICMP in r and r[ICMP].type == 0:
    print("reply vlan %d from %s" % (r[Dot1Q].vlan, r[IP].src))
else:
    print("no reply")
`;

/** A VM that tags its own frames (no VLAN device here): one ICMP echo tagged `vlan`; the reply's tag, or "no reply". */
export function taggedPing(ns: Netns, iface: string, o: { vlan: number; srcMac: string; dstMac: string; src: string; dst: string }): string {
  return ns.exec('/usr/bin/python3', ['-c', TAGGED_PING, iface, String(o.vlan), o.srcMac, o.dstMac, o.src, o.dst]).trim().split('\n').pop()!;
}
