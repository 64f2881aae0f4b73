// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Fuzzing only: BPF_PROG_TEST_RUN cannot give an skb the tunnel metadata that the kernel's
 * vxlan device attaches, so from_tunnel (bpf/from-tunnel.bpf.c) would only ever see "no key".
 * This program sets a tunnel key taken from the test run's __sk_buff cb[] words, then
 * tail-calls the real from_tunnel (slot 0 of fz_next), whose verdict becomes the run's.
 *
 *   cb[0] remote IPv4 (host order)   cb[1] local IPv4 (host order)   cb[2] VNI (tunnel id)
 *   cb[3] outer TOS | TTL << 8       cb[4] FZ_NO_KEY: set no key;  FZ_IPV6: an IPv6 key
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define FZ_NO_KEY 0x1
#define FZ_IPV6   0x2
#define FZ_SET_KEY_FAILED 100 /* verdicts no vxvem program returns */
#define FZ_TAIL_CALL_FAILED 101

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fz_next SEC(".maps");

SEC("tc")
int fz_tunnel_key(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {
		.tunnel_id = skb->cb[2],
		.tunnel_tos = skb->cb[3] & 0xff,
		.tunnel_ttl = (skb->cb[3] >> 8) & 0xff,
	};
	__u64 flags = 0;

	/*
	 * The setter speaks for a sender (remote goes to the key's destination), the getter for a
	 * receiver (remote comes from the key's source): crossed here, so that from_tunnel reads
	 * back cb[0] as the remote VTEP and cb[1] as the local one, as after a real decapsulation.
	 */
	if (skb->cb[4] & FZ_IPV6) {
		key.local_ipv6[3] = skb->cb[0];
		key.remote_ipv6[3] = skb->cb[1];
		flags = BPF_F_TUNINFO_IPV6;
	} else {
		key.local_ipv4 = skb->cb[0];
		key.remote_ipv4 = skb->cb[1];
	}
	if (!(skb->cb[4] & FZ_NO_KEY) && bpf_skb_set_tunnel_key(skb, &key, sizeof(key), flags))
		return FZ_SET_KEY_FAILED;
	bpf_tail_call(skb, &fz_next, 0);
	return FZ_TAIL_CALL_FAILED;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
