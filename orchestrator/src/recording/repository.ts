import type { Sql } from '../db/client.ts';
import type { RecordingMode, RecordingPolicy, RecordingStartAt, PolicyScope } from './policy.ts';
import type { RecordingPolicies, QueueRecordingSettings } from './retention.ts';
import type { RecordingListScope } from './access.ts';

/** The storage of recordings and recording policies (db/migrations/00008_recordings.sql). */

export type RecordingStatus = 'recording' | 'stored' | 'failed' | 'purged';

export interface PauseEventRecord {
  kind: 'pause' | 'resume';
  /** ISO time. */
  at: string;
  by: string | null;
}

export interface PauseSpanRecord {
  /** Offsets into the recording, ms. */
  fromMs: number;
  toMs: number;
}

export interface RecordingRow {
  id: string;
  organizationId: string;
  callId: string;
  agentId: string | null;
  agentIds: string[];
  queueId: string | null;
  routeId: string | null;
  direction: 'inbound' | 'outbound';
  callerNumber: string | null;
  calledNumber: string | null;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
  channels: number | null;
  sampleRate: number | null;
  sizeBytes: number | null;
  sha256: string | null;
  storage: 'local' | 's3';
  storageKey: string | null;
  capturePath: string;
  status: RecordingStatus;
  pauseEvents: PauseEventRecord[];
  pauses: PauseSpanRecord[];
  pausedMs: number;
  startReason: 'policy' | 'on_demand';
  startedBy: string | null;
  stoppedBy: string | null;
  legalHold: boolean;
  legalHoldBy: string | null;
  legalHoldAt: Date | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  storedAt: Date | null;
  purgedAt: Date | null;
}

type DbRow = Record<string, unknown>;

function toRow(r: DbRow): RecordingRow {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: r.id as string,
    organizationId: r.organization_id as string,
    callId: r.call_id as string,
    agentId: (r.agent_id as string | null) ?? null,
    agentIds: (r.agent_ids as string[] | null) ?? [],
    queueId: (r.queue_id as string | null) ?? null,
    routeId: (r.route_id as string | null) ?? null,
    direction: r.direction as 'inbound' | 'outbound',
    callerNumber: (r.caller_number as string | null) ?? null,
    calledNumber: (r.called_number as string | null) ?? null,
    startedAt: r.started_at as Date,
    endedAt: (r.ended_at as Date | null) ?? null,
    durationMs: n(r.duration_ms),
    channels: n(r.channels),
    sampleRate: n(r.sample_rate),
    sizeBytes: n(r.size_bytes),
    sha256: (r.sha256 as string | null) ?? null,
    storage: r.storage as 'local' | 's3',
    storageKey: (r.storage_key as string | null) ?? null,
    capturePath: r.capture_path as string,
    status: r.status as RecordingStatus,
    pauseEvents: (r.pause_events as PauseEventRecord[] | null) ?? [],
    pauses: (r.pauses as PauseSpanRecord[] | null) ?? [],
    pausedMs: Number(r.paused_ms ?? 0),
    startReason: r.start_reason as 'policy' | 'on_demand',
    startedBy: (r.started_by as string | null) ?? null,
    stoppedBy: (r.stopped_by as string | null) ?? null,
    legalHold: r.legal_hold === true,
    legalHoldBy: (r.legal_hold_by as string | null) ?? null,
    legalHoldAt: (r.legal_hold_at as Date | null) ?? null,
    attempts: Number(r.attempts ?? 0),
    lastError: (r.last_error as string | null) ?? null,
    nextAttemptAt: (r.next_attempt_at as Date | null) ?? null,
    storedAt: (r.stored_at as Date | null) ?? null,
    purgedAt: (r.purged_at as Date | null) ?? null,
  };
}

