/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What every entry program uses: MAC helpers, the configuration and the local VTEPs. */
#ifndef VXVEM_COMMON_H
#define VXVEM_COMMON_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "packet.h"
#include "maps.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static __always_inline int is_multicast_mac(const __u8 *mac)
{
	return mac[0] & 1;
}

static __always_inline int mac_equal(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b && *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

static __always_inline void mac_copy(__u8 *dst, const __u8 *src)
{
	__builtin_memcpy(dst, src, 6);
}

static __always_inline struct vxvem_config *get_config(void)
{
	__u32 zero = 0;
	struct vxvem_config *cfg = bpf_map_lookup_elem(&vx_config, &zero);

	return cfg && cfg->version ? cfg : NULL;
}

static __always_inline struct vtep *get_vtep(__u32 slot)
{
	return bpf_map_lookup_elem(&vx_vteps, &slot);
}

/* Slot (1..4) of the local VTEP with this address, 0 if none. */
static __always_inline __u32 local_vtep_slot(__u32 addr)
{
#pragma unroll
	for (__u32 slot = 1; slot <= VXVEM_MAX_VTEPS; slot++) {
		struct vtep *v = get_vtep(slot);

		if (v && v->addr && v->addr == addr)
			return slot;
	}
	return 0;
}

#endif /* VXVEM_COMMON_H */
