/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Port security (docs/dataplane.md, "Security"): a port marked PORT_F_SECURE sends only from its
 * own MAC, or another MAC vx_port_addrs lists for it; with PORT_F_IP_LOCK, IPv4 and ARP senders
 * only from the addresses listed for that MAC. Only IPv4, ARP and IPv6 (checked by MAC) pass:
 * any other EtherType, a VLAN tag included, would carry a source nothing here looks at.
 */
#ifndef VXVEM_PORTSEC_H
#define VXVEM_PORTSEC_H

#include "pkt.h"

#define ARP_HRD_ETHER 1
#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

/* The ARP fields up to the sender's addresses (Ethernet/IPv4 ARP, RFC 826). */
struct arp_sender {
	__u16 htype;
	__u16 ptype;
	__u8 hlen;
	__u8 plen;
	__u16 oper;
	__u8 sha[6];
	__u8 spa[4];
} __attribute__((packed));

/*
 * MAC equality for frame fields copied to the stack, where a MAC sits at any offset: the
 * verifier refuses unaligned stack loads, so these go byte by byte (mac_equal reads words).
 */
static __always_inline int mac_same(const __u8 *a, const __u8 *b)
{
	__u64 x = 0, y = 0;

	__builtin_memcpy(&x, a, 6);
	__builtin_memcpy(&y, b, 6);
	return x == y;
}

/* One vx_port_addrs lookup: does the longest entry for (port, mac, addr/bits) have `need`? */
static __always_inline int port_addr_has(__u32 ifindex, const __u8 *mac, __u32 addr, __u32 bits, __u32 need)
{
	struct port_addr_key k = { .prefixlen = PORT_ADDR_MAC_BITS + bits, .ifindex = ifindex, .addr = addr };
	__u32 *f;

	mac_copy(k.mac, mac);
	f = bpf_map_lookup_elem(&vx_port_addrs, &k);
	return f && (*f & need);
}

/* Other MACs come only with address pairs, so only an IP-locked port looks beyond its own. */
static __always_inline int mac_allowed(const struct port *p, __u32 ifindex, const __u8 *mac)
{
	if (mac_same(mac, p->mac))
		return 1;
	return (p->flags & PORT_F_IP_LOCK) && port_addr_has(ifindex, mac, 0, 0, PORT_ADDR_F_MAC);
}

/* IPv4 source `addr` (be) from `mac`: the port's first address needs no lookup. */
static __always_inline int ipv4_allowed(const struct port *p, __u32 ifindex, const __u8 *mac, __u32 addr)
{
	if (!(p->flags & PORT_F_IP_LOCK))
		return mac_same(mac, p->mac);
	if (addr == p->ipv4 && mac_same(mac, p->mac))
		return 1;
	return port_addr_has(ifindex, mac, addr, 32, PORT_ADDR_F_ADDR);
}

/* IPv4 from 0.0.0.0 is a DHCP client asking for its address (UDP 68 to 67), or nothing we pass. */
static __always_inline int dhcp_client(struct __sk_buff *skb, __u8 protocol)
{
	__u8 vihl;
	__u16 ports[2];

	if (protocol != IPPROTO_UDP || bpf_skb_load_bytes(skb, ETH_HLEN, &vihl, 1))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + (vihl & 0xf) * 4, ports, sizeof(ports)))
		return 0;
	return ports[0] == bpf_htons(DHCP_CLIENT_PORT) && ports[1] == bpf_htons(DHCP_SERVER_PORT);
}

/* 1 when a frame from a PORT_F_SECURE port has the port's source; 0: drop it (spoofed_source). */
static __always_inline int port_source_ok(struct __sk_buff *skb, const struct port *p, __u32 ifindex, const struct ethhdr *eth)
{
	const __u8 *smac = eth->h_source;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct {
			__u8 ttl;
			__u8 protocol;
			__u16 check;
			__u32 saddr;
		} ip;

		if (pkt_load(skb, ETH_HLEN + 8, &ip, sizeof(ip)))
			return 0;
		if (!ip.saddr)
			return dhcp_client(skb, ip.protocol) && mac_allowed(p, ifindex, smac);
		return ipv4_allowed(p, ifindex, smac, ip.saddr);
	}
	if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
		struct arp_sender a;
		__u32 spa;

		if (pkt_load(skb, ETH_HLEN, &a, sizeof(a)))
			return 0;
		if (a.htype != bpf_htons(ARP_HRD_ETHER) || a.ptype != bpf_htons(ETH_P_IP) || a.hlen != 6 || a.plen != 4)
			return 0;
		if (!mac_same(a.sha, smac))
			return 0;
		__builtin_memcpy(&spa, a.spa, 4);
		if (!spa)
			return mac_allowed(p, ifindex, smac); /* an address probe (RFC 5227) claims nothing */
		return ipv4_allowed(p, ifindex, smac, spa);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return mac_allowed(p, ifindex, smac);
	return 0;
}

#endif /* VXVEM_PORTSEC_H */
