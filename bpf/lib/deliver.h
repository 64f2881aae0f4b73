/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Delivery of a frame that came from the network (decapsulated by us on the uplink, or by the
 * kernel's vxlan device on the fragment slow path): learning, split horizon, local delivery.
 */
#ifndef VXVEM_DELIVER_H
#define VXVEM_DELIVER_H

#include "fdb.h"
#include "flood.h"
#include "trunk.h"

/* Where a frame from the network goes: one local port (peer: straight into the veth's peer). */
struct delivery {
	__u32 port; /* 0: flood to the segment's local ports */
	__u8 peer;
	__u8 trunk; /* behind a trunk subport: tagged on the way (trunk.h) */
};

/*
 * Learns the sender and picks the local port for `dst`. Returns 0, or -1 after counting a
 * split-horizon drop (dst is itself remote).
 */
static __always_inline int deliver_pick(__u32 vni, const struct ethhdr *inner, __u32 remote_vtep, struct delivery *d)
{
	/* A static entry keeps its place; the frame is still delivered. */
	fdb_learn(vni, inner->h_source, MAC_KIND_REMOTE, 0, remote_vtep, 0, 0);
	if (is_multicast_mac(inner->h_dest))
		return 0;

	struct mac_entry *e = fdb_lookup(vni, inner->h_dest);

	if (e && e->kind == MAC_KIND_REMOTE) {
		drop(vni, DROP_SPLIT_HORIZON);
		return -1;
	}
	if (e) {
		d->port = e->ifindex;
		d->peer = !!(e->flags & MAC_F_PEER);
		d->trunk = !!(e->flags & MAC_F_TRUNK);
	}
	return 0;
}

/*
 * Sends the (already decapsulated) frame to its port, or floods it to the segment's ports.
 * `peer_ok`: bpf_redirect_peer may be used. It skips the veth's backlog queue but also
 * eth_type_trans, so skb->protocol and pkt_type stay as they were: right only for an IPv4
 * frame that arrived as unicast to us.
 */
static __always_inline int deliver(struct __sk_buff *skb, __u32 vni, const struct segment *seg, const struct delivery *d,
				   int peer_ok)
{
	count_rx(seg, vni, skb->len);
	if (d->port) {
		if (d->trunk)
			return trunk_redirect(skb, vni, d->port);
		if (peer_ok && d->peer && skb->protocol == bpf_htons(ETH_P_IP))
			return bpf_redirect_peer(d->port, 0);
		return bpf_redirect(d->port, 0);
	}

	__u32 failed = 0;
	__u32 copies = flood_local(skb, vni, 0, &failed);

	/* Nobody to send to is this frame's drop; a copy that failed was counted as such (redirect_failed). */
	if (!copies && !failed)
		return drop(vni, DROP_NO_LOCAL_PORT);
	count_flood(vni, copies);
	return TC_ACT_SHOT; /* every local port got its clone, or its failure counted */
}

#endif /* VXVEM_DELIVER_H */
