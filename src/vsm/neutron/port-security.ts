// Neutron's port security attributes on the VSM's ports: `port_security_enabled` (default: the
// network's), `allowed_address_pairs` (each an IPv4 address or prefix, with an optional MAC),
// and the addresses of `fixed_ips`. They become the port's sources in the VEM's view
// (docs/dataplane.md, "Security").
import type { AddressPair, PortObj } from '../objects.js';
import { badRequest, conflict, notFound } from './errors.js';

interface PairBody { ip_address?: unknown; mac_address?: unknown }

/** `allowed_address_pairs` of a request, shaped (the model checks the values). */
export function addressPairs(raw: unknown[]): AddressPair[] {
  const seen = new Set<string>();
  return raw.map((x) => {
    const p = x as PairBody;
    if (typeof p !== 'object' || p === null || typeof p.ip_address !== 'string') {
      throw badRequest('Invalid input for allowed_address_pairs. Reason: each pair needs an ip_address.', 'InvalidInput');
    }
    if (p.mac_address !== undefined && p.mac_address !== null && typeof p.mac_address !== 'string') {
      throw badRequest('Invalid input for allowed_address_pairs. Reason: mac_address must be a string.', 'InvalidInput');
    }
    const mac = typeof p.mac_address === 'string' ? p.mac_address.toLowerCase() : undefined;
    const id = `${p.ip_address}/${mac ?? ''}`;
    if (seen.has(id)) throw badRequest(`Request contains duplicate address pair: mac_address ${mac ?? ''} ip_address ${p.ip_address}.`, 'DuplicateAddressPairInRequest');
    seen.add(id);
    return mac ? { address: p.ip_address, mac } : { address: p.ip_address };
  });
}

/** The port's own port_security_enabled: as asked, else as it was, else the network's. */
export function portSecurityEnabled(asked: unknown, prev: boolean | undefined, network: unknown): boolean {
  if (typeof asked === 'boolean') return asked;
  if (prev !== undefined) return prev;
  return network !== false;
}

/**
 * `security_groups` of a request: vxvem has no security groups (the security-group extension is
 * not offered), so an empty list is all there is and any group named does not exist, which
 * Neutron answers with 404 SecurityGroupNotFound.
 */
export function checkSecurityGroups(asked: unknown): void {
  const first = Array.isArray(asked) ? (asked as unknown[])[0] : undefined;
  if (first !== undefined) throw notFound('SecurityGroupNotFound', `Security group ${String(first)} does not exist`);
}

/** Neutron refuses address pairs on a port without port security. */
export function checkPairsNeedSecurity(enabled: boolean, pairs: AddressPair[]): void {
  if (!enabled && pairs.length) {
    throw conflict('AddressPairAndPortSecurityRequired', 'Port Security must be enabled in order to have allowed address pairs on a port.');
  }
}

/** The attributes as Neutron shows them. */
export function securityView(p: PortObj, policyOn: boolean): { port_security_enabled: boolean; allowed_address_pairs: { ip_address: string; mac_address: string }[] } {
  return {
    port_security_enabled: policyOn && p.portSecurity !== false,
    allowed_address_pairs: (p.allowedPairs ?? []).map((x) => ({ ip_address: x.address, mac_address: x.mac ?? p.mac })),
  };
}
