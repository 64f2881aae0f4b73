// Original file: proto/vxvem.proto


export interface LearnedMac {
  'vni'?: (number);
  'mac'?: (string);
  /**
   * remote entries
   */
  'vtep'?: (string);
  /**
   * local entries
   */
  'interface'?: (string);
}

export interface LearnedMac__Output {
  'vni': (number);
  'mac': (string);
  /**
   * remote entries
   */
  'vtep': (string);
  /**
   * local entries
   */
  'interface': (string);
}
