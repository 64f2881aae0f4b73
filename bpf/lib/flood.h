/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flood copies to the local ports of a segment, for frames from a VM and from the network.
 * Remote copies (to the segment's group, or head-end replicated to its flood list) are
 * encapsulated by from-port.bpf.c, the one program that sends to the network.
 */
#ifndef VXVEM_FLOOD_H
#define VXVEM_FLOOD_H

#include "metrics.h"

struct flood_local_ctx {
	struct __sk_buff *skb;
	struct port_list *pl;
	__u32 vni;
	__u32 skip;
	__u32 copies;
	__u32 failed;
};

static long flood_local_one(__u32 i, void *data)
{
	struct flood_local_ctx *c = data;

	if (i >= c->pl->count || i >= VXVEM_MAX_SEG_PORTS)
		return 1;
	__u32 ifindex = c->pl->ifindex[i];

	if (!ifindex || ifindex == c->skip)
		return 0;
	/* The port is gone or down (the agent has not unbound it yet): a copy lost, counted. */
	if (bpf_clone_redirect(c->skb, ifindex, 0)) {
		count_drop(c->vni, DROP_REDIRECT_FAILED);
		c->failed++;
	} else {
		c->copies++;
	}
	return 0;
}

/*
 * One clone to every local port of the segment except `skip` (the ingress port, or 0).
 * Clones leave the original skb untouched, so it can still be encapsulated afterwards.
 * bpf_loop, not a bounded loop: the body is verified once instead of once per iteration.
 * Returns the number of copies sent; each one that could not be is a redirect_failed drop,
 * added to *failed (when given).
 */
static __always_inline __u32 flood_local(struct __sk_buff *skb, __u32 vni, __u32 skip, __u32 *failed)
{
	struct flood_local_ctx c = { .skb = skb, .vni = vni, .skip = skip };

	c.pl = bpf_map_lookup_elem(&vx_seg_ports, &vni);
	if (!c.pl)
		return 0;
	bpf_loop(VXVEM_MAX_SEG_PORTS, flood_local_one, &c, 0);
	if (failed)
		*failed += c.failed;
	return c.copies;
}

#endif /* VXVEM_FLOOD_H */