/** What a recording row starts with (the rest is filled in as it is captured and stored). */
export type NewRecording = Pick<
  RecordingRow,
  | 'id' | 'organizationId' | 'callId' | 'agentId' | 'agentIds' | 'queueId' | 'routeId' | 'direction'
  | 'callerNumber' | 'calledNumber' | 'startedAt' | 'storage' | 'capturePath' | 'startReason' | 'startedBy'
>;

export interface RecordingSearch {
  from?: Date | undefined;
  to?: Date | undefined;
  agentId?: string | undefined;
  queueId?: string | undefined;
  callerNumber?: string | undefined;
  minDurationSec?: number | undefined;
  maxDurationSec?: number | undefined;
  /** The call's outcome in its CDR (answered, abandoned, ...). */
  disposition?: string | undefined;
  minQaScore?: number | undefined;
  maxQaScore?: number | undefined;
  status?: RecordingStatus | undefined;
  limit: number;
  offset: number;
}

export interface RecordingSearchItem extends RecordingRow {
  disposition: string | null;
  talkSeconds: number | null;
  agentName: string | null;
  queueName: string | null;
  qaScore: number | null;
}

export interface PolicyRecord {
  scope: PolicyScope;
  targetId: string;
  mode: RecordingMode;
  startAt: RecordingStartAt;
}

export interface RecordingSettingsRecord {
  defaultMode: RecordingMode;
  defaultStartAt: RecordingStartAt;
  defaultRetentionDays: number;
}

export class RecordingRepository {
  private qaTable: boolean | null = null;

  constructor(private readonly sql: Sql) {}

  async insert(r: NewRecording): Promise<void> {
    await this.sql`
      insert into recordings (id, organization_id, call_id, agent_id, agent_ids, queue_id, route_id, direction, caller_number, called_number,
                              started_at, storage, capture_path, status, start_reason, started_by)
      values (${r.id}, ${r.organizationId}, ${r.callId}, ${r.agentId}, ${this.sql.array(r.agentIds)}::uuid[], ${r.queueId}, ${r.routeId},
              ${r.direction}, ${r.callerNumber}, ${r.calledNumber}, ${r.startedAt}, ${r.storage}, ${r.capturePath}, 'recording',
              ${r.startReason}, ${r.startedBy})`;
  }

  async get(id: string): Promise<RecordingRow | null> {
    const [r] = await this.sql`select * from recordings where id = ${id}`;
    return r ? toRow(r) : null;
  }

  /** A recording of the organization (another organization's is "not found"). */
  async getInOrganization(organizationId: string, id: string): Promise<RecordingRow | null> {
    const [r] = await this.sql`select * from recordings where id = ${id} and organization_id = ${organizationId}`;
    return r ? toRow(r) : null;
  }

  async byCapturePath(capturePath: string): Promise<RecordingRow | null> {
    const [r] = await this.sql`select * from recordings where capture_path = ${capturePath} order by created_at desc limit 1`;
    return r ? toRow(r) : null;
  }

  async forCall(organizationId: string, callId: string): Promise<RecordingRow[]> {
    const rows = await this.sql`select * from recordings where organization_id = ${organizationId} and call_id = ${callId} order by started_at`;
    return rows.map(toRow);
  }

  async addAgent(id: string, agentId: string): Promise<void> {
    await this.sql`
      update recordings set agent_ids = case when ${agentId}::uuid = any(agent_ids) then agent_ids else agent_ids || ${agentId}::uuid end,
                            agent_id = coalesce(agent_id, ${agentId}::uuid)
      where id = ${id}`;
  }

  /** The call moved to another queue: the recording follows it (search, retention). */
  async setQueue(id: string, queueId: string): Promise<void> {
    await this.sql`update recordings set queue_id = ${queueId} where id = ${id}`;
  }

  async setPauseEvents(id: string, events: PauseEventRecord[]): Promise<void> {
    await this.sql`update recordings set pause_events = ${this.sql.json(events as never)} where id = ${id}`;
  }

