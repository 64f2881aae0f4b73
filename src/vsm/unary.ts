// The unary gRPC handlers of the VSM's services: a refused change (VsmError) answers with the
// status of its code, a change the store could not write with UNAVAILABLE, anything else INTERNAL.
import * as grpc from '@grpc/grpc-js';
import { VsmError } from './objects.js';
import { StoreWriteError } from './store-errors.js';

const STATUS: Record<VsmError['code'], grpc.status> = {
  invalid: grpc.status.INVALID_ARGUMENT,
  not_found: grpc.status.NOT_FOUND,
  conflict: grpc.status.ALREADY_EXISTS,
  in_use: grpc.status.FAILED_PRECONDITION,
};

export type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** A unary handler from a function of the request. */
export function unary<Req, Res>(f: (req: Req) => Res): Unary<Req, Res> {
  return (call, cb) => {
    try {
      cb(null, f(call.request));
    } catch (e) {
      const code = e instanceof VsmError ? STATUS[e.code] : e instanceof StoreWriteError ? grpc.status.UNAVAILABLE : grpc.status.INTERNAL;
      cb({ code, details: (e as Error).message, name: 'VsmError', message: (e as Error).message });
    }
  };
}
