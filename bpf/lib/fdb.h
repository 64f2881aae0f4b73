/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* MAC table: lookup, learning on both sides, move detection and events to the agent. */
#ifndef VXVEM_FDB_H
#define VXVEM_FDB_H

#include "metrics.h"

/*
 * Timestamps use the coarse monotonic clock (no TSC read per packet; tick resolution is
 * plenty for ageing in seconds). The agent compares them with CLOCK_MONOTONIC.
 *
 * A refresh rewrites last_seen at most this often: an entry hit by every packet would
 * otherwise bounce its cache line between CPUs. Ageing works in seconds, so 1 s is exact enough.
 */
#define FDB_REFRESH_NS 1000000000ULL

static __always_inline struct mac_entry *fdb_lookup(__u32 vni, const __u8 *mac)
{
	struct mac_key key = { .vni = vni };

	mac_copy(key.mac, mac);
	return bpf_map_lookup_elem(&vx_macs, &key);
}

static __always_inline void fdb_event(__u32 type, __u32 vni, const __u8 *mac, const struct mac_entry *now,
				      const struct mac_entry *old)
{
	struct mac_event *ev = bpf_ringbuf_reserve(&vx_events, sizeof(*ev), 0);

	if (!ev) {
		count_event_lost(); /* ring full: the agent resyncs from the table itself */
		return;
	}
	ev->type = type;
	ev->vni = vni;
	mac_copy(ev->mac, mac);
	ev->kind = now->kind;
	ev->old_kind = old ? old->kind : 0;
	ev->ifindex = now->ifindex;
	ev->vtep = now->vtep;
	ev->old_ifindex = old ? old->ifindex : 0;
	ev->old_vtep = old ? old->vtep : 0;
	ev->ts_ns = now->last_seen_ns;
	bpf_ringbuf_submit(ev, 0);
}

/*
 * Learns (or refreshes) `mac` in `vni`: kind LOCAL with ifindex (and MAC_F_PEER in flags for a
 * veth port), or REMOTE with vtep. Returns 0, or -1 when the MAC is static elsewhere (the
 * caller drops on the port side). Static and (for remote learning) local entries are never
 * overridden.
 */
static __always_inline int fdb_learn(__u32 vni, const __u8 *mac, __u8 kind, __u32 ifindex, __u32 vtep, __u8 flags)
{
	struct mac_key key = { .vni = vni };
	struct mac_entry *e;
	__u64 now = bpf_ktime_get_coarse_ns();

	mac_copy(key.mac, mac);
	e = bpf_map_lookup_elem(&vx_macs, &key);
	if (e) {
		int same = e->kind == kind && e->ifindex == ifindex && e->vtep == vtep;

		if (same) {
			if (now - e->last_seen_ns > FDB_REFRESH_NS)
				e->last_seen_ns = now;
			return 0;
		}
		if (e->flags & MAC_F_STATIC)
			return -1;
		if (kind == MAC_KIND_REMOTE && e->kind == MAC_KIND_LOCAL)
			return 0; /* a MAC seen on a local port stays local until it ages or moves locally */

		struct mac_entry old = *e;
		struct mac_entry moved = { .kind = kind, .flags = flags, .ifindex = ifindex, .vtep = vtep, .last_seen_ns = now };

		bpf_map_update_elem(&vx_macs, &key, &moved, BPF_ANY);
		count_learn(vni, 1);
		fdb_event(EVENT_MOVE, vni, mac, &moved, &old);
		return 0;
	}

	struct mac_entry fresh = { .kind = kind, .flags = flags, .ifindex = ifindex, .vtep = vtep, .last_seen_ns = now };

	/* NOEXIST: of two CPUs learning the same MAC at once, one wins and one event is sent. */
	if (bpf_map_update_elem(&vx_macs, &key, &fresh, BPF_NOEXIST) == 0) {
		count_learn(vni, 0);
		fdb_event(EVENT_LEARN, vni, mac, &fresh, NULL);
	}
	return 0;
}

#endif /* VXVEM_FDB_H */
