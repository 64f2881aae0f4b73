// Original file: proto/vxvem.proto

import type { LearnedMac as _vxvem_v1_LearnedMac, LearnedMac__Output as _vxvem_v1_LearnedMac__Output } from '../../vxvem/v1/LearnedMac.js';
import type { Long } from '@grpc/proto-loader';

/**
 * What the VEM reports: it is alive, and what it has learned since its last report.
 */
export interface ReportRequest {
  'host'?: (string);
  'appliedRevision'?: (number | string | Long);
  'learned'?: (_vxvem_v1_LearnedMac)[];
  /**
   * the identity of the store the VEM follows (applied_revision is of it)
   */
  'vsmId'?: (string);
}

/**
 * What the VEM reports: it is alive, and what it has learned since its last report.
 */
export interface ReportRequest__Output {
  'host': (string);
  'appliedRevision': (string);
  'learned': (_vxvem_v1_LearnedMac__Output)[];
  /**
   * the identity of the store the VEM follows (applied_revision is of it)
   */
  'vsmId': (string);
}
