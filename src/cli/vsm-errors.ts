// A VSM that does not answer, said in one line: where the CLI looked and why nothing answered
// there, instead of gRPC's own text ("No connection established. Last error: ... Resolution note").
import * as grpc from '@grpc/grpc-js';
import { VsmCallError } from '../../proto/clients.js';
import { DEFAULT_VSM_ADDRESS } from '../common/package.js';

const CAUSES: Record<string, string> = {
  ENOENT: 'no such socket',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
};

/** The `--vsm` a command was given (`--vsm X` or `--vsm=X`), or the default address. */
export function vsmFlag(argv: string[]): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--vsm' && argv[i + 1] !== undefined) return argv[i + 1]!;
    if (argv[i]!.startsWith('--vsm=')) return argv[i]!.slice(6);
  }
  return DEFAULT_VSM_ADDRESS;
}

/** One line for a VSM that could not be reached or did not answer in time; undefined for the VSM's own answers. */
export function unreachableLine(e: unknown, vsm: string): string | undefined {
  if (!(e instanceof VsmCallError)) return undefined;
  const where = vsm.split(',').map((a) => a.trim()).join(', ');
  if (e.code === grpc.status.DEADLINE_EXCEEDED) return `the VSM at ${where} did not answer in time`;
  if (!e.unreachable) return undefined;
  const code = /\b(E[A-Z]+)\b/.exec(e.message)?.[1];
  const cause = (code && CAUSES[code]) ?? code?.toLowerCase() ?? 'no answer';
  const many = where.includes(',') ? `no VSM replica answers at ${where} (the last: ${cause})` : `no VSM answers at ${where} (${cause})`;
  return `${many}: is vxvem-vsm running there? (--vsm ADDR[,ADDR...])`;
}
