// One way to run the system's network tools (ip, nsenter, sysctl...): output as a string, or
// a CommandError carrying the command line and what the tool printed on stderr.
import { execFileSync } from 'node:child_process';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(readonly command: string, readonly args: readonly string[], readonly stderr: string) {
    super(`${command} ${args.join(' ')}: ${stderr}`);
  }
}

export function run(command: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], ...(input === undefined ? {} : { input }) });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new CommandError(command, args, (err.stderr || err.stdout || err.message).trim());
  }
}

/** iproute2's `ip`, in the caller's network namespace. */
export function ip(...args: string[]): string {
  return run('ip', args);
}

/** `ip -j ...` parsed. */
export function ipJson<T>(...args: string[]): T {
  const out = ip('-j', ...args).trim();
  return (out ? JSON.parse(out) : []) as T;
}
