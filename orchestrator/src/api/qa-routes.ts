import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { App } from './server.ts';
import { requireRole } from './server.ts';
import { HttpError, notFound } from './errors.ts';
import { uuidParam } from './schemas.ts';
import type { SessionUser } from './protocol.ts';
import type { Sql } from '../db/client.ts';
import { audit } from '../audit/audit-log.ts';
import { NotFoundError } from '../acd/repository.ts';
import type { RecordingActor } from '../recording/actor.ts';
import { authorizeRecordingAccess, recordingListScope } from '../recording/access.ts';
import { parseScoringForm, type ScoringForm } from '../qa/forms.ts';
import { aggregateScores, answerSchema, ScoringError, scoreEvaluation, type Answer, type EvaluationScore } from '../qa/scoring.ts';
import { validateComment } from '../qa/comments.ts';
import { decideEvaluationAction, mayEvaluate, partyTo, EVALUATION_STATUSES, type EvaluationAction } from '../qa/workflow.ts';
import { EvaluationConflictError, FormStateError, QaRepository, type EvaluationRow } from '../qa/repository.ts';
import type { QaEvaluationView, QaReport } from '../qa/views.ts';

const answers = z.array(answerSchema).max(1000);
const formBody = z.object({ definition: z.unknown() });
const archiveBody = z.object({ archived: z.boolean() });
const formQuery = z.object({ version: z.coerce.number().int().min(1).optional() });
const newEvaluationBody = z.object({
  recordingId: z.uuid(),
  formId: z.uuid(),
  /** The evaluated agent, for a call several agents took part in; default: the agent who answered. */
  agentId: z.uuid().optional(),
  answers: answers.default([]),
});
const answersBody = z.object({ answers });
const submitBody = z.object({ answers: answers.optional() });
const reasonText = z.string().trim().min(1, 'a reason is required').max(2000);
const disputeBody = z.object({ reason: reasonText });
const resolveBody = z.object({ resolution: reasonText, answers: answers.optional() });
const listQuery = z.object({
  status: z.enum(EVALUATION_STATUSES).optional(),
  agentId: z.uuid().optional(),
  recordingId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
const isoDate = z.iso.datetime({ offset: true });
const candidatesQuery = z.object({ from: isoDate.optional(), to: isoDate.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
const reportQuery = z
  .object({
    groupBy: z.enum(['agent', 'queue', 'item']),
    bucket: z.enum(['day', 'week', 'month', 'all']).default('day'),
    from: isoDate,
    to: isoDate,
    formId: z.uuid().optional(),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] })
  .refine((q) => q.groupBy !== 'item' || q.formId !== undefined, { message: 'formId: required when grouping by item (items belong to a form)', path: ['formId'] });

export interface QaRouteDeps {
  sql: Sql;
  qa: QaRepository;
  /** Who is asking, with the agents of the teams they lead (recording/actor.ts). */
  actorOf(user: SessionUser): Promise<RecordingActor>;
  /** Report buckets (days, weeks, months) follow this IANA time zone: CC_TIMEZONE. */
  timezone: string;
}

/** A form definition validated with parseScoringForm: a 400 whose issues name the section, item and field. */
function validForm(definition: unknown): ScoringForm {
  const parsed = parseScoringForm(definition);
  if (parsed.ok) return parsed.form;
  throw new HttpError(400, 'invalid_form', parsed.issues.map((i) => i.message).join('; '), parsed.issues.map((i) => ({ path: i.path, message: i.message })));
}

/** The server's score of `answers`: a 400 naming every unanswered, unknown or out-of-range item. */
function scored(form: ScoringForm, given: readonly Answer[]): EvaluationScore {
  try {
    return scoreEvaluation(form, given);
  } catch (err) {
    if (err instanceof ScoringError) {
      throw new HttpError(400, 'invalid_answers', err.message, err.issues.map((i) => ({ path: i.sectionId ? `${i.sectionId}.${i.itemId}` : i.itemId, message: i.message })));
    }
    throw err;
  }
}

function domain<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (err instanceof NotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof FormStateError) throw new HttpError(409, 'invalid_state', err.message);
    if (err instanceof EvaluationConflictError) throw new HttpError(409, 'invalid_state', err.message);
    throw err;
  });
}

/**
 * Quality control (质检): admins design versioned scoring forms; supervisors
 * (of the agent's team) and admins score recorded calls — the score is always
 * computed here, never taken from the browser — and pin comments to times of
 * the recording; the evaluated agent acknowledges or disputes; a reviewer
 * resolves the dispute. Reports average the scores by agent, queue or item.
 * Every change is audited (qa.*).
 */
