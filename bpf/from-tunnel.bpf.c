// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TC ingress of the VEM's kernel vxlan device (external mode): the fragment slow path.
 * VXLAN that arrived as outer IPv4 fragments is reassembled and decapsulated by the kernel;
 * here it gets the same checks, learning and delivery as the uplink path. (The kernel has
 * already applied RFC 6040 ECN decapsulation.)
 */
#include "lib/deliver.h"
#include "lib/trust.h"

SEC("tc")
int from_tunnel(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};

	if (!get_config())
		return TC_ACT_SHOT;
	if (bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0))
		return drop(0, DROP_DECAP_FAILED);

	__u32 vni = key.tunnel_id, saddr = bpf_htonl(key.remote_ipv4), daddr = bpf_htonl(key.local_ipv4);

	/* The device answers every VXLAN the uplink program passed on: keep only ours. */
	if (!local_vtep_slot(daddr) && !bpf_map_lookup_elem(&vx_groups, &daddr))
		return drop(0, DROP_NOT_LOCAL_VTEP);

	struct segment *seg = bpf_map_lookup_elem(&vx_segments, &vni);

	if (!seg)
		return drop(0, DROP_UNKNOWN_VNI);
	if (local_vtep_slot(saddr))
		return drop(vni, DROP_OWN_VTEP_SOURCE);
	if (vtep_trust(vni, seg, saddr) == VTEP_UNKNOWN)
		return drop(vni, DROP_UNKNOWN_VTEP);

	struct ethhdr inner;

	if (bpf_skb_load_bytes(skb, 0, &inner, sizeof(inner)) || is_multicast_mac(inner.h_source))
		return drop(vni, DROP_INNER_MALFORMED);

	struct delivery d = {};

	if (deliver_pick(vni, &inner, saddr, &d))
		return TC_ACT_SHOT;
	/* pkt_type came from the vxlan device's own MAC (OTHERHOST): the veth must recompute it. */
	return deliver(skb, vni, seg, &d, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
