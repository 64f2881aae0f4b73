// Original file: proto/vxvem.proto

import type { HostSegment as _vxvem_v1_HostSegment, HostSegment__Output as _vxvem_v1_HostSegment__Output } from '../../vxvem/v1/HostSegment.js';
import type { HostPort as _vxvem_v1_HostPort, HostPort__Output as _vxvem_v1_HostPort__Output } from '../../vxvem/v1/HostPort.js';
import type { StaticMac as _vxvem_v1_StaticMac, StaticMac__Output as _vxvem_v1_StaticMac__Output } from '../../vxvem/v1/StaticMac.js';
import type { Long } from '@grpc/proto-loader';

/**
 * The change from base_revision to revision: entries replaced or added, and keys removed
 * (segments by VNI, ports by interface, static MACs by VNI and MAC).
 */
export interface HostDelta {
  'baseRevision'?: (number | string | Long);
  'revision'?: (number | string | Long);
  'upsertSegments'?: (_vxvem_v1_HostSegment)[];
  'removeSegments'?: (number)[];
  'upsertPorts'?: (_vxvem_v1_HostPort)[];
  'removePorts'?: (string)[];
  'upsertStaticMacs'?: (_vxvem_v1_StaticMac)[];
  'removeStaticMacs'?: (_vxvem_v1_StaticMac)[];
  /**
   * more parts of this delta follow (same revisions); apply the union
   */
  'partial'?: (boolean);
}

/**
 * The change from base_revision to revision: entries replaced or added, and keys removed
 * (segments by VNI, ports by interface, static MACs by VNI and MAC).
 */
export interface HostDelta__Output {
  'baseRevision': (string);
  'revision': (string);
  'upsertSegments': (_vxvem_v1_HostSegment__Output)[];
  'removeSegments': (number)[];
  'upsertPorts': (_vxvem_v1_HostPort__Output)[];
  'removePorts': (string)[];
  'upsertStaticMacs': (_vxvem_v1_StaticMac__Output)[];
  'removeStaticMacs': (_vxvem_v1_StaticMac__Output)[];
  /**
   * more parts of this delta follow (same revisions); apply the union
   */
  'partial': (boolean);
}
