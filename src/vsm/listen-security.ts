// How the VSM's gRPC listener is secured (proto/credentials.ts has the rules both ends share):
// TCP with mutual TLS, every call checked against the peer's certificate (authz.ts); TCP in the
// clear only when asked for; a unix socket owner-only (0600), the one way in without TLS.
import * as grpc from '@grpc/grpc-js';
import { chmodSync } from 'node:fs';
import { isUnixAddress, plaintextProblem, serverCredentials, type TlsCreds } from '../../proto/credentials.js';
import { certificateAuthz } from './authz.js';

export interface ListenSecurity {
  /** The VSM's certificate, key and CA: mutual TLS on a TCP listener. */
  tls?: TlsCreds;
  /** A TCP listener without TLS is refused unless this is set. */
  insecure?: boolean;
}

/** A listener the VSM refuses to open (plaintext TCP not asked for). */
export class ListenRefusedError extends Error {
  override readonly name = 'ListenRefusedError';
}

/** The interceptors a listener on `addr` needs, and how it is secured (for the log); throws ListenRefusedError for plaintext TCP not asked for. */
export function listenPlan(addr: string, o: ListenSecurity, log: (line: string) => void): { interceptors: grpc.ServerInterceptor[]; how: string } {
  const problem = plaintextProblem([addr], o);
  if (problem) throw new ListenRefusedError(`refusing to listen on ${problem}`);
  if (isUnixAddress(addr)) return { interceptors: [], how: 'owner-only unix socket' };
  if (o.tls) return { interceptors: [certificateAuthz(log)], how: 'mutual TLS' };
  return { interceptors: [], how: 'INSECURE: plaintext TCP, no authentication' };
}

/**
 * Binds `server` on `addr` with the credentials the address takes. A unix socket is made while
 * the process's umask keeps it owner-only and is then set to 0600, so that it is never open to
 * others, whatever the umask the VSM was started with.
 */
export async function bindSecured(server: grpc.Server, addr: string, o: ListenSecurity): Promise<void> {
  const unix = isUnixAddress(addr);
  const umask = unix ? process.umask(0o177) : undefined;
  try {
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(addr, serverCredentials(addr, o.tls), (err) => (err ? reject(new Error(`cannot listen on ${addr}: ${err.message}`)) : resolve())));
  } finally {
    if (umask !== undefined) process.umask(umask);
  }
  if (unix) chmodSync(addr.slice('unix:'.length), 0o600);
}
