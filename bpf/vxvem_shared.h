/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Structures and enums shared by the eBPF programs and the TypeScript codecs (src/maps/layout.ts,
 * src/maps/drop-reasons.ts). btf-anchor.bpf.c puts every one of them into one object's BTF;
 * test/layout.test.ts compares them with the codecs, so a field added on one side only fails.
 *
 * Rules: fixed-width types only, explicit padding, no bool, byte order noted per field
 * ("be" = network order; everything else is host order).
 */
#ifndef VXVEM_SHARED_H
#define VXVEM_SHARED_H

#include <linux/types.h>
#include <linux/bpf.h> /* struct bpf_spin_lock */

#define VXVEM_MAX_VTEPS     4  /* per host; VTEP array slots 1..4, slot 0 reserved */
#define VXVEM_MAX_FLOOD     128 /* remote designated VTEPs per segment (head-end replication) */
#define VXVEM_MAX_SEG_PORTS 64  /* local ports per segment that receive a flood copy */
#define VXVEM_VNI_MAX       0xffffff
#define VXVEM_MAX_PHYSNETS  16  /* physical networks (VLAN uplinks) per host; array slots 1..16, slot 0 reserved */

/*
 * Segment ids: every table keyed by "VNI" is keyed by a segment id. A VXLAN segment's id is its
 * VNI (< 2^24); a VLAN segment's id has bit 24 set, the physical network's slot in bits 12..23
 * and the VLAN id in bits 0..11 (docs/dataplane.md, "VLAN segments").
 */
#define VXVEM_SEG_VLAN_BIT  (1U << 24)
#define VXVEM_SEG_VLAN(physnet, vid) (VXVEM_SEG_VLAN_BIT | ((physnet) << 12) | (vid))

/* Entry kinds of the MAC table. */
enum vxvem_mac_kind {
	MAC_KIND_NONE   = 0, /* never stored: unset memory reads as zero */
	MAC_KIND_LOCAL  = 1, /* learned on a local port */
	MAC_KIND_REMOTE = 2, /* learned from a remote VTEP (decap) */
};

/* mac_entry.flags */
#define MAC_F_STATIC 0x1 /* configured: in vx_static_macs, out of the LRU table; never learned over, never aged */
#define MAC_F_PEER   0x2 /* local port is a veth: IPv4 may be delivered straight to its peer */
#define MAC_F_TRUNK  0x4 /* local, behind a trunk subport: delivered with the subport's tag (vx_trunk_out) */

/* segment.mode */
enum vxvem_flood_mode {
	FLOOD_UNICAST   = 1, /* head-end replication to every VTEP of the flood list */
	FLOOD_MULTICAST = 2, /* one copy to the segment's IPv4 group */
	FLOOD_VLAN      = 3, /* a VLAN segment: one 802.1Q-tagged copy on its physical network's uplink */
};

/*
 * Drop reasons: the key of vx_drops and the Prometheus `reason` label. Mirrored value by
 * value, with the label names, in src/maps/drop-reasons.ts (test/layout.test.ts compares the
 * two); README.md's metrics table quotes some labels. Values are never reused: a reason no
 * program counts any more stays, marked retired.
 */
