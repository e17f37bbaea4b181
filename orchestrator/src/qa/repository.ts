import type { Sql } from '../db/client.ts';
import { NotFoundError } from '../acd/repository.ts';
import type { ScoringForm } from './forms.ts';
import type { Answer, EvaluationRecord, EvaluationScore } from './scoring.ts';
import type { EvaluationStatus } from './workflow.ts';
import type { QaCommentView, QaDisputeView, QaEvaluationSummary, QaFormSummary, QaFormView, QaRecordingCandidate } from './views.ts';

/** A status change lost a race (someone else changed the evaluation first). */
export class EvaluationConflictError extends Error {
  override readonly name = 'EvaluationConflictError';
}

/** A form change that the form's state refuses (e.g. editing an archived form). */
export class FormStateError extends Error {
  override readonly name = 'FormStateError';
}

/** A recording as evaluation needs it. */
export interface RecordingForQa {
  id: string;
  organizationId: string;
  agentId: string | null;
  agentIds: string[];
  queueId: string | null;
  startedAt: Date;
  durationMs: number | null;
  status: string;
  legalHold: boolean;
}

/** An evaluation row with what the rules and views need. */
export interface EvaluationRow {
  id: string;
  organizationId: string;
  recordingId: string | null;
  formId: string;
  formVersion: number;
  evaluatorUserId: string | null;
  agentId: string | null;
  queueId: string | null;
  callStartedAt: Date;
  answers: Answer[];
  score: EvaluationScore | null;
  totalScore: number | null;
  fatal: boolean;
  status: EvaluationStatus;
  createdAt: Date;
  submittedAt: Date | null;
  acknowledgedAt: Date | null;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const person = (id: string | null, name: string | null) => (id && name !== null ? { id, displayName: name } : null);

interface RawEvaluation {
  id: string;
  organization_id: string;
  recording_id: string | null;
  form_id: string;
  form_version: number;
  evaluator_user_id: string | null;
  agent_id: string | null;
  queue_id: string | null;
  call_started_at: Date;
  answers: Answer[];
  score: EvaluationScore | null;
  total_score: string | null;
  fatal: boolean;
  status: EvaluationStatus;
  created_at: Date;
  submitted_at: Date | null;
  acknowledged_at: Date | null;
}

const toRow = (r: RawEvaluation): EvaluationRow => ({
  id: r.id,
  organizationId: r.organization_id,
  recordingId: r.recording_id,
  formId: r.form_id,
  formVersion: r.form_version,
  evaluatorUserId: r.evaluator_user_id,
  agentId: r.agent_id,
  queueId: r.queue_id,
  callStartedAt: r.call_started_at,
  answers: r.answers,
  score: r.score,
  totalScore: num(r.total_score),
  fatal: r.fatal,
  status: r.status,
  createdAt: r.created_at,
  submittedAt: r.submitted_at,
  acknowledgedAt: r.acknowledged_at,
});

/**
 * Quality-control storage: versioned scoring forms, evaluations, comments and
 * disputes. Everything arriving here is validated and authorized by the caller
 * (qa-routes.ts with the pure rules in this folder); status changes are guarded
 * by the expected current status so that concurrent changes cannot both win.
 */
export class QaRepository {
  constructor(private readonly sql: Sql) {}

  /* ---------------------------------- forms ---------------------------------- */

  async listForms(organizationId: string): Promise<QaFormSummary[]> {
    const rows = await this.sql<{ id: string; code: string; name: string; current_version: number; archived_at: Date | null; created_at: Date; evaluations: number }[]>`
      select f.id, f.code, f.name, f.current_version, f.archived_at, f.created_at,
             (select count(*)::int from qa_evaluations e where e.form_id = f.id) as evaluations
      from qa_forms f where f.organization_id = ${organizationId}
      order by f.archived_at is not null, f.name`;
    return rows.map((f) => ({
      id: f.id,
      code: f.code,
      name: f.name,
      currentVersion: f.current_version,
      archived: f.archived_at !== null,
      createdAt: f.created_at.toISOString(),
      evaluationCount: f.evaluations,
    }));
  }

