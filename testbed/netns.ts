// Network namespaces made (and always removed) by tests and benchmarks. Names carry the
// caller's pid so that parallel files never collide; everything is deleted in afterAll and on
// process exit.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

const created = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const ns of created) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  });
}

export function sh(cmd: string, args: string[], opts: { input?: string } = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input: opts.input });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(err.stderr || err.stdout || err.message).trim()}`);
  }
}

export class Netns {
  private constructor(readonly name: string) {}

  static create(name: string): Netns {
    hookExit();
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    } catch {
      // did not exist
    }
    sh('ip', ['netns', 'add', name]);
    created.add(name);
    const ns = new Netns(name);
    ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  get path(): string {
    return `/run/netns/${this.name}`;
  }

  ip(...args: string[]): string {
    return sh('ip', ['-n', this.name, ...args]);
  }

  /**
   * Runs a command inside the namespace. nsenter, not `ip netns exec`: the latter remounts /sys,
   * which would hide the host's bpffs (and the VEM's pins) from the command.
   */
  exec(cmd: string, args: string[], opts: { input?: string } = {}): string {
    return sh('nsenter', [`--net=${this.path}`, cmd, ...args], opts);
  }

  spawn(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return spawn('nsenter', [`--net=${this.path}`, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  }

  ifindex(dev: string): number {
    return (JSON.parse(this.ip('-j', 'link', 'show', 'dev', dev)) as { ifindex: number }[])[0]!.ifindex;
  }

  mac(dev: string): string {
    return (JSON.parse(this.ip('-j', 'link', 'show', 'dev', dev)) as { address: string }[])[0]!.address;
  }

  delete(): void {
    try {
      execFileSync('ip', ['netns', 'del', this.name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    created.delete(this.name);
  }
}

/** A veth pair inside one namespace (or across two), both ends up. */
export function vethPair(a: Netns, nameA: string, b: Netns, nameB: string, opts: { mtu?: number } = {}): void {
  a.ip('link', 'add', nameA, 'type', 'veth', 'peer', 'name', nameB, 'netns', b.name);
  if (opts.mtu) {
    a.ip('link', 'set', nameA, 'mtu', String(opts.mtu));
    b.ip('link', 'set', nameB, 'mtu', String(opts.mtu));
  }
  a.ip('link', 'set', nameA, 'up');
  b.ip('link', 'set', nameB, 'up');
}
