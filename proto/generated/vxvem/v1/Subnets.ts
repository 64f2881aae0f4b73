// Original file: proto/vxvem.proto

import type { Subnet as _vxvem_v1_Subnet, Subnet__Output as _vxvem_v1_Subnet__Output } from '../../vxvem/v1/Subnet.js';

export interface Subnets {
  'items'?: (_vxvem_v1_Subnet)[];
  'next'?: (string);
}

export interface Subnets__Output {
  'items': (_vxvem_v1_Subnet__Output)[];
  'next': (string);
}
