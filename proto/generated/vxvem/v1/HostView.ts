// Original file: proto/vxvem.proto

import type { HostSegment as _vxvem_v1_HostSegment, HostSegment__Output as _vxvem_v1_HostSegment__Output } from '../../vxvem/v1/HostSegment.js';
import type { HostPort as _vxvem_v1_HostPort, HostPort__Output as _vxvem_v1_HostPort__Output } from '../../vxvem/v1/HostPort.js';
import type { StaticMac as _vxvem_v1_StaticMac, StaticMac__Output as _vxvem_v1_StaticMac__Output } from '../../vxvem/v1/StaticMac.js';
import type { Long } from '@grpc/proto-loader';

/**
 * Everything one host needs at one revision.
 */
export interface HostView {
  'revision'?: (number | string | Long);
  'segments'?: (_vxvem_v1_HostSegment)[];
  'ports'?: (_vxvem_v1_HostPort)[];
  'staticMacs'?: (_vxvem_v1_StaticMac)[];
  /**
   * more parts of this view follow; the view is the union of the parts
   */
  'partial'?: (boolean);
}

/**
 * Everything one host needs at one revision.
 */
export interface HostView__Output {
  'revision': (string);
  'segments': (_vxvem_v1_HostSegment__Output)[];
  'ports': (_vxvem_v1_HostPort__Output)[];
  'staticMacs': (_vxvem_v1_StaticMac__Output)[];
  /**
   * more parts of this view follow; the view is the union of the parts
   */
  'partial': (boolean);
}
