/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Header reads of the fast path (docs/dataplane.md, "Fast path"): straight from the linear
 * area when it holds the bytes, which at TC ingress it nearly always does; bpf_skb_load_bytes
 * (a helper call) only for what lies beyond it.
 */
#ifndef VXVEM_PKT_H
#define VXVEM_PKT_H

#include "common.h"

/*
 * Copies `len` bytes at `off` to `dst` (stack, 4-byte aligned when len is a multiple of 4).
 * `len` must be a constant; `off` at most 255. Returns 0, or what bpf_skb_load_bytes returns.
 */
static __always_inline int pkt_load(struct __sk_buff *skb, __u32 off, void *dst, __u32 len)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;

	off &= 0xff;
	if (data + off + len > data_end)
		return bpf_skb_load_bytes(skb, off, dst, len);
	if (len % 4 == 0) {
#pragma unroll
		for (__u32 i = 0; i < len / 4; i++)
			((__u32 *)dst)[i] = *(__u32 *)(data + off + 4 * i);
	} else {
		__builtin_memcpy(dst, data + off, len);
	}
	return 0;
}

#endif /* VXVEM_PKT_H */
