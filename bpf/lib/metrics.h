/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU per-segment counters and drop counters; the agent sums them at scrape time. */
#ifndef VXVEM_METRICS_H
#define VXVEM_METRICS_H

#include "common.h"

static __always_inline struct seg_counters *seg_counters(__u32 vni)
{
	struct seg_counters *c = bpf_map_lookup_elem(&vx_counters, &vni);

	if (likely(c))
		return c;
	/* First packet of a segment on this host: create the slot (all CPUs zero). */
	struct seg_counters zero = {};

	bpf_map_update_elem(&vx_counters, &vni, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&vx_counters, &vni);
}

/* The counters of `seg` (NULL: not at hand): its vx_seg_stats slot when it has one, else by VNI. */
static __always_inline struct seg_counters *seg_counters_of(const struct segment *seg, __u32 vni)
{
	if (seg && seg->stats_slot) {
		__u32 slot = seg->stats_slot;
		struct seg_counters *c = bpf_map_lookup_elem(&vx_seg_stats, &slot);

		if (likely(c))
			return c;
	}
	return seg_counters(vni);
}

static __always_inline void count_rx(const struct segment *seg, __u32 vni, __u32 bytes)
{
	struct seg_counters *c = seg_counters_of(seg, vni);

	if (c) {
		c->rx_packets++;
		c->rx_bytes += bytes;
	}
}

static __always_inline void count_flood(__u32 vni, __u32 copies)
{
	struct seg_counters *c = seg_counters(vni);

	if (c)
		c->flood_packets += copies;
}

static __always_inline void count_learn(__u32 vni, int moved)
{
	struct seg_counters *c = seg_counters(vni);

	if (!c)
		return;
	if (moved)
		c->moves++;
	else
		c->learned++;
}

/* Counts a drop by (VNI, reason). */
static __always_inline void count_drop(__u32 vni, __u32 reason)
{
	struct drop_key key = { .vni = vni, .reason = reason };
	__u64 *n = bpf_map_lookup_elem(&vx_drops, &key);

	if (likely(n)) {
		(*n)++;
	} else {
		__u64 one = 1;

		/* Per-CPU value: other CPUs start at zero. Losing a race costs one count, never a crash. */
		bpf_map_update_elem(&vx_drops, &key, &one, BPF_NOEXIST);
	}
}

/* An event vx_events had no room for (the agent exports the count). */
static __always_inline void count_event_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&vx_events_lost, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* TC programs: count and return the verdict (XDP uses XDP_DROP, which is 1, not 2). */
static __always_inline int drop(__u32 vni, __u32 reason)
{
	count_drop(vni, reason);
	return TC_ACT_SHOT;
}

#endif /* VXVEM_METRICS_H */
