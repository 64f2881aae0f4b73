/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Capacities of the maps in maps.h. Defaults: the agent may give vx_macs another size before
 * load (macTableSize in src/maps/dataplane.ts); a pinned map keeps the size it was made with.
 */
#ifndef VXVEM_SIZES_H
#define VXVEM_SIZES_H

#define VX_MAC_ENTRIES     262144 /* learned (VNI, MAC) pairs; LRU beyond */
#define VX_STATIC_MAC_ENTRIES 262144 /* configured (VNI, MAC) pairs (VSM mode: every remote port of the host's segments) */
#define VX_SEGMENT_ENTRIES 16384  /* segments bound on one host: every table keyed by VNI, and groups (one per segment at most) */
#define VX_SEG_STATS_ENTRIES (VX_SEGMENT_ENTRIES + 1) /* counter slots 1..VX_SEGMENT_ENTRIES (0: none) */
#define VX_PORT_ENTRIES    4096   /* VM ports on one host */
#define VX_NEIGH_ENTRIES   4096   /* (uplink, next hop) pairs */
#define VX_DROP_ENTRIES    65536  /* (VNI, reason) pairs */
#define VX_PEER_ENTRIES    65536  /* (VNI, trusted remote VTEP) pairs */
#define VX_TRUSTED_ENTRIES 256    /* trusted underlay prefixes */
#define VX_PORT_ADDR_ENTRIES 65536 /* allowed (port, MAC, IPv4 prefix) sources of secure ports */
#define VX_TRUNK_ENTRIES   16384  /* trunk subports (parent port, VLAN id) on one host */
#define VX_EVENTS_BYTES    (256 * 1024) /* ring buffer of learn, move and next-hop events */

#endif /* VXVEM_SIZES_H */
