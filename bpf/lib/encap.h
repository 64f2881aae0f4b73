/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* VXLAN encapsulation, for the port program: outer header, next hop, TOS/ECN, source port. */
#ifndef VXVEM_ENCAP_H
#define VXVEM_ENCAP_H

#include "common.h"
#include "csum.h"
#include "metrics.h"

#ifndef BPF_F_ADJ_ROOM_ENCAP_L2_ETH
#define BPF_F_ADJ_ROOM_ENCAP_L2_ETH (1ULL << 6) /* kernel >= 5.13; Debian's uapi header predates it */
#endif

/*
 * Outer headers of one encapsulation followed by the inner Ethernet header that adjust_room
 * moved away: the 64 bytes from &eth are written in one go (outer_write). The leading pad puts
 * the IPv4 header on a 4-byte boundary: the verifier rejects misaligned stack access.
 */
struct vxlan_outer {
	__u16 pad;
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	struct vxlanhdr vx;
	struct ethhdr inner;
};

#define OUTER_WRITE_LEN (VXVEM_ENCAP_LEN + ETH_HLEN)

/* What the port program learnt about the inner frame before encapsulating it. */
struct inner_info {
	__u16 proto;   /* be: inner EtherType */
	__u8 dsfield;  /* inner IPv4 TOS / IPv6 traffic class, 0 for non-IP */
	__u8 is_ip;    /* IPv4 or IPv6: adjust_room can grow it with GSO intact */
};

/*
 * Outer TOS as the kernel's vxlan computes it: DSCP inherited or fixed, then RFC 6040 normal
 * mode ECN (INET_ECN_encapsulate): ECT(0)/ECT(1)/Not-ECT copied, CE becomes ECT(0).
 */
static __always_inline __u8 outer_tos(const struct vxvem_config *cfg, __u8 inner)
{
	__u8 tos = (cfg->flags & CFG_F_TOS_INHERIT) ? inner : cfg->tos;
	__u8 ecn = inner & INET_ECN_MASK;

	tos &= ~INET_ECN_MASK;
	return tos | (ecn == ECN_CE ? ECN_ECT_0 : ecn);
}

