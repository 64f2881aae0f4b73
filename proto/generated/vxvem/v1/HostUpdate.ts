// Original file: proto/vxvem.proto

import type { HostView as _vxvem_v1_HostView, HostView__Output as _vxvem_v1_HostView__Output } from '../../vxvem/v1/HostView.js';
import type { HostDelta as _vxvem_v1_HostDelta, HostDelta__Output as _vxvem_v1_HostDelta__Output } from '../../vxvem/v1/HostDelta.js';

/**
 * The watch stream: a snapshot first (or a delta when the VEM resumes from a revision the VSM
 * still knows), then deltas. One stream per host: a newer Watch ends the older one (ABORTED).
 * A VSM ends a stream whose VEM does not read (RESOURCE_EXHAUSTED); the VEM resyncs.
 */
export interface HostUpdate {
  'snapshot'?: (_vxvem_v1_HostView | null);
  'delta'?: (_vxvem_v1_HostDelta | null);
  /**
   * the identity of the store the update comes from
   */
  'vsmId'?: (string);
  'update'?: "snapshot"|"delta";
}

/**
 * The watch stream: a snapshot first (or a delta when the VEM resumes from a revision the VSM
 * still knows), then deltas. One stream per host: a newer Watch ends the older one (ABORTED).
 * A VSM ends a stream whose VEM does not read (RESOURCE_EXHAUSTED); the VEM resyncs.
 */
export interface HostUpdate__Output {
  'snapshot'?: (_vxvem_v1_HostView__Output | null);
  'delta'?: (_vxvem_v1_HostDelta__Output | null);
  /**
   * the identity of the store the update comes from
   */
  'vsmId': (string);
}
