/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flood copies to the local ports of a segment, for frames from a VM and from the network.
 * Remote copies (to the segment's group, or head-end replicated to its flood list) are
 * encapsulated by from-port.bpf.c, the one program that sends to the network.
 */
#ifndef VXVEM_FLOOD_H
#define VXVEM_FLOOD_H

#include "metrics.h"
#include "trunk.h"

struct flood_local_ctx {
	struct __sk_buff *skb;
	struct port_list *pl;
	__u32 seg_id;
	__u32 skip;
	__u32 copies;
	__u32 failed;
	__u8 tagged; /* pl lists trunk parents: each copy carries the subport's tag (trunk.h) */
};

/* One clone to port i of the list; a trunk parent's tagged, the tag taken off the original again. */
static long flood_local_one(__u32 i, void *data)
{
	struct flood_local_ctx *c = data;

	if (i >= c->pl->count || i >= VXVEM_MAX_SEG_PORTS)
		return 1;
	__u32 ifindex = c->pl->ifindex[i];

	if (!ifindex || ifindex == c->skip)
		return 0;
	if (c->tagged) {
		__u32 vid = trunk_vid(ifindex, c->seg_id);

		if (!vid || bpf_skb_vlan_push(c->skb, bpf_htons(ETH_P_8021Q), vid)) {
			count_drop(c->seg_id, DROP_REDIRECT_FAILED);
			c->failed++;
			return 0;
		}
	}
	/* The port is gone or down (the agent has not unbound it yet): a copy lost, counted. */
	if (bpf_clone_redirect(c->skb, ifindex, 0)) {
		count_drop(c->seg_id, DROP_REDIRECT_FAILED);
		c->failed++;
	} else {
		c->copies++;
	}
	if (c->tagged)
		bpf_skb_vlan_pop(c->skb);
	return 0;
}

static __always_inline void flood_list(struct flood_local_ctx *c, struct port_list *pl, __u8 tagged)
{
	if (!pl)
		return;
	c->pl = pl;
	c->tagged = tagged;
	bpf_loop(VXVEM_MAX_SEG_PORTS, flood_local_one, c, 0);
}

/*
 * One clone to every local port of the segment and every trunk parent with a subport in it
 * (tagged), except `skip` (the ingress port, or 0). Clones leave the original skb untouched, so
 * it can still be encapsulated afterwards. bpf_loop, not a bounded loop: the body is verified
 * once instead of once per iteration. Returns the number of copies sent; each one that could not
 * be is a redirect_failed drop, added to *failed (when given).
 */
static __always_inline __u32 flood_local(struct __sk_buff *skb, __u32 seg_id, __u32 skip, __u32 *failed)
{
	struct flood_local_ctx c = { .skb = skb, .seg_id = seg_id, .skip = skip };

	flood_list(&c, bpf_map_lookup_elem(&vx_seg_ports, &seg_id), 0);
	flood_list(&c, bpf_map_lookup_elem(&vx_seg_trunks, &seg_id), 1);
	if (failed)
		*failed += c.failed;
	return c.copies;
}

#endif /* VXVEM_FLOOD_H */
