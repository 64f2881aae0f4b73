// The store's identity: a cluster id made once, when a store is first loaded without one, and
// kept with the state from then on (in the snapshot and on every journal line). VEMs remember
// the identity they follow and refuse a store with another one that would remove their
// segments or ports, so that a VSM started on an empty or wrong data directory cannot wipe the
// fabric (docs/ha.md, "Identity and bounds").
import { randomUUID } from 'node:crypto';
import type { VsmState } from './objects.js';

/** Why a store was given an identity on load. */
export interface NewIdentity {
  id: string;
  /** `empty`: nothing was stored (a new store); `unidentified`: a state written before identities existed. */
  reason: 'empty' | 'unidentified';
  /** Where the store is: a data directory, or etcd://... for a shared store. */
  where: string;
}

export function newStoreId(): string {
  return randomUUID();
}

/**
 * `state` with an identity: its own, or a new one (then `assigned` says why). The new identity
 * is written with the next change: every VEM registers (a change) before it sees a view.
 */
export function withIdentity(state: VsmState, where: string): { state: VsmState; assigned?: NewIdentity } {
  if (state.id) return { state };
  const id = newStoreId();
  const empty = state.revision === 0;
  return { state: { ...state, id }, assigned: { id, reason: empty ? 'empty' : 'unidentified', where } };
}

/** The warning a VSM logs when its store got an identity at this start. */
export function newIdentityWarning(n: NewIdentity): string {
  if (n.reason === 'unidentified') {
    return `the store in ${n.where} had no identity (written by an older vxvem): it is now ${n.id}; VEMs that followed it take it as the same store when its views remove nothing`;
  }
  return `created a NEW, EMPTY store with identity ${n.id} in ${n.where}: if this VSM should have had networks and ports, `
    + `its ${n.where.startsWith('etcd://') ? '--store' : '--data'} is wrong; VEMs that follow another store keep their segments and ports and refuse its views until adopted (vxvem vem adopt --instance NAME on the host)`;
}