enum vxvem_drop_reason {
	DROP_NONE = 0,              /* not a drop: unset memory reads as zero */
	DROP_TRUNCATED = 1,         /* header shorter than it claims */
	DROP_VXLAN_FLAGS = 2,       /* I flag clear */
	DROP_UNKNOWN_VNI = 3,       /* VNI not bound on this host */
	DROP_OWN_VTEP_SOURCE = 4,   /* outer source is one of our VTEPs (multicast echo) */
	DROP_STATIC_MAC_CONFLICT = 5, /* source MAC is static elsewhere */
	DROP_HAIRPIN = 6,           /* destination is the ingress port */
	DROP_MTU_NON_IP = 7,        /* non-IP frame too large for the uplink */
	DROP_MTU_ICMP_SENT = 8,     /* DF/IPv6 frame too large: ICMP sent back instead */
	DROP_ECN_ERROR = 9,         /* outer CE over inner Not-ECT (RFC 6040) */
	DROP_NO_VTEP = 10,          /* segment has no usable local VTEP */
	DROP_NO_NEIGHBOR = 11,      /* next hop MAC not resolved yet */
	DROP_ENCAP_FAILED = 12,     /* skb could not be grown or written */
	DROP_DECAP_FAILED = 13,     /* skb could not be shrunk or rewritten; no tunnel key */
	DROP_REDIRECT_FAILED = 14,  /* flood copy to a local port not sent (port gone or down) */
	DROP_ICMP_RATELIMIT = 15,   /* too big, and the ICMP reply budget was spent */
	DROP_INNER_MALFORMED = 16,  /* inner frame too short, or a multicast source MAC */
	DROP_SPLIT_HORIZON = 17,    /* from the network to a MAC that is itself remote */
	DROP_NO_LOCAL_PORT = 18,    /* segment bound but no local port to deliver to */
	DROP_MTU_EXCEEDED = 19,     /* too large, and no ICMP may be sent for it (ICMP error, no DF fallback) */
	DROP_NOT_LOCAL_VTEP = 20,   /* kernel-decapsulated VXLAN not addressed to a VTEP of ours */
	DROP_UNKNOWN_VTEP = 21,     /* outer source is not a VTEP the segment trusts */
	DROP_SPOOFED_SOURCE = 22,   /* port security: source MAC, IPv4 or ARP sender not the port's */
	DROP_STORM = 23,            /* port over its broadcast/multicast/unknown-unicast rate */
	DROP_MAC_LIMIT = 24,        /* port already has its maximum of learned MACs */
	DROP_UNKNOWN_VLAN = 25,     /* tag of no VLAN segment (physical network uplink) or no subport (trunk port) */
	DROP_NO_UPLINK = 26,        /* VLAN segment whose physical network has no uplink here */
	DROP_DHCP_FOREIGN = 27,     /* DHCP request whose source or chaddr is not the port's MAC */
	DROP_DHCP_MALFORMED = 28,   /* DHCP request the VEM cannot parse (truncated, fragment, bad options) */
	DROP_DHCP_UNANSWERED = 29,  /* DHCP message the VEM takes without reply (RELEASE, DECLINE, INFORM, another server's) */
	DROP_REASON_MAX = 30,       /* bound, not a reason */
};

/* Global settings; config[0]. `version` 0 means "not configured yet": programs pass traffic. */
struct vxvem_config {
	__u32 version;        /* bumped by the agent on every write; 0 = unset */
	__u32 flags;          /* CFG_F_* */
	__u8  ttl;            /* outer TTL, 1..255 */
	__u8  tos;            /* fixed outer TOS when CFG_F_TOS_INHERIT is clear */
	__u16 src_port_min;   /* outer UDP source port range, host order */
	__u16 src_port_max;
	__u16 pad0;
	__u32 tunnel_ifindex; /* the kernel vxlan (external) device: fragment and checksum path; 0 = none */
	__u32 pad1;
	__u64 icmp_rate_ns;   /* minimum gap between two ICMP too-big replies per port */
};
#define CFG_F_TOS_INHERIT 0x1 /* outer DSCP copied from the inner IPv4/IPv6 header */
#define CFG_F_UDP_CSUM    0x2 /* outer UDP checksum (lets receivers GRO): encapsulation by the kernel device */

/* MAC table key: (VNI, MAC). */
struct mac_key {
	__u32 vni;            /* host order, 24 bits used */
	__u8  mac[6];
	__u8  pad[2];
};

/* MAC table value. */
struct mac_entry {
	__u8  kind;           /* enum vxvem_mac_kind */
	__u8  flags;          /* MAC_F_* */
	__u16 pad0;
	__u32 ifindex;        /* local port, for MAC_KIND_LOCAL */
	__u32 vtep;           /* be: remote VTEP IPv4, for MAC_KIND_REMOTE */
	__u32 pad1;
	__u64 last_seen_ns;   /* bpf_ktime_get_ns() of the last frame *from* this MAC */
};

/* Segment table value, keyed by VNI (__u32, host order). */
struct segment {
	__u32 vni;            /* host order; repeated so that a value is self-describing */
	__u8  mode;           /* enum vxvem_flood_mode */
	__u8  vtep_slot;      /* designated local VTEP: slot 1..4 of the vteps array */
	__u16 pad0;
	__u32 group;          /* be: IPv4 multicast group (multicast mode), else 0 */
	__u32 stats_slot;     /* its counters' index in vx_seg_stats; 0: none, counted in vx_counters by VNI */
};

