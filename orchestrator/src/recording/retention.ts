import { z } from 'zod';
import type { AuditEntry } from '../audit/audit-log.ts';
import type { CdrOutcome } from '../calls/cdr.ts';
import { decideRecording, type PolicyScope, type RecordingPolicy } from './policy.ts';

/**
 * Retention and the nightly completeness check, as pure selections.
 *
 * A recording is kept for the retention days of its queue — the queue's
 * setting as it is now, so shortening a retention purges older recordings at
 * the next run — or the organization default when the queue has none (or the
 * call had no queue: outbound, internal). A day is 24 hours of wall-clock time
 * (86 400 000 ms), not a calendar day: a recording started at T becomes due at
 * T + days × 24 h exactly, and is purged by a run at or after that instant,
 * never earlier. A recording on legal hold is never purged, however old.
 */

export const DAY_MS = 86_400_000;
export const MAX_RETENTION_DAYS = 36_500;

export const retentionDaysSchema = z.number().int().min(1).max(MAX_RETENTION_DAYS);

export interface QueueRecordingSettings {
  readonly recording?: RecordingPolicy | null;
  /** null/absent: the organization default. */
  readonly retentionDays?: number | null;
}

/** One organization's recording configuration. */
export interface RecordingPolicies {
  readonly defaultRetentionDays: number;
  readonly queues: ReadonlyMap<string, QueueRecordingSettings>;
  readonly routes?: ReadonlyMap<string, RecordingPolicy>;
  readonly agents?: ReadonlyMap<string, RecordingPolicy>;
  /** Used when no queue, route or agent policy applies; absent = `none`. */
  readonly defaultRecording?: RecordingPolicy | null;
}

export class RetentionPolicyError extends Error {
  override readonly name = 'RetentionPolicyError';
  constructor(
    readonly queueId: string | null,
    message: string,
  ) {
    super(message);
  }
}

export type RetentionSource = 'queue' | 'default';

/** The retention that applies to a recording of `queueId`. Throws RetentionPolicyError for an invalid number of days. */
export function retentionFor(queueId: string | null, policies: Pick<RecordingPolicies, 'defaultRetentionDays' | 'queues'>): { days: number; source: RetentionSource } {
  if (!retentionDaysSchema.safeParse(policies.defaultRetentionDays).success) {
    throw new RetentionPolicyError(null, `default retention must be 1-${MAX_RETENTION_DAYS} whole days (got ${policies.defaultRetentionDays})`);
  }
  const days = queueId === null ? undefined : policies.queues.get(queueId)?.retentionDays;
  if (days === undefined || days === null) return { days: policies.defaultRetentionDays, source: 'default' };
  if (!retentionDaysSchema.safeParse(days).success) {
    throw new RetentionPolicyError(queueId, `queue ${queueId}: retention must be 1-${MAX_RETENTION_DAYS} whole days (got ${days})`);
  }
  return { days, source: 'queue' };
}

/** A stored recording, as retention sees it. */
export interface RetainedRecording {
  readonly id: string;
  readonly organizationId: string;
  readonly callId: string;
  readonly queueId: string | null;
  /** ms since the epoch. */
  readonly startedAt: number;
  readonly legalHold: boolean;
  /** Set once deleted; deleted recordings are not selected again. */
  readonly deletedAt?: number | null;
}

export interface PurgeSelection {
  readonly recordingId: string;
  readonly organizationId: string;
  readonly reason: 'retention_expired';
  readonly retentionDays: number;
  readonly retentionSource: RetentionSource;
  /** When the recording became due (startedAt + retention). */
  readonly dueAt: number;
  readonly audit: AuditEntry;
}

