// Original file: proto/vxvem.proto


/**
 * An object made through Neutron is named by its UUID; display_name and project are its
 * OpenStack name and project id ("" for objects made on the VSM).
 */
export interface Network {
  'name'?: (string);
  'vni'?: (number);
  'mode'?: (string);
  'group'?: (string);
  'origin'?: (string);
  'displayName'?: (string);
  'project'?: (string);
  /**
   * mode "vlan"
   */
  'physicalNetwork'?: (string);
  'vlan'?: (number);
}

/**
 * An object made through Neutron is named by its UUID; display_name and project are its
 * OpenStack name and project id ("" for objects made on the VSM).
 */
export interface Network__Output {
  'name': (string);
  'vni': (number);
  'mode': (string);
  'group': (string);
  'origin': (string);
  'displayName': (string);
  'project': (string);
  /**
   * mode "vlan"
   */
  'physicalNetwork': (string);
  'vlan': (number);
}
