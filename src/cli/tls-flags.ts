// The flags every command that talks gRPC with the VSM shares (the VSM, the VEM, the admin
// commands): `--tls-dir DIR` picks the party's certificate by name (DIR/NAME.crt, DIR/NAME.key,
// the CA DIR/ca.crt), `--cert FILE --key FILE` pick other files (the CA stays DIR/ca.crt),
// `--insecure` allows plaintext over TCP. Unix sockets need none of them.
import { plaintextProblem } from '../../proto/credentials.js';
import { TlsSetupError, loadTls, type CertRole, type TlsMaterial } from '../common/tls.js';
import { UsageError, flagString, type Parsed } from './args.js';

export { TLS_FLAGS } from './tree/shared.js';

/**
 * The party's TLS files as the flags pick them, checked (loadTls), or undefined for plaintext:
 * refused (UsageError) over TCP unless --insecure. `name` is the name the certificate must
 * carry (its file, unless --cert), `nameFlag` the flag that gives it (for messages).
 */
export function tlsFromFlags(p: Parsed, role: CertRole, name: string | undefined, nameFlag: string, addrs: string[]): TlsMaterial | undefined {
  const [dir, cert, key] = [flagString(p, 'tls-dir'), flagString(p, 'cert'), flagString(p, 'key')];
  const insecure = p.flags.get('insecure') === true;
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert FILE and --key FILE go together');
  if (dir === undefined) {
    if (cert !== undefined) throw new UsageError('--cert and --key need --tls-dir DIR (the CA is DIR/ca.crt)');
    const problem = plaintextProblem(addrs, { insecure });
    if (problem) throw new UsageError(problem);
    return undefined;
  }
  if (insecure) throw new UsageError('--insecure and --tls-dir exclude each other');
  if (name === undefined && cert === undefined) throw new UsageError(`--tls-dir needs ${nameFlag} NAME (its certificate is DIR/NAME.crt) or --cert FILE --key FILE`);
  try {
    return loadTls({ dir, role, ...(name !== undefined ? { name } : {}), ...(cert !== undefined ? { cert, key: key! } : {}) });
  } catch (e) {
    if (e instanceof TlsSetupError) throw new UsageError(`--tls-dir ${dir}: ${e.message}`);
    throw e;
  }
}
