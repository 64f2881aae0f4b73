// Original file: proto/vxvem.proto


/**
 * Another (MAC, IPv4 source) a secure port may send from: Neutron's allowed address pair.
 */
export interface AddressPair {
  'mac'?: (string);
  /**
   * A.B.C.D or A.B.C.D/LEN
   */
  'address'?: (string);
}

/**
 * Another (MAC, IPv4 source) a secure port may send from: Neutron's allowed address pair.
 */
export interface AddressPair__Output {
  'mac': (string);
  /**
   * A.B.C.D or A.B.C.D/LEN
   */
  'address': (string);
}
