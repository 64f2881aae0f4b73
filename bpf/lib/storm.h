/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Storm control (docs/dataplane.md, "Security"): a token bucket per port for the frames that
 * are flooded (broadcast, multicast, unknown unicast). It fills at `pps` frames per second and
 * holds at most one second's worth; one bucket per port under a spin lock, so the limit holds
 * whichever CPUs the port's frames arrive on.
 */
#ifndef VXVEM_STORM_H
#define VXVEM_STORM_H

#include "portstate.h"

#define STORM_FRAME 1000000000ULL /* tokens per frame: a second of refill at 1 pps */

/* 1 when the port may flood one more frame now (and the token is taken), 0 when over its rate. */
static __always_inline int storm_allow(__u32 ifindex, __u32 pps)
{
	struct port_state *st = port_state(ifindex);
	__u64 now = bpf_ktime_get_coarse_ns();
	int ok;

	if (!st)
		return 1; /* state table full: no bucket to hold the port to */
	__u64 cap = (__u64)pps * STORM_FRAME;

	bpf_spin_lock(&st->lock);
	__s64 elapsed = (__s64)(now - st->storm_last_ns);

	/* A new bucket, or one idle for a second or more, is full. */
	if (!st->storm_last_ns || elapsed > (__s64)STORM_FRAME)
		elapsed = STORM_FRAME;
	/* Another CPU may have read a later clock first: nothing to add then, and time stays put. */
	if (elapsed > 0)
		st->storm_last_ns = now;
	else
		elapsed = 0;
	__u64 tokens = st->storm_tokens + (__u64)elapsed * pps;

	if (tokens > cap)
		tokens = cap;
	ok = tokens >= STORM_FRAME;
	if (ok)
		tokens -= STORM_FRAME;
	st->storm_tokens = tokens;
	bpf_spin_unlock(&st->lock);
	return ok;
}

#endif /* VXVEM_STORM_H */
