// Original file: proto/vxvem.proto

import type { Replica as _vxvem_v1_Replica, Replica__Output as _vxvem_v1_Replica__Output } from '../../vxvem/v1/Replica.js';

/**
 * Where the configuration is kept and who serves it.
 */
export interface ClusterStatus {
  /**
   * "embedded" (a data directory) or etcd://HOST:PORT,...
   */
  'store'?: (string);
  /**
   * the cluster's identity in the store ("" for the embedded store)
   */
  'clusterId'?: (string);
  /**
   * the name of the replica that answered
   */
  'self'?: (string);
  'replicas'?: (_vxvem_v1_Replica)[];
}

/**
 * Where the configuration is kept and who serves it.
 */
export interface ClusterStatus__Output {
  /**
   * "embedded" (a data directory) or etcd://HOST:PORT,...
   */
  'store': (string);
  /**
   * the cluster's identity in the store ("" for the embedded store)
   */
  'clusterId': (string);
  /**
   * the name of the replica that answered
   */
  'self': (string);
  'replicas': (_vxvem_v1_Replica__Output)[];
}
