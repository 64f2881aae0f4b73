// Original file: proto/vxvem.proto

import type { Port as _vxvem_v1_Port, Port__Output as _vxvem_v1_Port__Output } from '../../vxvem/v1/Port.js';

export interface Ports {
  'items'?: (_vxvem_v1_Port)[];
  'next'?: (string);
}

export interface Ports__Output {
  'items': (_vxvem_v1_Port__Output)[];
  'next': (string);
}
