// Original file: proto/vxvem.proto

import type { HostInfo as _vxvem_v1_HostInfo, HostInfo__Output as _vxvem_v1_HostInfo__Output } from '../../vxvem/v1/HostInfo.js';

export interface Hosts {
  'items'?: (_vxvem_v1_HostInfo)[];
  'next'?: (string);
}

export interface Hosts__Output {
  'items': (_vxvem_v1_HostInfo__Output)[];
  'next': (string);
}
