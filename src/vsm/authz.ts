// Who may call what, on a TLS listener: the peer's certificate (verified against the CA by the
// handshake) names a role and a name. The admin service is for admin certificates; the VEM
// service for host certificates, and only for the host the certificate names (a VEM cannot
// register, watch or report as another host). Anything else is refused (PERMISSION_DENIED),
// and each refusal is logged with the peer's address and identity.
import * as grpc from '@grpc/grpc-js';
import { identityOf, type CertIdentity } from '../common/tls.js';

const ADMIN_SERVICE = '/vxvem.v1.Admin/';
const VEM_SERVICE = '/vxvem.v1.Vem/';

const who = (id: CertIdentity): string => `${id.role} ${id.name}`;
const methodOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Why a peer with `id` may not call `path` at all; undefined when its role may. */
export function roleRefusal(path: string, id: CertIdentity | undefined): string | undefined {
  if (!id) return `${methodOf(path)} refused: the peer's certificate carries no vxvem identity`;
  if (path.startsWith(ADMIN_SERVICE)) return id.role === 'admin' ? undefined : `${methodOf(path)} needs an admin certificate; the peer's names ${who(id)}`;
  if (path.startsWith(VEM_SERVICE)) return id.role === 'host' ? undefined : `${methodOf(path)} needs a host certificate; the peer's names ${who(id)}`;
  return `${path} is not served to certificates`;
}

/** Why a VEM call for `host` may not come from a peer with `id` (a host may act only as itself). */
export function hostRefusal(path: string, id: CertIdentity | undefined, host: unknown): string | undefined {
  if (!path.startsWith(VEM_SERVICE) || (id && host === id.name)) return undefined;
  return `${methodOf(path)} of host ${JSON.stringify(host)} refused: the peer's certificate names ${id ? `host ${id.name}` : 'no host'}`;
}

/** The interceptor that applies both rules to every call of a TLS listener. */
export function certificateAuthz(log: (line: string) => void): grpc.ServerInterceptor {
  return (method, next) => {
    const id = identityOf(next.getAuthContext().sslPeerCertificate?.subjectaltname);
    const call: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(next, {
      start: (go) => go(new grpc.ServerListenerBuilder()
        .withOnReceiveMetadata((md, pass) => {
          const why = roleRefusal(method.path, id);
          if (why) deny(why);
          else pass(md);
        })
        .withOnReceiveMessage((m: unknown, pass) => {
          const why = hostRefusal(method.path, id, (m as { host?: unknown } | null)?.host);
          if (why) deny(why);
          else pass(m);
        })
        .build()),
    });
    // Not passed on, the call never reaches its handler: the status ends it here.
    const deny = (why: string): void => {
      log(`refused a call from ${next.getPeer()}${id ? ` (${who(id)})` : ''}: ${why}`);
      call.sendStatus({ code: grpc.status.PERMISSION_DENIED, details: why, metadata: new grpc.Metadata() });
    };
    return call;
  };
}
