// A trunked VM's tagged ping. This kernel has no 802.1Q devices, so the lab's trunked VM cannot
// have an eth0.10: scapy builds the tagged frames on eth0 instead, as the VM's own VLAN
// interface would (the system python3: scapy is a Debian package), ARP first (which also teaches the peer the subport's address), then one echo.
import { spawnSync } from 'node:child_process';

const SCRIPT = String.raw`
import sys
from scapy.all import ARP, Dot1Q, Ether, ICMP, IP, conf, srp1
conf.verb = 0
dev, vid, mac, me, peer = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def ask(payload):
    return srp1(Ether(src=mac, dst=payload[1]) / Dot1Q(vlan=vid) / payload[0], iface=dev, timeout=2, retry=2, nofilter=1)
who = ask((ARP(op=1, hwsrc=mac, psrc=me, pdst=peer), "ff:ff:ff:ff:ff:ff"))
if who is None or ARP not in who:
    print("no ARP reply on VLAN %d" % vid)
    sys.exit(1)
echo = ask((IP(src=me, dst=peer) / ICMP(id=0x4c, seq=1), who[ARP].hwsrc))
if echo is None or ICMP not in echo or echo[ICMP].type != 0:
    print("no echo reply on VLAN %d" % vid)
    sys.exit(1)
print("reply from %s (%s) tagged %d" % (echo[IP].src, who[ARP].hwsrc, echo[Dot1Q].vlan if Dot1Q in echo else 0))
`;

export interface TaggedPing {
  ok: boolean;
  /** What came back: "reply from A (MAC) tagged N", or why not. */
  detail: string;
}

/** From `dev` in namespace `netns`, as `mac` with address `me` on VLAN `vid`: ARP for `peer`, then ping it. */
export function taggedPing(netns: string, dev: string, o: { vid: number; mac: string; me: string; peer: string }): TaggedPing {
  const r = spawnSync('nsenter', [`--net=/run/netns/${netns}`, '/usr/bin/python3', '-c', SCRIPT, dev, String(o.vid), o.mac, o.me, o.peer], { encoding: 'utf8', timeout: 30_000 });
  const detail = (r.stdout.trim().split('\n').pop() ?? '') || r.stderr.trim().split('\n').pop() || `python3 exited ${r.status}`;
  return { ok: r.status === 0 && detail.endsWith(`tagged ${o.vid}`), detail };
}
