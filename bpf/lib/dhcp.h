/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * DHCP from the VEM (docs/dataplane.md, "DHCP"): on a port marked PORT_F_DHCP, a DHCP client's
 * request (IPv4 UDP 68 to 67) is answered here, from the port's vx_dhcp record, and sent back out
 * of the port; it never reaches another port or the network. DISCOVER gets an OFFER, REQUEST an
 * ACK for the port's address or a NAK for any other; the rest is taken without reply.
 */
#ifndef VXVEM_DHCP_H
#define VXVEM_DHCP_H

#include "metrics.h"
#include "csum.h"
#include "portsec.h"

#define BOOTREQUEST 1
#define BOOTREPLY   2
#define BOOTP_HTYPE_ETHER 1
#define DHCP_MAGIC  0x63825363
#define DHCP_FLAG_BROADCAST 0x8000

#define DHCP_OPT_PAD          0
#define DHCP_OPT_REQUESTED_IP 50
#define DHCP_OPT_MSG_TYPE     53
#define DHCP_OPT_SERVER_ID    54
#define DHCP_OPT_END          255

#define DHCPDISCOVER 1
#define DHCPOFFER    2
#define DHCPREQUEST  3
#define DHCPACK      5
#define DHCPNAK      6

#define DHCP_MAX_OPTS 64 /* options of a request looked at; clients send about a dozen */

/* The fixed part of a BOOTP message (RFC 951, RFC 2131) and the magic cookie. */
struct bootp {
	__u8 op;
	__u8 htype;
	__u8 hlen;
	__u8 hops;
	__u32 xid;
	__u16 secs;
	__u16 flags;
	__u32 ciaddr;
	__u32 yiaddr;
	__u32 siaddr;
	__u32 giaddr;
	__u8 chaddr[16];
	__u8 sname[64];
	__u8 file[128];
	__u32 cookie;
};

/* A reply from its IPv4 header on: built in per-CPU scratch (too large for the BPF stack). */
struct dhcp_reply {
	struct iphdr ip;
	struct udphdr udp;
	struct bootp bp;
	__u8 options[VXVEM_DHCP_OPTS_LEN];
};

#define DHCP_L4_OFF   (ETH_HLEN + sizeof(struct iphdr))
#define DHCP_BOOTP_OFF (DHCP_L4_OFF + sizeof(struct udphdr))
#define DHCP_OPTS_OFF (DHCP_BOOTP_OFF + sizeof(struct bootp))
#define DHCP_UDP_LEN  (sizeof(struct udphdr) + sizeof(struct bootp) + VXVEM_DHCP_OPTS_LEN)

/* Port ifindex -> its DHCP answers; a port marked PORT_F_DHCP without a record is switched as usual. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_PORT_ENTRIES);
	__type(key, __u32);
	__type(value, struct dhcp_lease);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_dhcp SEC(".maps");

/* VNI -> per-CPU replies sent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VX_SEGMENT_ENTRIES);
	__type(key, __u32);
	__type(value, struct dhcp_counters);
	PINNED;
} vx_dhcp_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dhcp_reply);
} vx_dhcp_scratch SEC(".maps");

static __always_inline void count_dhcp_reply(__u32 vni, __u8 type)
{
	struct dhcp_counters *c = bpf_map_lookup_elem(&vx_dhcp_counters, &vni);

	if (!c) {
		struct dhcp_counters zero = {};

		bpf_map_update_elem(&vx_dhcp_counters, &vni, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&vx_dhcp_counters, &vni);
		if (!c)
			return;
	}
	if (type == DHCPOFFER)
		c->offers++;
	else if (type == DHCPACK)
		c->acks++;
	else
		c->naks++;
}

/* What the options of a request say, gathered one option per bpf_loop step. */
struct dhcp_scan {
	struct __sk_buff *skb;
	__u32 off;
	__u32 end;
	__u32 requested; /* be: option 50, 0 when absent */
	__u32 server;    /* be: option 54, 0 when absent */
	__u8 type;       /* option 53, 0 when absent */
	__u8 bad;        /* an option runs past the end of the message */
};

