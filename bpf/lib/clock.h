/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The coarse monotonic clock of the fast path (docs/dataplane.md, "Fast path"). The coarse
 * clock moves once per tick, and so do jiffies; bpf_jiffies64() is inlined by the verifier
 * (one load), so the helper call is made once per tick per CPU instead of once per packet.
 * Values are bpf_ktime_get_coarse_ns() values, which the agent compares with CLOCK_MONOTONIC.
 */
#ifndef VXVEM_CLOCK_H
#define VXVEM_CLOCK_H

#include "common.h"

struct clock_cache {
	__u64 jiffies; /* tick of the cached reading */
	__u64 ns;      /* bpf_ktime_get_coarse_ns() read in that tick */
};

/* Per CPU and per object (not pinned): a cache, rebuilt within a tick. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct clock_cache);
} vx_clock SEC(".maps");

/* bpf_ktime_get_coarse_ns(), at most one tick old: exact enough for ageing in seconds. */
static __always_inline __u64 coarse_now(void)
{
	__u32 zero = 0;
	struct clock_cache *c = bpf_map_lookup_elem(&vx_clock, &zero);
	__u64 j = bpf_jiffies64();

	if (unlikely(!c))
		return bpf_ktime_get_coarse_ns();
	if (c->jiffies != j) {
		c->ns = bpf_ktime_get_coarse_ns();
		c->jiffies = j;
	}
	return c->ns;
}

#endif /* VXVEM_CLOCK_H */
