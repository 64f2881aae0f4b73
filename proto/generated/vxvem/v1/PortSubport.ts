// Original file: proto/vxvem.proto


/**
 * A trunk subport made with its parent: frames tagged `vlan` belong to `network`.
 */
export interface PortSubport {
  'vlan'?: (number);
  'network'?: (string);
  /**
   * the subport's own port (output only: NAME.VLAN)
   */
  'port'?: (string);
}

/**
 * A trunk subport made with its parent: frames tagged `vlan` belong to `network`.
 */
export interface PortSubport__Output {
  'vlan': (number);
  'network': (string);
  /**
   * the subport's own port (output only: NAME.VLAN)
   */
  'port': (string);
}
