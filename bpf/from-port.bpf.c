// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TC ingress of a VM port: frames from the VM to the network. Checks the source (port
 * security), learns it, then switches locally, encapsulates to the remote VTEP, or floods
 * (docs/dataplane.md, "VM to network" and "Security"). DHCP clients are answered (dhcp.h).
 */
#include "lib/fdb.h"
#include "lib/flood.h"
#include "lib/encap.h"
#include "lib/mtu.h"
#include "lib/pkt.h"
#include "lib/portrec.h"
#include "lib/portsec.h"
#include "lib/storm.h"
#include "lib/vlan.h"
#include "lib/dhcp.h"

/* Encapsulation state kept across the copies of one frame. */
struct encap_job {
	struct vxlan_outer o;
	struct vtep v; /* a copy: the agent may rewrite the slot while this frame is in flight */
	__u32 vni;
	__u32 tunnel_ifindex; /* set: send through the kernel vxlan device (fragments, checksums) */
	__u8 is_ip;
	__u8 udp_csum;
	__u16 ip_id; /* outer IPv4 IDs: a per-CPU counter, started at a random value */
};

/* Per-CPU scratch space for the encap_job: the BPF stack (512 bytes) is shared with the ICMP builders. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct encap_job);
} vx_scratch SEC(".maps");

/* Frames from a VM: only this program counts tx. */
static __always_inline void count_tx(const struct segment *seg, __u32 vni, __u32 bytes)
{
	struct seg_counters *c = seg_counters_of(seg, vni);

	if (c) {
		c->tx_packets++;
		c->tx_bytes += bytes;
	}
}

/*
 * Checks the MTU, fills the outer header template and opens the room. Returns -1 when the
 * frame is ready for encap_send(), otherwise the verdict for the frame (ICMP sent, drop).
 */
