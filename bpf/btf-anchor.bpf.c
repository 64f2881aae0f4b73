// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * BTF only, no program. clang emits the BTF of a type only where the object uses it; this
 * object uses every struct and enum of vxvem_shared.h, in one variable, so test/layout.test.ts
 * reads them all from here. The variable's section is one libbpf ignores: loading makes no map.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "vxvem_shared.h"

struct vxvem_btf_types {
	struct vxvem_config config;
	struct mac_key mac_key;
	struct mac_entry mac_entry;
	struct segment segment;
	struct port port;
	struct port_fast port_fast;
	struct port_state port_state;
	struct port_addr_key port_addr_key;
	struct peer_key peer_key;
	struct trust_key trust_key;
	struct vtep vtep;
	struct physnet physnet;
	struct trunk_key trunk_key;
	struct neigh_key neigh_key;
	struct neigh_entry neigh_entry;
	struct flood_list flood_list;
	struct port_list port_list;
	struct seg_counters seg_counters;
	struct drop_key drop_key;
	struct mac_event mac_event;
	struct dhcp_lease dhcp_lease;
	struct dhcp_counters dhcp_counters;
	enum vxvem_mac_kind mac_kind;
	enum vxvem_flood_mode flood_mode;
	enum vxvem_drop_reason drop_reason;
	enum vxvem_event_type event_type;
};

struct vxvem_btf_types vxvem_btf_types SEC(".btf_anchor");
