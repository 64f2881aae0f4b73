// The unary gRPC handlers of the VSM's services: a refused change (VsmError) answers with the
// status of its code, a change the store could not write with UNAVAILABLE, anything else INTERNAL.
// A request whose state moved under it (another replica changed it first) is run again whole.
import * as grpc from '@grpc/grpc-js';
import { REFUSED_BY_VSM } from '../../proto/index.js';
import { VsmError } from './objects.js';
import { StoreUnavailableError, StoreWriteError, retryStale } from './store-errors.js';

const STATUS: Record<VsmError['code'], grpc.status> = {
  invalid: grpc.status.INVALID_ARGUMENT,
  not_found: grpc.status.NOT_FOUND,
  conflict: grpc.status.ALREADY_EXISTS,
  in_use: grpc.status.FAILED_PRECONDITION,
};

export type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** A unary handler from a function of the request. */
export function unary<Req, Res>(f: (req: Req) => Res | Promise<Res>): Unary<Req, Res> {
  return (call, cb) => {
    retryStale(() => f(call.request)).then((res) => cb(null, res), (e: unknown) => {
      const refused = e instanceof StoreWriteError || e instanceof StoreUnavailableError;
      const code = e instanceof VsmError ? STATUS[e.code] : refused ? grpc.status.UNAVAILABLE : grpc.status.INTERNAL;
      // A refusal is this VSM's answer, not a dead replica: clients must not try the next one with it.
      const metadata = new grpc.Metadata();
      if (refused) metadata.set(REFUSED_BY_VSM, '1');
      cb({ code, details: (e as Error).message, name: 'VsmError', message: (e as Error).message, metadata });
    });
  };
}
