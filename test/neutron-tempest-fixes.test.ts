// Neutron's policy rules Tempest found missing, checked on the policy itself: on a network it
// does not own (a shared one), a member may not set a port's port security or its allowed
// address pairs (Neutron's admin_or_network_owner), on create or update; the network's owner may.
import { describe, expect, it } from 'vitest';
import { emptyState, type PortObj } from '../src/vsm/objects.js';
import type { RequestContext } from '../src/vsm/neutron/context.js';
import { NeutronError } from '../src/vsm/neutron/errors.js';
import { Policy } from '../src/vsm/neutron/policy.js';

const state = emptyState();
state.segments.shared = { name: 'shared', vni: 7000, mode: 'unicast', origin: 'neutron', neutron: { project_id: 'owner', shared: true } };
const policy = new Policy({ state: () => state, change: async () => undefined });
const member = (projectId: string): RequestContext => ({ projectId, userId: `u-${projectId}`, roles: ['member'], isAdmin: false });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NeutronError) return `${e.status} ${e.message}`;
    throw e;
  }
  return 'allowed';
}

describe('port security on a network the member does not own', () => {
  it('port_security_enabled and allowed_address_pairs are refused with 403 on create', () => {
    const create = (attrs: Record<string, unknown>) => refusal(() => policy.create(member('other'), 'ports', { port: { network_id: 'shared', ...attrs } }));
    expect(create({ port_security_enabled: false })).toBe('403 (rule:create_port:port_security_enabled) is disallowed by policy');
    expect(create({ allowed_address_pairs: [{ ip_address: '198.51.100.9' }] })).toBe('403 (rule:create_port:allowed_address_pairs) is disallowed by policy');
    expect(create({ name: 'plain' })).toBe('allowed');
  });

  it('and on update of the member\'s own port there', () => {
    const port: PortObj = { name: 'p1', network: 'shared', host: '', mac: 'fa:16:3e:00:00:01', policy: 'default', interface: 'tapp1', origin: 'neutron', neutron: { project_id: 'other' } };
    const update = (attrs: Record<string, unknown>) => refusal(() => policy.update(member('other'), 'ports', port, { port: attrs }));
    expect(update({ allowed_address_pairs: [] })).toBe('403 (rule:update_port:allowed_address_pairs) is disallowed by policy');
    expect(update({ port_security_enabled: true })).toBe('403 (rule:update_port:port_security_enabled) is disallowed by policy');
    expect(update({ name: 'renamed' })).toBe('allowed');
  });

  it('the network\'s owner may set both', () => {
    expect(refusal(() => policy.create(member('owner'), 'ports', { port: { network_id: 'shared', port_security_enabled: false, allowed_address_pairs: [] } }))).toBe('allowed');
  });
});
