import type { Role } from '../api/protocol.ts';

/**
 * Who is asking, as the recording rules see them: the session user plus the
 * agents whose calls they are responsible for.
 */
export interface RecordingActor {
  readonly userId: string;
  readonly role: Role;
  readonly organizationId: string;
  /** The actor's own agent id, when they take calls themselves (agents; some supervisors). */
  readonly agentId: string | null;
  /**
   * The agents of the teams this actor leads. Only read for supervisors: an
   * agent leads nobody, and an admin sees the whole organization anyway.
   */
  readonly teamAgentIds: readonly string[];
}

/**
 * How a call (or recording) relates to an actor, from closest to farthest.
 * - `own`: the actor's own agent took part in the call;
 * - `team`: a supervisor's team agent took part (and not the supervisor);
 * - `organization`: same organization, neither own nor team;
 * - `other_organization`: another tenant — never visible, whatever the role.
 */
export type Relation = 'own' | 'team' | 'organization' | 'other_organization';

/**
 * The relation of a call with `agentIds` (every agent who took part, in order
 * of transfer) in `organizationId` to the actor. A call with several agents
 * is `own` for each of them and `team` for each of their supervisors.
 */
export function relationTo(actor: RecordingActor, target: { organizationId: string; agentIds: readonly string[] }): Relation {
  if (actor.organizationId === '' || actor.organizationId !== target.organizationId) return 'other_organization';
  if (actor.agentId && target.agentIds.includes(actor.agentId)) return 'own';
  if (actor.role === 'supervisor' && target.agentIds.some((a) => a !== '' && actor.teamAgentIds.includes(a))) return 'team';
  return 'organization';
}

/** Whether the actor's role reaches a call at `relation`: agents their own, supervisors also their team's, admins the organization's. */
export function roleReaches(role: Role, relation: Relation): boolean {
  switch (relation) {
    case 'other_organization':
      return false;
    case 'own':
      return true;
    case 'team':
      return role === 'supervisor' || role === 'admin';
    case 'organization':
      return role === 'admin';
  }
}
