/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Path MTU towards the VM: a frame that will not fit the uplink after encapsulation is turned
 * into an ICMP "fragmentation needed" (IPv4 with DF) or ICMPv6 "packet too big" and sent back
 * out of the port it came from, so the VM's stack learns the overlay MTU (uplink MTU - 50).
 */
#ifndef VXVEM_MTU_H
#define VXVEM_MTU_H

#include "metrics.h"
#include "csum.h"

#define ICMP4_QUOTE 28 /* the offending IPv4 header + 8 bytes: enough to find the socket */
#define ICMP6_QUOTE 48 /* IPv6 header + 8 bytes */

/* Replies are built on the stack; `pad` aligns the IP header as in struct vxlan_outer. */
struct icmp4_reply {
	__u16 pad;
	struct ethhdr eth;
	struct iphdr ip;
	struct icmp4_hdr icmp;
	__u8 quote[ICMP4_QUOTE];
};

struct icmp6_reply {
	__u16 pad;
	struct ethhdr eth;
	struct ipv6hdr ip6;
	struct icmp6_hdr icmp;
	__u8 quote[ICMP6_QUOTE];
};

#define ICMP4_REPLY_LEN (ETH_HLEN + 20 + 8 + ICMP4_QUOTE)
#define ICMP6_REPLY_LEN (ETH_HLEN + 40 + 8 + ICMP6_QUOTE)

/* The ICMPv6 pseudo header that the checksum covers before the message itself. */
struct icmp6_pseudo {
	struct in6_addr src;
	struct in6_addr dst;
	__u32 len;   /* be */
	__u32 next;  /* be: IPPROTO_ICMPV6 */
};

/* ICMP errors are never answered with another one (RFC 1122, RFC 4443). */
static __always_inline int icmp4_is_error(__u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

static __always_inline int icmp6_is_error(__u8 type)
{
	return !(type & ICMPV6_INFOMSG_MASK);
}

/*
 * L3 size of the largest packet this skb becomes: one GSO segment, or the whole frame.
 * GSO is told by gso_size alone: a frame from a tap (virtio_net_hdr_to_skb) carries gso_size
 * with gso_segs still 0 until segmentation (docs/dataplane.md, "GSO").
 */
static __always_inline __u32 l3_segment_len(struct __sk_buff *skb, __u32 l3_off, __u32 l4_off, __u8 proto)
{
	__u32 l3len = skb->len - l3_off;

	if (!skb->gso_size)
		return l3len;
	if (proto == IPPROTO_TCP) {
		__u8 doff;

		if (bpf_skb_load_bytes(skb, l4_off + 12, &doff, 1))
			return l3len;
		return skb->gso_size + (l4_off - l3_off) + (doff >> 4) * 4;
	}
	return skb->gso_size + (l4_off - l3_off) + sizeof(struct udphdr);
}

/* Per-port budget: at most one too-big reply per cfg->icmp_rate_ns. */
static __always_inline int icmp_allowed(const struct vxvem_config *cfg, struct port *p)
{
	__u64 now = bpf_ktime_get_ns();

	if (now - p->icmp_last_ns < cfg->icmp_rate_ns)
		return 0;
	p->icmp_last_ns = now;
	return 1;
}

/* Replaces the frame with an ICMP frag-needed for it and sends it back out of the port. */
/* Not inlined: its stack frame is only live while it runs (the BPF stack is 512 bytes). */
static __attribute__((noinline)) int send_frag_needed(struct __sk_buff *skb, __u32 vni, __u16 mtu)
{
	struct icmp4_reply r = {};
	struct ethhdr eth;
	struct iphdr ip;

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN, r.quote, ICMP4_QUOTE))
		return drop(vni, DROP_TRUNCATED);
	__builtin_memcpy(&ip, r.quote, sizeof(ip));

	mac_copy(r.eth.h_dest, eth.h_source);
	mac_copy(r.eth.h_source, eth.h_dest);
	r.eth.h_proto = bpf_htons(ETH_P_IP);
	r.ip.version = 4;
	r.ip.ihl = 5;
	r.ip.tos = 0xc0; /* internetwork control, as routers send their ICMP */
	r.ip.tot_len = bpf_htons(ICMP4_REPLY_LEN - ETH_HLEN);
	r.ip.ttl = 64;
	r.ip.protocol = IPPROTO_ICMP;
	r.ip.saddr = ip.daddr;
	r.ip.daddr = ip.saddr;
	r.ip.check = ipv4_csum(&r.ip);
	r.icmp.type = ICMP_DEST_UNREACH;
	r.icmp.code = ICMP_FRAG_NEEDED;
	r.icmp.mtu = bpf_htons(mtu);
	r.icmp.checksum = csum_fold(bpf_csum_diff(NULL, 0, (__be32 *)&r.icmp, sizeof(r.icmp) + ICMP4_QUOTE, 0));

	if (bpf_skb_change_tail(skb, ICMP4_REPLY_LEN, 0) || bpf_skb_store_bytes(skb, 0, &r.eth, ICMP4_REPLY_LEN, 0))
		return drop(vni, DROP_ENCAP_FAILED);
	drop(vni, DROP_MTU_ICMP_SENT);
	return bpf_redirect(skb->ifindex, 0);
}

/* IPv6 counterpart: ICMPv6 Packet Too Big with the MTU the overlay can carry. */
static __attribute__((noinline)) int send_pkt_too_big(struct __sk_buff *skb, __u32 vni, __u16 mtu)
{
	struct icmp6_reply r = {};
	struct icmp6_pseudo ph = {};
	struct ipv6hdr *orig = (struct ipv6hdr *)r.quote;

	if (bpf_skb_load_bytes(skb, 0, &r.eth, sizeof(r.eth)) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN, r.quote, ICMP6_QUOTE))
		return drop(vni, DROP_TRUNCATED);

	__u8 vm_mac[6];

	mac_copy(vm_mac, r.eth.h_source);
	mac_copy(r.eth.h_source, r.eth.h_dest);
	mac_copy(r.eth.h_dest, vm_mac);
	r.ip6.version = 6;
	r.ip6.payload_len = bpf_htons(sizeof(struct icmp6_hdr) + ICMP6_QUOTE);
	r.ip6.nexthdr = IPPROTO_ICMPV6;
	r.ip6.hop_limit = 64;
	r.ip6.saddr = orig->daddr;
	r.ip6.daddr = orig->saddr;
	r.icmp.type = ICMPV6_PKT_TOOBIG;
	r.icmp.mtu = bpf_htonl(mtu);

	ph.src = r.ip6.saddr;
	ph.dst = r.ip6.daddr;
	ph.len = bpf_htonl(sizeof(struct icmp6_hdr) + ICMP6_QUOTE);
	ph.next = bpf_htonl(IPPROTO_ICMPV6);
	__s64 sum = bpf_csum_diff(NULL, 0, (__be32 *)&ph, sizeof(ph), 0);

	sum = bpf_csum_diff(NULL, 0, (__be32 *)&r.icmp, sizeof(r.icmp) + ICMP6_QUOTE, sum);
	r.icmp.checksum = csum_fold(sum);

	if (bpf_skb_change_tail(skb, ICMP6_REPLY_LEN, 0) || bpf_skb_store_bytes(skb, 0, &r.eth, ICMP6_REPLY_LEN, 0))
		return drop(vni, DROP_ENCAP_FAILED);
	drop(vni, DROP_MTU_ICMP_SENT);
	return bpf_redirect(skb->ifindex, 0);
}

#endif /* VXVEM_MTU_H */
