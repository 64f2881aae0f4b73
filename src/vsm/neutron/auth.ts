// Who a request to the Neutron API is. Without authentication it is the operator; with
// --neutron-token-file, the operator if X-Auth-Token is that token; with Keystone, whoever
// Keystone says the token is, refused as keystonemiddleware refuses it (401, WWW-Authenticate).
import type { IncomingMessage } from 'node:http';
import { OPERATOR, type RequestContext } from './context.js';
import { NeutronError } from './errors.js';
import { KeystoneUnavailableError, type Keystone } from './keystone.js';

export type Authenticate = (req: IncomingMessage) => Promise<RequestContext>;

/** keystonemiddleware's refusal: its JSON body, not a NeutronError one. */
class Unauthenticated extends NeutronError {
  constructor(uri: string) {
    super(401, 'Unauthorized', 'The request you have made requires authentication.');
    this.headers['www-authenticate'] = `Keystone uri="${uri}"`;
  }
  override body(): Record<string, unknown> {
    return { error: { code: 401, title: 'Unauthorized', message: this.message } };
  }
}

export function authenticator(o: { token?: string; keystone?: Keystone }): Authenticate {
  const { token, keystone } = o;
  if (keystone) {
    return async (req) => {
      const given = req.headers['x-auth-token'];
      if (typeof given !== 'string' || !given) throw new Unauthenticated(keystone.config.wwwAuthenticateUri);
      let ctx: RequestContext | undefined;
      try {
        ctx = await keystone.validate(given);
      } catch (e) {
        if (e instanceof KeystoneUnavailableError) throw new NeutronError(503, 'HTTPServiceUnavailable', `The Keystone service is temporarily unavailable: ${e.message}`);
        throw e;
      }
      if (!ctx) throw new Unauthenticated(keystone.config.wwwAuthenticateUri);
      return ctx;
    };
  }
  if (token !== undefined) {
    return async (req) => {
      if (req.headers['x-auth-token'] !== token) throw new NeutronError(401, 'HTTPUnauthorized', 'Authentication required: a valid X-Auth-Token is needed.');
      return OPERATOR;
    };
  }
  return async () => OPERATOR;
}
