/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* MAC table: lookup, learning on both sides, move detection and events to the agent. */
#ifndef VXVEM_FDB_H
#define VXVEM_FDB_H

#include "clock.h"
#include "metrics.h"
#include "portstate.h"

/*
 * Timestamps use the coarse monotonic clock, cached per tick (clock.h): tick resolution is
 * plenty for ageing in seconds. The agent compares them with CLOCK_MONOTONIC.
 *
 * A refresh rewrites last_seen at most this often: an entry hit by every packet would
 * otherwise bounce its cache line between CPUs. Ageing works in seconds, so 1 s is exact enough.
 */
#define FDB_REFRESH_NS 1000000000ULL

/* What fdb_learn tells the caller. */
enum fdb_result {
	FDB_OK = 0,
	FDB_STATIC = 1, /* the MAC is static: not learned (the port side drops the frame) */
	FDB_FULL = 2,   /* the port has its maximum of learned MACs: not learned, the frame is dropped */
};

/* Learned entries first (one lookup for what traffic keeps warm), then the configured ones. */
static __always_inline struct mac_entry *fdb_lookup(__u32 vni, const __u8 *mac)
{
	struct mac_key key = { .vni = vni };
	struct mac_entry *e;

	mac_copy(key.mac, mac);
	e = bpf_map_lookup_elem(&vx_macs, &key);
	if (e)
		return e;
	return bpf_map_lookup_elem(&vx_static_macs, &key);
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
 * veth port; `max_macs` is the port's limit of learned MACs, 0 for none), or REMOTE with vtep.
 * Static and (for remote learning) local entries are never overridden. Returns enum fdb_result.
 */
static __always_inline int fdb_learn(__u32 vni, const __u8 *mac, __u8 kind, __u32 ifindex, __u32 vtep, __u8 flags,
				     __u32 max_macs)
{
	struct mac_key key = { .vni = vni };
	struct mac_entry *e;
	__u64 now = coarse_now();

	mac_copy(key.mac, mac);
	e = bpf_map_lookup_elem(&vx_macs, &key);
	if (e) {
		int same = e->kind == kind && e->ifindex == ifindex && e->vtep == vtep;

		if (same) {
			if (now - e->last_seen_ns > FDB_REFRESH_NS)
				e->last_seen_ns = now;
			return FDB_OK;
		}
		if (e->flags & MAC_F_STATIC)
			return FDB_STATIC; /* left in the LRU table by an older agent: still never moved */
		if (kind == MAC_KIND_REMOTE && e->kind == MAC_KIND_LOCAL)
			return FDB_OK; /* a MAC seen on a local port stays local until it ages or moves locally */
		if (kind == MAC_KIND_LOCAL && !port_macs_take(ifindex, max_macs))
			return FDB_FULL;

		struct mac_entry old = *e;
		struct mac_entry moved = { .kind = kind, .flags = flags, .ifindex = ifindex, .vtep = vtep, .last_seen_ns = now };

		bpf_map_update_elem(&vx_macs, &key, &moved, BPF_ANY);
		if (old.kind == MAC_KIND_LOCAL)
			port_macs_release(old.ifindex);
		count_learn(vni, 1);
		fdb_event(EVENT_MOVE, vni, mac, &moved, &old);
		return FDB_OK;
	}
	if (bpf_map_lookup_elem(&vx_static_macs, &key))
		return FDB_STATIC;
	if (kind == MAC_KIND_LOCAL && !port_macs_take(ifindex, max_macs))
		return FDB_FULL;

	struct mac_entry fresh = { .kind = kind, .flags = flags, .ifindex = ifindex, .vtep = vtep, .last_seen_ns = now };

	/* NOEXIST: of two CPUs learning the same MAC at once, one wins and one event is sent. */
	if (bpf_map_update_elem(&vx_macs, &key, &fresh, BPF_NOEXIST) == 0) {
		count_learn(vni, 0);
		fdb_event(EVENT_LEARN, vni, mac, &fresh, NULL);
	} else if (kind == MAC_KIND_LOCAL) {
		port_macs_release(ifindex);
	}
	return FDB_OK;
}

#endif /* VXVEM_FDB_H */