  /** The capture ended: when, the normalised pauses, who stopped it. */
  async markEnded(id: string, o: { endedAt: Date; pauses: PauseSpanRecord[]; pausedMs: number; stoppedBy: string | null }): Promise<void> {
    await this.sql`
      update recordings set ended_at = coalesce(ended_at, ${o.endedAt}), pauses = ${this.sql.json(o.pauses as never)}, paused_ms = ${Math.round(o.pausedMs)},
                            stopped_by = coalesce(stopped_by, ${o.stoppedBy})
      where id = ${id}`;
  }

  /** What the file says (written before it is moved/uploaded, so a retry can check the stored copy). */
  async setFileFacts(id: string, f: { durationMs: number; channels: number; sampleRate: number; sizeBytes: number; sha256: string; storage: 'local' | 's3'; storageKey: string }): Promise<void> {
    await this.sql`
      update recordings set duration_ms = ${f.durationMs}, channels = ${f.channels}, sample_rate = ${f.sampleRate}, size_bytes = ${f.sizeBytes},
                            sha256 = ${f.sha256}, storage = ${f.storage}, storage_key = ${f.storageKey}
      where id = ${id}`;
  }

  async markStored(id: string, attempts: number): Promise<void> {
    await this.sql`
      update recordings set status = 'stored', stored_at = now(), attempts = ${attempts}, last_error = null, next_attempt_at = null
      where id = ${id}`;
  }

  async markFailed(id: string, o: { attempts: number; error: string; nextAttemptAt: Date | null }): Promise<void> {
    await this.sql`
      update recordings set status = 'failed', attempts = ${o.attempts}, last_error = ${o.error.slice(0, 2000)}, next_attempt_at = ${o.nextAttemptAt}
      where id = ${id} and status in ('recording', 'failed')`;
  }

  /** Failed recordings whose next storage attempt is due. */
  async dueRetries(now: Date, limit = 50): Promise<RecordingRow[]> {
    const rows = await this.sql`
      select * from recordings where status = 'failed' and next_attempt_at is not null and next_attempt_at <= ${now}
      order by next_attempt_at limit ${limit}`;
    return rows.map(toRow);
  }

  /** Recordings still marked as capturing although their call ended more than `graceMs` ago (e.g. across a restart). */
  async orphaned(now: Date, graceMs: number, exclude: readonly string[]): Promise<RecordingRow[]> {
    const before = new Date(now.getTime() - graceMs);
    const rows = await this.sql`
      select r.* from recordings r left join cdrs c on c.id = r.call_id
      where r.status = 'recording' and not (r.id = any(${this.sql.array(exclude as string[])}::uuid[]))
        and ((c.ended_at is not null and c.ended_at < ${before}) or (c.id is null and r.started_at < ${new Date(now.getTime() - 6 * 3600_000)}))
      limit 50`;
    return rows.map(toRow);
  }

  async failures(organizationId: string, limit = 100): Promise<RecordingRow[]> {
    const rows = await this.sql`
      select * from recordings where organization_id = ${organizationId} and status = 'failed' order by started_at desc limit ${limit}`;
    return rows.map(toRow);
  }

  async setLegalHold(id: string, hold: boolean, by: string): Promise<void> {
    await this.sql`update recordings set legal_hold = ${hold}, legal_hold_by = ${by}, legal_hold_at = now() where id = ${id}`;
  }

  async markPurged(id: string): Promise<void> {
    await this.sql`update recordings set status = 'purged', purged_at = now(), next_attempt_at = null where id = ${id} and not legal_hold`;
  }

  /** Recordings that still hold audio (or may), started before `before`: purge candidates. */
  async purgeCandidates(organizationId: string, before: Date): Promise<RecordingRow[]> {
    const rows = await this.sql`
      select * from recordings where organization_id = ${organizationId} and status in ('stored', 'failed') and started_at <= ${before}
      order by started_at limit 5000`;
    return rows.map(toRow);
  }

  async organizations(): Promise<string[]> {
    return (await this.sql<{ id: string }[]>`select id from organizations order by id`).map((r) => r.id);
  }