export interface HeldBack {
  readonly recordingId: string;
  readonly reason: 'legal_hold';
  readonly dueAt: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The recordings to purge at `now` and why, each with its audit entry (by the
 * system: no actor), plus the due recordings kept back by a legal hold.
 * Both lists are sorted by due time, then id. Invalid retention days throw
 * RetentionPolicyError rather than guessing.
 */
export function selectForPurge(
  recordings: readonly RetainedRecording[],
  policies: Pick<RecordingPolicies, 'defaultRetentionDays' | 'queues'>,
  now: number,
): { purge: PurgeSelection[]; heldBack: HeldBack[] } {
  const purge: PurgeSelection[] = [];
  const heldBack: HeldBack[] = [];
  for (const r of recordings) {
    if (r.deletedAt !== undefined && r.deletedAt !== null) continue;
    const { days, source } = retentionFor(r.queueId, policies);
    const dueAt = r.startedAt + days * DAY_MS;
    if (!Number.isFinite(dueAt) || now < dueAt) continue;
    if (r.legalHold) {
      heldBack.push({ recordingId: r.id, reason: 'legal_hold', dueAt });
      continue;
    }
    const scope = source === 'queue' ? `queue ${r.queueId} retention` : 'default retention';
    purge.push({
      recordingId: r.id,
      organizationId: r.organizationId,
      reason: 'retention_expired',
      retentionDays: days,
      retentionSource: source,
      dueAt,
      audit: {
        organizationId: r.organizationId,
        actorUserId: null,
        action: 'recording.purge',
        target: r.id,
        details: {
          text: `recording ${r.id} of call ${r.callId} purged: older than ${days} days (${scope}); started ${iso(r.startedAt)}, due ${iso(dueAt)}`,
          reason: 'retention_expired',
          callId: r.callId,
          queueId: r.queueId,
          retentionDays: days,
          retentionSource: source,
          startedAt: iso(r.startedAt),
          dueAt: iso(dueAt),
        },
      },
    });
  }
  const order = (a: { dueAt: number; recordingId: string }, b: { dueAt: number; recordingId: string }) =>
    a.dueAt - b.dueAt || (a.recordingId < b.recordingId ? -1 : a.recordingId > b.recordingId ? 1 : 0);
  return { purge: purge.sort(order), heldBack: heldBack.sort(order) };
}

/** A call record, as the completeness check needs it (a CdrRow fits). */
export interface CdrForRecordingCheck {
  readonly callId: string;
  readonly organizationId: string;
  readonly queueId: string | null;
  readonly agentId: string | null;
  readonly outcome: CdrOutcome;
  readonly talkSeconds: number | null;
  /** The outbound route, for outbound calls. */
  readonly routeId?: string | null;
  /** The call was flagged do-not-record (caller opt-out, legal): nothing is expected. */
  readonly doNotRecord?: boolean;
}

export interface MissingRecording {
  readonly callId: string;
  readonly organizationId: string;
  readonly queueId: string | null;
  readonly agentId: string | null;
  /** The policy that required the recording. */
  readonly requiredBy: PolicyScope | 'default';
}

/**
 * The nightly check: calls that should have a recording and have none. A call
 * should have one when it was answered, has talk time (> 0 s) and the policies
 * that applied to it (queue or route, and agent — see decideRecording) resolve
 * to `all`. A recording matches by organization and call id.
 */
export function missingRecordings(
  cdrs: readonly CdrForRecordingCheck[],
  recordings: readonly Pick<RetainedRecording, 'organizationId' | 'callId'>[],
  policies: Pick<RecordingPolicies, 'queues' | 'routes' | 'agents' | 'defaultRecording'>,
): MissingRecording[] {
  const have = new Set(recordings.map((r) => JSON.stringify([r.organizationId, r.callId])));
  const missing: MissingRecording[] = [];
  for (const c of cdrs) {
    if (c.outcome !== 'answered' || !(c.talkSeconds !== null && c.talkSeconds > 0)) continue;
    const decision = decideRecording({
      queuePolicy: c.queueId === null ? null : policies.queues.get(c.queueId)?.recording,
      routePolicy: c.routeId ? policies.routes?.get(c.routeId) : null,
      agentPolicy: c.agentId === null ? null : policies.agents?.get(c.agentId),
      defaultPolicy: policies.defaultRecording,
      doNotRecord: c.doNotRecord === true,
      phase: 'agent_answer',
    });
    if (decision.mode !== 'all' || decision.decidedBy === 'flag') continue;
    if (have.has(JSON.stringify([c.organizationId, c.callId]))) continue;
    missing.push({ callId: c.callId, organizationId: c.organizationId, queueId: c.queueId, agentId: c.agentId, requiredBy: decision.decidedBy });
  }
  return missing;
}
