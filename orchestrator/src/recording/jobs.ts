import type { Logger } from 'pino';
import type { Sql } from '../db/client.ts';
import { audit } from '../audit/audit-log.ts';
import { DAY_MS, missingRecordings, selectForPurge, type HeldBack, type MissingRecording } from './retention.ts';
import type { RecordingRepository } from './repository.ts';
import type { RecordingStorage } from './storage.ts';

/**
 * The recording housekeeping jobs: the completeness check (answered calls
 * that should have a recording and have none) and the retention purge. Both
 * run nightly and on demand (API); both write what they did to the audit log.
 */

export interface MissingCheckResult {
  from: string;
  to: string;
  checkedCalls: number;
  missing: MissingRecording[];
}

export interface PurgeResult {
  purged: { recordingId: string; organizationId: string; retentionDays: number }[];
  heldBack: HeldBack[];
  errors: { recordingId: string; error: string }[];
}

export class RecordingJobs {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: {
      sql: Sql;
      repo: RecordingRepository;
      storage: RecordingStorage;
      logger: Logger;
      /** IANA time zone for "nightly" (CC_TIMEZONE). */
      timeZone: string;
      /** Local hour of the nightly run (default 3). */
      hour?: number;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** Answered calls that ended in [from, to) of `organizationId` and should have a recording but have none. */
  async missingCheck(organizationId: string, from: Date, to: Date, actorUserId: string | null = null): Promise<MissingCheckResult> {
    const cdrs = await this.o.repo.answeredCalls(organizationId, from, to);
    const recorded = await this.o.repo.recordedCalls(organizationId, cdrs.map((c) => c.callId));
    const policies = await this.o.repo.policies(organizationId);
    const missing = missingRecordings(cdrs.map((c) => ({ ...c, outcome: c.outcome as 'answered' })), recorded, policies);
    const result = { from: from.toISOString(), to: to.toISOString(), checkedCalls: cdrs.length, missing };
    await audit(this.o.sql, {
      organizationId,
      actorUserId,
      action: 'recording.missing_check',
      target: null,
      details: { from: result.from, to: result.to, checkedCalls: cdrs.length, missing: missing.length, callIds: missing.slice(0, 500).map((m) => m.callId) },
    });
    if (missing.length > 0) {
      this.o.logger.error({ organizationId, missing: missing.length, callIds: missing.slice(0, 20).map((m) => m.callId) }, 'answered calls without the recording their policy requires');
    }
    return result;
  }

  /** Deletes the recordings past their retention (legal holds kept), auditing each deletion. */
  async purge(organizationId: string): Promise<PurgeResult> {
    const now = this.now();
    const policies = await this.o.repo.policies(organizationId);
    const shortest = Math.min(policies.defaultRetentionDays, ...[...policies.queues.values()].map((q) => q.retentionDays ?? Infinity));
    const candidates = await this.o.repo.purgeCandidates(organizationId, new Date(now - shortest * DAY_MS));
    const { purge, heldBack } = selectForPurge(
      candidates.map((r) => ({ id: r.id, organizationId: r.organizationId, callId: r.callId, queueId: r.queueId, startedAt: r.startedAt.getTime(), legalHold: r.legalHold, deletedAt: r.purgedAt?.getTime() ?? null })),
      policies,
      now,
    );
    const byId = new Map(candidates.map((r) => [r.id, r]));
    const result: PurgeResult = { purged: [], heldBack, errors: [] };
    for (const p of purge) {
      const row = byId.get(p.recordingId)!;
      try {
        if (row.storageKey && row.storage === this.o.storage.kind) await this.o.storage.remove(row.storageKey);
        await this.o.sql.begin(async (tx) => {
          await tx`update recordings set status = 'purged', purged_at = now(), next_attempt_at = null where id = ${row.id} and not legal_hold`;
          await audit(tx as unknown as Sql, { ...p.audit, details: { ...p.audit.details, storage: row.storage, storageKey: row.storageKey, sha256: row.sha256 } });
        });
        result.purged.push({ recordingId: p.recordingId, organizationId: p.organizationId, retentionDays: p.retentionDays });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        result.errors.push({ recordingId: p.recordingId, error });
        this.o.logger.error({ err, recordingId: p.recordingId }, 'purging a recording failed');
      }
    }
    if (result.purged.length || heldBack.length) this.o.logger.info({ organizationId, purged: result.purged.length, heldBack: heldBack.length }, 'recording retention purge');
    return result;
  }

  /** The nightly run over every organization: the previous 24 h completeness check, then the purge. */
  async nightly(): Promise<void> {
    const to = new Date(this.now());
    const from = new Date(to.getTime() - DAY_MS);
    for (const org of await this.o.repo.organizations()) {
      await this.missingCheck(org, from, to).catch((err: unknown) => this.o.logger.error({ err, org }, 'recording completeness check failed'));
      await this.purge(org).catch((err: unknown) => this.o.logger.error({ err, org }, 'recording purge failed'));
    }
  }

  /** Schedules `nightly` at the configured local hour, every day. */
  schedule(): void {
    const arm = () => {
      const delay = msUntilLocalHour(this.now(), this.o.timeZone, this.o.hour ?? 3);
      this.timer = setTimeout(() => {
        void this.nightly().finally(arm);
      }, delay);
      this.timer.unref();
    };
    arm();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** Milliseconds from `now` to the next time the wall clock in `timeZone` shows `hour`:00 (1 min to 24 h). */
export function msUntilLocalHour(now: number, timeZone: string, hour: number): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const sinceMidnight = (get('hour') * 3600 + get('minute') * 60 + get('second')) * 1000;
  let delay = hour * 3600_000 - sinceMidnight;
  if (delay < 60_000) delay += DAY_MS;
  return delay;
}