  /** Whether the QA table (migration 00009, qa_evaluations with recording_id and total_score) is present. */
  async hasQaScores(): Promise<boolean> {
    if (this.qaTable === true) return true;
    const [r] = await this.sql<{ ok: boolean }[]>`
      select count(*) = 2 as ok from information_schema.columns
      where table_schema = current_schema() and table_name = 'qa_evaluations' and column_name in ('recording_id', 'total_score')`;
    this.qaTable = r?.ok === true;
    return this.qaTable;
  }

  /** Search within a list scope (see access.ts recordingListScope), newest first. */
  async search(scope: RecordingListScope, f: RecordingSearch): Promise<{ items: RecordingSearchItem[]; total: number; qaScoreAvailable: boolean }> {
    const sql = this.sql;
    const qa = await this.hasQaScores();
    const conds = [sql`r.organization_id = ${scope.organizationId}`];
    if (scope.agentIds !== 'all') conds.push(sql`r.agent_ids && ${sql.array(scope.agentIds as string[])}::uuid[]`);
    if (f.from) conds.push(sql`r.started_at >= ${f.from}`);
    if (f.to) conds.push(sql`r.started_at < ${f.to}`);
    if (f.agentId) conds.push(sql`${f.agentId}::uuid = any(r.agent_ids)`);
    if (f.queueId) conds.push(sql`r.queue_id = ${f.queueId}`);
    if (f.callerNumber) conds.push(sql`r.caller_number like ${'%' + f.callerNumber.replace(/[\\%_]/g, (m) => '\\' + m) + '%'}`);
    if (f.minDurationSec !== undefined) conds.push(sql`r.duration_ms >= ${Math.round(f.minDurationSec * 1000)}`);
    if (f.maxDurationSec !== undefined) conds.push(sql`r.duration_ms <= ${Math.round(f.maxDurationSec * 1000)}`);
    if (f.disposition) conds.push(sql`c.outcome = ${f.disposition}`);
    if (f.status) conds.push(sql`r.status = ${f.status}`);
    if (qa && f.minQaScore !== undefined) conds.push(sql`q.score >= ${f.minQaScore}`);
    if (qa && f.maxQaScore !== undefined) conds.push(sql`q.score <= ${f.maxQaScore}`);
    const where = conds.reduce((acc, c) => sql`${acc} and ${c}`);
    const qaJoin = qa
      ? sql`left join lateral (select avg(e.total_score)::float8 as score from qa_evaluations e where e.recording_id = r.id) q on true`
      : sql`left join lateral (select null::float8 as score) q on true`;
    const rows = await sql`
      select r.*, c.outcome as disposition, c.talk_seconds, u.display_name as agent_name, qu.name as queue_name, q.score as qa_score,
             count(*) over () as total
      from recordings r
      left join cdrs c on c.id = r.call_id
      left join agents a on a.id = r.agent_id
      left join users u on u.id = a.user_id
      left join queues qu on qu.id = r.queue_id
      ${qaJoin}
      where ${where}
      order by r.started_at desc, r.id
      limit ${f.limit} offset ${f.offset}`;
    const items = rows.map((r) => ({
      ...toRow(r),
      disposition: (r.disposition as string | null) ?? null,
      talkSeconds: r.talk_seconds === null || r.talk_seconds === undefined ? null : Number(r.talk_seconds),
      agentName: (r.agent_name as string | null) ?? null,
      queueName: (r.queue_name as string | null) ?? null,
      qaScore: r.qa_score === null || r.qa_score === undefined ? null : Number(r.qa_score),
    }));
    return { items, total: rows.length > 0 ? Number(rows[0]!.total) : 0, qaScoreAvailable: qa };
  }

  // ------------------------------------------------------------- policies

