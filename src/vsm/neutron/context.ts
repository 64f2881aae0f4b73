// Who a Neutron request acts for: the project of its token and whether it is an admin (a role
// `admin` in the token, as Neutron's default policy says). Without Keystone every request is
// the operator's: admin, with no project.

export interface RequestContext {
  /** The token's project ('' without Keystone, or for a token scoped to no project). */
  projectId: string;
  userId: string;
  roles: string[];
  isAdmin: boolean;
}

export const OPERATOR: RequestContext = { projectId: '', userId: '', roles: ['admin'], isAdmin: true };
