// The count of learned MACs per port (vx_port_state.macs) that the programs hold each port's
// limit to. They count what they learn and move; what the agent removes (ageing, flushes) and
// what the LRU evicts they never see, so after each pass over the table the agent writes the
// counts it found. A learn racing with the pass may be off by one until the next pass.
import { MacKind, type MacEntry } from '../maps/layout.js';
import type { DataplaneMaps } from '../maps/tables.js';

/** Update flag: the value is copied under the entry's bpf_spin_lock (the storm bucket's). */
const BPF_F_LOCK = 4;

/** Counts local entries per port as a scan goes by. */
export class PortMacTally {
  private readonly counts = new Map<number, number>();

  add(e: MacEntry): void {
    if (e.kind === MacKind.Local) this.counts.set(e.ifindex, (this.counts.get(e.ifindex) ?? 0) + 1);
  }

  /** Writes the counts where the programs' differ; returns how many ports were corrected. */
  write(maps: DataplaneMaps): number {
    let fixed = 0;
    for (const [ifindex, st] of maps.portState.entries()) {
      const n = this.counts.get(ifindex) ?? 0;
      if (st.macs === n) continue;
      maps.portState.put(ifindex, { ...st, macs: n }, BPF_F_LOCK);
      fixed++;
    }
    return fixed;
  }
}
