// Original file: proto/vxvem.proto


export interface Vtep {
  'interface'?: (string);
  /**
   * dotted quad
   */
  'address'?: (string);
  'prefixLength'?: (number);
  /**
   * empty: none (proxy ARP)
   */
  'gateway'?: (string);
}

export interface Vtep__Output {
  'interface': (string);
  /**
   * dotted quad
   */
  'address': (string);
  'prefixLength': (number);
  /**
   * empty: none (proxy ARP)
   */
  'gateway': (string);
}
