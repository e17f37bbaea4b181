import type { Role } from '../api/protocol.ts';

/**
 * Who may supervise whom, as pure decisions.
 *
 * - Nobody ever acts on another organization's agents or calls (the answer is
 *   "not found": another tenant learns nothing, not even that the call exists).
 * - Agents supervise nobody.
 * - Admins supervise their whole organization.
 * - A supervisor supervises the agents of the queues they are responsible for
 *   (supervisor_queues) and the calls of those queues; a supervisor with no
 *   queue assigned supervises the whole organization (small centers with one 班长).
 */

export interface SupervisorActor {
  readonly userId: string;
  readonly role: Role;
  readonly organizationId: string;
  /** The queues this supervisor is responsible for; empty: the whole organization. Ignored for admins. */
  readonly supervisedQueueIds: readonly string[];
}

/** What a supervisor's reach covers: the organization, or the agents and calls of some queues. */
export type SupervisionScope =
  | { readonly kind: 'none' }
  | { readonly kind: 'organization'; readonly organizationId: string }
  | { readonly kind: 'queues'; readonly organizationId: string; readonly queueIds: ReadonlySet<string> };

export function supervisionScope(actor: SupervisorActor): SupervisionScope {
  if (actor.organizationId === '') return { kind: 'none' };
  switch (actor.role) {
    case 'agent':
      return { kind: 'none' };
    case 'admin':
      return { kind: 'organization', organizationId: actor.organizationId };
    case 'supervisor': {
      const queueIds = new Set(actor.supervisedQueueIds.filter((q) => q !== ''));
      return queueIds.size === 0
        ? { kind: 'organization', organizationId: actor.organizationId }
        : { kind: 'queues', organizationId: actor.organizationId, queueIds };
    }
  }
}

export type SupervisionDenial =
  /** Another tenant's agent or call: answered as not found. */
  | 'other_organization'
  /** Agents supervise nobody. */
  | 'role'
  /** Same organization, but not one of the supervisor's queues. */
  | 'out_of_scope';

export type RightsDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: SupervisionDenial };

const allow: RightsDecision = { allowed: true };
const deny = (reason: SupervisionDenial): RightsDecision => ({ allowed: false, reason });

/** An agent as the rights see them: their organization and the queues they are a member of. */
export interface SupervisedAgent {
  readonly agentId: string;
  readonly organizationId: string;
  readonly queueIds: readonly string[];
}

/** A live call as the rights see them: the queue it came through and the agent on it (with that agent's queues). */
export interface SupervisedCall {
  readonly callId: string;
  readonly organizationId: string;
  readonly queueId: string | null;
  readonly agent: SupervisedAgent | null;
}

function base(actor: SupervisorActor, organizationId: string): { decision: RightsDecision | null; scope: SupervisionScope } {
  const scope = supervisionScope(actor);
  if (actor.organizationId === '' || actor.organizationId !== organizationId) return { decision: deny('other_organization'), scope };
  if (scope.kind === 'none') return { decision: deny('role'), scope };
  if (scope.kind === 'organization') return { decision: allow, scope };
  return { decision: null, scope };
}

/** Whether the actor may force an agent's state or log them out. */
export function mayActOnAgent(actor: SupervisorActor, agent: SupervisedAgent): RightsDecision {
  const { decision, scope } = base(actor, agent.organizationId);
  if (decision) return decision;
  if (scope.kind !== 'queues') return deny('role');
  return agent.queueIds.some((q) => scope.queueIds.has(q)) ? allow : deny('out_of_scope');
}

/** Whether the actor may listen to, whisper into, barge into, hang up or intercept a call. */
export function mayActOnCall(actor: SupervisorActor, call: SupervisedCall): RightsDecision {
  const { decision, scope } = base(actor, call.organizationId);
  if (decision) return decision;
  if (scope.kind !== 'queues') return deny('role');
  if (call.queueId !== null && scope.queueIds.has(call.queueId)) return allow;
  if (call.agent && call.agent.organizationId === call.organizationId && call.agent.queueIds.some((q) => scope.queueIds.has(q))) return allow;
  return deny('out_of_scope');
}

/** HTTP status of a denial: other tenants' things do not exist for the actor. */
export function denialStatus(reason: SupervisionDenial): 403 | 404 {
  return reason === 'other_organization' ? 404 : 403;
}
