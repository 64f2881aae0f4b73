/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A port's entry and its segment's, for the port program: from the fast-path record when the
 * agent wrote one (one lookup), else from vx_ports and vx_segments (docs/dataplane.md, "Fast path").
 */
#ifndef VXVEM_PORTREC_H
#define VXVEM_PORTREC_H

#include "common.h"

enum port_lookup {
	PORT_FOUND = 0,
	PORT_NONE = 1,      /* not a port of ours */
	PORT_UNBOUND = 2,   /* a port whose VNI has no segment here */
};

static __always_inline enum port_lookup port_and_segment(__u32 ifindex, struct port **p, struct segment **seg)
{
	struct port_fast *pf = bpf_map_lookup_elem(&vx_port_fast, &ifindex);

	if (likely(pf)) {
		*p = &pf->port;
		*seg = &pf->seg;
		return PORT_FOUND;
	}
	*p = bpf_map_lookup_elem(&vx_ports, &ifindex);
	if (!*p)
		return PORT_NONE;
	__u32 vni = (*p)->vni;

	*seg = bpf_map_lookup_elem(&vx_segments, &vni);
	return *seg ? PORT_FOUND : PORT_UNBOUND;
}

#endif /* VXVEM_PORTREC_H */
