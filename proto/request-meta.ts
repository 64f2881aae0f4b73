// What a client says of each call, for the VSM's log of writes: who runs it (user@host as the
// client process knows itself: claimed, not authenticated) and a request id. A call without
// them (another client) gets an id from the VSM; the reply carries the id either way.
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';

export const CLIENT_USER = 'x-vxvem-user';
export const REQUEST_ID = 'x-request-id';

function whoami(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}@${hostname()}`; // a uid without a passwd entry
  }
}

const newId = (): string => `req-${randomUUID()}`;

/** The metadata of one call from this process. */
export function requestMetadata(): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(CLIENT_USER, whoami());
  md.set(REQUEST_ID, newId());
  return md;
}

/** Printable and short, or not taken: these values end up in a log line. */
function clean(v: grpc.MetadataValue | undefined): string | undefined {
  return typeof v === 'string' && /^[\x20-\x7e]{1,128}$/.test(v) ? v : undefined;
}

/** Who a call says it comes from, from where, and its request id (the client's, or a new one). */
export function requestFacts(call: { metadata: grpc.Metadata; getPeer(): string }): { user?: string; peer: string; requestId: string } {
  const user = clean(call.metadata.get(CLIENT_USER)[0]);
  const peer = call.getPeer();
  return {
    ...(user ? { user } : {}),
    // grpc-js knows no peer on a unix socket.
    peer: peer === 'unknown' ? 'the local socket' : peer,
    requestId: clean(call.metadata.get(REQUEST_ID)[0]) ?? newId(),
  };
}
