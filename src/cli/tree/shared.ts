// Flags several commands share, defined once (help and parsing alike). This module and the
// other tree/ modules import no command module: `vxvem --help` and completion load none of them.
import type { Command } from 'commander';

/** The TLS flags (tls-flags.ts reads them). */
export const TLS_FLAGS = ['tls-dir', 'cert', 'key', 'insecure'] as const;

/** The TLS flags on `c`, whose party names its certificate with `nameFlag` (--host, --name, --admin). */
export function tlsOptions(c: Command, nameFlag: string): Command {
  return c
    .option('--tls-dir <DIR>', `TCP with mutual TLS: the CA is DIR/ca.crt, the certificate DIR/NAME.crt and DIR/NAME.key (NAME: ${nameFlag})`)
    .option('--cert <FILE>', 'with --tls-dir and --key: this certificate instead of DIR/NAME.crt')
    .option('--key <FILE>', 'with --tls-dir and --cert: the certificate\'s key')
    .option('--insecure', 'allow plaintext TCP (a unix socket needs no TLS: it is owner-only)');
}

/** The flags of every command against the VSM's admin service. */
export const ADMIN_FLAGS = ['vsm', 'admin', ...TLS_FLAGS] as const;

export function adminOptions(c: Command): Command {
  c.option('--vsm <ADDR[,ADDR...]>', 'the VSM (unix:/PATH or HOST:PORT; replicas tried in turn; default unix:/run/vxvem/vsm.sock)')
    .option('--json', 'machine-readable output')
    .option('--admin <NAME>', 'with --tls-dir: the admin certificate DIR/NAME.crt');
  return tlsOptions(c, '--admin');
}

/** The flags of the commands that read a VEM instance's pinned dataplane. */
export function dataplaneOptions(c: Command): Command {
  return c
    .option('--instance <NAME>', 'the VEM instance (default "default")')
    .option('--netns <NAME>', 'the network namespace of the agent\'s interfaces (found when not given)')
    .option('--json', 'machine-readable output');
}