static __always_inline int prepare_encap(struct __sk_buff *skb, const struct vxvem_config *cfg,
					 const struct segment *seg, struct port *p, __u32 vni,
					 const struct ethhdr *inner, struct encap_job *job)
{
	struct vtep *v = get_vtep(seg->vtep_slot);
	struct inner_info in = { .proto = inner->h_proto };
	__u32 hash = 0;

	if (!v || !v->addr)
		return drop(vni, DROP_NO_VTEP);
	job->v = *v;
	__u32 mtu = job->v.mtu;
	__u32 over = skb->len - ETH_HLEN + VXVEM_ENCAP_LEN > mtu;

	if (in.proto == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;

		if (pkt_load(skb, ETH_HLEN, &ip, sizeof(ip)))
			return drop(vni, DROP_INNER_MALFORMED);
		in.is_ip = 1;
		in.dsfield = ip.tos;
		__u32 l4 = ETH_HLEN + ip.ihl * 4;
		__u32 ports = 0;

		/* Ports only from first fragments of TCP/UDP: later fragments would hash elsewhere. */
		if ((ip.protocol == IPPROTO_TCP || ip.protocol == IPPROTO_UDP) && !(ip.frag_off & bpf_htons(IP_MF | IP_OFFSET)))
			pkt_load(skb, l4, &ports, 4);
		hash = inner_flow_hash(skb, ip.saddr, ip.daddr, ports, ip.protocol);

		if (over && l3_segment_len(skb, ETH_HLEN, l4, ip.protocol) + VXVEM_ENCAP_LEN > mtu) {
			__u8 type = 0;

			if (!(ip.frag_off & bpf_htons(IP_DF))) {
				/*
				 * Without DF the packet must still arrive, fragmented (the kernel vxlan
				 * fragments the outer packet). BPF cannot split an skb, so these rare frames
				 * take the kernel's vxlan device, with the tunnel key we would have used.
				 */
				if (!cfg->tunnel_ifindex)
					return drop(vni, DROP_MTU_EXCEEDED);
				job->tunnel_ifindex = cfg->tunnel_ifindex;
			} else {
				if (ip.protocol == IPPROTO_ICMP && !bpf_skb_load_bytes(skb, l4, &type, 1) && icmp4_is_error(type))
					return drop(vni, DROP_MTU_EXCEEDED); /* never ICMP in reply to an ICMP error */
				if (!icmp_allowed(cfg, p))
					return drop(vni, DROP_ICMP_RATELIMIT);
				return send_frag_needed(skb, vni, mtu - VXVEM_ENCAP_LEN);
			}
		}
	} else if (in.proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)))
			return drop(vni, DROP_INNER_MALFORMED);
		in.is_ip = 1;
		in.dsfield = (ip6.priority << 4) | (ip6.flow_lbl[0] >> 4);
		__u32 l4 = ETH_HLEN + sizeof(ip6);
		__u32 ports = 0;

		if (ip6.nexthdr == IPPROTO_TCP || ip6.nexthdr == IPPROTO_UDP)
			bpf_skb_load_bytes(skb, l4, &ports, 4);
		hash = inner_flow_hash(skb, ip6.saddr.in6_u.u6_addr32[3] ^ ip6.saddr.in6_u.u6_addr32[1],
				       ip6.daddr.in6_u.u6_addr32[3] ^ ip6.daddr.in6_u.u6_addr32[1], ports, ip6.nexthdr);

		if (over && l3_segment_len(skb, ETH_HLEN, l4, ip6.nexthdr) + VXVEM_ENCAP_LEN > mtu) {
			__u8 type = 0;

			if (ip6.nexthdr == IPPROTO_ICMPV6 && !bpf_skb_load_bytes(skb, l4, &type, 1) && icmp6_is_error(type))
				return drop(vni, DROP_MTU_EXCEEDED);
			if (!icmp_allowed(cfg, p))
				return drop(vni, DROP_ICMP_RATELIMIT);
			return send_pkt_too_big(skb, vni, mtu - VXVEM_ENCAP_LEN);
		}
	} else if (over) {
		return drop(vni, DROP_MTU_NON_IP);
	} else {
		/* Non-IP (ARP): the MAC pair is the flow. */
		hash = inner_flow_hash(skb, *(__u32 *)inner->h_dest, *(__u32 *)inner->h_source, inner->h_proto, 0);
	}

	/*
	 * A valid outer UDP checksum over a GSO skb needs SKB_GSO_UDP_TUNNEL_CSUM, which
	 * bpf_skb_adjust_room cannot set, and inner checksums may still be unfinished
	 * (CHECKSUM_PARTIAL). The kernel's vxlan gets both right: hand it the frame and the key.
	 */
	job->udp_csum = !!(cfg->flags & CFG_F_UDP_CSUM);
	if (job->udp_csum) {
		if (!cfg->tunnel_ifindex)
			return drop(vni, DROP_ENCAP_FAILED);
		job->tunnel_ifindex = cfg->tunnel_ifindex;
	}
	job->is_ip = in.is_ip;
	job->vni = vni;
	if (!job->ip_id)
		job->ip_id = bpf_get_prandom_u32();
	outer_init(&job->o, cfg, &job->v, vni, outer_tos(cfg, in.dsfield), outer_src_port(cfg, hash), skb->len,
		   job->ip_id++, inner);
	if (job->tunnel_ifindex)
		return -1; /* the kernel device encapsulates */
	if (encap_grow(skb, &in))
		return drop(vni, DROP_ENCAP_FAILED);
	return -1;
}

/*
 * Sends the encapsulated frame to `dst`: a clone when more copies follow, the skb itself for
 * the last one. Returns the verdict for the last copy, 0 for a sent clone, -1 on failure.
 */
