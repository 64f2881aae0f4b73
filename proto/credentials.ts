// How a connection between the VSM and its clients is secured, on both ends. A unix socket is
// plaintext: the VSM makes it owner-only, so whoever can open it is already its owner. TCP is
// mutual TLS with certificates of one CA (src/common/tls.ts), or plaintext only where that was
// asked for (--insecure). Clients recognise a VSM by the role its certificate names, not by an
// address, so that replicas answer on any address.
import * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { identityOf, type TlsMaterial } from '../src/common/tls.js';

/** What TLS needs of one party's files. */
export type TlsCreds = Pick<TlsMaterial, 'ca' | 'cert' | 'key'>;

export const isUnixAddress = (addr: string): boolean => addr.startsWith('unix:');

/**
 * The server name every client asks for (SNI, and what checkServerIdentity is told): not a
 * real name, since replicas are checked by role; it also keeps Node from sending an IP as SNI.
 */
export const VSM_SERVER_NAME = 'vsm.vxvem.invalid';

/** Why `cert` (the server's, already verified against the CA) is not a VSM's; undefined when it is. */
export function notAVsm(cert: PeerCertificate): Error | undefined {
  const id = identityOf(cert.subjectaltname);
  if (id?.role === 'vsm') return undefined;
  return new Error(`the server's certificate is not a VSM's (it names ${id ? `${id.role} ${id.name}` : 'no vxvem identity'})`);
}

/** Why plaintext may not be used to or on `addrs`: a TCP address needs TLS unless insecure was asked for. */
export function plaintextProblem(addrs: string[], o: { tls?: TlsCreds; insecure?: boolean }): string | undefined {
  const tcp = addrs.filter((a) => !isUnixAddress(a));
  if (o.tls || o.insecure || !tcp.length) return undefined;
  return `${tcp.join(', ')} ${tcp.length > 1 ? 'are' : 'is'} TCP: use mutual TLS (--tls-dir DIR) or say --insecure to send the control plane in the clear`;
}

export interface ChannelSecurity {
  credentials: grpc.ChannelCredentials;
  options: grpc.ChannelOptions;
}

/** A client's channel to `addr`: TLS with `tls` over TCP, plaintext over a unix socket or without `tls`. */
export function channelSecurity(addr: string, tls?: TlsCreds): ChannelSecurity {
  if (!tls || isUnixAddress(addr)) return { credentials: grpc.credentials.createInsecure(), options: {} };
  return {
    credentials: grpc.credentials.createSsl(tls.ca, tls.key, tls.cert, { checkServerIdentity: (_name, cert) => notAVsm(cert) }),
    options: { 'grpc.ssl_target_name_override': VSM_SERVER_NAME },
  };
}

/** A listener on `addr`: TLS requiring a client certificate of the CA over TCP, plaintext over a unix socket or without `tls`. */
export function serverCredentials(addr: string, tls?: TlsCreds): grpc.ServerCredentials {
  if (!tls || isUnixAddress(addr)) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(tls.ca, [{ private_key: tls.key, cert_chain: tls.cert }], true);
}
