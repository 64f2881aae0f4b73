// Original file: proto/vxvem.proto


export interface HostSegment {
  'vni'?: (number);
  /**
   * "unicast" | "multicast"
   */
  'mode'?: (string);
  'group'?: (string);
  'designatedVtep'?: (string);
  'floodList'?: (string)[];
}

export interface HostSegment__Output {
  'vni': (number);
  /**
   * "unicast" | "multicast"
   */
  'mode': (string);
  'group': (string);
  'designatedVtep': (string);
  'floodList': (string)[];
}
