/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What both uplink programs (TC from-uplink, XDP xdp-uplink) do with the outer headers. */
#ifndef VXVEM_DECAP_H
#define VXVEM_DECAP_H

#include "common.h"

static __always_inline __u32 vxlan_vni(const struct vxlanhdr *vx)
{
	return ((__u32)vx->vni[0] << 16) | ((__u32)vx->vni[1] << 8) | vx->vni[2];
}

/*
 * A sender in our VTEP's own subnet tells us its MAC for free: keep vx_neigh current so that
 * replies need no ARP round trip. Written only when missing or changed.
 */
static __always_inline void neigh_learn(const struct vtep *v, __u32 saddr, const __u8 *smac)
{
	if ((saddr ^ v->addr) & v->netmask)
		return;
	struct neigh_key key = { .ifindex = v->ifindex, .addr = saddr };
	struct neigh_entry *n = bpf_map_lookup_elem(&vx_neigh, &key);

	if (n && mac_equal(n->mac, smac))
		return;
	struct neigh_entry fresh = { .updated_ns = bpf_ktime_get_coarse_ns() };

	mac_copy(fresh.mac, smac);
	bpf_map_update_elem(&vx_neigh, &key, &fresh, BPF_ANY);
}

/*
 * Writes the Ethernet header at the front of the frame: directly when the linear area holds
 * it (always after adjust_room, which leaves the head writable), else by bpf_skb_store_bytes.
 */
static __always_inline int write_eth(struct __sk_buff *skb, const struct ethhdr *e)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;

	if (data + ETH_HLEN > data_end)
		return bpf_skb_store_bytes(skb, 0, e, ETH_HLEN, 0);
	__builtin_memcpy(data, e, ETH_HLEN);
	return 0;
}

#endif /* VXVEM_DECAP_H */