  async settings(organizationId: string): Promise<RecordingSettingsRecord> {
    const [r] = await this.sql`select * from recording_settings where organization_id = ${organizationId}`;
    if (!r) return { defaultMode: 'none', defaultStartAt: 'agent_answer', defaultRetentionDays: 180 };
    return { defaultMode: r.default_mode as RecordingMode, defaultStartAt: r.default_start_at as RecordingStartAt, defaultRetentionDays: Number(r.default_retention_days) };
  }

  async saveSettings(organizationId: string, s: RecordingSettingsRecord, by: string): Promise<void> {
    await this.sql`
      insert into recording_settings (organization_id, default_mode, default_start_at, default_retention_days, updated_at, updated_by)
      values (${organizationId}, ${s.defaultMode}, ${s.defaultStartAt}, ${s.defaultRetentionDays}, now(), ${by})
      on conflict (organization_id) do update set default_mode = excluded.default_mode, default_start_at = excluded.default_start_at,
        default_retention_days = excluded.default_retention_days, updated_at = now(), updated_by = excluded.updated_by`;
  }

  async policyList(organizationId: string): Promise<PolicyRecord[]> {
    const rows = await this.sql`select scope, target_id, mode, start_at from recording_policies where organization_id = ${organizationId} order by scope, target_id`;
    return rows.map((r) => ({ scope: r.scope as PolicyScope, targetId: r.target_id as string, mode: r.mode as RecordingMode, startAt: r.start_at as RecordingStartAt }));
  }

  async savePolicy(organizationId: string, p: PolicyRecord, by: string): Promise<void> {
    await this.sql`
      insert into recording_policies (organization_id, scope, target_id, mode, start_at, updated_at, updated_by)
      values (${organizationId}, ${p.scope}, ${p.targetId}, ${p.mode}, ${p.startAt}, now(), ${by})
      on conflict (organization_id, scope, target_id) do update set mode = excluded.mode, start_at = excluded.start_at,
        updated_at = now(), updated_by = excluded.updated_by`;
  }

  async deletePolicy(organizationId: string, scope: PolicyScope, targetId: string): Promise<boolean> {
    const r = await this.sql`delete from recording_policies where organization_id = ${organizationId} and scope = ${scope} and target_id = ${targetId}`;
    return r.count > 0;
  }

  /** Whether the queue/agent belongs to the organization (routes are not checked: their table is not ours). */
  async targetExists(organizationId: string, scope: PolicyScope, targetId: string): Promise<boolean> {
    if (scope === 'queue') return (await this.sql`select 1 from queues where id = ${targetId} and organization_id = ${organizationId}`).length > 0;
    if (scope === 'agent') return (await this.sql`select 1 from agents where id = ${targetId} and organization_id = ${organizationId}`).length > 0;
    return true;
  }

  async queueRetentions(organizationId: string): Promise<{ queueId: string; name: string; retentionDays: number | null }[]> {
    const rows = await this.sql`select id, name, recording_retention_days from queues where organization_id = ${organizationId} order by name`;
    return rows.map((r) => ({ queueId: r.id as string, name: r.name as string, retentionDays: r.recording_retention_days === null ? null : Number(r.recording_retention_days) }));
  }

  async setQueueRetention(organizationId: string, queueId: string, days: number | null): Promise<boolean> {
    const r = await this.sql`update queues set recording_retention_days = ${days} where id = ${queueId} and organization_id = ${organizationId}`;
    return r.count > 0;
  }

  /** The policies that apply to one call (queue, route, agent) and the organization default. */
  async policiesForCall(organizationId: string, t: { queueId: string | null; routeId: string | null; agentId: string | null }): Promise<{
    queuePolicy: RecordingPolicy | null;
    routePolicy: RecordingPolicy | null;
    agentPolicy: RecordingPolicy | null;
    defaultPolicy: RecordingPolicy;
  }> {
    const ids = [t.queueId, t.routeId, t.agentId].filter((x): x is string => x !== null);
    const rows = ids.length
      ? await this.sql`select scope, target_id, mode, start_at from recording_policies
                       where organization_id = ${organizationId} and target_id = any(${this.sql.array(ids)}::uuid[])`
      : [];
    const find = (scope: PolicyScope, id: string | null): RecordingPolicy | null => {
      const r = id ? rows.find((x) => x.scope === scope && x.target_id === id) : undefined;
      return r ? { mode: r.mode as RecordingMode, startAt: r.start_at as RecordingStartAt } : null;
    };
    const s = await this.settings(organizationId);
    return {
      queuePolicy: find('queue', t.queueId),
      routePolicy: find('route', t.routeId),
      agentPolicy: find('agent', t.agentId),
      defaultPolicy: { mode: s.defaultMode, startAt: s.defaultStartAt },
    };
  }