static long dhcp_scan_one(__u32 i, void *data)
{
	struct dhcp_scan *s = data;
	__u8 opt[2];

	if (s->off >= s->end || bpf_skb_load_bytes(s->skb, s->off, opt, 1))
		return 1; /* the message ends without END: what was read counts */
	if (opt[0] == DHCP_OPT_END)
		return 1;
	if (opt[0] == DHCP_OPT_PAD) {
		s->off++;
		return 0;
	}
	if (s->off + 2 > s->end || bpf_skb_load_bytes(s->skb, s->off, opt, 2)) {
		s->bad = 1;
		return 1;
	}
	__u32 val = s->off + 2;

	if (val + opt[1] > s->end) {
		s->bad = 1;
		return 1;
	}
	if (opt[0] == DHCP_OPT_MSG_TYPE && opt[1] == 1)
		bpf_skb_load_bytes(s->skb, val, &s->type, 1);
	else if (opt[0] == DHCP_OPT_REQUESTED_IP && opt[1] == 4)
		bpf_skb_load_bytes(s->skb, val, &s->requested, 4);
	else if (opt[0] == DHCP_OPT_SERVER_ID && opt[1] == 4)
		bpf_skb_load_bytes(s->skb, val, &s->server, 4);
	s->off = val + opt[1];
	return 0;
}

/* The reply type for a request of type `type` (0: no reply). */
static __always_inline __u8 dhcp_reply_type(const struct dhcp_scan *s, const struct dhcp_lease *l, __u32 ciaddr)
{
	if (s->type == DHCPDISCOVER)
		return DHCPOFFER;
	if (s->type != DHCPREQUEST)
		return 0;
	if (s->server && s->server != l->server)
		return 0; /* SELECTING another server's offer: not ours to answer */
	__u32 want = s->requested ? s->requested : ciaddr;

	return want == l->yiaddr ? DHCPACK : DHCPNAK;
}

/* Rewrites the request in `r` (its BOOTP part as received) into the reply of type `type`. */
static __always_inline void dhcp_build(struct dhcp_reply *r, const struct dhcp_lease *l, __u8 type, __u32 dst)
{
	__u32 ciaddr = r->bp.ciaddr;

	r->bp.op = BOOTREPLY;
	r->bp.hops = 0;
	r->bp.secs = 0;
	r->bp.ciaddr = type == DHCPACK ? ciaddr : 0; /* RFC 2131, table 3 */
	r->bp.yiaddr = type == DHCPNAK ? 0 : l->yiaddr;
	r->bp.siaddr = 0;
	__builtin_memset(r->bp.sname, 0, sizeof(r->bp.sname));
	__builtin_memset(r->bp.file, 0, sizeof(r->bp.file));
	if (type == DHCPNAK) {
		/* A NAK carries its type and the server identifier only. */
		__builtin_memset(r->options, 0, sizeof(r->options));
		r->options[0] = DHCP_OPT_MSG_TYPE;
		r->options[1] = 1;
		r->options[2] = DHCPNAK;
		r->options[3] = DHCP_OPT_SERVER_ID;
		r->options[4] = 4;
		__builtin_memcpy(&r->options[5], &l->server, 4);
		r->options[9] = DHCP_OPT_END;
	} else {
		__builtin_memcpy(r->options, l->options, sizeof(r->options));
		r->options[2] = type;
	}

	__builtin_memset(&r->ip, 0, sizeof(r->ip));
	r->ip.version = 4;
	r->ip.ihl = 5;
	r->ip.tot_len = bpf_htons(sizeof(*r));
	r->ip.ttl = 64;
	r->ip.protocol = IPPROTO_UDP;
	r->ip.saddr = l->server;
	r->ip.daddr = dst;
	r->ip.check = ipv4_csum(&r->ip);
	r->udp.source = bpf_htons(DHCP_SERVER_PORT);
	r->udp.dest = bpf_htons(DHCP_CLIENT_PORT);
	r->udp.len = bpf_htons(DHCP_UDP_LEN);
	r->udp.check = 0xffff; /* a ones'-complement zero: the sums below start from it */
}

/*
 * The UDP checksum, right whether the kernel still has to complete it (CHECKSUM_PARTIAL, as a
 * guest's UDP socket on a tap or veth leaves it: csum_start and csum_offset already point at
 * this UDP header) or not: bpf_l4_csum_replace applies the pseudo header to a partial skb and
 * both sums to a complete one.
 */
static __always_inline int dhcp_udp_csum(struct __sk_buff *skb, struct dhcp_reply *r)
{
	struct {
		__u32 saddr;
		__u32 daddr;
		__u8 zero;
		__u8 proto;
		__u16 len;
	} ph = { .saddr = r->ip.saddr, .daddr = r->ip.daddr, .proto = IPPROTO_UDP, .len = r->udp.len };
	__s64 pseudo = bpf_csum_diff(NULL, 0, (__be32 *)&ph, sizeof(ph), 0);
	__s64 data = bpf_csum_diff(NULL, 0, (__be32 *)&r->udp, DHCP_UDP_LEN, 0);
	__u32 at = DHCP_L4_OFF + 6; /* udphdr.check */

	if (pseudo < 0 || data < 0)
		return -1;
	if (bpf_l4_csum_replace(skb, at, 0, pseudo, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0))
		return -1;
	return bpf_l4_csum_replace(skb, at, 0, data, BPF_F_MARK_MANGLED_0) ? -1 : 0;
}