/* Port table value, keyed by ifindex (__u32): a VM port bound to a segment. Written by the agent. */
#define PORT_F_PEER    0x1 /* a veth: its peer (the VM side) accepts bpf_redirect_peer */
#define PORT_F_SECURE  0x2 /* port security: frames only from `mac` or a MAC vx_port_addrs lists */
#define PORT_F_IP_LOCK 0x4 /* with PORT_F_SECURE: IPv4 and ARP senders only as vx_port_addrs lists */
#define PORT_F_TRUNK   0x8 /* a trunk parent: tagged frames go to the subport's segment (vx_trunk_in) */
#define PORT_F_DHCP    0x10 /* DHCP requests are answered from vx_dhcp, never forwarded */
struct port {
	__u32 vni;            /* host order */
	__u32 flags;          /* PORT_F_* */
	__u64 icmp_last_ns;   /* rate limit of ICMP too-big replies sent on this port */
	__u8  mac[6];         /* PORT_F_SECURE: the port's own MAC */
	__u16 max_macs;       /* learned MACs allowed on the port; 0 = no limit */
	__u32 ipv4;           /* be: PORT_F_IP_LOCK: the port's first address, checked before any lookup; 0 = none */
	__u32 storm_pps;      /* broadcast, multicast and unknown-unicast frames per second; 0 = no limit */
};

/*
 * Fast-path port record, keyed by ifindex: the port's vx_ports entry and its segment's
 * vx_segments entry in one value, written by the agent together with them, so that the port
 * program finds both with one lookup (docs/dataplane.md, "Fast path"). A port without one is
 * served from vx_ports and vx_segments. `port.icmp_last_ns` is this record's own rate limit.
 */
struct port_fast {
	struct port port;
	struct segment seg;
};

/*
 * Per-port state the programs keep, keyed by ifindex (the agent only recounts `macs` and
 * removes entries of ports that went). The lock guards the storm bucket.
 */
struct port_state {
	struct bpf_spin_lock lock;
	__u32 macs;           /* learned local MACs on the port */
	__u64 storm_tokens;   /* storm bucket, in 1e-9 frames */
	__u64 storm_last_ns;  /* when the bucket was last filled; 0 = never */
};

/*
 * Allowed sources of a secure port (LPM trie): ifindex and MAC always match in full (the first
 * PORT_ADDR_MAC_BITS bits), then `prefixlen - PORT_ADDR_MAC_BITS` bits of the IPv4 address.
 * Value: PORT_ADDR_F_*.
 */
#define PORT_ADDR_MAC_BITS 96
#define PORT_ADDR_F_MAC  0x1 /* the MAC may send (an entry of prefix length PORT_ADDR_MAC_BITS) */
#define PORT_ADDR_F_ADDR 0x2 /* IPv4 sources in this prefix may send from the MAC */
struct port_addr_key {
	__u32 prefixlen;      /* host order: PORT_ADDR_MAC_BITS + IPv4 prefix length */
	__u32 ifindex;
	__u8  mac[6];
	__u8  pad[2];
	__u32 addr;           /* be */
};

/* VTEPs a segment trusts (flood list and static entries): key (VNI, address), value unused. */
struct peer_key {
	__u32 vni;            /* host order */
	__u32 addr;           /* be */
};

/* Trusted underlay (LPM trie): multicast segments accept sources in these prefixes. */
struct trust_key {
	__u32 prefixlen;      /* host order, 0..32 */
	__u32 addr;           /* be */
};

/* VTEP array value; slot 0 is reserved (an unset slot reads as zero). */
struct vtep {
	__u32 addr;           /* be: VTEP IPv4 address; 0 = slot unused */
	__u32 gateway;        /* be: next hop outside the subnet, 0 = ARP for the VTEP itself */
	__u32 netmask;        /* be */
	__u32 ifindex;        /* uplink carrying this VTEP */
	__u8  mac[6];         /* uplink MAC: outer source MAC */
	__u16 mtu;            /* uplink MTU, host order */
	__u32 flags;          /* reserved, 0 */
};

