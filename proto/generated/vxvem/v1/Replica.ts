// Original file: proto/vxvem.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One VSM replica as the cluster knows it.
 */
export interface Replica {
  'name'?: (string);
  /**
   * what it listens on (its --listen)
   */
  'address'?: (string);
  /**
   * "leader" | "follower"
   */
  'role'?: (string);
  /**
   * the revision it has (0: not known to the replica that answered)
   */
  'revision'?: (number | string | Long);
}

/**
 * One VSM replica as the cluster knows it.
 */
export interface Replica__Output {
  'name': (string);
  /**
   * what it listens on (its --listen)
   */
  'address': (string);
  /**
   * "leader" | "follower"
   */
  'role': (string);
  /**
   * the revision it has (0: not known to the replica that answered)
   */
  'revision': (string);
}
