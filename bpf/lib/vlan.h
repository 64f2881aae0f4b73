/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * VLAN segments (docs/dataplane.md, "VLAN segments"): a segment that is a VLAN id on a physical
 * network is carried 802.1Q-tagged on that network's uplink, with no encapsulation. Its segment
 * id (VXVEM_SEG_VLAN) names the physical network's slot and the VLAN id, so the tag and the
 * uplink follow from the id alone.
 */
#ifndef VXVEM_VLAN_H
#define VXVEM_VLAN_H

#include "deliver.h"

static __always_inline int is_vlan_segment(__u32 seg_id)
{
	return seg_id & VXVEM_SEG_VLAN_BIT;
}

/* A frame of a VLAN segment to the network: tagged, out of the physical network's uplink. */
static __always_inline int vlan_to_uplink(struct __sk_buff *skb, __u32 seg_id)
{
	__u32 slot = (seg_id >> 12) & 0xfff;
	struct physnet *pn = bpf_map_lookup_elem(&vx_physnets, &slot);

	if (!pn || !pn->ifindex)
		return drop(seg_id, DROP_NO_UPLINK);
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), seg_id & VLAN_VID_MASK))
		return drop(seg_id, DROP_ENCAP_FAILED);
	return bpf_redirect(pn->ifindex, 0);
}

/*
 * A frame arriving on an uplink. Tagged, on a physical network's uplink: untagged and delivered
 * to the local ports of the VLAN segment (the sender learned as behind the uplink, never sent
 * back to it), or dropped when no segment has that VLAN here. Returns -1 for everything else
 * (untagged frames, VXLAN among them, and any uplink that is no physical network's): the
 * VXLAN path and the kernel take those as before.
 */
static __always_inline int vlan_from_uplink(struct __sk_buff *skb)
{
	__u32 vid = frame_vid(skb);

	if (vid == VLAN_NONE)
		return -1;
	__u32 ifindex = skb->ifindex;
	__u32 *slot = bpf_map_lookup_elem(&vx_uplink_physnet, &ifindex);

	if (!slot)
		return -1;
	if (vid == VLAN_OTHER)
		return drop(0, DROP_UNKNOWN_VLAN);
	__u32 seg_id = VXVEM_SEG_VLAN(*slot, vid);

	struct segment *seg = bpf_map_lookup_elem(&vx_segments, &seg_id);

	if (!seg)
		return drop(0, DROP_UNKNOWN_VLAN); /* one bucket, whatever VLAN the sender picked */
	if (bpf_skb_vlan_pop(skb))
		return drop(seg_id, DROP_DECAP_FAILED);

	struct ethhdr eth;

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)))
		return drop(seg_id, DROP_TRUNCATED);
	if (is_multicast_mac(eth.h_source))
		return drop(seg_id, DROP_INNER_MALFORMED);

	struct delivery d = {};

	/* Remote entries of a VLAN segment have no VTEP (0): they are behind the uplink. */
	if (deliver_pick(seg_id, &eth, 0, &d))
		return TC_ACT_SHOT;
	/*
	 * No bpf_redirect_peer: the frame was not addressed to the uplink (pkt_type OTHERHOST),
	 * and the peer would keep that and drop it; a plain redirect runs eth_type_trans again.
	 */
	return deliver(skb, seg_id, seg, &d, 0);
}

#endif /* VXVEM_VLAN_H */
