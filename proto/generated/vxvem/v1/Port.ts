// Original file: proto/vxvem.proto

import type { PortSubport as _vxvem_v1_PortSubport, PortSubport__Output as _vxvem_v1_PortSubport__Output } from '../../vxvem/v1/PortSubport.js';

export interface Port {
  'name'?: (string);
  'network'?: (string);
  'host'?: (string);
  'mac'?: (string);
  'policy'?: (string);
  'interface'?: (string);
  'origin'?: (string);
  'displayName'?: (string);
  'project'?: (string);
  /**
   * the port is a trunk parent (vxvem port create --trunk)
   */
  'trunk'?: (_vxvem_v1_PortSubport)[];
}

export interface Port__Output {
  'name': (string);
  'network': (string);
  'host': (string);
  'mac': (string);
  'policy': (string);
  'interface': (string);
  'origin': (string);
  'displayName': (string);
  'project': (string);
  /**
   * the port is a trunk parent (vxvem port create --trunk)
   */
  'trunk': (_vxvem_v1_PortSubport__Output)[];
}