export function registerQaRoutes(app: App, d: QaRouteDeps): void {
  const log = (user: SessionUser, action: string, target: string, details: object = {}) =>
    audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: `qa.${action}`, target, details });

  /** The evaluation and the asker's right to do `action` to it; anything not visible is a 404. */
  async function authorized(req: FastifyRequest, id: string, action: EvaluationAction) {
    const user = requireRole(req, 'agent');
    const actor = await d.actorOf(user);
    const evaluation = await d.qa.evaluation(id);
    if (!evaluation) throw notFound('evaluation');
    const decision = decideEvaluationAction(actor, evaluation, action);
    if (!decision.allowed) {
      if (decision.reason === 'not_visible') throw notFound('evaluation');
      throw new HttpError(decision.reason === 'wrong_status' ? 409 : 403, decision.reason === 'wrong_status' ? 'invalid_state' : 'forbidden', decision.message);
    }
    return { user, actor, evaluation, decision };
  }

  async function view(actor: RecordingActor, e: EvaluationRow): Promise<QaEvaluationView> {
    const [summary] = await d.qa.summaries([e]);
    const recording = e.recordingId ? await d.qa.recording(e.recordingId) : null;
    const party = partyTo(actor, e)!;
    return {
      ...summary!,
      party,
      editable: e.status === 'draft' && e.evaluatorUserId === actor.userId,
      definition: await d.qa.formVersion(e.formId, e.formVersion),
      answers: e.answers,
      score: e.score,
      recordingDurationMs: recording && recording.status !== 'purged' ? recording.durationMs : null,
      comments: await d.qa.comments(e.id),
      dispute: await d.qa.dispute(e.id),
      acknowledgedAt: e.acknowledgedAt?.toISOString() ?? null,
    };
  }

  /* ---------------------------------- forms ---------------------------------- */

  app.get('/api/qa/forms', async (req) => d.qa.listForms(requireRole(req, 'supervisor').organizationId));

  app.get('/api/qa/forms/:id', { schema: { params: uuidParam, querystring: formQuery } }, async (req) =>
    domain(() => d.qa.form(requireRole(req, 'supervisor').organizationId, req.params.id, req.query.version)),
  );

  app.post('/api/qa/forms', { schema: { body: formBody } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const form = validForm(req.body.definition);
    const id = await d.qa.createForm(admin.organizationId, form, admin.id);
    await log(admin, 'form.create', id, { code: form.id, name: form.name, version: 1 });
    return reply.code(201).send(await d.qa.form(admin.organizationId, id));
  });

  app.put('/api/qa/forms/:id', { schema: { params: uuidParam, body: formBody } }, async (req) => {
    const admin = requireRole(req, 'admin');
    const form = validForm(req.body.definition);
    const version = await domain(() => d.qa.addFormVersion(admin.organizationId, req.params.id, form, admin.id));
    await log(admin, 'form.version', req.params.id, { code: form.id, name: form.name, version });
    return d.qa.form(admin.organizationId, req.params.id);
  });

  app.post('/api/qa/forms/:id/archive', { schema: { params: uuidParam, body: archiveBody } }, async (req) => {
    const admin = requireRole(req, 'admin');
    await domain(() => d.qa.setArchived(admin.organizationId, req.params.id, req.body.archived));
    await log(admin, req.body.archived ? 'form.archive' : 'form.restore', req.params.id);
    return d.qa.form(admin.organizationId, req.params.id);
  });

  /* -------------------------------- evaluations -------------------------------- */

  /** Recordings the asker may evaluate (their team's stored recordings, not their own calls). */
  app.get('/api/qa/recordings', { schema: { querystring: candidatesQuery } }, async (req) => {
    const user = requireRole(req, 'supervisor');
    const actor = await d.actorOf(user);
    const scope = recordingListScope(actor);
    const to = req.query.to ? new Date(req.query.to) : new Date(Date.now() + 60_000);
    const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 31 * 86_400_000);
    const rows = await d.qa.recordingCandidates(scope.organizationId, scope.agentIds, { from, to, limit: req.query.limit });
    return rows.filter((r) => mayEvaluate(actor, { organizationId: user.organizationId, agentIds: r.agentIds })).map(({ agentIds: _, ...r }) => r);
  });

  app.get('/api/qa/evaluations', { schema: { querystring: listQuery } }, async (req) => {
    const user = requireRole(req, 'agent');
    const actor = await d.actorOf(user);
    const scope = recordingListScope(actor);
    const rows = await d.qa.evaluations(scope.organizationId, scope.agentIds, req.query);
    return d.qa.summaries(rows.filter((e) => partyTo(actor, e) !== null));
  });

  app.post('/api/qa/evaluations', { schema: { body: newEvaluationBody } }, async (req, reply) => {
    const user = requireRole(req, 'supervisor');
    const actor = await d.actorOf(user);
    const recording = await d.qa.recording(req.body.recordingId);
    if (!recording) throw notFound('recording');
    const access = authorizeRecordingAccess(actor, 'play', recording);
    if (!access.allowed) throw access.reason === 'other_organization' ? notFound('recording') : new HttpError(403, 'forbidden', 'this recording is not within your reach');
    if (!mayEvaluate(actor, recording)) throw new HttpError(403, 'forbidden', 'you cannot evaluate a call you took part in');
    if (recording.status !== 'stored' || recording.durationMs === null) {
      throw new HttpError(409, 'invalid_state', `the recording cannot be evaluated (it is ${recording.status})`);
    }
    const agentId = req.body.agentId ?? recording.agentId ?? recording.agentIds[0];
    if (!agentId || !recording.agentIds.includes(agentId)) throw new HttpError(400, 'invalid_input', 'agentId: not an agent of this call');
    const form = await domain(() => d.qa.activeFormVersion(user.organizationId, req.body.formId));
    const known = new Set(form.definition.sections.flatMap((s) => s.items.map((it) => it.id)));
    const unknown = req.body.answers.filter((a) => !known.has(a.itemId));
    if (unknown.length) throw new HttpError(400, 'invalid_answers', unknown.map((a) => `item "${a.itemId}": not an item of this form`).join('; '));
    const id = await d.qa.createEvaluation({
      organizationId: user.organizationId,
      recordingId: recording.id,
      formId: req.body.formId,
      formVersion: form.version,
      evaluatorUserId: user.id,
      agentId,
      queueId: recording.queueId,
      callStartedAt: recording.startedAt,
      answers: req.body.answers,
    });
    await log(user, 'evaluation.create', id, { recordingId: recording.id, formId: req.body.formId, formVersion: form.version, agentId });
    return reply.code(201).send(await view(actor, (await d.qa.evaluation(id))!));
  });

  app.get('/api/qa/evaluations/:id', { schema: { params: uuidParam } }, async (req) => {
    const { actor, evaluation } = await authorized(req, req.params.id, 'view');
    return view(actor, evaluation);
  });

  /** Saves a draft's answers; answers the server's score once every item is answered (else null). */
  app.put('/api/qa/evaluations/:id/answers', { schema: { params: uuidParam, body: answersBody } }, async (req) => {
    const { user, actor, evaluation } = await authorized(req, req.params.id, 'save');
    const form = await d.qa.formVersion(evaluation.formId, evaluation.formVersion);
    // Unknown or out-of-range answers are refused even in a draft; unanswered items are fine until submit.
    let score: EvaluationScore | null = null;
    try {
      score = scoreEvaluation(form, req.body.answers);
    } catch (err) {
      if (!(err instanceof ScoringError)) throw err;
      const hard = err.issues.filter((i) => i.message !== 'not answered');
      if (hard.length) scored(form, req.body.answers);
    }
    await domain(() => d.qa.saveAnswers(evaluation.id, req.body.answers));
    await log(user, 'evaluation.save', evaluation.id, { answered: req.body.answers.length });
    return { ...(await view(actor, (await d.qa.evaluation(evaluation.id))!)), preview: score };
  });

  app.post('/api/qa/evaluations/:id/submit', { schema: { params: uuidParam, body: submitBody } }, async (req) => {
    const { user, actor, evaluation } = await authorized(req, req.params.id, 'submit');
    const form = await d.qa.formVersion(evaluation.formId, evaluation.formVersion);
    const given = req.body.answers ?? evaluation.answers;
    const score = scored(form, given);
    await domain(() => d.qa.submit(evaluation.id, given, score));
    await log(user, 'evaluation.submit', evaluation.id, { total: score.total, fatalFailed: score.fatalFailed, agentId: evaluation.agentId });
    return view(actor, (await d.qa.evaluation(evaluation.id))!);
  });

  app.post('/api/qa/evaluations/:id/comments', { schema: { params: uuidParam, body: z.record(z.string(), z.unknown()) } }, async (req, reply) => {
    const { user, evaluation } = await authorized(req, req.params.id, 'comment');
    const recording = evaluation.recordingId ? await d.qa.recording(evaluation.recordingId) : null;
    if (!recording || recording.status === 'purged' || recording.durationMs === null) {
      throw new HttpError(409, 'invalid_state', 'the recording is no longer available to comment on');
    }
    const checked = validateComment(req.body, recording.durationMs);
    if (!checked.ok) throw new HttpError(400, 'invalid_comment', checked.issues.map((i) => i.message).join('; '), checked.issues);
    const comment = checked.comment;
    if (comment.itemId !== null) {
      const form = await d.qa.formVersion(evaluation.formId, evaluation.formVersion);
      if (!form.sections.some((s) => s.items.some((it) => it.id === comment.itemId))) {
        throw new HttpError(400, 'invalid_comment', `itemId: "${comment.itemId}" is not an item of this form`, [{ path: 'itemId', message: 'not an item of this form' }]);
      }
    }
    const id = await d.qa.addComment(evaluation.id, comment, user.id);
    await log(user, 'evaluation.comment', evaluation.id, { commentId: id, offsetMs: comment.offsetMs, endOffsetMs: comment.endOffsetMs, itemId: comment.itemId });
    return reply.code(201).send((await d.qa.comments(evaluation.id)).find((c) => c.id === id));
  });

  app.post('/api/qa/evaluations/:id/acknowledge', { schema: { params: uuidParam } }, async (req) => {
    const { user, actor, evaluation } = await authorized(req, req.params.id, 'acknowledge');
    await domain(() => d.qa.acknowledge(evaluation.id));
    await log(user, 'evaluation.acknowledge', evaluation.id, { total: evaluation.totalScore });
    return view(actor, (await d.qa.evaluation(evaluation.id))!);
  });

  app.post('/api/qa/evaluations/:id/dispute', { schema: { params: uuidParam, body: disputeBody } }, async (req) => {
    const { user, actor, evaluation } = await authorized(req, req.params.id, 'dispute');
    await domain(() => d.qa.openDispute(evaluation.id, req.body.reason, user.id));
    await log(user, 'evaluation.dispute', evaluation.id, { reason: req.body.reason, total: evaluation.totalScore });
    return view(actor, (await d.qa.evaluation(evaluation.id))!);
  });

  app.post('/api/qa/evaluations/:id/resolve', { schema: { params: uuidParam, body: resolveBody } }, async (req) => {
    const { user, actor, evaluation } = await authorized(req, req.params.id, 'resolve');
    let rescored: { answers: Answer[]; score: EvaluationScore } | null = null;
    if (req.body.answers) {
      const form = await d.qa.formVersion(evaluation.formId, evaluation.formVersion);
      rescored = { answers: req.body.answers, score: scored(form, req.body.answers) };
    }
    await domain(() => d.qa.resolveDispute(evaluation.id, { resolution: req.body.resolution, userId: user.id, rescored }));
    await log(user, 'evaluation.resolve', evaluation.id, {
      outcome: rescored ? 'rescored' : 'upheld',
      previousTotal: evaluation.totalScore,
      total: rescored ? rescored.score.total : evaluation.totalScore,
    });
    return view(actor, (await d.qa.evaluation(evaluation.id))!);
  });

  /* ---------------------------------- reports ---------------------------------- */

  app.get('/api/qa/reports', { schema: { querystring: reportQuery } }, async (req): Promise<QaReport> => {
    const user = requireRole(req, 'supervisor');
    const actor = await d.actorOf(user);
    const q = req.query;
    const scope = recordingListScope(actor);
    // A supervisor's report covers their team, not their own calls.
    const agentIds = scope.agentIds === 'all' ? 'all' : scope.agentIds.filter((a) => a !== actor.agentId);
    const from = new Date(q.from);
    const to = new Date(q.to);
    const records = await d.qa.reportRecords(user.organizationId, agentIds, { from, to, formId: q.formId ?? null });
    const rows = aggregateScores(records, q.groupBy, { from: from.getTime(), to: to.getTime(), bucket: q.bucket, timezone: d.timezone });
    const names = await d.qa.names(user.organizationId);
    const items = q.groupBy === 'item' && q.formId ? await domain(() => d.qa.form(user.organizationId, q.formId!)) : null;
    const itemLabels = new Map(items?.definition.sections.flatMap((s) => s.items.map((it) => [it.id, it.label] as const)) ?? []);
    const label = (key: string | null): string | null =>
      key === null ? null : q.groupBy === 'agent' ? (names.agents.get(key) ?? null) : q.groupBy === 'queue' ? (names.queues.get(key) ?? null) : (itemLabels.get(key) ?? null);
    return {
      groupBy: q.groupBy,
      bucket: q.bucket,
      timezone: d.timezone,
      from: from.toISOString(),
      to: to.toISOString(),
      formId: q.formId ?? null,
      evaluations: records.length,
      rows: rows.map((r) => ({ ...r, label: label(r.key) })),
    };
  });
}
