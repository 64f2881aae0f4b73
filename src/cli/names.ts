// Objects the VSM names by key: its own by the name they were made with, those made through
// Neutron by their UUID. Operators may give either kind as they would to the openstack CLI: the
// key (the UUID), or the OpenStack name when one object alone has it.

export interface Named {
  name: string;
  /** The OpenStack name ('' for objects made on the VSM). */
  displayName: string;
}

export function resolveName<T extends Named>(items: readonly T[], ref: string, kind: string): T {
  const exact = items.find((x) => x.name === ref);
  if (exact) return exact;
  const named = items.filter((x) => x.displayName === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new Error(`${named.length} ${kind}s are named ${ref} in OpenStack: give one's ID (${named.map((x) => x.name).join(', ')})`);
  throw new Error(`no ${kind} ${ref}`);
}
