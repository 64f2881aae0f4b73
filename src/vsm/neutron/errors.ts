// Neutron's error replies: an HTTP status and a body {"NeutronError": {type, message, detail}}.
import { VsmError } from '../objects.js';

export class NeutronError extends Error {
  override readonly name = 'NeutronError';
  /** Headers the reply carries besides the request id. */
  readonly headers: Record<string, string> = {};
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
  body(): Record<string, unknown> {
    return { NeutronError: { type: this.type, message: this.message, detail: '' } };
  }
}

export const badRequest = (message: string, type = 'HTTPBadRequest'): NeutronError => new NeutronError(400, type, message);
export const notFound = (type: string, message: string): NeutronError => new NeutronError(404, type, message);
export const conflict = (type: string, message: string): NeutronError => new NeutronError(409, type, message);

/** A rule of the VSM's model that the Neutron layer did not check first, in Neutron's terms. */
export function fromVsmError(e: VsmError): NeutronError {
  switch (e.code) {
    case 'invalid': return badRequest(e.message, 'InvalidInput');
    case 'not_found': return notFound('NotFound', e.message);
    case 'conflict': return conflict('Conflict', e.message);
    case 'in_use': return conflict('InUse', e.message);
  }
}

/** A request Neutron's policy refuses (the rule named as oslo.policy names it). */
export const forbidden = (rule: string): NeutronError => new NeutronError(403, 'PolicyNotAuthorized', `(rule:${rule}) is disallowed by policy`);
