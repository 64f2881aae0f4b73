/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The VEM's state maps. Every entry program includes this file, and every map is pinned by
 * name, so the programs of one instance (from-port, from-uplink, from-tunnel, xdp-uplink)
 * share one set of maps under /sys/fs/bpf/vxvem/<instance>/ and the agent can restart without
 * losing them. Capacities are in sizes.h.
 */
#ifndef VXVEM_MAPS_H
#define VXVEM_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "vxvem_shared.h"
#include "sizes.h"

#define PINNED __uint(pinning, LIBBPF_PIN_BY_NAME)

/* Global settings (TTL, TOS, source ports, checksum); one slot. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vxvem_config);
	PINNED;
} vx_config SEC(".maps");

/* Learned (VNI, MAC) -> local port or remote VTEP; LRU so that a MAC flood cannot fill it for good. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, VX_MAC_ENTRIES);
	__type(key, struct mac_key);
	__type(value, struct mac_entry);
	PINNED;
} vx_macs SEC(".maps");

/*
 * Configured (VNI, MAC) -> remote VTEP: a plain hash, so that nothing learned can evict them.
 * A key is never in both tables: the programs do not learn a static MAC, the agent removes a
 * learned entry when the MAC becomes static.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_STATIC_MAC_ENTRIES);
	__type(key, struct mac_key);
	__type(value, struct mac_entry);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_static_macs SEC(".maps");

/* VNI -> segment bound on this host (mode, group, designated VTEP). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_SEGMENT_ENTRIES);
	__type(key, __u32);
	__type(value, struct segment);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_segments SEC(".maps");

/* Port ifindex -> its segment; a port not in here is not ours. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_PORT_ENTRIES);
	__type(key, __u32);
	__type(value, struct port);
	PINNED;
} vx_ports SEC(".maps");

/* Port ifindex -> its vx_ports entry and its segment in one value (the port program's fast path). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_PORT_ENTRIES);
	__type(key, __u32);
	__type(value, struct port_fast);
	PINNED;
} vx_port_fast SEC(".maps");

/* Port ifindex -> what the programs keep per port: learned-MAC count, storm bucket. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_PORT_ENTRIES);
	__type(key, __u32);
	__type(value, struct port_state);
	PINNED;
} vx_port_state SEC(".maps");

/* (port, MAC, IPv4 prefix) -> PORT_ADDR_F_*: the sources a secure port may use. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VX_PORT_ADDR_ENTRIES);
	__type(key, struct port_addr_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_port_addrs SEC(".maps");

/* (VNI, remote VTEP) the segment trusts: its flood list and the VTEPs of its static entries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_PEER_ENTRIES);
	__type(key, struct peer_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_peers SEC(".maps");

/*
 * (VNI, remote VTEP) the segment trusts -> the segment's vx_segments entry: the uplink
 * programs' fast path, one lookup for the segment and the trust (written with both).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_PEER_ENTRIES);
	__type(key, struct peer_key);
	__type(value, struct segment);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_peer_segs SEC(".maps");

/* Underlay prefixes whose sources multicast segments accept. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VX_TRUSTED_ENTRIES);
	__type(key, struct trust_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_trusted SEC(".maps");

/* Local VTEPs by slot 1..4 (slot 0 reserved). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VXVEM_MAX_VTEPS + 1);
	__type(key, __u32);
	__type(value, struct vtep);
	PINNED;
} vx_vteps SEC(".maps");

/* Physical networks by slot 1..VXVEM_MAX_PHYSNETS (slot 0 reserved): the uplink of their VLAN segments. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VXVEM_MAX_PHYSNETS + 1);
	__type(key, __u32);
	__type(value, struct physnet);
	PINNED;
} vx_physnets SEC(".maps");

/* Uplink ifindex -> its physical network's slot: where tagged frames arriving on it belong. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VXVEM_MAX_PHYSNETS);
	__type(key, __u32);
	__type(value, __u32);
	PINNED;
} vx_uplink_physnet SEC(".maps");

/* (trunk parent port, VLAN id) -> the subport's segment id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_TRUNK_ENTRIES);
	__type(key, struct trunk_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_trunk_in SEC(".maps");

/* (trunk parent port, segment id) -> the VLAN id its frames carry towards the VM. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_TRUNK_ENTRIES);
	__type(key, struct trunk_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_trunk_out SEC(".maps");

/* Segment id -> trunk parents with a subport in the segment (flood copies, tagged per vx_trunk_out). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_SEGMENT_ENTRIES);
	__type(key, __u32);
	__type(value, struct port_list);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_seg_trunks SEC(".maps");

/* (uplink, next-hop IPv4) -> next-hop MAC, resolved by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_NEIGH_ENTRIES);
	__type(key, struct neigh_key);
	__type(value, struct neigh_entry);
	PINNED;
} vx_neigh SEC(".maps");

/* VNI -> remote designated VTEPs of a unicast-only segment (head-end replication). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_SEGMENT_ENTRIES);
	__type(key, __u32);
	__type(value, struct flood_list);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_flood SEC(".maps");

/* VNI -> local ports of the segment (flood copies that stay on the host). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_SEGMENT_ENTRIES);
	__type(key, __u32);
	__type(value, struct port_list);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	PINNED;
} vx_seg_ports SEC(".maps");

/* Joined multicast group (be IPv4) -> number of local segments using it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VX_SEGMENT_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
	PINNED;
} vx_groups SEC(".maps");

/*
 * Per-CPU traffic counters of the segments the agent gave a slot (segment.stats_slot): an array
 * index instead of a hash lookup on every packet. The agent zeroes a slot before handing it out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VX_SEG_STATS_ENTRIES);
	__type(key, __u32);
	__type(value, struct seg_counters);
	PINNED;
} vx_seg_stats SEC(".maps");

/* VNI -> per-CPU traffic counters, for segments without a slot (written by hand, or slots full). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VX_SEGMENT_ENTRIES);
	__type(key, __u32);
	__type(value, struct seg_counters);
	PINNED;
} vx_counters SEC(".maps");

/* (VNI, reason) -> per-CPU drop count. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VX_DROP_ENTRIES);
	__type(key, struct drop_key);
	__type(value, __u64);
	PINNED;
} vx_drops SEC(".maps");

/* Learn, move and next-hop-miss events for the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VX_EVENTS_BYTES);
	PINNED;
} vx_events SEC(".maps");

/*
 * Events that found vx_events full (slot 0). One shared slot with atomic adds, not per-CPU: it
 * moves only after a failed reserve, which has already taken the ring buffer's lock.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	PINNED;
} vx_events_lost SEC(".maps");

#endif /* VXVEM_MAPS_H */