/*
 * -1 when the frame is not a DHCP client's request to a server (the normal path takes it);
 * otherwise the verdict: the reply sent back out of the port, or a counted drop.
 */
static __attribute__((noinline)) int dhcp_answer(struct __sk_buff *skb, __u32 vni)
{
	struct iphdr ip;
	__u16 ports[2];
	__u32 ifindex = skb->ifindex;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) || ip.protocol != IPPROTO_UDP)
		return -1;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + ip.ihl * 4, ports, sizeof(ports)) ||
	    ports[0] != bpf_htons(DHCP_CLIENT_PORT) || ports[1] != bpf_htons(DHCP_SERVER_PORT))
		return -1;
	struct dhcp_lease *l = bpf_map_lookup_elem(&vx_dhcp, &ifindex);

	if (!l)
		return -1;
	/* From here on the frame is the port's DHCP client talking to us: answered or dropped. */
	__u32 end = ETH_HLEN + bpf_ntohs(ip.tot_len);

	if (ip.ihl != 5 || (ip.frag_off & bpf_htons(IP_MF | IP_OFFSET)) || skb->gso_size ||
	    end > skb->len || end < DHCP_OPTS_OFF)
		return drop(vni, DROP_DHCP_MALFORMED);

	__u32 zero = 0;
	struct dhcp_reply *r = bpf_map_lookup_elem(&vx_dhcp_scratch, &zero);
	__u8 smac[6];

	if (!r)
		return drop(vni, DROP_DHCP_MALFORMED);
	if (bpf_skb_load_bytes(skb, DHCP_BOOTP_OFF, &r->bp, sizeof(r->bp)) ||
	    bpf_skb_load_bytes(skb, ETH_ALEN, smac, sizeof(smac)))
		return drop(vni, DROP_DHCP_MALFORMED);
	if (r->bp.op != BOOTREQUEST || r->bp.htype != BOOTP_HTYPE_ETHER || r->bp.hlen != ETH_ALEN ||
	    r->bp.cookie != bpf_htonl(DHCP_MAGIC))
		return drop(vni, DROP_DHCP_MALFORMED);
	if (!mac_same(smac, l->mac) || !mac_same(r->bp.chaddr, l->mac))
		return drop(vni, DROP_DHCP_FOREIGN);

	struct dhcp_scan s = { .skb = skb, .off = DHCP_OPTS_OFF, .end = end };

	bpf_loop(DHCP_MAX_OPTS, dhcp_scan_one, &s, 0);
	if (s.bad || !s.type)
		return drop(vni, DROP_DHCP_MALFORMED);
	__u8 type = dhcp_reply_type(&s, l, r->bp.ciaddr);

	if (!type)
		return drop(vni, DROP_DHCP_UNANSWERED);

	/* RFC 2131, 4.1: a NAK and a reply the client asked to be broadcast go to all; else to the client. */
	struct ethhdr eth = { .h_proto = bpf_htons(ETH_P_IP) };
	__u32 ciaddr = r->bp.ciaddr;
	__u32 dst;

	if (type == DHCPNAK || (!ciaddr && (r->bp.flags & bpf_htons(DHCP_FLAG_BROADCAST)))) {
		dst = 0xffffffff;
		__builtin_memset(eth.h_dest, 0xff, ETH_ALEN);
	} else {
		dst = ciaddr ? ciaddr : l->yiaddr;
		mac_copy(eth.h_dest, l->mac);
	}
	mac_copy(eth.h_source, l->server_mac);
	dhcp_build(r, l, type, dst);

	if (bpf_skb_change_tail(skb, ETH_HLEN + sizeof(*r), 0) ||
	    bpf_skb_store_bytes(skb, 0, &eth, sizeof(eth), 0) ||
	    bpf_skb_store_bytes(skb, ETH_HLEN, r, sizeof(*r), 0) ||
	    dhcp_udp_csum(skb, r))
		return drop(vni, DROP_ENCAP_FAILED);
	count_dhcp_reply(vni, type);
	return bpf_redirect(ifindex, 0);
}

#endif /* VXVEM_DHCP_H */
