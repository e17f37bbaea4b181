import type { Role } from '../api/protocol.ts';
import type { AuditEntry } from '../audit/audit-log.ts';
import { relationTo, roleReaches, type RecordingActor, type Relation } from './actor.ts';

/**
 * Access control for every recording route, as one pure decision.
 *
 * Reach (whose recordings): an agent their own calls; a supervisor their own
 * and their team agents' calls; an admin every call of their organization.
 * Nobody ever reaches another organization's recordings.
 *
 * Rights (what, within reach):
 *
 *   action          agent  supervisor  admin
 *   list            yes    yes         yes
 *   view_metadata   yes    yes         yes
 *   play            yes    yes         yes
 *   download        no     yes         yes
 *   set_legal_hold  no     no          yes
 *   delete          no     no          yes — unless on legal hold
 *
 * A recording on legal hold cannot be deleted by anyone (retention purges
 * skip it too, see retention.ts). Checks run in this order, and the first
 * failure is the reason: tenant, reach, role right, legal hold — so another
 * tenant learns nothing about a recording, not even its hold.
 *
 * Playback, download, deletion and legal-hold changes are audited, allowed
 * or denied: the decision carries the audit entry to write.
 */

export const RECORDING_ACTIONS = ['list', 'view_metadata', 'play', 'download', 'delete', 'set_legal_hold'] as const;
export type RecordingAction = (typeof RECORDING_ACTIONS)[number];

/** A recording as access control sees it. */
export interface RecordingAccessTarget {
  readonly id: string;
  readonly organizationId: string;
  /** Every agent who took part in the recorded call; empty for agent-less calls (IVR only: admins). */
  readonly agentIds: readonly string[];
  readonly legalHold: boolean;
}

export type AccessDenial =
  | 'other_organization'
  /** Not the actor's own recording (agents), nor their team's (supervisors). */
  | 'out_of_scope'
  /** The actor's role may not do this to any recording. */
  | 'action_not_permitted'
  | 'legal_hold';

export type AccessDecision =
  | { readonly allowed: true; readonly audit: AuditEntry | null }
  | { readonly allowed: false; readonly reason: AccessDenial; readonly audit: AuditEntry | null };

const RIGHTS: Record<Role, ReadonlySet<RecordingAction>> = {
  agent: new Set(['list', 'view_metadata', 'play']),
  supervisor: new Set(['list', 'view_metadata', 'play', 'download']),
  admin: new Set(RECORDING_ACTIONS),
};

/** The actions whose every attempt is written to the audit log. */
export const AUDITED_ACTIONS: ReadonlySet<RecordingAction> = new Set(['play', 'download', 'delete', 'set_legal_hold']);

/** Whether the role may ever do `action` (to a recording within its reach). */
export function roleMay(role: Role, action: RecordingAction): boolean {
  return RIGHTS[role].has(action);
}

/**
 * Whether `actor` may do `action` to `recording`, and what to audit.
 * `auditDetails` (e.g. the new legal-hold value) are added to the audit entry.
 */
export function authorizeRecordingAccess(
  actor: RecordingActor,
  action: RecordingAction,
  recording: RecordingAccessTarget,
  auditDetails: Readonly<Record<string, unknown>> = {},
): AccessDecision {
  const relation = relationTo(actor, recording);
  const reason = denial(actor, action, recording, relation);
  const audit: AuditEntry | null = AUDITED_ACTIONS.has(action)
    ? {
        organizationId: actor.organizationId,
        actorUserId: actor.userId,
        action: `recording.${action}`,
        target: recording.id,
        details: {
          ...auditDetails,
          outcome: reason ? 'denied' : 'allowed',
          role: actor.role,
          ...(reason ? { reason } : {}),
          ...(relation !== 'other_organization' ? { relation } : {}),
        },
      }
    : null;
  return reason ? { allowed: false, reason, audit } : { allowed: true, audit };
}

function denial(actor: RecordingActor, action: RecordingAction, recording: RecordingAccessTarget, relation: Relation): AccessDenial | null {
  if (relation === 'other_organization') return 'other_organization';
  if (!roleReaches(actor.role, relation)) return 'out_of_scope';
  if (!roleMay(actor.role, action)) return 'action_not_permitted';
  if (action === 'delete' && recording.legalHold) return 'legal_hold';
  return null;
}

/**
 * The filter for list/search queries, equivalent to authorizing `list` row by
 * row: recordings of `organizationId` in which any of `agentIds` took part,
 * or all of the organization's recordings.
 */
export type RecordingListScope = { readonly organizationId: string; readonly agentIds: 'all' | readonly string[] };

export function recordingListScope(actor: RecordingActor): RecordingListScope {
  const own = actor.agentId ? [actor.agentId] : [];
  switch (actor.role) {
    case 'admin':
      return { organizationId: actor.organizationId, agentIds: 'all' };
    case 'supervisor':
      return { organizationId: actor.organizationId, agentIds: [...new Set([...own, ...actor.teamAgentIds.filter((a) => a !== '')])] };
    case 'agent':
      return { organizationId: actor.organizationId, agentIds: own };
  }
}

/** Whether a recording falls in a list scope (what the SQL filter does). */
export function inListScope(scope: RecordingListScope, recording: Pick<RecordingAccessTarget, 'organizationId' | 'agentIds'>): boolean {
  if (scope.organizationId === '' || scope.organizationId !== recording.organizationId) return false;
  const ids = scope.agentIds;
  return ids === 'all' || recording.agentIds.some((a) => ids.includes(a));
}
