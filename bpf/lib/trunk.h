/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * 802.1Q tags on VM ports (docs/dataplane.md, "VLAN segments" and "Trunks"): reading a frame's
 * tag, and the trunk subports of a port. A trunk parent's untagged frames belong to its own
 * segment; a frame tagged N belongs to the segment of subport N, and that segment's frames reach
 * the VM tagged N. Tags are pushed into the skb's metadata (bpf_skb_vlan_push), never written
 * into the bytes, so GSO and checksum offsets stay as they were.
 */
#ifndef VXVEM_TRUNK_H
#define VXVEM_TRUNK_H

#include "metrics.h"

#define VLAN_VID_MASK 0x0fff
#define VLAN_VID_MAX  4094
#define VLAN_NONE     0        /* untagged */
#define VLAN_OTHER    0x10000  /* tagged, but not with an 802.1Q VLAN id 1..4094 (802.1ad, priority tag, 4095) */

/*
 * The 802.1Q VLAN id of a frame. On a real device the core has moved a received tag into the
 * metadata before TC runs; BPF_PROG_TEST_RUN (and a second, stacked tag) leave it in-band.
 */
static __always_inline __u32 frame_vid(struct __sk_buff *skb)
{
	__u32 vid;

	if (skb->vlan_present) {
		if (skb->vlan_proto != bpf_htons(ETH_P_8021Q))
			return VLAN_OTHER;
		vid = skb->vlan_tci & VLAN_VID_MASK;
	} else if (skb->protocol == bpf_htons(ETH_P_8021Q)) {
		__u16 tci;

		if (bpf_skb_load_bytes(skb, ETH_HLEN, &tci, sizeof(tci)))
			return VLAN_OTHER;
		vid = bpf_ntohs(tci) & VLAN_VID_MASK;
	} else {
		return VLAN_NONE;
	}
	return vid && vid <= VLAN_VID_MAX ? vid : VLAN_OTHER;
}

/*
 * A frame from trunk parent `ifindex`: untagged stays in *seg_id; tagged with a subport's VLAN id
 * it moves to that subport's segment, tag removed, and what it teaches is marked MAC_F_TRUNK.
 * Returns -1 to go on, otherwise the verdict (an unknown tag is dropped).
 */
static __always_inline int trunk_from_port(struct __sk_buff *skb, __u32 ifindex, __u32 *seg_id, __u8 *mac_flags)
{
	__u32 vid = frame_vid(skb);

	if (vid == VLAN_NONE)
		return -1;
	struct trunk_key k = { .ifindex = ifindex, .id = vid };
	__u32 *sub = vid == VLAN_OTHER ? NULL : bpf_map_lookup_elem(&vx_trunk_in, &k);

	if (!sub)
		return drop(*seg_id, DROP_UNKNOWN_VLAN);
	if (bpf_skb_vlan_pop(skb))
		return drop(*sub, DROP_DECAP_FAILED);
	*seg_id = *sub;
	*mac_flags = MAC_F_TRUNK;
	return -1;
}

/* The VLAN id subport (ifindex, seg_id) carries towards the VM, 0 when there is none (any more). */
static __always_inline __u32 trunk_vid(__u32 ifindex, __u32 seg_id)
{
	struct trunk_key k = { .ifindex = ifindex, .id = seg_id };
	__u32 *vid = bpf_map_lookup_elem(&vx_trunk_out, &k);

	return vid ? *vid : 0;
}

/* Known unicast to a MAC behind a trunk subport: tagged with the subport's VLAN id. */
static __always_inline int trunk_redirect(struct __sk_buff *skb, __u32 seg_id, __u32 ifindex)
{
	__u32 vid = trunk_vid(ifindex, seg_id);

	if (!vid)
		return drop(seg_id, DROP_REDIRECT_FAILED); /* the subport went; the agent removes its MACs */
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), vid))
		return drop(seg_id, DROP_ENCAP_FAILED);
	return bpf_redirect(ifindex, 0);
}

#endif /* VXVEM_TRUNK_H */
