// Original file: proto/vxvem.proto


/**
 * A trunk subport: frames the VM tags with `vlan` belong to segment `vni` (a segment id).
 */
export interface TrunkSubport {
  'vlan'?: (number);
  'vni'?: (number);
  'mac'?: (string);
}

/**
 * A trunk subport: frames the VM tags with `vlan` belong to segment `vni` (a segment id).
 */
export interface TrunkSubport__Output {
  'vlan': (number);
  'vni': (number);
  'mac': (string);
}