static __always_inline int encap_send(struct __sk_buff *skb, struct encap_job *job, __u32 dst, int last)
{
	__u8 dmac[6] = {};
	__u32 nh = 0;

	if (job->tunnel_ifindex) {
		/* bpf_tunnel_key carries IPv4 addresses in host order. */
		struct bpf_tunnel_key key = {
			.tunnel_id = job->vni,
			.remote_ipv4 = bpf_ntohl(dst),
			.tunnel_tos = job->o.ip.tos,
			.tunnel_ttl = job->o.ip.ttl,
			.local_ipv4 = bpf_ntohl(job->v.addr),
		};

		if (bpf_skb_set_tunnel_key(skb, &key, sizeof(key), job->udp_csum ? 0 : BPF_F_ZERO_CSUM_TX))
			return -1;
		if (last)
			return bpf_redirect(job->tunnel_ifindex, 0);
		return bpf_clone_redirect(skb, job->tunnel_ifindex, 0) ? -1 : 0;
	}

	if (next_hop_mac(&job->v, dst, dmac, &nh)) {
		neigh_miss_event(job->v.ifindex, nh);
		if (!last || !job->is_ip)
			return -1;
		/* IP frames can wait for ARP in the kernel's neighbour queue instead of being lost. */
		struct bpf_redir_neigh params = { .nh_family = 2 /* AF_INET */, .ipv4_nh = nh };

		outer_set_dst(&job->o, dst, dmac);
		if (outer_write(skb, &job->o))
			return -1;
		return bpf_redirect_neigh(job->v.ifindex, &params, sizeof(params), 0);
	}
	outer_set_dst(&job->o, dst, dmac);
	if (outer_write(skb, &job->o))
		return -1;
	if (last)
		return bpf_redirect(job->v.ifindex, 0);
	return bpf_clone_redirect(skb, job->v.ifindex, 0) ? -1 : 0;
}

struct flood_remote_ctx {
	struct __sk_buff *skb;
	struct encap_job *job;
	struct flood_list *fl;
	__u32 copies;
	__u32 failed;
	int verdict;
};

/* One head-end replication copy; the last one carries the original skb. */
static long flood_remote_one(__u32 i, void *data)
{
	struct flood_remote_ctx *c = data;
	__u32 n = c->fl->count;

	if (i >= n || i >= VXVEM_MAX_FLOOD)
		return 1;
	int last = i + 1 == n;
	int r = encap_send(c->skb, c->job, c->fl->vteps[i], last);

	if (r < 0) {
		c->failed++;
	} else {
		c->copies++;
		if (last)
			c->verdict = r;
	}
	return 0;
}

static __always_inline int flood(struct __sk_buff *skb, const struct vxvem_config *cfg, const struct segment *seg,
				 struct port *p, __u32 vni, const struct ethhdr *inner, struct encap_job *job)
{
	__u32 copies;
	int verdict;

	if (p->storm_pps && !storm_allow(skb->ifindex, p->storm_pps))
		return drop(vni, DROP_STORM);
	copies = flood_local(skb, vni, skb->ifindex, NULL);

	if (seg->mode == FLOOD_VLAN) {
		/* One tagged copy on the uplink, the original skb. */
		verdict = vlan_to_uplink(skb, vni);
		if (verdict == TC_ACT_REDIRECT)
			copies++;
		goto done;
	}

	if (seg->mode == FLOOD_MULTICAST) {
		if (!seg->group)
			goto local_only;
		verdict = prepare_encap(skb, cfg, seg, p, vni, inner, job);
		if (verdict >= 0)
			goto done;
		verdict = encap_send(skb, job, seg->group, 1);
		if (verdict < 0) {
			count_flood(vni, copies);
			return drop(vni, DROP_NO_NEIGHBOR);
		}
		copies++;
		goto done;
	}

	struct flood_remote_ctx c = { .skb = skb, .job = job, .verdict = TC_ACT_SHOT };

	c.fl = bpf_map_lookup_elem(&vx_flood, &vni);
	if (!c.fl || !c.fl->count)
		goto local_only;
	verdict = prepare_encap(skb, cfg, seg, p, vni, inner, job);
	if (verdict >= 0)
		goto done;
	bpf_loop(VXVEM_MAX_FLOOD, flood_remote_one, &c, 0);
	copies += c.copies;
	verdict = c.verdict;
	if (c.failed)
		drop(vni, DROP_NO_NEIGHBOR);
done:
	count_flood(vni, copies);
	return verdict;
local_only:
	/* Every copy was a clone: the original has nowhere left to go (not a drop). */
	count_flood(vni, copies);
	return TC_ACT_SHOT;
}

