// The fragment slow path: one kernel vxlan device in external (collect_md) mode per host.
// BPF cannot split an skb, so an oversize IPv4 frame without DF is handed to this device with
// its tunnel key; the kernel encapsulates it and fragments the outer packet, as the kernel's
// own vxlan does. Incoming outer fragments are reassembled by the kernel and decapsulated by
// the same device, whose ingress runs bpf/from-tunnel.bpf.c.
import { execFileSync } from 'node:child_process';
import { LinkError } from './links.js';

export const FRAG_DEVICE = 'vxvem-frag';

function ip(args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new LinkError(`ip ${args.join(' ')}: ${String((e as { stderr?: string }).stderr ?? e).trim()}`);
  }
}

/** Creates the device if it is missing (idempotent) and brings it up. */
export function ensureFragDevice(): void {
  const exists = (JSON.parse(ip(['-j', 'link', 'show'])) as { ifname: string }[]).some((l) => l.ifname === FRAG_DEVICE);
  if (!exists) {
    // nolearning: vxvem learns; the device only carries what the BPF programs give it.
    ip(['link', 'add', FRAG_DEVICE, 'type', 'vxlan', 'external', 'dstport', '4789', 'nolearning']);
    // Large enough for any inner frame a VM can send (the outer packet is what gets fragmented).
    ip(['link', 'set', FRAG_DEVICE, 'mtu', '65000']);
  }
  ip(['link', 'set', FRAG_DEVICE, 'up']);
}

export function removeFragDevice(): void {
  try {
    ip(['link', 'del', FRAG_DEVICE]);
  } catch {
    // already gone
  }
}
