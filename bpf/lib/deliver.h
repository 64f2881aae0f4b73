/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Delivery of a frame that came from the network (decapsulated by us on the uplink, or by the
 * kernel's vxlan device on the fragment slow path): learning, split horizon, local delivery.
 */
#ifndef VXVEM_DELIVER_H
#define VXVEM_DELIVER_H

#include "flood.h"

/*
 * Learns the sender and picks the local port for `dst`: the port's ifindex, 0 for "flood to
 * the segment's local ports", or -1 after counting a split-horizon drop (dst is remote).
 */
static __always_inline int deliver_pick(__u32 vni, const struct ethhdr *inner, __u32 remote_vtep)
{
	/* A static entry keeps its place; the frame is still delivered. */
	fdb_learn(vni, inner->h_source, MAC_KIND_REMOTE, 0, remote_vtep);
	if (is_multicast_mac(inner->h_dest))
		return 0;

	struct mac_entry *e = fdb_lookup(vni, inner->h_dest);

	if (e && e->kind == MAC_KIND_REMOTE) {
		drop(vni, DROP_SPLIT_HORIZON);
		return -1;
	}
	return e ? (int)e->ifindex : 0;
}

/* Sends the (already decapsulated) frame to `port`, or floods it to the segment's ports. */
static __always_inline int deliver(struct __sk_buff *skb, __u32 vni, __u32 port)
{
	count_rx(vni, skb->len);
	if (port)
		return bpf_redirect(port, 0);

	__u32 copies = flood_local(skb, vni, 0);

	if (!copies)
		return drop(vni, DROP_NO_LOCAL_PORT);
	count_flood(vni, copies);
	return TC_ACT_SHOT; /* every local port got its clone */
}

#endif /* VXVEM_DELIVER_H */
