// Original file: proto/vxvem.proto


export interface HostSegment {
  /**
   * the segment id: the VNI, or >= 2^24 for a VLAN segment
   */
  'vni'?: (number);
  /**
   * "unicast" | "multicast" | "vlan"
   */
  'mode'?: (string);
  'group'?: (string);
  'designatedVtep'?: (string);
  'floodList'?: (string)[];
  /**
   * mode "vlan": the physical network and the VLAN id on it
   */
  'physicalNetwork'?: (string);
  'vlan'?: (number);
}

export interface HostSegment__Output {
  /**
   * the segment id: the VNI, or >= 2^24 for a VLAN segment
   */
  'vni': (number);
  /**
   * "unicast" | "multicast" | "vlan"
   */
  'mode': (string);
  'group': (string);
  'designatedVtep': (string);
  'floodList': (string)[];
  /**
   * mode "vlan": the physical network and the VLAN id on it
   */
  'physicalNetwork': (string);
  'vlan': (number);
}
