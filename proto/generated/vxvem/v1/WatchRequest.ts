// Original file: proto/vxvem.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchRequest {
  'host'?: (string);
  /**
   * what the VEM applied last (0: none)
   */
  'lastRevision'?: (number | string | Long);
  /**
   * the identity last_revision belongs to: a VSM resumes only its own
   */
  'vsmId'?: (string);
  /**
   * the VEM reassembles updates sent in parts (partial = true)
   */
  'chunked'?: (boolean);
}

export interface WatchRequest__Output {
  'host': (string);
  /**
   * what the VEM applied last (0: none)
   */
  'lastRevision': (string);
  /**
   * the identity last_revision belongs to: a VSM resumes only its own
   */
  'vsmId': (string);
  /**
   * the VEM reassembles updates sent in parts (partial = true)
   */
  'chunked': (boolean);
}
