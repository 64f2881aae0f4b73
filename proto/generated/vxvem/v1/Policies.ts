// Original file: proto/vxvem.proto

import type { Policy as _vxvem_v1_Policy, Policy__Output as _vxvem_v1_Policy__Output } from '../../vxvem/v1/Policy.js';

export interface Policies {
  'items'?: (_vxvem_v1_Policy)[];
}

export interface Policies__Output {
  'items': (_vxvem_v1_Policy__Output)[];
}
