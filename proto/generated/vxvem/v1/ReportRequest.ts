// Original file: proto/vxvem.proto

import type { LearnedMac as _vxvem_v1_LearnedMac, LearnedMac__Output as _vxvem_v1_LearnedMac__Output } from '../../vxvem/v1/LearnedMac.js';
import type { Long } from '@grpc/proto-loader';

/**
 * What the VEM reports: it is alive, what it has learned since its last report, and which of its
 * ports are bound in the dataplane (the VSM's Neutron port status comes from these).
 */
export interface ReportRequest {
  'host'?: (string);
  'appliedRevision'?: (number | string | Long);
  'learned'?: (_vxvem_v1_LearnedMac)[];
  /**
   * the identity of the store the VEM follows (applied_revision is of it)
   */
  'vsmId'?: (string);
  /**
   * The interfaces of the host's ports bound in the dataplane (present, programs attached): the
   * whole set, sent when it changes and after each (re)connection; only when bound_ports_known.
   */
  'boundPorts'?: (string)[];
  /**
   * false: the set is as last reported (or never sent, by an older VEM)
   */
  'boundPortsKnown'?: (boolean);
}

/**
 * What the VEM reports: it is alive, what it has learned since its last report, and which of its
 * ports are bound in the dataplane (the VSM's Neutron port status comes from these).
 */
export interface ReportRequest__Output {
  'host': (string);
  'appliedRevision': (string);
  'learned': (_vxvem_v1_LearnedMac__Output)[];
  /**
   * the identity of the store the VEM follows (applied_revision is of it)
   */
  'vsmId': (string);
  /**
   * The interfaces of the host's ports bound in the dataplane (present, programs attached): the
   * whole set, sent when it changes and after each (re)connection; only when bound_ports_known.
   */
  'boundPorts': (string)[];
  /**
   * false: the set is as last reported (or never sent, by an older VEM)
   */
  'boundPortsKnown': (boolean);
}
