// 802.1Q on the wire for tests: in-band tags in built frames, and scapy sending raw frames and
// capturing what arrives on interfaces of a namespace. This kernel has no VLAN devices and no
// act_vlan, so scapy stands for whatever tags (a physical server on a trunk, a VM that tags);
// its capture rebuilds a tag the kernel keeps in the skb's metadata, as tshark does.
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
