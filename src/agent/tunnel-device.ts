// One kernel vxlan device in external (collect_md) mode per host, for what BPF cannot do:
// - an oversize IPv4 frame without DF must be fragmented, and BPF cannot split an skb;
// - a valid outer UDP checksum (`udpChecksum`) over GSO skbs needs SKB_GSO_UDP_TUNNEL_CSUM.
// Such frames go to this device with the tunnel key vxvem chose; the kernel encapsulates (and
// fragments, or checksums) them. Its outer routing is the host's, unlike the BPF path.
// Incoming outer fragments are reassembled by the kernel and decapsulated by the same device,
// whose ingress runs bpf/from-tunnel.bpf.c.
import { CommandError, ip, ipJson } from '../common/exec.js';
import { VXLAN_UDP_PORT } from '../common/vxlan.js';

export const TUNNEL_DEVICE = 'vxvem-tnl';

/** Creates the device if it is missing (idempotent) and brings it up. */
export function ensureTunnelDevice(): void {
  const exists = ipJson<{ ifname: string }[]>('link', 'show').some((l) => l.ifname === TUNNEL_DEVICE);
  if (!exists) {
    // nolearning: vxvem learns; the device only carries what the BPF programs give it.
    ip('link', 'add', TUNNEL_DEVICE, 'type', 'vxlan', 'external', 'dstport', String(VXLAN_UDP_PORT), 'nolearning');
    // Large enough for any inner frame a VM can send (the outer packet is what gets fragmented).
    ip('link', 'set', TUNNEL_DEVICE, 'mtu', '65000');
  }
  ip('link', 'set', TUNNEL_DEVICE, 'up');
}

export function removeTunnelDevice(): void {
  try {
    ip('link', 'del', TUNNEL_DEVICE);
  } catch (e) {
    if (!(e instanceof CommandError)) throw e; // already gone
  }
}
