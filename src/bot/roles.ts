import { ROLES, type Platform, type Role } from './context.js';

/** Who is an operator (admin) and who a customer-service agent; everyone else is a fan. */
export class RoleDirectory {
  private readonly roles = new Map<string, Role>();
  /** Operators, as `platform:userId`. */
  readonly admins: readonly string[];
  /** Customer-service agents, as `platform:userId`. */
  readonly agents: readonly string[];

  constructor(people: { readonly admins: readonly string[]; readonly agents: readonly string[] }) {
    this.admins = [...people.admins];
    this.agents = [...people.agents];
    for (const id of people.agents) this.roles.set(id, 'agent');
    for (const id of people.admins) this.roles.set(id, 'admin'); // an admin listed as agent too stays admin
  }

  /** The role of `userId` on `platform`. */
  roleOf(platform: Platform, userId: string): Role {
    // In the local playground the user plays a role (`opsbot chat --as admin`): the id is the role.
    if (platform === 'local' && (ROLES as readonly string[]).includes(userId)) return userId as Role;
    return this.roles.get(`${platform}:${userId}`) ?? 'fan';
  }
}
