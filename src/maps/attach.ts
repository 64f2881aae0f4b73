// Attaching the entry programs: TC ingress (clsact) on ports and uplinks, XDP on uplinks.
// Filters and links live in the kernel, not in this process, so they keep running across agent
// restarts; a new agent replaces a TC filter atomically at the same (priority, handle).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BpfError, XDP_FLAGS_DRV_MODE, native } from '../../native/index.js';

/** Our filters' place on the clsact hook: distinctive so that other users' filters are left alone. */
export const TC_PRIORITY = 0x7878;
export const TC_HANDLE = 0x7878;

export function attachIngress(ifindex: number, progFd: number): number {
  const n = native();
  n.tcHookCreate(ifindex);
  return n.tcAttach({ ifindex, direction: 'ingress', progFd, priority: TC_PRIORITY, handle: TC_HANDLE, replace: true }).progId;
}

/** Removes our filter; an interface that is gone (or a filter already removed) is fine. */
export function detachIngress(ifindex: number): boolean {
  try {
    native().tcDetach(ifindex, 'ingress', TC_PRIORITY, TC_HANDLE);
    return true;
  } catch (e) {
    if (e instanceof BpfError && (e.code === 'ENOENT' || e.code === 'ENODEV' || e.code === 'EINVAL')) return false;
    throw e;
  }
}

const XDP_PIN_PREFIX = 'xdp_';

/** Whether a name in an instance's pin directory is an XDP link (the rest are maps). */
export function isXdpLinkPin(name: string): boolean {
  return name.startsWith(XDP_PIN_PREFIX);
}

/**
 * XDP on an uplink, native mode, through a bpf_link pinned beside the instance's maps: the
 * link (and so the program) outlives the agent, and removing the pin detaches it. An existing
 * pin is kept as it is, so a restart never leaves the uplink without its program.
 */
export function attachXdp(pinDir: string, ifname: string, ifindex: number, progFd: number): boolean {
  const pin = join(pinDir, `${XDP_PIN_PREFIX}${ifname}`);
  if (existsSync(pin)) return false;
  const n = native();
  const link = n.xdpAttach(ifindex, progFd, XDP_FLAGS_DRV_MODE);
  try {
    n.linkPin(link, pin);
  } finally {
    n.closeFd(link);
  }
  return true;
}

/** Detaches the uplink's XDP program (if vxvem attached one). */
export function detachXdp(pinDir: string, ifname: string): boolean {
  const pin = join(pinDir, `${XDP_PIN_PREFIX}${ifname}`);
  if (!existsSync(pin)) return false;
  native().linkUnpin(pin);
  return true;
}
