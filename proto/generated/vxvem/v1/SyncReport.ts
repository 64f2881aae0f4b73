// Original file: proto/vxvem.proto

import type { Removal as _vxvem_v1_Removal, Removal__Output as _vxvem_v1_Removal__Output } from '../../vxvem/v1/Removal.js';
import type { Long } from '@grpc/proto-loader';

export interface SyncReport {
  'removed'?: (_vxvem_v1_Removal)[];
  'revision'?: (number | string | Long);
}

export interface SyncReport__Output {
  'removed': (_vxvem_v1_Removal__Output)[];
  'revision': (string);
}
