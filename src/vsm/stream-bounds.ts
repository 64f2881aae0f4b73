// Bounds of the VEM service's connections: keepalive pings (a VEM that stops answering is
// disconnected in seconds, not when TCP gives up), a size bound per request kind measured on
// the wire, and a way to end a watch stream at once, whatever its VEM has left unread.
import * as grpc from '@grpc/grpc-js';

/** The VSM pings every connection this often and drops it when a ping is not answered in as long: a dead VEM is disconnected within 2x this. */
export const KEEPALIVE_MS = 3000;

/** The most bytes a request of each kind may have on the wire (RESOURCE_EXHAUSTED above). */
export const REQUEST_LIMITS = { Register: 64 * 1024, Report: 1024 * 1024 } as const;

/** Request object -> its size on the wire (set by the deserializers of `measured`). */
const sizes = new WeakMap<object, number>();
/** Request object of a server stream -> the call that carries it (set by the interceptor). */
const calls = new WeakMap<object, grpc.ServerInterceptingCall>();

/** Keeps each request's call, so that `endNow` can reach below the stream's queue. */
const keepCalls: grpc.ServerInterceptor = (method, next) => {
  if (!method.responseStream) return new grpc.ServerInterceptingCall(next);
  const call: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(next, {
    start: (go) => go(new grpc.ServerListenerBuilder().withOnReceiveMessage((m: unknown, pass) => {
      if (typeof m === 'object' && m !== null) calls.set(m, call);
      pass(m);
    }).build()),
  });
  return call;
};

export function serverOptions(): grpc.ServerOptions {
  return { 'grpc.keepalive_time_ms': KEEPALIVE_MS, 'grpc.keepalive_timeout_ms': KEEPALIVE_MS, interceptors: [keepCalls] };
}

/** `service` with deserializers that note each request's size for `bounded`. */
export function measured(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(Object.entries(service).map(([name, m]) => [name, {
    ...m,
    requestDeserialize: (buf: Buffer) => {
      const req = m.requestDeserialize(buf) as unknown;
      if (typeof req === 'object' && req !== null) sizes.set(req, buf.length);
      return req;
    },
  }]));
}

/** A unary handler that refuses requests larger than `limit` bytes (as `measured` saw them) with RESOURCE_EXHAUSTED. */
export function bounded<Req extends object, Res>(kind: keyof typeof REQUEST_LIMITS, who: (r: Req) => string, handler: grpc.handleUnaryCall<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  const limit = REQUEST_LIMITS[kind];
  return (call, cb) => {
    const size = sizes.get(call.request) ?? 0;
    if (size > limit) {
      const details = `${kind} of ${who(call.request).slice(0, 80)} is ${size} bytes, more than the ${limit} a ${kind} may carry`
        + (kind === 'Report' ? ': send the learned MACs over several reports' : '');
      cb({ code: grpc.status.RESOURCE_EXHAUSTED, details, name: 'VsmError', message: details });
      return;
    }
    handler(call, cb);
  };
}

/**
 * Ends a server stream now with `code` and `details`: what it has queued and not yet handed to
 * HTTP/2 is dropped (a VEM that does not read cannot hold the VSM's memory), and the status
 * follows what HTTP/2 already holds. Without the interceptor (a bare server) it ends the
 * stream in order, after its queue.
 */
export function endNow(stream: grpc.ServerWritableStream<object, unknown>, code: grpc.status, details: string): void {
  const call = calls.get(stream.request);
  if (!call) {
    stream.emit('error', { code, details });
    return;
  }
  stream.destroy();
  call.sendStatus({ code, details, metadata: null });
}
