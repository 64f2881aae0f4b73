// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * XDP on an uplink (optional, `"xdp": true` on a VTEP): for NICs with native XDP. Invalid
 * VXLAN for us is dropped here, before an skb exists; a unicast frame for a known local MAC is
 * decapsulated and redirected to its port. Everything else (floods, which need clones; ECN
 * rewrites; IP options; fragments; not ours) is passed to the TC program, which does it all.
 *
 * On veth, the port side only accepts redirected frames with GRO or an XDP program on the
 * VM's interface, and TCP sent with checksum offload from a veth peer arrives unfinished:
 * this path is meant for real NICs (docs/dataplane.md, "XDP on veth").
 */
#include "lib/decap.h"
#include "lib/fdb.h"
#include "lib/trust.h"

/* The frame up to the inner Ethernet header, IPv4 without options. */
struct vxlan_stack {
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	struct vxlanhdr vx;
	struct ethhdr inner;
} __attribute__((packed));

static __always_inline int xdp_drop(__u32 vni, __u32 reason)
{
	count_drop(vni, reason);
	return XDP_DROP;
}

SEC("xdp")
int xdp_uplink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct vxlan_stack *h = data;

	if (!get_config() || (void *)(h + 1) > data_end)
		return XDP_PASS;
	if (h->eth.h_proto != bpf_htons(ETH_P_IP) || h->ip.version != 4 || h->ip.ihl != 5 ||
	    h->ip.protocol != IPPROTO_UDP || h->udp.dest != bpf_htons(VXLAN_PORT) ||
	    (h->ip.frag_off & bpf_htons(IP_MF | IP_OFFSET)))
		return XDP_PASS;

	__u32 daddr = h->ip.daddr, saddr = h->ip.saddr;
	__u32 slot = local_vtep_slot(daddr);

	if (!slot)
		return XDP_PASS; /* group traffic is flooding: TC clones it */
	if (!(h->vx.flags & VXLAN_FLAG_I))
		return xdp_drop(0, DROP_VXLAN_FLAGS);

	__u32 vni = vxlan_vni(&h->vx);
	enum vtep_trust trust;
	struct segment *seg = segment_of_sender(vni, saddr, &trust);

	if (!seg)
		return xdp_drop(0, DROP_UNKNOWN_VNI); /* one bucket, whatever VNI the sender picked */
	if (local_vtep_slot(saddr))
		return xdp_drop(vni, DROP_OWN_VTEP_SOURCE);
	if (trust == VTEP_UNKNOWN)
		trust = vtep_trust(vni, seg, saddr);
	if (trust == VTEP_UNKNOWN)
		return xdp_drop(vni, DROP_UNKNOWN_VTEP);
	if (is_multicast_mac(h->inner.h_source))
		return xdp_drop(vni, DROP_INNER_MALFORMED);
	/* Outer CE or ECT(1) may change the inner header: TC's RFC 6040 path does that. */
	if ((h->ip.tos & INET_ECN_MASK) == ECN_CE || (h->ip.tos & INET_ECN_MASK) == ECN_ECT_1)
		return XDP_PASS;
	if (is_multicast_mac(h->inner.h_dest))
		return XDP_PASS;

	struct mac_entry *e = fdb_lookup(vni, h->inner.h_dest);

	if (!e)
		return XDP_PASS; /* unknown unicast floods: TC */
	if (e->kind == MAC_KIND_REMOTE)
		return xdp_drop(vni, DROP_SPLIT_HORIZON);
	if (e->flags & MAC_F_TRUNK)
		return XDP_PASS; /* the VM wants it tagged: TC pushes the tag */

	__u32 port = e->ifindex;
	struct vtep *v = get_vtep(slot);

	if (v && trust == VTEP_PEER)
		neigh_learn(v, saddr, h->eth.h_source);
	fdb_learn(vni, h->inner.h_source, MAC_KIND_REMOTE, 0, saddr, 0, 0);
	if (bpf_xdp_adjust_head(ctx, VXVEM_ENCAP_LEN))
		return xdp_drop(vni, DROP_DECAP_FAILED);
	count_rx(seg, vni, (__u32)(ctx->data_end - ctx->data));
	return bpf_redirect(port, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
