// gRPC calls with bytes chosen by the fuzzer: a grpc-js client whose serializer is the identity,
// so that a request can be anything (a valid encoding, a mutated one, garbage, 5 MiB), and whose
// answer is only its status (and, for a watch, whether an update came first).
import * as grpc from '@grpc/grpc-js';
import { protocol } from '../../proto/index.js';

export type Service = 'Admin' | 'Vem';

export interface CallOutcome {
  code: grpc.status;
  details: string;
  /** A watch stream sent an update before it ended or was cancelled. */
  streamed?: boolean;
}

const identity = (b: Buffer): Buffer => b;

/** The request encoding of `method` of `service` for a well-formed message. */
export function encode(service: Service, method: string, msg: object): Buffer {
  const def = protocol()[service].service as grpc.ServiceDefinition;
  const m = def[method];
  if (!m) throw new Error(`no method ${service}.${method}`);
  return m.requestSerialize(msg);
}

/** Whether `method` streams its replies (Watch). */
export function isStream(service: Service, method: string): boolean {
  return (protocol()[service].service as grpc.ServiceDefinition)[method]!.responseStream;
}

/** The methods of a service, by the names the generated client uses (e.g. CreateNetwork). */
export function methods(service: Service): string[] {
  return Object.keys(protocol()[service].service as grpc.ServiceDefinition);
}

export class RawClient {
  private readonly client: grpc.Client;

  constructor(addr: string) {
    this.client = new grpc.Client(addr, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  }

  /** One call of `/vxvem.v1.<service>/<method>` with `bytes`; a watch is cancelled after its first update or `streamMs`. */
  call(service: Service, method: string, bytes: Buffer, deadlineMs = 10_000, streamMs = 300): Promise<CallOutcome> {
    const path = `/vxvem.v1.${service}/${method}`;
    const deadline = new Date(Date.now() + deadlineMs);
    if (!isStream(service, method)) {
      return new Promise((resolve) => {
        this.client.makeUnaryRequest(path, identity, identity, bytes, new grpc.Metadata(), { deadline }, (err) => {
          resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' });
        });
      });
    }
    return new Promise((resolve) => {
      const stream = this.client.makeServerStreamRequest(path, identity, identity, bytes, new grpc.Metadata(), { deadline });
      let streamed = false;
      let done = false;
      const finish = (o: CallOutcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({ ...o, streamed });
      };
      const timer = setTimeout(() => stream.cancel(), streamMs);
      stream.on('data', () => {
        streamed = true;
        stream.cancel(); // the update came: the stream works, and the fuzzer is no VEM
      });
      stream.on('error', (e: grpc.ServiceError) => finish({ code: e.code, details: e.details }));
      stream.on('status', (s: grpc.StatusObject) => finish({ code: s.code, details: s.details }));
    });
  }

  close(): void {
    this.client.close();
  }
}
