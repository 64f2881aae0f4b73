// Certificates of the control plane: who a certificate says its holder is (a role and a name,
// carried as the SAN URI vxvem://ROLE/NAME), and the files of one party (its certificate and
// key, and the CA that issued them) read and checked before anything connects or listens.
// Only node:crypto here: the files are made by `vxvem ca` (src/cli/ca.ts).
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A VEM's host, an operator, a VSM replica. */
export type CertRole = 'host' | 'admin' | 'vsm';
export const CERT_ROLES: readonly CertRole[] = ['host', 'admin', 'vsm'];

export interface CertIdentity { role: CertRole; name: string }

/** A certificate or key that cannot be used: the message names the file and what to do. */
export class TlsSetupError extends Error {
  override readonly name = 'TlsSetupError';
}

/** The same rule as the VSM's object names (a host's certificate names a host). */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function certNameProblem(name: string): string | undefined {
  return NAME_RE.test(name) ? undefined : `name ${JSON.stringify(name)}: letters, digits, '.', '_', '-' (1-63)`;
}

/** What the certificate of `id` carries as its one vxvem SAN URI. */
export function identityUri(id: CertIdentity): string {
  return `vxvem://${id.role}/${id.name}`;
}

/**
 * The identity in a certificate's subjectAltName list (`URI:vxvem://host/h1, ...`, as both
 * X509Certificate and a TLS peer certificate give it); undefined unless there is exactly one
 * vxvem URI and it is well formed.
 */
export function identityOf(subjectAltName: string | undefined): CertIdentity | undefined {
  const uris = (subjectAltName ?? '').split(', ').filter((x) => x.startsWith('URI:vxvem://'));
  if (uris.length !== 1) return undefined;
  const m = /^URI:vxvem:\/\/([a-z]+)\/([^/]+)$/.exec(uris[0]!);
  if (!m || !(CERT_ROLES as string[]).includes(m[1]!) || certNameProblem(m[2]!)) return undefined;
  return { role: m[1] as CertRole, name: m[2]! };
}

/** Extended key usages: a VSM serves, the others are clients. TLS itself refuses a certificate used otherwise. */
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
export const USAGE: Record<CertRole, string> = { vsm: 'serverAuth', host: 'clientAuth', admin: 'clientAuth' };

/** The PEM files of one party, read and checked. */
export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  identity: CertIdentity;
  /** Where they were read from (for messages). */
  files: { ca: string; cert: string; key: string };
}

export interface TlsPick {
  /** Holds ca.crt, and NAME.crt and NAME.key unless `cert` and `key` say otherwise. */
  dir: string;
  role: CertRole;
  /** The name the certificate must carry; without `cert`, also the file picked. */
  name?: string;
  cert?: string;
  key?: string;
}

const article = (role: CertRole): string => `${role === 'admin' ? 'an' : 'a'} ${role}`;

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new TlsSetupError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function parseCert(pem: Buffer, file: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new TlsSetupError(`${file} is not a PEM certificate: ${(e as Error).message}`);
  }
}

function parseKey(pem: Buffer, file: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new TlsSetupError(`${file} is not a PEM private key: ${(e as Error).message}`);
  }
}

/**
 * Reads the CA, the certificate and its key, and checks what TLS would otherwise refuse later
 * and less clearly: the certificate was issued by this CA, is valid now, is meant for the
 * role's side of a connection, names `role` (and `name`), and the key is its key.
 */
export function loadTls(o: TlsPick, now = Date.now()): TlsMaterial {
  if (!o.cert && !o.name) throw new TlsSetupError(`a ${o.role} certificate is picked by name: give the name, or its files`);
  const files = { ca: join(o.dir, 'ca.crt'), cert: o.cert ?? join(o.dir, `${o.name}.crt`), key: o.key ?? join(o.dir, `${o.name}.key`) };
  const hint = o.cert ? '' : ` (make it with: vxvem ca issue --dir ${o.dir} --${o.role} ${o.name})`;
  const [caPem, certPem, keyPem] = [read(files.ca, 'the CA certificate'), read(files.cert, `the ${o.role} certificate`), read(files.key, 'the key')];
  const ca = parseCert(caPem, files.ca);
  if (!ca.ca) throw new TlsSetupError(`${files.ca} is not a CA certificate`);
  const cert = parseCert(certPem, files.cert);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw new TlsSetupError(`${files.cert} was not issued by the CA ${files.ca}${hint}`);
  if (Date.parse(cert.validTo) < now) throw new TlsSetupError(`${files.cert} expired on ${cert.validTo}`);
  if (Date.parse(cert.validFrom) > now) throw new TlsSetupError(`${files.cert} is not valid before ${cert.validFrom}`);
  const identity = identityOf(cert.subjectAltName);
  if (!identity) throw new TlsSetupError(`${files.cert} carries no vxvem identity (a SAN URI vxvem://ROLE/NAME): make it with vxvem ca issue`);
  if (identity.role !== o.role) throw new TlsSetupError(`${files.cert} is ${article(identity.role)} certificate (${identity.name}), not ${article(o.role)} one`);
  if (o.name && identity.name !== o.name) throw new TlsSetupError(`${files.cert} names ${o.role} ${identity.name}, not ${o.name}`);
  const usage = o.role === 'vsm' ? SERVER_AUTH : CLIENT_AUTH;
  if (cert.keyUsage !== undefined && !cert.keyUsage.includes(usage)) throw new TlsSetupError(`${files.cert} is not meant for ${USAGE[o.role]}`);
  if (!cert.checkPrivateKey(parseKey(keyPem, files.key))) throw new TlsSetupError(`${files.key} is not the key of ${files.cert}`);
  return { ca: caPem, cert: certPem, key: keyPem, identity, files };
}