/* Physical network array value (slots 1..VXVEM_MAX_PHYSNETS): the uplink its VLAN segments use. */
struct physnet {
	__u32 ifindex;        /* 0 = slot unused */
	__u32 flags;          /* reserved, 0 */
};

/*
 * Trunk subports: vx_trunk_in maps (parent port, VLAN id) to the subport's segment id, and
 * vx_trunk_out (parent port, segment id) back to the VLAN id the VM sees.
 */
struct trunk_key {
	__u32 ifindex;        /* the parent port */
	__u32 id;             /* vx_trunk_in: VLAN id 1..4094; vx_trunk_out: segment id */
};

/* Next-hop neighbour table: key (uplink ifindex, IPv4), value its MAC. Filled by the agent. */
struct neigh_key {
	__u32 ifindex;
	__u32 addr;           /* be */
};
struct neigh_entry {
	__u8  mac[6];
	__u16 pad0;
	__u64 updated_ns;
};

/* Flood list of a unicast-only segment, keyed by VNI: remote designated VTEPs. */
struct flood_list {
	__u32 count;          /* entries used in vteps[] */
	__u32 pad0;
	__u32 vteps[VXVEM_MAX_FLOOD]; /* be: IPv4 */
};

/* Local ports of a segment, keyed by VNI: the flood copies that stay on this host. */
struct port_list {
	__u32 count;
	__u32 pad0;
	__u32 ifindex[VXVEM_MAX_SEG_PORTS];
};

/* Per-CPU per-segment counters, keyed by VNI. Summed over CPUs by the agent at scrape time. */
struct seg_counters {
	__u64 rx_packets;     /* network to VM: decapsulated and delivered */
	__u64 rx_bytes;       /* inner frame bytes */
	__u64 tx_packets;     /* VM to network (encapsulated or switched locally) */
	__u64 tx_bytes;
	__u64 flood_packets;  /* copies sent by flooding (local + remote) */
	__u64 learned;        /* new MAC entries */
	__u64 moves;          /* MAC moves (port to port, VTEP to VTEP, local <-> remote) */
};

/*
 * What the VEM answers a port's DHCP client with (vx_dhcp, keyed by ifindex; docs/dataplane.md,
 * "DHCP"). Written by the agent. `options` is the options field of an OFFER or ACK as sent:
 * the message type (53, length 1) first with its value byte left 0 for the program to fill,
 * then server identifier, lease time, mask, router, DNS, MTU..., END (255), zeros.
 */
#define VXVEM_DHCP_OPTS_LEN 256
struct dhcp_lease {
	__u8  mac[6];         /* the port's MAC: requests from another source or chaddr are dropped */
	__u8  server_mac[6];  /* Ethernet source of the replies */
	__u32 yiaddr;         /* be: the port's fixed IPv4 address */
	__u32 server;         /* be: server identifier and IPv4 source of the replies */
	__u8  options[VXVEM_DHCP_OPTS_LEN];
};

/* Per-CPU DHCP replies per segment, keyed by VNI. */
struct dhcp_counters {
	__u64 offers;
	__u64 acks;
	__u64 naks;
};

/* Per-CPU drop counters key. */
struct drop_key {
	__u32 vni;            /* host order; 0 when not parsed or not bound here (one bucket, whatever VNI a sender picks) */
	__u32 reason;         /* enum vxvem_drop_reason */
};

/* Ring buffer event: learn and move notifications for the agent. */
enum vxvem_event_type {
	EVENT_LEARN = 1,
	EVENT_MOVE  = 2,
	EVENT_NEIGH_MISS = 3, /* next hop (vtep) on uplink (ifindex) has no MAC yet */
};
struct mac_event {
	__u32 type;           /* enum vxvem_event_type */
	__u32 vni;
	__u8  mac[6];
	__u8  kind;           /* new enum vxvem_mac_kind */
	__u8  old_kind;       /* for moves */
	__u32 ifindex;        /* new local port, or 0 */
	__u32 vtep;           /* be: new remote VTEP, or 0 */
	__u32 old_ifindex;
	__u32 old_vtep;       /* be */
	__u64 ts_ns;
};

#endif /* VXVEM_SHARED_H */
