// Original file: proto/vxvem.proto

import type { Vtep as _vxvem_v1_Vtep, Vtep__Output as _vxvem_v1_Vtep__Output } from '../../vxvem/v1/Vtep.js';
import type { HostSegment as _vxvem_v1_HostSegment, HostSegment__Output as _vxvem_v1_HostSegment__Output } from '../../vxvem/v1/HostSegment.js';
import type { LearnedMac as _vxvem_v1_LearnedMac, LearnedMac__Output as _vxvem_v1_LearnedMac__Output } from '../../vxvem/v1/LearnedMac.js';
import type { Long } from '@grpc/proto-loader';

export interface HostInfo {
  'name'?: (string);
  'vteps'?: (_vxvem_v1_Vtep)[];
  'connected'?: (boolean);
  /**
   * VNI -> designated VTEP
   */
  'designated'?: ({[key: number]: string});
  'segments'?: (_vxvem_v1_HostSegment)[];
  /**
   * as last reported by the VEM
   */
  'appliedRevision'?: (number | string | Long);
  /**
   * ms since the epoch, 0 = never
   */
  'lastReportMs'?: (number | string | Long);
  /**
   * learned entries reported (most recent 1,000)
   */
  'learned'?: (_vxvem_v1_LearnedMac)[];
  'uplinkMtu'?: (number);
  'version'?: (string);
  'physicalNetworks'?: (string)[];
}

export interface HostInfo__Output {
  'name': (string);
  'vteps': (_vxvem_v1_Vtep__Output)[];
  'connected': (boolean);
  /**
   * VNI -> designated VTEP
   */
  'designated': ({[key: number]: string});
  'segments': (_vxvem_v1_HostSegment__Output)[];
  /**
   * as last reported by the VEM
   */
  'appliedRevision': (string);
  /**
   * ms since the epoch, 0 = never
   */
  'lastReportMs': (string);
  /**
   * learned entries reported (most recent 1,000)
   */
  'learned': (_vxvem_v1_LearnedMac__Output)[];
  'uplinkMtu': (number);
  'version': (string);
  'physicalNetworks': (string)[];
}
