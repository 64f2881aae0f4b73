// Which interfaces carry which entry program, as this agent attached them: TC ingress on the
// tunnel device, the uplinks and the ports; native XDP in front on uplinks that ask for it.
import type { Logger } from '../common/log.js';
import { attachIngress, attachXdp, detachIngress, detachXdp } from '../maps/attach.js';
import type { Dataplane } from '../maps/dataplane.js';

/** TC entry programs by object, with the program's function name. */
const TC_PROGRAMS = { 'from-port': 'from_port', 'from-uplink': 'from_uplink', 'from-tunnel': 'from_tunnel' } as const;
export type TcProgram = keyof typeof TC_PROGRAMS;

export class Attachments {
  private readonly attached = new Set<number>();

  constructor(private readonly dp: Dataplane, private readonly log: Logger) {}

  /**
   * Attaches each wanted interface's program (once per agent: re-attaching replaces the filter
   * in place, which after a restart swaps in the new program), detaches what is not wanted any
   * more, and the ports the last reconcile removed (attached by an earlier agent, perhaps).
   */
  sync(want: Map<number, TcProgram>, removedPorts: number[]): void {
    for (const [ifindex, object] of want) {
      if (this.attached.has(ifindex)) continue;
      attachIngress(ifindex, this.dp.progFd(object, TC_PROGRAMS[object]));
      this.attached.add(ifindex);
    }
    for (const ifindex of [...this.attached]) {
      if (want.has(ifindex)) continue;
      detachIngress(ifindex);
      this.attached.delete(ifindex);
    }
    for (const ifindex of removedPorts) detachIngress(ifindex);
  }

  /** XDP on an uplink whose VTEP asks for it; TC stays attached behind it for the rest. */
  syncXdp(ifname: string, ifindex: number, wanted: boolean): void {
    if (!wanted) {
      if (detachXdp(this.dp.pinDir, ifname)) this.log.info(`XDP detached from ${ifname}`);
      return;
    }
    try {
      if (attachXdp(this.dp.pinDir, ifname, ifindex, this.dp.progFd('xdp-uplink', 'xdp_uplink'))) this.log.info(`XDP (native) attached to ${ifname}`);
    } catch (e) {
      // No native XDP on this device: TC alone carries the uplink, as without "xdp".
      this.log.error(`XDP on ${ifname} refused, uplink stays on TC: ${(e as Error).message}`);
    }
  }

  /** Removes every TC filter this agent attached (XDP links go with the instance's pins). */
  detachAll(): void {
    for (const ifindex of this.attached) detachIngress(ifindex);
    this.attached.clear();
  }
}
