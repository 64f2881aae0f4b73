/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the programs keep per port (vx_port_state): the count of MACs learned on it, for the
 * per-port limit, and the storm bucket (storm.h). The agent recounts `macs` after each ageing
 * pass, which also corrects what LRU evictions (never seen here) leave behind.
 */
#ifndef VXVEM_PORTSTATE_H
#define VXVEM_PORTSTATE_H

#include "common.h"

static __always_inline struct port_state *port_state(__u32 ifindex)
{
	struct port_state *st = bpf_map_lookup_elem(&vx_port_state, &ifindex);

	if (likely(st))
		return st;
	struct port_state fresh = {};

	bpf_map_update_elem(&vx_port_state, &ifindex, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&vx_port_state, &ifindex);
}

/*
 * Takes one learned-MAC slot of the port; 0 when the port has `max` already (max 0: no limit,
 * still counted). Signed compare: a count that a race took below zero never blocks a port.
 */
static __always_inline int port_macs_take(__u32 ifindex, __u32 max)
{
	struct port_state *st = port_state(ifindex);

	if (!st)
		return 1; /* state table full: counting is lost, learning is not */
	__s32 before = (__s32)__sync_fetch_and_add(&st->macs, 1);

	if (max && before >= (__s32)max) {
		__sync_fetch_and_sub(&st->macs, 1);
		return 0;
	}
	return 1;
}

static __always_inline void port_macs_release(__u32 ifindex)
{
	struct port_state *st = bpf_map_lookup_elem(&vx_port_state, &ifindex);

	if (st)
		__sync_fetch_and_sub(&st->macs, 1);
}

#endif /* VXVEM_PORTSTATE_H */
