// Original file: proto/vxvem.proto

import type { Network as _vxvem_v1_Network, Network__Output as _vxvem_v1_Network__Output } from '../../vxvem/v1/Network.js';

export interface Networks {
  'items'?: (_vxvem_v1_Network)[];
  'next'?: (string);
}

export interface Networks__Output {
  'items': (_vxvem_v1_Network__Output)[];
  'next': (string);
}