/* murmur3's finaliser: cheap, and every input bit reaches every output bit. */
static __always_inline __u32 mix32(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/*
 * Hash of the inner flow for the outer source port. The sender's skb->hash when it has one
 * (local TCP sockets set it); otherwise our own over addresses, protocol and ports: the
 * kernel's flow dissector (bpf_get_hash_recalc) cost a fifth of the encapsulation path.
 */
static __always_inline __u32 inner_flow_hash(struct __sk_buff *skb, __u32 a, __u32 b, __u32 ports, __u32 proto)
{
	if (skb->hash)
		return skb->hash;
	return mix32(a ^ mix32(b ^ mix32(ports ^ proto)));
}

/* Source port from the inner flow hash, spread over [min, max] without a division. */
static __always_inline __u16 outer_src_port(const struct vxvem_config *cfg, __u32 hash)
{
	__u32 span = (__u32)cfg->src_port_max - cfg->src_port_min + 1;

	return cfg->src_port_min + (__u16)(((__u64)hash * span) >> 32);
}

/* Tells the agent that a next hop needs resolving (no MAC in vx_neigh yet). */
static __always_inline void neigh_miss_event(__u32 ifindex, __u32 addr)
{
	struct mac_event *ev = bpf_ringbuf_reserve(&vx_events, sizeof(*ev), 0);

	if (!ev) {
		count_event_lost();
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = EVENT_NEIGH_MISS;
	ev->ifindex = ifindex;
	ev->vtep = addr;
	ev->ts_ns = bpf_ktime_get_coarse_ns();
	bpf_ringbuf_submit(ev, 0);
}

/*
 * Next-hop MAC for `dst` through `v`: the group's 01:00:5e MAC, or the resolved neighbour
 * (same subnet: dst itself; otherwise the VTEP's gateway, or dst again for proxy ARP).
 * Returns 0, or -1 with *nh set when the neighbour is not resolved yet.
 */
static __always_inline int next_hop_mac(const struct vtep *v, __u32 dst, __u8 *mac, __u32 *nh)
{
	__u32 host = bpf_ntohl(dst);

	if ((host >> 28) == 0xe) {
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = (host >> 16) & 0x7f;
		mac[4] = (host >> 8) & 0xff;
		mac[5] = host & 0xff;
		return 0;
	}
	*nh = ((dst ^ v->addr) & v->netmask) == 0 || !v->gateway ? dst : v->gateway;

	struct neigh_key key = { .ifindex = v->ifindex, .addr = *nh };
	struct neigh_entry *n = bpf_map_lookup_elem(&vx_neigh, &key);

	if (!n)
		return -1;
	mac_copy(mac, n->mac);
	return 0;
}

/*
 * Fills the outer Ethernet/IPv4/UDP/VXLAN headers except the destination MAC and address, and
 * the inner Ethernet header. `ip_id`: the outer packet's IPv4 ID (a per-CPU counter).
 */
static __always_inline void outer_init(struct vxlan_outer *o, const struct vxvem_config *cfg, const struct vtep *v,
				       __u32 vni, __u8 tos, __u16 sport, __u32 inner_len, __u16 ip_id,
				       const struct ethhdr *inner)
{
	o->inner = *inner;
	mac_copy(o->eth.h_source, v->mac);
	o->eth.h_proto = bpf_htons(ETH_P_IP);
	o->ip.version = 4;
	o->ip.ihl = 5;
	o->ip.tos = tos;
	o->ip.tot_len = bpf_htons(inner_len + sizeof(struct iphdr) + sizeof(struct udphdr) + VXLAN_HDR_LEN);
	o->ip.id = ip_id;
	o->ip.frag_off = 0;
	o->ip.ttl = cfg->ttl;
	o->ip.protocol = IPPROTO_UDP;
	o->ip.saddr = v->addr;
	o->udp.source = bpf_htons(sport);
	o->udp.dest = bpf_htons(VXLAN_PORT);
	o->udp.len = bpf_htons(inner_len + sizeof(struct udphdr) + VXLAN_HDR_LEN);
	o->udp.check = 0;
	o->vx.flags = VXLAN_FLAG_I;
	o->vx.vni[0] = vni >> 16;
	o->vx.vni[1] = vni >> 8;
	o->vx.vni[2] = vni;
}

/* Points the outer header at `dst` (address, checksum, MAC). */
static __always_inline void outer_set_dst(struct vxlan_outer *o, __u32 dst, const __u8 *dmac)
{
	o->ip.daddr = dst;
	o->ip.check = 0;
	o->ip.check = ipv4_csum(&o->ip);
	mac_copy(o->eth.h_dest, dmac);
}

/*
 * Opens 50 bytes in front of the inner frame. IP frames use adjust_room so that GSO skbs
 * stay segmentable as UDP tunnels; adjust_room refuses non-IP (ARP), which gets change_head.
 * adjust_room opens the room after the original Ethernet header: outer_write puts it back as
 * the inner one at offset 50 (change_head leaves it there already; rewriting it is harmless).
 */
static __always_inline int encap_grow(struct __sk_buff *skb, const struct inner_info *in)
{
	if (in->is_ip) {
		__u64 flags = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_UDP |
			      BPF_F_ADJ_ROOM_ENCAP_L2(ETH_HLEN) | BPF_F_ADJ_ROOM_ENCAP_L2_ETH;

		return bpf_skb_adjust_room(skb, VXVEM_ENCAP_LEN, BPF_ADJ_ROOM_MAC, flags);
	}
	return bpf_skb_change_head(skb, VXVEM_ENCAP_LEN, 0);
}

/*
 * Writes the 64 bytes of `o` from its Ethernet header to the front of the frame. Directly,
 * in eight 8-byte stores, when the linear area holds them (always after adjust_room or
 * change_head; clone_redirect leaves the head writable); bpf_skb_store_bytes otherwise.
 * `o` must be in a map value: 8-byte loads at offset 2 are fine there, not on the stack.
 */
static __always_inline int outer_write(struct __sk_buff *skb, const struct vxlan_outer *o)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	const __u64 *src = (const __u64 *)(const void *)&o->eth;

	if (data + OUTER_WRITE_LEN > data_end)
		return bpf_skb_store_bytes(skb, 0, &o->eth, OUTER_WRITE_LEN, 0);
	__u64 *dst = data;
#pragma unroll
	for (int i = 0; i < OUTER_WRITE_LEN / 8; i++)
		dst[i] = src[i];
	return 0;
}

#endif /* VXVEM_ENCAP_H */
