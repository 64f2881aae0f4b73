// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The benchmark's floor: the same VM-host-host-VM path with no switch at all, a TC program
 * that only redirects port <-> uplink. No VXLAN switch can beat this on the same harness.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/* ifindex -> the ifindex its frames are redirected to (both directions). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} floor_peer SEC(".maps");

SEC("tc")
int floor_redirect(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	__u32 *to = bpf_map_lookup_elem(&floor_peer, &ifindex);

	return to ? bpf_redirect(*to, 0) : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
