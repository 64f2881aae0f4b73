// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TC ingress of an uplink: VXLAN from the network to the VMs (docs/dataplane.md, "Network to VM").
 * Only IPv4/UDP/4789 addressed to a local VTEP or a joined group is ours; the rest goes to
 * the kernel untouched. Nothing is learned from a source the segment does not trust ("Security").
 */
#include "lib/decap.h"
#include "lib/ecn.h"
#include "lib/deliver.h"
#include "lib/trust.h"
#include "lib/vlan.h"

#ifndef BPF_F_ADJ_ROOM_DECAP_L3_IPV4
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7) /* kernel >= 6.3; missing from Debian's uapi header */
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)
#endif

/* Bytes after the outer IPv4 header that must be present: UDP, VXLAN, inner Ethernet. */
#define AFTER_IP (sizeof(struct udphdr) + VXLAN_HDR_LEN + ETH_HLEN)

SEC("tc")
int from_uplink(struct __sk_buff *skb)
{
	struct vxvem_config *cfg = get_config();

	if (!cfg)
		return TC_ACT_OK;
	/* Tagged frames on a physical network's uplink belong to its VLAN segments. */
	int vlan = vlan_from_uplink(skb);

	if (vlan >= 0)
		return vlan;
	/* Outer Ethernet + IPv4 (no options) + UDP + VXLAN + inner Ethernet in the linear area. */
	if (skb->data + ETH_HLEN + sizeof(struct iphdr) + AFTER_IP > skb->data_end)
		bpf_skb_pull_data(skb, ETH_HLEN + sizeof(struct iphdr) + AFTER_IP);

	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + ETH_HLEN;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->version != 4 || ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	/* Fragments are reassembled by the kernel; they are not VXLAN to us until then. */
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return TC_ACT_OK;

	__u32 ihl = ip->ihl * 4;
	__u32 saddr = ip->saddr, daddr = ip->daddr;
	__u8 outer_tos = ip->tos;

	if (ihl < sizeof(struct iphdr))
		return TC_ACT_OK;
	/*
	 * IP options move everything after the IPv4 header: read it through load_bytes, in one
	 * call with the first two bytes of the inner IP header (its DS field) when they are there.
	 */
	struct {
		struct udphdr udp;
		struct vxlanhdr vx;
		struct ethhdr inner;
		__u8 inner_ip[2];
	} __attribute__((packed)) h;
	__u32 l4 = ETH_HLEN + (ihl & 0x3c);
	__u8 smac[6];
	int have_ds = 1;

	/* The outer source MAC, for neigh_learn, while the packet pointers are valid. */
	__builtin_memcpy(smac, eth->h_source, 6);
	if (bpf_skb_load_bytes(skb, l4, &h, sizeof(h))) {
		/* Shorter: check whether it is ours before calling it truncated. */
		have_ds = 0;
		if (bpf_skb_load_bytes(skb, l4, &h.udp, sizeof(h.udp)))
			return TC_ACT_OK;
	}
	if (h.udp.dest != bpf_htons(VXLAN_PORT))
		return TC_ACT_OK;

	__u32 slot = local_vtep_slot(daddr);

	if (!slot && !bpf_map_lookup_elem(&vx_groups, &daddr))
		return TC_ACT_OK; /* VXLAN, but not for us */

	/* From here on the frame is ours: anything wrong with it is a counted drop. */
	if (!have_ds && bpf_skb_load_bytes(skb, l4, &h, __builtin_offsetof(typeof(h), inner_ip)))
		return drop(0, DROP_TRUNCATED);
	if (!(h.vx.flags & VXLAN_FLAG_I))
		return drop(0, DROP_VXLAN_FLAGS);
	__u32 vni = vxlan_vni(&h.vx);
	enum vtep_trust trust;
	struct segment *seg = segment_of_sender(vni, saddr, &trust);

	if (!seg)
		return drop(0, DROP_UNKNOWN_VNI); /* one bucket, whatever VNI the sender picked */
	if (local_vtep_slot(saddr))
		return drop(vni, DROP_OWN_VTEP_SOURCE);
	if (trust == VTEP_UNKNOWN)
		trust = vtep_trust(vni, seg, saddr);
	if (trust == VTEP_UNKNOWN)
		return drop(vni, DROP_UNKNOWN_VTEP);
	if (is_multicast_mac(h.inner.h_source))
		return drop(vni, DROP_INNER_MALFORMED);

	__u32 inner_off = l4 + sizeof(struct udphdr) + VXLAN_HDR_LEN;
	int ds = have_ds ? inner_dsfield_of(h.inner_ip, h.inner.h_proto) : inner_dsfield(skb, inner_off + ETH_HLEN, h.inner.h_proto);
	enum ecn_action ecn = ds < 0 ? ECN_KEEP : ecn_decap_action(outer_tos, ds);

	if (ecn == ECN_DROP)
		return drop(vni, DROP_ECN_ERROR);

	struct vtep *v = get_vtep(slot ? slot : seg->vtep_slot);

	/* Next hops only from VTEPs the segment names: a sender merely in the underlay teaches none. */
	if (v && trust == VTEP_PEER)
		neigh_learn(v, saddr, smac);
	struct delivery d = {};

	if (deliver_pick(vni, &h.inner, saddr, &d))
		return TC_ACT_SHOT;

	__u64 flags = 0;

	/* gso_size, not gso_segs: a GSO skb may carry gso_segs 0 (docs/dataplane.md, "GSO"). */
	if (skb->gso_size)
		flags = h.inner.h_proto == bpf_htons(ETH_P_IPV6) ? BPF_F_ADJ_ROOM_DECAP_L3_IPV6 : BPF_F_ADJ_ROOM_DECAP_L3_IPV4;
	/*
	 * Remove [14, inner_off + 14): outer IPv4, UDP, VXLAN and the inner Ethernet header (that
	 * is inner_off bytes), keeping the outer Ethernet slot...
	 */
	if (bpf_skb_adjust_room(skb, -(__s32)inner_off, BPF_ADJ_ROOM_MAC, flags))
		return drop(vni, DROP_DECAP_FAILED);
	/* ...and turn the outer Ethernet header into the inner one. */
	if (write_eth(skb, &h.inner))
		return drop(vni, DROP_DECAP_FAILED);
	if (ecn != ECN_KEEP && ecn_apply(skb, h.inner.h_proto, ecn))
		return drop(vni, DROP_DECAP_FAILED);
	/* skb->protocol is the outer IPv4: equal to the inner one only for an inner IPv4 frame. */
	return deliver(skb, vni, seg, &d, slot && h.inner.h_proto == bpf_htons(ETH_P_IP));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