SEC("tc")
int from_port(struct __sk_buff *skb)
{
	struct vxvem_config *cfg = get_config();
	__u32 ifindex = skb->ifindex;

	if (!cfg)
		return TC_ACT_OK;
	struct port *p;
	struct segment *seg;
	enum port_lookup found = port_and_segment(ifindex, &p, &seg);

	if (found == PORT_NONE || !p)
		return TC_ACT_OK; /* not a port of ours */
	__u32 vni = p->vni;
	__u8 mac_flags = (p->flags & PORT_F_PEER) ? MAC_F_PEER : 0;

	if (p->flags & PORT_F_TRUNK) {
		int verdict = trunk_from_port(skb, ifindex, &vni, &mac_flags);

		if (verdict >= 0)
			return verdict;
		/* A tagged frame belongs to its subport's segment, not the record's. */
		if (vni != p->vni)
			seg = bpf_map_lookup_elem(&vx_segments, &vni);
	}
	if (!seg)
		return drop(0, DROP_UNKNOWN_VNI); /* one bucket for every VNI not bound here */

	__u32 zero = 0;
	struct encap_job *job = bpf_map_lookup_elem(&vx_scratch, &zero);
	struct ethhdr inner;

	if (!job)
		return TC_ACT_OK;
	job->tunnel_ifindex = 0; /* per-CPU scratch: left over from the previous frame otherwise */

	if (pkt_load(skb, 0, &inner, sizeof(inner)))
		return drop(vni, DROP_INNER_MALFORMED);
	if (is_multicast_mac(inner.h_source))
		return drop(vni, DROP_INNER_MALFORMED);
	/* A DHCP client is answered here, before any check that would forward or learn. */
	if ((p->flags & PORT_F_DHCP) && inner.h_proto == bpf_htons(ETH_P_IP)) {
		int verdict = dhcp_answer(skb, vni);

		if (verdict >= 0)
			return verdict;
	}
	/* Checked before learning: a spoofed frame teaches the table nothing. */
	if ((p->flags & PORT_F_SECURE) && !port_source_ok(skb, p, ifindex, &inner))
		return drop(vni, DROP_SPOOFED_SOURCE);

	int learned = fdb_learn(vni, inner.h_source, MAC_KIND_LOCAL, ifindex, 0, mac_flags, p->max_macs);

	if (learned == FDB_STATIC)
		return drop(vni, DROP_STATIC_MAC_CONFLICT);
	if (learned == FDB_FULL)
		return drop(vni, DROP_MAC_LIMIT);
	count_tx(seg, vni, skb->len);

	if (!is_multicast_mac(inner.h_dest)) {
		struct mac_entry *e = fdb_lookup(vni, inner.h_dest);

		if (e && e->kind == MAC_KIND_LOCAL) {
			if (e->ifindex == ifindex)
				return drop(vni, DROP_HAIRPIN);
			if (e->flags & MAC_F_TRUNK)
				return trunk_redirect(skb, vni, e->ifindex);
			return bpf_redirect(e->ifindex, 0);
		}
		if (e && e->kind == MAC_KIND_REMOTE && seg->mode == FLOOD_VLAN)
			return vlan_to_uplink(skb, vni);
		if (e && e->kind == MAC_KIND_REMOTE) {
			__u32 dst = e->vtep;
			int verdict = prepare_encap(skb, cfg, seg, p, vni, &inner, job);

			if (verdict >= 0)
				return verdict;
			verdict = encap_send(skb, job, dst, 1);
			return verdict < 0 ? drop(vni, DROP_NO_NEIGHBOR) : verdict;
		}
	}
	return flood(skb, cfg, seg, p, vni, &inner, job);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