  /** Everything the retention and completeness checks need for one organization. */
  async policies(organizationId: string): Promise<RecordingPolicies> {
    const s = await this.settings(organizationId);
    const list = await this.policyList(organizationId);
    const queues = new Map<string, QueueRecordingSettings>();
    for (const q of await this.queueRetentions(organizationId)) queues.set(q.queueId, { retentionDays: q.retentionDays, recording: null });
    const routes = new Map<string, RecordingPolicy>();
    const agents = new Map<string, RecordingPolicy>();
    for (const p of list) {
      const policy = { mode: p.mode, startAt: p.startAt };
      if (p.scope === 'queue') queues.set(p.targetId, { ...(queues.get(p.targetId) ?? {}), recording: policy });
      else if (p.scope === 'route') routes.set(p.targetId, policy);
      else agents.set(p.targetId, policy);
    }
    return { defaultRetentionDays: s.defaultRetentionDays, queues, routes, agents, defaultRecording: { mode: s.defaultMode, startAt: s.defaultStartAt } };
  }

  /** Answered inbound calls that ended in [from, to), as the completeness check reads them. */
  async answeredCalls(organizationId: string, from: Date, to: Date): Promise<{ callId: string; organizationId: string; queueId: string | null; agentId: string | null; outcome: string; talkSeconds: number | null; doNotRecord: boolean }[]> {
    const rows = await this.sql`
      select id, organization_id, queue_id, agent_id, outcome, talk_seconds, do_not_record from cdrs
      where organization_id = ${organizationId} and outcome = 'answered' and ended_at >= ${from} and ended_at < ${to}`;
    return rows.map((r) => ({
      callId: r.id as string, organizationId: r.organization_id as string, queueId: (r.queue_id as string | null) ?? null,
      agentId: (r.agent_id as string | null) ?? null, outcome: r.outcome as string,
      talkSeconds: r.talk_seconds === null ? null : Number(r.talk_seconds), doNotRecord: r.do_not_record === true,
    }));
  }

  /**
   * Calls that have a recording: captured, stored, purged by retention, or
   * failed but still being retried. A recording that failed for good (or never
   * started) does not count: the call has no audio, the check must list it.
   */
  async recordedCalls(organizationId: string, callIds: string[]): Promise<{ organizationId: string; callId: string }[]> {
    if (callIds.length === 0) return [];
    const rows = await this.sql`
      select distinct organization_id, call_id from recordings
      where organization_id = ${organizationId} and call_id = any(${this.sql.array(callIds)}::uuid[])
        and (status in ('recording', 'stored', 'purged') or next_attempt_at is not null)`;
    return rows.map((r) => ({ organizationId: r.organization_id as string, callId: r.call_id as string }));
  }

  async markDoNotRecord(callId: string): Promise<boolean> {
    const r = await this.sql`update cdrs set do_not_record = true where id = ${callId}`;
    return r.count > 0;
  }

  async agentDisplay(agentIds: string[]): Promise<Map<string, string>> {
    if (agentIds.length === 0) return new Map();
    const rows = await this.sql`select a.id, u.display_name from agents a join users u on u.id = a.user_id where a.id = any(${this.sql.array(agentIds)}::uuid[])`;
    return new Map(rows.map((r) => [r.id as string, r.display_name as string]));
  }
}
