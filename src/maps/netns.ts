// Moving this process into a named network namespace (`ip netns add NAME`): bpf(), netlink and
// the tools it spawns then act inside it, while sockets opened before stay where they were.
import { native } from '../../native/index.js';

const NETNS_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export function netnsNameProblem(name: string): string | undefined {
  return NETNS_NAME_RE.test(name) ? undefined : `${JSON.stringify(name)} is not a network namespace name (see \`ip netns list\`)`;
}

/** Enters /run/netns/NAME for the rest of the process; throws BpfError when it cannot. */
export function enterNetns(name: string): void {
  const problem = netnsNameProblem(name);
  if (problem) throw new Error(problem);
  native().netnsEnter(`/run/netns/${name}`);
}
