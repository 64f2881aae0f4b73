// Original file: proto/vxvem.proto

import type { Vtep as _vxvem_v1_Vtep, Vtep__Output as _vxvem_v1_Vtep__Output } from '../../vxvem/v1/Vtep.js';

export interface RegisterRequest {
  'host'?: (string);
  'vteps'?: (_vxvem_v1_Vtep)[];
  'uplinkMtu'?: (number);
  'version'?: (string);
  /**
   * those the host has an uplink for (VLAN segments)
   */
  'physicalNetworks'?: (string)[];
}

export interface RegisterRequest__Output {
  'host': (string);
  'vteps': (_vxvem_v1_Vtep__Output)[];
  'uplinkMtu': (number);
  'version': (string);
  /**
   * those the host has an uplink for (VLAN segments)
   */
  'physicalNetworks': (string)[];
}
