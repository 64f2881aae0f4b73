// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The benchmark's floor: the same VM-host-host-VM path with no switch at all, a TC program
 * that only redirects port <-> uplink. No VXLAN switch can beat this on the same harness.
 * On the uplink, only frames for the VM's MAC (or broadcast) are taken: the rest (the bench's
 * own control connection between two real hosts) stays with the host.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct floor_hop {
	__u32 to;        /* ifindex frames are redirected to */
	__u32 only_vm;   /* 1: only frames whose destination is floor_vm (or broadcast) */
};

/* ifindex (port or uplink) -> where its frames go. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct floor_hop);
} floor_peer SEC(".maps");

/* Slot 0: the MAC of the VM behind the port (bytes 0-5; 6-7 padding). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} floor_vm SEC(".maps");

SEC("tc")
int floor_redirect(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex, zero = 0;
	struct floor_hop *hop = bpf_map_lookup_elem(&floor_peer, &ifindex);
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (!hop)
		return TC_ACT_OK;
	if (hop->only_vm) {
		__u8 *vm = bpf_map_lookup_elem(&floor_vm, &zero);
		__u8 *dst = data;

		if (!vm || data + ETH_HLEN > end)
			return TC_ACT_OK;
		/* Broadcast (ARP) and the VM's own address; anything else is the host's. */
		if (!(dst[0] & 1) && (dst[0] != vm[0] || dst[1] != vm[1] || dst[2] != vm[2] ||
				      dst[3] != vm[3] || dst[4] != vm[4] || dst[5] != vm[5]))
			return TC_ACT_OK;
	}
	return bpf_redirect(hop->to, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
