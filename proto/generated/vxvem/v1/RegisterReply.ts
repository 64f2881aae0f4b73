// Original file: proto/vxvem.proto

import type { Long } from '@grpc/proto-loader';

export interface RegisterReply {
  'revision'?: (number | string | Long);
  /**
   * the store's identity (a cluster id, made once with the store)
   */
  'vsmId'?: (string);
}

export interface RegisterReply__Output {
  'revision': (string);
  /**
   * the store's identity (a cluster id, made once with the store)
   */
  'vsmId': (string);
}
