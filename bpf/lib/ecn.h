/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * RFC 6040 on decapsulation, for from-uplink (xdp-uplink hands it every frame whose ECN
 * bits need work). The encapsulation side is outer_tos() in encap.h.
 */
#ifndef VXVEM_ECN_H
#define VXVEM_ECN_H

#include "common.h"

enum ecn_action {
	ECN_KEEP = 0,
	ECN_SET_CE = 1,
	ECN_SET_ECT1 = 2,
	ECN_DROP = 3,
};

/*
 * Normal mode, as the kernel's INET_ECN_decapsulate: outer CE marks an ECN-capable inner
 * packet CE and drops a Not-ECT one; outer ECT(1) over inner ECT(0) gives ECT(1).
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

/* Inner DS field (IPv4 TOS or IPv6 traffic class) from the first two bytes of the IP header; -1 for non-IP. */
static __always_inline int inner_dsfield_of(const __u8 *b, __u16 proto)
{
	if (proto == bpf_htons(ETH_P_IP))
		return b[1];
	if (proto == bpf_htons(ETH_P_IPV6))
		return ((b[0] & 0x0f) << 4) | (b[1] >> 4);
	return -1;
}

/* The same, read from the frame at `off`. */
static __always_inline int inner_dsfield(struct __sk_buff *skb, __u32 off, __u16 proto)
{
	__u8 b[2];

	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return -1;
	if (bpf_skb_load_bytes(skb, off, b, 2))
		return -1;
	return inner_dsfield_of(b, proto);
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

#endif /* VXVEM_ECN_H */
