// Drop reasons: the values of `enum vxvem_drop_reason` (bpf/vxvem_shared.h) and the label each
// one carries in metrics and `vxvem show counters`. test/layout.test.ts compares this table with
// the enum in the BTF of btf-anchor.bpf.o. A retired reason keeps its row: values are never reused.
export const DROP_REASONS = [
  [0, 'DROP_NONE', 'none'],
  [1, 'DROP_TRUNCATED', 'truncated'],
  [2, 'DROP_VXLAN_FLAGS', 'vxlan_flags'],
  [3, 'DROP_UNKNOWN_VNI', 'unknown_vni'],
  [4, 'DROP_OWN_VTEP_SOURCE', 'own_vtep_source'],
  [5, 'DROP_STATIC_MAC_CONFLICT', 'static_mac_conflict'],
  [6, 'DROP_HAIRPIN', 'hairpin'],
  [7, 'DROP_MTU_NON_IP', 'mtu_non_ip'],
  [8, 'DROP_MTU_ICMP_SENT', 'mtu_icmp_sent'],
  [9, 'DROP_ECN_ERROR', 'ecn_error'],
  [10, 'DROP_NO_VTEP', 'no_vtep'],
  [11, 'DROP_NO_NEIGHBOR', 'no_neighbor'],
  [12, 'DROP_ENCAP_FAILED', 'encap_failed'],
  [13, 'DROP_DECAP_FAILED', 'decap_failed'],
  [14, 'DROP_REDIRECT_FAILED', 'redirect_failed'],
  [15, 'DROP_ICMP_RATELIMIT', 'icmp_ratelimit'],
  [16, 'DROP_INNER_MALFORMED', 'inner_malformed'],
  [17, 'DROP_SPLIT_HORIZON', 'split_horizon'],
  [18, 'DROP_NO_LOCAL_PORT', 'no_local_port'],
  [19, 'DROP_MTU_EXCEEDED', 'mtu_exceeded'],
  [20, 'DROP_NOT_LOCAL_VTEP', 'not_local_vtep'],
  [21, 'DROP_UNKNOWN_VTEP', 'unknown_vtep'],
  [22, 'DROP_SPOOFED_SOURCE', 'spoofed_source'],
  [23, 'DROP_STORM', 'storm'],
  [24, 'DROP_MAC_LIMIT', 'mac_limit'],
  [25, 'DROP_UNKNOWN_VLAN', 'unknown_vlan'],
  [26, 'DROP_NO_UPLINK', 'no_uplink'],
  [27, 'DROP_DHCP_FOREIGN', 'dhcp_foreign'],
  [28, 'DROP_DHCP_MALFORMED', 'dhcp_malformed'],
  [29, 'DROP_DHCP_UNANSWERED', 'dhcp_unanswered'],
  [30, 'DROP_REASON_MAX', 'max'],
] as const;

export type DropLabel = (typeof DROP_REASONS)[number][2];

const byValue = new Map<number, string>(DROP_REASONS.map(([v, , label]) => [v, label]));

/** The metrics label of a reason value; unknown values (a newer program) keep their number. */
export function dropLabel(reason: number): string {
  return byValue.get(reason) ?? `reason_${reason}`;
}
