// Original file: proto/vxvem.proto

import type { Profile as _vxvem_v1_Profile, Profile__Output as _vxvem_v1_Profile__Output } from '../../vxvem/v1/Profile.js';

export interface Profiles {
  'items'?: (_vxvem_v1_Profile)[];
  'next'?: (string);
}

export interface Profiles__Output {
  'items': (_vxvem_v1_Profile__Output)[];
  'next': (string);
}
