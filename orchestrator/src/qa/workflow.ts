import { relationTo, roleReaches, type RecordingActor } from '../recording/actor.ts';

/**
 * The life of an evaluation (质检单) and who may do what to it, as one pure decision.
 *
 *   draft ──submit──▶ submitted ──acknowledge──▶ acknowledged
 *                         │
 *                         └──dispute──▶ disputed ──resolve──▶ resolved
 *
 * Parties, by the evaluated call (the same reach as its recording, recording/access.ts):
 * - the evaluated agent sees the evaluation once submitted, acknowledges it or disputes it once;
 * - reviewers — supervisors reaching the agent (their team) and admins (the organization) —
 *   see every evaluation, comment on open ones and resolve disputes; nobody reviews their own call;
 * - the evaluator (the reviewer who opened the draft) alone edits the draft's answers and submits it.
 * Anyone else learns nothing (`not_visible`), whatever the status.
 */

export const EVALUATION_STATUSES = ['draft', 'submitted', 'acknowledged', 'disputed', 'resolved'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

export const EVALUATION_ACTIONS = ['view', 'save', 'submit', 'comment', 'acknowledge', 'dispute', 'resolve'] as const;
export type EvaluationAction = (typeof EVALUATION_ACTIONS)[number];

/** An evaluation as the decision sees it. */
export interface EvaluationParties {
  readonly organizationId: string;
  /** The evaluated agent; null once the agent was deleted. */
  readonly agentId: string | null;
  readonly evaluatorUserId: string | null;
  readonly status: EvaluationStatus;
}

export type EvaluationParty = 'agent' | 'reviewer';

export type EvaluationDenial =
  /** Not the actor's evaluation to see (other agent, other team, other tenant, or a draft about them). */
  | 'not_visible'
  /** Visible, but this party may not do this (e.g. an agent resolving, a reviewer editing someone else's draft). */
  | 'not_permitted'
  /** Permitted, but not in the evaluation's current status. */
  | 'wrong_status';

export type EvaluationDecision =
  | { readonly allowed: true; readonly party: EvaluationParty; readonly next: EvaluationStatus }
  | { readonly allowed: false; readonly reason: EvaluationDenial; readonly message: string };

interface Rule {
  readonly by: 'agent' | 'reviewer' | 'evaluator' | 'anyone';
  readonly from: readonly EvaluationStatus[];
  /** The status afterwards; absent: unchanged. */
  readonly to?: EvaluationStatus;
}

const RULES: Record<EvaluationAction, Rule> = {
  view: { by: 'anyone', from: EVALUATION_STATUSES },
  save: { by: 'evaluator', from: ['draft'] },
  submit: { by: 'evaluator', from: ['draft'], to: 'submitted' },
  comment: { by: 'reviewer', from: ['draft', 'submitted', 'disputed'] },
  acknowledge: { by: 'agent', from: ['submitted'], to: 'acknowledged' },
  dispute: { by: 'agent', from: ['submitted'], to: 'disputed' },
  resolve: { by: 'reviewer', from: ['disputed'], to: 'resolved' },
};

/** Which party the actor is to an evaluation of a call by `agentId`, or null when they may not see it at all. */
export function partyTo(actor: RecordingActor, e: Pick<EvaluationParties, 'organizationId' | 'agentId' | 'status'>): EvaluationParty | null {
  const relation = relationTo(actor, { organizationId: e.organizationId, agentIds: e.agentId ? [e.agentId] : [] });
  if (relation === 'other_organization') return null;
  if (relation === 'own') return e.status === 'draft' ? null : 'agent';
  if (actor.role !== 'agent' && roleReaches(actor.role, relation)) return 'reviewer';
  return null;
}

/** Whether `actor` may do `action` to the evaluation, and its status afterwards. */
export function decideEvaluationAction(actor: RecordingActor, e: EvaluationParties, action: EvaluationAction): EvaluationDecision {
  const party = partyTo(actor, e);
  if (party === null) return { allowed: false, reason: 'not_visible', message: 'evaluation not found' };
  const rule = RULES[action];
  const permitted =
    rule.by === 'anyone' ||
    rule.by === party ||
    (rule.by === 'evaluator' && party === 'reviewer' && e.evaluatorUserId === actor.userId);
  if (!permitted) {
    const who = rule.by === 'agent' ? 'the evaluated agent' : rule.by === 'evaluator' ? 'the evaluator' : 'a supervisor of the agent or an admin';
    return { allowed: false, reason: 'not_permitted', message: `only ${who} may ${action} this evaluation` };
  }
  if (!rule.from.includes(e.status)) {
    return { allowed: false, reason: 'wrong_status', message: `cannot ${action} an evaluation that is ${e.status} (only when ${rule.from.join(' or ')})` };
  }
  return { allowed: true, party, next: rule.to ?? e.status };
}

/** Whether `actor` may open an evaluation of a call by these agents: a reviewer of it, and not one of them. */
export function mayEvaluate(actor: RecordingActor, call: { organizationId: string; agentIds: readonly string[] }): boolean {
  if (actor.role === 'agent') return false;
  const relation = relationTo(actor, call);
  return relation !== 'own' && roleReaches(actor.role, relation);
}
