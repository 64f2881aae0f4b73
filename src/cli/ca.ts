// `vxvem ca init --dir DIR [--days N]`: a CA for the control plane, DIR/ca.crt and DIR/ca.key.
// `vxvem ca issue --dir DIR --host NAME | --admin NAME | --vsm NAME [--days N]`: DIR/NAME.crt and
// DIR/NAME.key, issued by that CA, naming the role and the name (src/common/tls.ts).
// Made by openssl (Node has no X.509 issuing); keys are EC P-256, written owner-only. Nothing is
// ever overwritten: a CA replaced would orphan every certificate it issued.
import { closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, run as runCommand } from '../common/exec.js';
import { CERT_ROLES, USAGE, certNameProblem, identityUri, loadTls, type CertRole } from '../common/tls.js';
import { UsageError, flagInt, flagString, type Parsed } from './args.js';

const CA_DAYS = 3650;
const CERT_DAYS = 730;
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function openssl(args: string[]): void {
  try {
    runCommand('openssl', args);
  } catch (e) {
    if (e instanceof CommandError && /ENOENT/.test(e.stderr)) throw new Error('vxvem ca needs openssl (Debian: apt-get install openssl)');
    throw e;
  }
}

/** Makes `key` and `crt` with `make`; neither may exist before, and neither is left half-made. */
function writePair(key: string, crt: string, make: () => void): void {
  for (const f of [key, crt]) if (existsSync(f)) throw new Error(`${f} exists: nothing is overwritten (remove it first if it is to be replaced)`);
  closeSync(openSync(key, 'wx', 0o600)); // owner-only before the key is in it
  try {
    make();
  } catch (e) {
    rmSync(key, { force: true });
    rmSync(crt, { force: true });
    throw e;
  }
}

function init(dir: string, days: number, line: (s: string) => void): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [key, crt] = [join(dir, 'ca.key'), join(dir, 'ca.crt')];
  writePair(key, crt, () => openssl(['req', '-x509', '-new', ...NEW_KEY, '-keyout', key, '-out', crt, '-days', String(days),
    '-subj', '/O=vxvem/OU=ca/CN=vxvem CA', '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']));
  line(`CA made: ${crt} (give it to every VSM, VEM and admin) and ${key} (owner-only: keep it where certificates are issued, off the hosts)`);
}

function issue(dir: string, role: CertRole, name: string, days: number, line: (s: string) => void): void {
  const [caKey, caCrt] = [join(dir, 'ca.key'), join(dir, 'ca.crt')];
  for (const f of [caKey, caCrt]) if (!existsSync(f)) throw new Error(`${f} does not exist: make the CA first (vxvem ca init --dir ${dir})`);
  const [key, crt] = [join(dir, `${name}.key`), join(dir, `${name}.crt`)];
  writePair(key, crt, () => openssl(['req', '-x509', '-new', ...NEW_KEY, '-keyout', key, '-out', crt, '-days', String(days),
    '-CA', caCrt, '-CAkey', caKey, '-subj', `/O=vxvem/OU=${role}/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature',
    '-addext', `extendedKeyUsage=${USAGE[role]}`, '-addext', `subjectAltName=URI:${identityUri({ role, name })}`]));
  loadTls({ dir, role, name }); // what the VSM, the VEM or the CLI will check of it
  line(`${role} certificate made: ${crt} and ${key} (owner-only), naming ${identityUri({ role, name })}; with ${caCrt} they go in the --tls-dir of ${role} ${name}`);
}

/** `ca init|issue`: positionals[0] is the verb (tree/vsm.ts defines the flags of each). */
export async function run(p: Parsed, line: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const verb = p.positionals[0];
  const dir = flagString(p, 'dir');
  if (!dir) throw new UsageError('ca: --dir DIR is required');
  const roles = CERT_ROLES.filter((r) => p.flags.has(r));
  if (verb === 'init') {
    init(dir, flagInt(p, 'days', 1, 36_500) ?? CA_DAYS, line);
    return 0;
  }
  if (verb !== 'issue') throw new UsageError('ca: expected `ca init --dir DIR` or `ca issue --dir DIR --host NAME|--admin NAME|--vsm NAME`');
  if (roles.length !== 1) throw new UsageError('ca issue: give exactly one of --host NAME, --admin NAME, --vsm NAME');
  const role = roles[0]!;
  const name = flagString(p, role)!;
  const problem = certNameProblem(name);
  if (problem) throw new UsageError(`--${role}: ${problem}`);
  if (name === 'ca') throw new UsageError(`--${role}: "ca" is the CA's own file name`);
  issue(dir, role, name, flagInt(p, 'days', 1, 36_500) ?? CERT_DAYS, line);
  return 0;
}