  async form(organizationId: string, formId: string, version?: number): Promise<QaFormView> {
    const summary = (await this.listForms(organizationId)).find((f) => f.id === formId);
    if (!summary) throw new NotFoundError('scoring form not found');
    const versions = await this.sql<{ version: number; definition: ScoringForm; created_at: Date; created_by: string | null }[]>`
      select version, definition, created_at, created_by from qa_form_versions where form_id = ${formId} order by version`;
    const shown = versions.find((v) => v.version === (version ?? summary.currentVersion));
    if (!shown) throw new NotFoundError(`version ${version} of this scoring form not found`);
    return {
      ...summary,
      version: shown.version,
      definition: shown.definition,
      versions: versions.map((v) => ({ version: v.version, createdAt: v.created_at.toISOString(), createdBy: v.created_by })),
    };
  }

  async createForm(organizationId: string, form: ScoringForm, userId: string): Promise<string> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx<{ id: string }[]>`
        insert into qa_forms (organization_id, code, name, current_version) values (${organizationId}, ${form.id}, ${form.name}, 1) returning id`;
      await tx`insert into qa_form_versions (form_id, version, definition, created_by) values (${row!.id}, 1, ${tx.json(form as never)}, ${userId})`;
      return row!.id;
    });
  }

  /** Saves an edited form as its next version (earlier versions, and evaluations on them, stay as they were). */
  async addFormVersion(organizationId: string, formId: string, form: ScoringForm, userId: string): Promise<number> {
    return this.sql.begin(async (tx) => {
      const [f] = await tx<{ code: string; archived_at: Date | null; current_version: number }[]>`
        select code, archived_at, current_version from qa_forms where id = ${formId} and organization_id = ${organizationId} for update`;
      if (!f) throw new NotFoundError('scoring form not found');
      if (f.archived_at) throw new FormStateError('the form is archived: restore it before editing');
      if (f.code !== form.id) throw new FormStateError(`id: a form's id cannot change (it is "${f.code}")`);
      const [next] = await tx<{ v: number }[]>`select max(version) + 1 as v from qa_form_versions where form_id = ${formId}`;
      await tx`insert into qa_form_versions (form_id, version, definition, created_by) values (${formId}, ${next!.v}, ${tx.json(form as never)}, ${userId})`;
      await tx`update qa_forms set current_version = ${next!.v}, name = ${form.name} where id = ${formId}`;
      return next!.v;
    });
  }

  async setArchived(organizationId: string, formId: string, archived: boolean): Promise<void> {
    const rows = await this.sql`
      update qa_forms set archived_at = ${archived ? this.sql`coalesce(archived_at, now())` : null}
      where id = ${formId} and organization_id = ${organizationId} returning id`;
    if (rows.length === 0) throw new NotFoundError('scoring form not found');
  }

  /** The current version of an active form, to start an evaluation with. */
  async activeFormVersion(organizationId: string, formId: string): Promise<{ version: number; definition: ScoringForm }> {
    const [f] = await this.sql<{ version: number; definition: ScoringForm; archived_at: Date | null }[]>`
      select v.version, v.definition, f.archived_at from qa_forms f
      join qa_form_versions v on v.form_id = f.id and v.version = f.current_version
      where f.id = ${formId} and f.organization_id = ${organizationId}`;
    if (!f) throw new NotFoundError('scoring form not found');
    if (f.archived_at) throw new FormStateError('the form is archived: new evaluations cannot use it');
    return { version: f.version, definition: f.definition };
  }

  async formVersion(formId: string, version: number): Promise<ScoringForm> {
    const [v] = await this.sql<{ definition: ScoringForm }[]>`select definition from qa_form_versions where form_id = ${formId} and version = ${version}`;
    if (!v) throw new NotFoundError('scoring form version not found');
    return v.definition;
  }

  /* -------------------------------- recordings -------------------------------- */

  /** A recording by id, from any organization: the access rules decide (and another tenant learns nothing). */
  async recording(recordingId: string): Promise<RecordingForQa | null> {
    const [r] = await this.sql<{ id: string; organization_id: string; agent_id: string | null; agent_ids: string[]; queue_id: string | null; started_at: Date; duration_ms: number | null; status: string; legal_hold: boolean }[]>`
      select id, organization_id, agent_id, agent_ids, queue_id, started_at, duration_ms, status, legal_hold from recordings where id = ${recordingId}`;
    if (!r) return null;
    const agentIds = [...new Set([...(r.agent_id ? [r.agent_id] : []), ...r.agent_ids])];
    return { id: r.id, organizationId: r.organization_id, agentId: r.agent_id, agentIds, queueId: r.queue_id, startedAt: r.started_at, durationMs: r.duration_ms, status: r.status, legalHold: r.legal_hold };
  }

  /** Stored recordings of calls by `agentIds` ('all': the whole organization), newest first. */
  async recordingCandidates(organizationId: string, agentIds: 'all' | readonly string[], o: { from: Date; to: Date; limit: number }): Promise<(QaRecordingCandidate & { agentIds: string[] })[]> {
    if (agentIds !== 'all' && agentIds.length === 0) return [];
    const rows = await this.sql<{ id: string; call_id: string; agent_id: string | null; agent_ids: string[]; agent_name: string | null; queue_id: string | null; queue_name: string | null; caller_number: string | null; started_at: Date; duration_ms: number | null; evaluations: number }[]>`
      select r.id, r.call_id, r.agent_id, r.agent_ids, u.display_name as agent_name, r.queue_id, q.name as queue_name, r.caller_number,
             r.started_at, r.duration_ms, (select count(*)::int from qa_evaluations e where e.recording_id = r.id) as evaluations
      from recordings r
      left join agents a on a.id = r.agent_id left join users u on u.id = a.user_id
      left join queues q on q.id = r.queue_id
      where r.organization_id = ${organizationId} and r.status = 'stored'
        and r.started_at >= ${o.from} and r.started_at < ${o.to}
        ${agentIds === 'all' ? this.sql`` : this.sql`and (r.agent_id = any(${agentIds as string[]}::uuid[]) or r.agent_ids && ${agentIds as string[]}::uuid[])`}
      order by r.started_at desc limit ${o.limit}`;
    return rows.map((r) => ({
      id: r.id,
      callId: r.call_id,
      agent: person(r.agent_id, r.agent_name),
      agentIds: [...new Set([...(r.agent_id ? [r.agent_id] : []), ...r.agent_ids])],
      queue: r.queue_id && r.queue_name !== null ? { id: r.queue_id, name: r.queue_name } : null,
      callerNumber: r.caller_number,
      startedAt: r.started_at.toISOString(),
      durationMs: r.duration_ms,
      evaluationCount: r.evaluations,
    }));
  }

  /* -------------------------------- evaluations -------------------------------- */

  async createEvaluation(e: {
    organizationId: string;
    recordingId: string;
    formId: string;
    formVersion: number;
    evaluatorUserId: string;
    agentId: string;
    queueId: string | null;
    callStartedAt: Date;
    answers: Answer[];
  }): Promise<string> {
    const [row] = await this.sql<{ id: string }[]>`
      insert into qa_evaluations (organization_id, recording_id, form_id, form_version, evaluator_user_id, agent_id, queue_id, call_started_at, answers)
      values (${e.organizationId}, ${e.recordingId}, ${e.formId}, ${e.formVersion}, ${e.evaluatorUserId}, ${e.agentId}, ${e.queueId}, ${e.callStartedAt}, ${this.sql.json(e.answers as never)})
      returning id`;
    return row!.id;
  }

  async evaluation(id: string): Promise<EvaluationRow | null> {
    const [r] = await this.sql<RawEvaluation[]>`select * from qa_evaluations where id = ${id}`;
    return r ? toRow(r) : null;
  }

  /** Evaluations of the organization about `agentIds` ('all': any), newest call first. */
  async evaluations(
    organizationId: string,
    agentIds: 'all' | readonly string[],
    filter: { status?: EvaluationStatus | undefined; agentId?: string | undefined; recordingId?: string | undefined; limit: number },
  ): Promise<EvaluationRow[]> {
    if (agentIds !== 'all' && agentIds.length === 0) return [];
    const rows = await this.sql<RawEvaluation[]>`
      select * from qa_evaluations
      where organization_id = ${organizationId}
        ${agentIds === 'all' ? this.sql`` : this.sql`and agent_id = any(${agentIds as string[]}::uuid[])`}
        ${filter.status ? this.sql`and status = ${filter.status}` : this.sql``}
        ${filter.agentId ? this.sql`and agent_id = ${filter.agentId}` : this.sql``}
        ${filter.recordingId ? this.sql`and recording_id = ${filter.recordingId}` : this.sql``}
      order by call_started_at desc, created_at desc limit ${filter.limit}`;
    return rows.map(toRow);
  }

  /** Names and form titles for a list of evaluations. */
  async summaries(rows: readonly EvaluationRow[]): Promise<QaEvaluationSummary[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const extra = await this.sql<{ id: string; agent_name: string | null; queue_name: string | null; evaluator_name: string | null; form_name: string; caller_number: string | null }[]>`
      select e.id, au.display_name as agent_name, q.name as queue_name, eu.display_name as evaluator_name,
             v.definition->>'name' as form_name, r.caller_number
      from qa_evaluations e
      join qa_form_versions v on v.form_id = e.form_id and v.version = e.form_version
      left join agents a on a.id = e.agent_id left join users au on au.id = a.user_id
      left join queues q on q.id = e.queue_id
      left join users eu on eu.id = e.evaluator_user_id
      left join recordings r on r.id = e.recording_id
      where e.id = any(${ids}::uuid[])`;
    const byId = new Map(extra.map((x) => [x.id, x]));
    return rows.map((r) => {
      const x = byId.get(r.id);
      return {
        id: r.id,
        status: r.status,
        recordingId: r.recordingId,
        form: { id: r.formId, name: x?.form_name ?? '', version: r.formVersion },
        agent: person(r.agentId, x?.agent_name ?? null),
        queue: r.queueId && x?.queue_name != null ? { id: r.queueId, name: x.queue_name } : null,
        evaluator: person(r.evaluatorUserId, x?.evaluator_name ?? null),
        callStartedAt: r.callStartedAt.toISOString(),
        callerNumber: x?.caller_number ?? null,
        totalScore: r.totalScore,
        fatal: r.fatal,
        createdAt: r.createdAt.toISOString(),
        submittedAt: iso(r.submittedAt),
      };
    });
  }

  async comments(evaluationId: string): Promise<QaCommentView[]> {
    const rows = await this.sql<{ id: string; offset_ms: number; end_offset_ms: number | null; item_id: string | null; text: string; author_user_id: string | null; author_name: string | null; created_at: Date }[]>`
      select c.id, c.offset_ms, c.end_offset_ms, c.item_id, c.text, c.author_user_id, u.display_name as author_name, c.created_at
      from qa_comments c left join users u on u.id = c.author_user_id
      where c.evaluation_id = ${evaluationId} order by c.offset_ms, c.created_at`;
    return rows.map((c) => ({
      id: c.id,
      offsetMs: c.offset_ms,
      endOffsetMs: c.end_offset_ms,
      itemId: c.item_id,
      text: c.text,
      author: person(c.author_user_id, c.author_name),
      createdAt: c.created_at.toISOString(),
    }));
  }

  async dispute(evaluationId: string): Promise<QaDisputeView | null> {
    const [d] = await this.sql<{ reason: string; raised_at: Date; resolution: string | null; outcome: 'upheld' | 'rescored' | null; previous_total: string | null; resolved_by: string | null; resolver_name: string | null; resolved_at: Date | null }[]>`
      select d.reason, d.raised_at, d.resolution, d.outcome, d.previous_total, d.resolved_by, u.display_name as resolver_name, d.resolved_at
      from qa_disputes d left join users u on u.id = d.resolved_by where d.evaluation_id = ${evaluationId}`;
    if (!d) return null;
    return {
      reason: d.reason,
      raisedAt: d.raised_at.toISOString(),
      resolution: d.resolution,
      outcome: d.outcome,
      previousTotal: num(d.previous_total),
      resolvedBy: person(d.resolved_by, d.resolver_name),
      resolvedAt: iso(d.resolved_at),
    };
  }

  /** Saves a draft's answers (scored or not yet). */
  async saveAnswers(id: string, answers: readonly Answer[]): Promise<void> {
    const rows = await this.sql`update qa_evaluations set answers = ${this.sql.json(answers as never)}, updated_at = now() where id = ${id} and status = 'draft' returning id`;
    if (rows.length === 0) throw new EvaluationConflictError('the evaluation is no longer a draft');
  }

  /** Submits a draft with its server-computed score. */
  async submit(id: string, answers: readonly Answer[], score: EvaluationScore): Promise<void> {
    const rows = await this.sql`
      update qa_evaluations set answers = ${this.sql.json(answers as never)}, score = ${this.sql.json(score as never)},
             total_score = ${score.total}, fatal = ${score.fatalFailed.length > 0}, status = 'submitted', submitted_at = now(), updated_at = now()
      where id = ${id} and status = 'draft' returning id`;
    if (rows.length === 0) throw new EvaluationConflictError('the evaluation is no longer a draft');
  }

  async addComment(evaluationId: string, c: { offsetMs: number; endOffsetMs: number | null; itemId: string | null; text: string }, authorUserId: string): Promise<string> {
    const [row] = await this.sql<{ id: string }[]>`
      insert into qa_comments (evaluation_id, offset_ms, end_offset_ms, item_id, text, author_user_id)
      values (${evaluationId}, ${c.offsetMs}, ${c.endOffsetMs}, ${c.itemId}, ${c.text}, ${authorUserId}) returning id`;
    return row!.id;
  }

  async acknowledge(id: string): Promise<void> {
    const rows = await this.sql`update qa_evaluations set status = 'acknowledged', acknowledged_at = now(), updated_at = now() where id = ${id} and status = 'submitted' returning id`;
    if (rows.length === 0) throw new EvaluationConflictError('the evaluation is no longer awaiting the agent');
  }

  async openDispute(id: string, reason: string, userId: string): Promise<void> {
    await this.sql.begin(async (tx) => {
      const rows = await tx`update qa_evaluations set status = 'disputed', updated_at = now() where id = ${id} and status = 'submitted' returning id`;
      if (rows.length === 0) throw new EvaluationConflictError('the evaluation is no longer awaiting the agent');
      await tx`insert into qa_disputes (evaluation_id, reason, raised_by) values (${id}, ${reason}, ${userId})`;
    });
  }

  /** Resolves a dispute: upheld (the score stands) or rescored with new answers and their score. */
  async resolveDispute(id: string, r: { resolution: string; userId: string; rescored: { answers: readonly Answer[]; score: EvaluationScore } | null }): Promise<void> {
    await this.sql.begin(async (tx) => {
      const [before] = await tx<{ total_score: string | null }[]>`select total_score from qa_evaluations where id = ${id} and status = 'disputed' for update`;
      if (!before) throw new EvaluationConflictError('the evaluation is not disputed');
      if (r.rescored) {
        const s = r.rescored.score;
        await tx`update qa_evaluations set answers = ${tx.json(r.rescored.answers as never)}, score = ${tx.json(s as never)},
                   total_score = ${s.total}, fatal = ${s.fatalFailed.length > 0}, status = 'resolved', updated_at = now() where id = ${id}`;
      } else {
        await tx`update qa_evaluations set status = 'resolved', updated_at = now() where id = ${id}`;
      }
      await tx`update qa_disputes set resolution = ${r.resolution}, outcome = ${r.rescored ? 'rescored' : 'upheld'}, previous_total = ${before.total_score},
                 resolved_by = ${r.userId}, resolved_at = now() where evaluation_id = ${id}`;
    });
  }

  /* ---------------------------------- reports ---------------------------------- */

  /** Scored evaluations (submitted or later) of calls in [from, to), as aggregateScores reads them. */
  async reportRecords(organizationId: string, agentIds: 'all' | readonly string[], o: { from: Date; to: Date; formId: string | null }): Promise<EvaluationRecord[]> {
    if (agentIds !== 'all' && agentIds.length === 0) return [];
    const rows = await this.sql<{ agent_id: string | null; queue_id: string | null; call_started_at: Date; score: EvaluationScore }[]>`
      select agent_id, queue_id, call_started_at, score from qa_evaluations
      where organization_id = ${organizationId} and status <> 'draft'
        and call_started_at >= ${o.from} and call_started_at < ${o.to}
        ${agentIds === 'all' ? this.sql`` : this.sql`and agent_id = any(${agentIds as string[]}::uuid[])`}
        ${o.formId ? this.sql`and form_id = ${o.formId}` : this.sql``}`;
    return rows.map((r) => ({ agentId: r.agent_id ?? '', queueId: r.queue_id, at: r.call_started_at.getTime(), score: r.score }));
  }

  /** Display names of agents, queues (for report rows). */
  async names(organizationId: string): Promise<{ agents: Map<string, string>; queues: Map<string, string> }> {
    const agents = await this.sql<{ id: string; name: string }[]>`
      select a.id, u.display_name as name from agents a join users u on u.id = a.user_id where a.organization_id = ${organizationId}`;
    const queues = await this.sql<{ id: string; name: string }[]>`select id, name from queues where organization_id = ${organizationId}`;
    return { agents: new Map(agents.map((a) => [a.id, a.name])), queues: new Map(queues.map((q) => [q.id, q.name])) };
  }
}
