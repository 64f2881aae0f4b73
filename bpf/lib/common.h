/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Packet headers, checksums and counters shared by the entry programs. */
#ifndef VXVEM_COMMON_H
#define VXVEM_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "maps.h"

#ifndef BPF_F_ADJ_ROOM_ENCAP_L2_ETH
#define BPF_F_ADJ_ROOM_ENCAP_L2_ETH (1ULL << 6) /* kernel >= 5.13; Debian's uapi header predates it */
#endif

#define VXLAN_FLAG_I 0x08
#define IP_DF 0x4000
#define IP_MF_OFFSET 0x3fff
#define INET_ECN_MASK 3
#define ECN_NOT_ECT 0
#define ECN_ECT_1 1
#define ECN_ECT_0 2
#define ECN_CE 3

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* The 8-byte VXLAN header (RFC 7348). */
struct vxlanhdr {
	__u8 flags;
	__u8 reserved1[3];
	__u8 vni[3]; /* be, 24 bits */
	__u8 reserved2;
};

/*
 * Outer headers of one encapsulation, written in one 50-byte store from &eth. The leading
 * pad puts the IPv4 header on a 4-byte boundary: the verifier rejects misaligned stack access.
 */
struct vxlan_outer {
	__u16 pad;
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	struct vxlanhdr vx;
};

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

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Checksum of a 20-byte IPv4 header without options (the outer header we build). */
static __always_inline __u16 ipv4_csum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;
#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	return csum_fold(sum);
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
