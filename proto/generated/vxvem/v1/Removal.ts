// Original file: proto/vxvem.proto


/**
 * One object removed by a synchronisation with OpenStack (the audit record).
 */
export interface Removal {
  /**
   * "network" | "subnet" | "port"
   */
  'kind'?: (string);
  'name'?: (string);
  /**
   * where it came from ("vsm")
   */
  'origin'?: (string);
  'reason'?: (string);
}

/**
 * One object removed by a synchronisation with OpenStack (the audit record).
 */
export interface Removal__Output {
  /**
   * "network" | "subnet" | "port"
   */
  'kind': (string);
  'name': (string);
  /**
   * where it came from ("vsm")
   */
  'origin': (string);
  'reason': (string);
}
