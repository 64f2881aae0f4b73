// The rows the dataplane's commands print, one shape per kind of thing wherever it appears
// (`show vteps` and `status`, `show drops` and `status`, `show hosts`' VTEPs from the VSM).
import { parseIpv4 } from '../common/address.js';
import { dropLabel } from '../maps/drop-reasons.js';
import type { Vtep } from '../maps/layout.js';
import type { DataplaneMaps } from '../maps/tables.js';
import { readDropTotals } from '../maps/totals.js';
import type { InterfaceNames } from './iface-names.js';
import type { Row } from './table.js';

/** A VTEP as the VSM and the dataplane both know it; the dataplane adds its slot, MAC and MTU. */
export interface VtepRow extends Row {
  interface: string;
  address: string;
  prefixLength: number;
  /** null: none (the VEM ARPs for remote VTEPs in its subnet, proxy ARP beyond). */
  gateway: string | null;
}

export function vtepText(v: VtepRow): string {
  return `${v.interface}:${v.address}/${v.prefixLength}${v.gateway ? `@${v.gateway}` : ''}`;
}

const prefixOf = (netmask: string): number => {
  let n = parseIpv4(netmask);
  let len = 0;
  for (; n & 0x80000000; n = (n << 1) >>> 0) len++;
  return len;
};

/** The configured VTEPs of the maps, by slot. */
export function dataplaneVteps(m: DataplaneMaps, names: InterfaceNames): (VtepRow & { slot: number; ifindex: number; mac: string; mtu: number })[] {
  return [...m.vteps.entries()]
    .filter(([slot, v]) => slot > 0 && v.addr !== '0.0.0.0')
    .sort(([a], [b]) => a - b)
    .map(([slot, v]: [number, Vtep]) => ({
      slot, interface: names.name(v.ifindex), ifindex: v.ifindex, address: v.addr, prefixLength: prefixOf(v.netmask),
      gateway: v.gateway === '0.0.0.0' ? null : v.gateway, mac: v.mac, mtu: v.mtu,
    }));
}

/** What each drop reason means (the comments of enum vxvem_drop_reason in bpf/vxvem_shared.h). */
const MEANING: Record<string, string> = {
  truncated: 'a header shorter than it claims',
  vxlan_flags: 'VXLAN header without the I flag',
  unknown_vni: 'VXLAN frame for a VNI not bound on this host',
  own_vtep_source: 'outer source is one of this host\'s VTEPs (multicast echo)',
  static_mac_conflict: 'source MAC is a static entry elsewhere',
  hairpin: 'destination is the port the frame came in on',
  mtu_non_ip: 'non-IP frame too large for the uplink',
  mtu_icmp_sent: 'frame too large for the uplink (DF or IPv6): ICMP sent back instead',
  ecn_error: 'outer ECN CE over an inner packet that is not ECN-capable (RFC 6040)',
  no_vtep: 'segment has no usable local VTEP',
  no_neighbor: 'next hop MAC not resolved yet',
  encap_failed: 'packet could not be grown or written for encapsulation',
  decap_failed: 'packet could not be shrunk or rewritten, or no tunnel key',
  redirect_failed: 'flood copy to a local port not sent (port gone or down)',
  icmp_ratelimit: 'too large, and the ICMP reply budget was spent',
  inner_malformed: 'inner frame too short, or a multicast source MAC',
  split_horizon: 'from the network to a MAC that is itself remote',
  no_local_port: 'segment bound but no local port to deliver to',
  mtu_exceeded: 'too large, and no ICMP may be sent for it (an ICMP error itself)',
  not_local_vtep: 'VXLAN decapsulated by the kernel, not addressed to a VTEP of this host',
};

export interface DropRow extends Row {
  /** 0: the VNI was not known. */
  vni: number;
  reason: string;
  packets: number;
  meaning: string;
}

/** Drops summed over CPUs, by VNI then reason; `vni` keeps one VNI's. */
export function dropRows(m: DataplaneMaps, vni?: number): DropRow[] {
  return readDropTotals(m)
    .filter((d) => vni === undefined || d.vni === vni)
    .map((d) => ({ vni: d.vni, reason: dropLabel(d.reason), packets: d.packets, meaning: MEANING[dropLabel(d.reason)] ?? '' }))
    .sort((a, b) => a.vni - b.vni || a.reason.localeCompare(b.reason));
}
