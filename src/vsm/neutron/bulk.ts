// Neutron's bulk create (`{"networks": [{...}, {...}]}`): all or nothing. Each item is created
// as a single POST would be, against a staged copy of the state that holds the items before it
// (so the second network gets the next VNI, the second port the next address); the items' changes
// are then committed as ONE model change. An item refused refuses the request and nothing is written.
import type { VsmState } from '../objects.js';
import { update, type Commit } from '../rules.js';
import { CoreResources, type CoreParts, type PortState } from './core.js';
import type { RequestContext } from './context.js';
import { badRequest } from './errors.js';
import { Policy } from './policy.js';
import { Quotas } from './quotas.js';
import { NeutronResources, type Kind } from './resources.js';
import type { SegmentRanges } from './segments.js';

type Touches = { networks?: string[]; hosts?: string[] };
type Change = (s: VsmState) => void;

/** A Commit that applies changes to a draft only; commit() writes them all at once. */
class StagedCommit implements Commit {
  private readonly base: VsmState;
  private draft: VsmState;
  private changes: Change[] = [];
  private readonly networks = new Set<string>();
  private readonly hosts = new Set<string>();

  constructor(private readonly real: Commit) {
    this.base = real.state();
    this.draft = this.base;
  }

  state(): VsmState {
    return this.draft;
  }

  change(fn: Change, touches?: Touches): Promise<void> {
    // Replayed from the base each time: a draft of a draft would confuse the derived indexes,
    // and bulk requests are a handful of items.
    const changes = [...this.changes, fn];
    this.draft = update(this.base, (s) => changes.forEach((c) => c(s))); // throws: nothing staged
    this.changes = changes;
    touches?.networks?.forEach((n) => this.networks.add(n));
    touches?.hosts?.forEach((h) => this.hosts.add(h));
    return Promise.resolve();
  }

  async commit(): Promise<void> {
    if (!this.changes.length) return;
    const changes = this.changes;
    await this.real.change((s) => changes.forEach((c) => c(s)), { networks: [...this.networks], hosts: [...this.hosts] });
  }
}

/** The items of a bulk body `{"<kind>": [...]}`, or undefined when the body is a single create. */
export function bulkItems(body: unknown, kind: Kind): unknown[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const o = body as Record<string, unknown>;
  if (Object.keys(o).length !== 1 || !(kind in o)) return undefined;
  const items = o[kind];
  if (!Array.isArray(items) || items.length === 0) throw badRequest(`Invalid input: "${kind}" must be a non-empty list.`, 'InvalidInput');
  return items;
}

export interface BulkParts extends Omit<CoreParts, 'resources' | 'policy' | 'quotas'> {
  ranges: SegmentRanges;
}

/** Creates every item or none; returns their views in the order asked. */
export async function createBulk(parts: BulkParts, ctx: RequestContext, kind: Kind, items: unknown[]): Promise<Record<string, unknown>[]> {
  const single = kind.slice(0, -1);
  const staged = new StagedCommit(parts.vsm);
  const written: string[] = [];
  // Port status is told of the new ports only once they exist in the real state.
  const ports: PortState = {
    written: (id) => void written.push(id),
    deleted: (gone) => parts.ports.deleted(gone),
    status: (p) => parts.ports.status(p),
    binding: (p) => parts.ports.binding(p),
  };
  const core = new CoreResources({
    resources: new NeutronResources(staged, parts.ranges), vsm: staged, policy: new Policy(staged), ports, quotas: new Quotas(staged),
  });
  const ids: string[] = [];
  for (const item of items) ids.push(String((await core.create(ctx, kind, { [single]: item })).id));
  await staged.commit();
  for (const id of written) parts.ports.written(id);
  // Presented from the real state now that it holds them (status and binding included).
  const real = new CoreResources({
    resources: new NeutronResources(parts.vsm, parts.ranges), vsm: parts.vsm, policy: new Policy(parts.vsm), ports: parts.ports, quotas: new Quotas(parts.vsm),
  });
  return ids.map((id) => real.show(ctx, kind, id));
}
