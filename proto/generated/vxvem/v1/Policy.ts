// Original file: proto/vxvem.proto


export interface Policy {
  'name'?: (string);
  'portSecurity'?: (boolean);
  /**
   * broadcast, multicast and unknown-unicast frames per second per port; 0 = no limit
   */
  'stormPps'?: (number);
}

export interface Policy__Output {
  'name': (string);
  'portSecurity': (boolean);
  /**
   * broadcast, multicast and unknown-unicast frames per second per port; 0 = no limit
   */
  'stormPps': (number);
}
