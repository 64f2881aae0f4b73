// Original file: proto/vxvem.proto

import type { Feature as _vxvem_v1_Feature, Feature__Output as _vxvem_v1_Feature__Output } from '../../vxvem/v1/Feature.js';

export interface Features {
  'items'?: (_vxvem_v1_Feature)[];
}

export interface Features__Output {
  'items': (_vxvem_v1_Feature__Output)[];
}
