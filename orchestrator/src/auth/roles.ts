import type { Role } from '../api/protocol.ts';

const RANK: Record<Role, number> = { agent: 1, supervisor: 2, admin: 3 };

/** Roles are ordered: an admin may do what a supervisor may, a supervisor what an agent may. */
export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}
