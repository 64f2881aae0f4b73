/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Which outer sources a segment accepts VXLAN from (docs/dataplane.md, "Security"): the VTEPs
 * it knows (vx_peers: its flood list and the VTEPs of its static entries), and, for a multicast
 * segment, any source in the trusted underlay (vx_trusted). Everything else is dropped before
 * anything is learned from it.
 */
#ifndef VXVEM_TRUST_H
#define VXVEM_TRUST_H

#include "common.h"

enum vtep_trust {
	VTEP_UNKNOWN = 0,
	VTEP_UNDERLAY = 1, /* a multicast segment's source in the trusted underlay */
	VTEP_PEER = 2,     /* a VTEP the segment names: next hops may be learned from it */
};

static __always_inline enum vtep_trust vtep_trust(__u32 vni, const struct segment *seg, __u32 saddr)
{
	struct peer_key pk = { .vni = vni, .addr = saddr };

	if (bpf_map_lookup_elem(&vx_peers, &pk))
		return VTEP_PEER;
	if (seg->mode != FLOOD_MULTICAST)
		return VTEP_UNKNOWN;
	struct trust_key tk = { .prefixlen = 32, .addr = saddr };

	return bpf_map_lookup_elem(&vx_trusted, &tk) ? VTEP_UNDERLAY : VTEP_UNKNOWN;
}

/*
 * The segment of a frame from `saddr` in `vni`, and its trust when that is already known: a
 * VTEP the segment names has a vx_peer_segs record holding the segment (one lookup for both,
 * *trust = VTEP_PEER). Otherwise the segment from vx_segments (NULL: not bound here) and
 * *trust = VTEP_UNKNOWN, for vtep_trust() to decide after the checks that come first.
 */
static __always_inline struct segment *segment_of_sender(__u32 vni, __u32 saddr, enum vtep_trust *trust)
{
	struct peer_key pk = { .vni = vni, .addr = saddr };
	struct segment *seg = bpf_map_lookup_elem(&vx_peer_segs, &pk);

	if (likely(seg)) {
		*trust = VTEP_PEER;
		return seg;
	}
	*trust = VTEP_UNKNOWN;
	return bpf_map_lookup_elem(&vx_segments, &vni);
}

#endif /* VXVEM_TRUST_H */
