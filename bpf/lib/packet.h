/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Wire formats: the numbers and headers of the frames the programs read and write. The uapi
 * headers give Ethernet, IPv4, IPv6, UDP and the IPPROTO_* numbers; what they lack for
 * -target bpf (ICMP: linux/icmp.h does not build here; VXLAN) is written out once, here.
 */
#ifndef VXVEM_PACKET_H
#define VXVEM_PACKET_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

/* IPv4 frag_off, host order (compare after bpf_htons). */
#define IP_DF     0x4000
#define IP_MF     0x2000
#define IP_OFFSET 0x1fff

/* ECN codepoints in the low two bits of the IPv4 TOS / IPv6 traffic class (RFC 3168). */
#define INET_ECN_MASK 3
#define ECN_NOT_ECT   0
#define ECN_ECT_1     1
#define ECN_ECT_0     2
#define ECN_CE        3

/* ICMP types and codes the MTU path sends or must not answer (RFC 792, RFC 4443). */
#define ICMP_DEST_UNREACH   3
#define ICMP_SOURCE_QUENCH  4
#define ICMP_REDIRECT       5
#define ICMP_TIME_EXCEEDED  11
#define ICMP_PARAMETERPROB  12
#define ICMP_FRAG_NEEDED    4  /* code of ICMP_DEST_UNREACH */
#define ICMPV6_PKT_TOOBIG   2
#define ICMPV6_INFOMSG_MASK 0x80 /* types 128-255 are informational, 0-127 errors */

/* The few ICMP fields the MTU replies fill. */
struct icmp4_hdr {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__u16 unused;
	__u16 mtu; /* be */
};

struct icmp6_hdr {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__u32 mtu; /* be */
};

/* VXLAN (RFC 7348). */
#define VXLAN_PORT      4789
#define VXLAN_HDR_LEN   8
#define VXLAN_FLAG_I    0x08 /* the VNI is valid; reserved bits are ignored */
#define VXVEM_ENCAP_LEN 50   /* outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 */

struct vxlanhdr {
	__u8 flags;
	__u8 reserved1[3];
	__u8 vni[3]; /* be, 24 bits */
	__u8 reserved2;
};

#endif /* VXVEM_PACKET_H */
