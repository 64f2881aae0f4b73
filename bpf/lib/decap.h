/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Network-to-VM helpers: RFC 6040 ECN on decapsulation and next-hop learning. */
#ifndef VXVEM_DECAP_H
#define VXVEM_DECAP_H

#include "fdb.h"

#ifndef BPF_F_ADJ_ROOM_DECAP_L3_IPV4
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7) /* kernel >= 6.3; missing from Debian's uapi header */
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)
#endif

enum ecn_action {
	ECN_KEEP = 0,
	ECN_SET_CE = 1,
	ECN_SET_ECT1 = 2,
	ECN_DROP = 3,
};

/*
 * RFC 6040 normal mode, as the kernel's INET_ECN_decapsulate: outer CE marks an ECN-capable
 * inner packet CE and drops a Not-ECT one; outer ECT(1) over inner ECT(0) gives ECT(1).
 */
static __always_inline enum ecn_action ecn_decap_action(__u8 outer_tos, __u8 inner_tos)
{
	__u8 outer = outer_tos & INET_ECN_MASK, inner = inner_tos & INET_ECN_MASK;

	if (outer == ECN_CE)
		return inner == ECN_NOT_ECT ? ECN_DROP : (inner == ECN_CE ? ECN_KEEP : ECN_SET_CE);
	if (outer == ECN_ECT_1 && inner == ECN_ECT_0)
		return ECN_SET_ECT1;
	return ECN_KEEP;
}

/* Inner DS field (IPv4 TOS or IPv6 traffic class) of the frame at `off`; -1 for non-IP. */
static __always_inline int inner_dsfield(struct __sk_buff *skb, __u32 off, __u16 proto)
{
	__u8 b[2];

	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return -1;
	if (bpf_skb_load_bytes(skb, off, b, 2))
		return -1;
	if (proto == bpf_htons(ETH_P_IP))
		return b[1];
	return ((b[0] & 0x0f) << 4) | (b[1] >> 4);
}

/* Rewrites the ECN bits of the (decapsulated) inner IP header at offset ETH_HLEN. */
static __always_inline int ecn_apply(struct __sk_buff *skb, __u16 proto, enum ecn_action act)
{
	__u8 ecn = act == ECN_SET_CE ? ECN_CE : ECN_ECT_1;
	__u16 old_word, new_word;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &old_word, 2))
		return -1;
	if (proto == bpf_htons(ETH_P_IP)) {
		__u8 *w = (__u8 *)&new_word;

		new_word = old_word;
		w[1] = (w[1] & ~INET_ECN_MASK) | ecn;
		/* Keep the inner IPv4 checksum valid: incremental update over the changed word. */
		if (bpf_l3_csum_replace(skb, ETH_HLEN + 10, old_word, new_word, 2))
			return -1;
	} else {
		/* IPv6 traffic class spans bytes 0-1: its ECN bits are bits 4-5 of byte 1. */
		__u8 *w = (__u8 *)&new_word;

		new_word = old_word;
		w[1] = (w[1] & ~(INET_ECN_MASK << 4)) | (ecn << 4);
	}
	return bpf_skb_store_bytes(skb, ETH_HLEN, &new_word, 2, 0);
}

/*
 * A sender in our VTEP's own subnet tells us its MAC for free: keep vx_neigh current so that
 * replies need no ARP round trip. Written only when missing or changed.
 */
static __always_inline void neigh_learn(const struct vtep *v, __u32 saddr, const __u8 *smac)
{
	if ((saddr ^ v->addr) & v->netmask)
		return;
	struct neigh_key key = { .ifindex = v->ifindex, .addr = saddr };
	struct neigh_entry *n = bpf_map_lookup_elem(&vx_neigh, &key);

	if (n && mac_equal(n->mac, smac))
		return;
	struct neigh_entry fresh = { .updated_ns = bpf_ktime_get_coarse_ns() };

	mac_copy(fresh.mac, smac);
	bpf_map_update_elem(&vx_neigh, &key, &fresh, BPF_ANY);
}

#endif /* VXVEM_DECAP_H */
