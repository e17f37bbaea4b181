import { z } from 'zod';
import parseRange from 'range-parser';
import type { FastifyReply } from 'fastify';
import type { App } from './server.ts';
import { requireRole } from './server.ts';
import { HttpError, notFound } from './errors.ts';
import { uuidParam } from './schemas.ts';
import type { SessionUser } from './protocol.ts';
import type { Sql } from '../db/client.ts';
import { audit } from '../audit/audit-log.ts';
import type { RecordingActor } from '../recording/actor.ts';
import { authorizeRecordingAccess, recordingListScope, type AccessDecision, type RecordingAction } from '../recording/access.ts';
import { RECORDING_CONTROL_ACTIONS, RECORDING_MODES, RECORDING_START_POINTS, RecordingControlError } from '../recording/policy.ts';
import { MAX_RETENTION_DAYS } from '../recording/retention.ts';
import { signRecordingUrl, verifyRecordingUrl, type RecordingUrlAction } from '../recording/signed-url.ts';
import { LiveCallNotFoundError, RecordingControlDeniedError, RecordingSwitchError, type Recorder } from '../recording/recorder.ts';
import type { RecordingRepository, RecordingRow, RecordingSearchItem } from '../recording/repository.ts';
import type { RecordingFinaliser } from '../recording/finaliser.ts';
import type { RecordingJobs } from '../recording/jobs.ts';
import { StoredRecordingMissingError, type RecordingStorage } from '../recording/storage.ts';

/** How long a playback/download URL lives (the signer allows at most 15 minutes). */
export const RECORDING_URL_TTL_MS = 10 * 60 * 1000;

export interface RecordingRouteDeps {
  sql: Sql;
  repo: RecordingRepository;
  storage: RecordingStorage;
  recorder: Recorder;
  finaliser: RecordingFinaliser;
  jobs: RecordingJobs;
  urlSecret: string;
  /** Who is asking, with the agents of the teams they lead. */
  actorOf(user: SessionUser): Promise<RecordingActor>;
  now?: () => number;
}

const isoDate = z.iso.datetime({ offset: true });
const DISPOSITIONS = ['answered', 'abandoned', 'overflowed', 'closed', 'callback', 'no_route', 'lost', 'live'] as const;
const searchQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    agentId: z.uuid().optional(),
    queueId: z.uuid().optional(),
    callerNumber: z.string().trim().regex(/^\+?[0-9]{1,32}$/, 'digits, optional leading +').optional(),
    minDurationSec: z.coerce.number().min(0).max(86_400).optional(),
    maxDurationSec: z.coerce.number().min(0).max(86_400).optional(),
    disposition: z.enum(DISPOSITIONS).optional(),
    minQaScore: z.coerce.number().min(0).max(100).optional(),
    maxQaScore: z.coerce.number().min(0).max(100).optional(),
    status: z.enum(['recording', 'stored', 'failed', 'purged']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] })
  .refine((q) => q.minDurationSec === undefined || q.maxDurationSec === undefined || q.minDurationSec <= q.maxDurationSec, { message: 'minDurationSec must not exceed maxDurationSec', path: ['maxDurationSec'] });
const audioQuery = z.object({ rid: z.string(), act: z.string(), uid: z.string(), exp: z.string(), sig: z.string() });
const legalHoldBody = z.object({ legalHold: z.boolean() });
const controlBody = z.object({ action: z.enum(RECORDING_CONTROL_ACTIONS) });
const policyParams = z.object({ scope: z.enum(['queue', 'route', 'agent']), targetId: z.uuid() });
const policyBody = z.object({ mode: z.enum(RECORDING_MODES), startAt: z.enum(RECORDING_START_POINTS).default('agent_answer') });
const retentionDays = z.number().int().min(1).max(MAX_RETENTION_DAYS);
const settingsBody = z.object({ defaultMode: z.enum(RECORDING_MODES), defaultStartAt: z.enum(RECORDING_START_POINTS), defaultRetentionDays: retentionDays });
const retentionParams = z.object({ queueId: z.uuid() });
const retentionBody = z.object({ retentionDays: retentionDays.nullable() });
const missingBody = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] });

/** What the API shows of a recording (never the file paths). */
export function recordingView(r: RecordingRow | RecordingSearchItem) {
  const extra = 'disposition' in r ? { disposition: r.disposition, talkSeconds: r.talkSeconds, agentName: r.agentName, queueName: r.queueName, qaScore: r.qaScore } : {};
  return {
    id: r.id,
    callId: r.callId,
    agentId: r.agentId,
    agentIds: r.agentIds,
    queueId: r.queueId,
    routeId: r.routeId,
    direction: r.direction,
    callerNumber: r.callerNumber,
    calledNumber: r.calledNumber,
    startedAt: r.startedAt.toISOString(),
    endedAt: r.endedAt?.toISOString() ?? null,
    durationMs: r.durationMs,
    channels: r.channels,
    sampleRate: r.sampleRate,
    sizeBytes: r.sizeBytes,
    sha256: r.sha256,
    storage: r.storage,
    status: r.status,
    pauses: r.pauses,
    pausedMs: r.pausedMs,
    startReason: r.startReason,
    startedBy: r.startedBy,
    stoppedBy: r.stoppedBy,
    legalHold: r.legalHold,
    attempts: r.attempts,
    lastError: r.lastError,
    nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
    storedAt: r.storedAt?.toISOString() ?? null,
    purgedAt: r.purgedAt?.toISOString() ?? null,
    ...extra,
  };
}

/**
 * Recordings: search, metadata, playback/download through short-lived signed
 * URLs (every issue audited), the signed audio itself (with Range, for
 * seeking), legal hold, deletion, live control of a call's recording, the
 * recording policies and retention, and the housekeeping jobs on demand.
 * Access follows recording/access.ts for every route; another organization's
 * recording is "not found".
 */
export function registerRecordingRoutes(app: App, d: RecordingRouteDeps): void {
  const now = d.now ?? Date.now;

  /** Loads a recording and applies the access decision for `action`, writing its audit entry (allowed or denied). */
  async function authorized(user: SessionUser, id: string, action: RecordingAction, details: Record<string, unknown> = {}): Promise<{ row: RecordingRow; actor: RecordingActor }> {
    const actor = await d.actorOf(user);
    const row = await d.repo.get(id);
    if (!row) throw notFound('recording');
    const decision: AccessDecision = authorizeRecordingAccess(actor, action, { id: row.id, organizationId: row.organizationId, agentIds: row.agentIds, legalHold: row.legalHold }, details);
    if (decision.audit) await audit(d.sql, decision.audit);
    if (!decision.allowed) {
      if (decision.reason === 'other_organization') throw notFound('recording');
      if (decision.reason === 'legal_hold') throw new HttpError(409, 'legal_hold', 'the recording is on legal hold');
      throw new HttpError(403, 'forbidden', decision.reason === 'out_of_scope' ? 'this recording is not within your reach' : 'your role does not allow this');
    }
    return { row, actor };
  }

  function signedUrl(row: RecordingRow, action: RecordingUrlAction, user: SessionUser): { url: string; expiresAt: string } {
    if (row.status !== 'stored') throw new HttpError(409, 'not_available', `the recording is not available (${row.status})`);
    const t = now();
    const expiresAt = t + RECORDING_URL_TTL_MS;
    const { query } = signRecordingUrl({ recordingId: row.id, action, userId: user.id, expiresAt }, d.urlSecret, t);
    return { url: `/api/recordings/${row.id}/audio?${query}`, expiresAt: new Date(expiresAt).toISOString() };
  }

  app.get('/api/recordings', { schema: { querystring: searchQuery } }, async (req) => {
    const user = requireRole(req, 'agent');
    const scope = recordingListScope(await d.actorOf(user));
    const q = req.query;
    const result = await d.repo.search(scope, {
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      agentId: q.agentId,
      queueId: q.queueId,
      callerNumber: q.callerNumber,
      minDurationSec: q.minDurationSec,
      maxDurationSec: q.maxDurationSec,
      disposition: q.disposition,
      minQaScore: q.minQaScore,
      maxQaScore: q.maxQaScore,
      status: q.status,
      limit: q.limit,
      offset: q.offset,
    });
    return { items: result.items.map(recordingView), total: result.total, qaScoreFilter: result.qaScoreAvailable ? 'available' : 'unavailable' };
  });

  /** Recordings whose storage failed (retrying or for good) within the asker's reach. */
  app.get('/api/recordings/failures', async (req) => {
    const user = requireRole(req, 'supervisor');
    const scope = recordingListScope(await d.actorOf(user));
    const result = await d.repo.search(scope, { status: 'failed', limit: 200, offset: 0 });
    return { items: result.items.map(recordingView), total: result.total };
  });

  app.get('/api/recordings/:id', { schema: { params: uuidParam } }, async (req) => {
    const { row } = await authorized(requireRole(req, 'agent'), req.params.id, 'view_metadata');
    const names = await d.repo.agentDisplay(row.agentIds);
    return { ...recordingView(row), agents: row.agentIds.map((id) => ({ id, name: names.get(id) ?? null })) };
  });

  /** EXACT CONTRACT (the QA UI uses it): { url, expiresAt } for the player; audited as recording.play. */
  app.post('/api/recordings/:id/playback', { schema: { params: uuidParam } }, async (req) => {
    const user = requireRole(req, 'agent');
    const { row } = await authorized(user, req.params.id, 'play');
    return signedUrl(row, 'play', user);
  });

  app.post('/api/recordings/:id/download', { schema: { params: uuidParam } }, async (req) => {
    const user = requireRole(req, 'agent');
    const { row } = await authorized(user, req.params.id, 'download');
    return signedUrl(row, 'download', user);
  });

  /** The audio, for a signed URL only; Range requests for seeking. */
  app.get('/api/recordings/:id/audio', { schema: { params: uuidParam, querystring: audioQuery } }, async (req, reply) => {
    const verdict = verifyRecordingUrl(req.query, d.urlSecret, now(), { recordingId: req.params.id, ...(req.user ? { userId: req.user.id } : {}) });
    if (!verdict.ok) {
      if (verdict.code === 'malformed') throw new HttpError(400, 'invalid_input', verdict.message);
      throw new HttpError(403, verdict.code === 'expired' ? 'url_expired' : 'bad_url', verdict.message);
    }
    const row = await d.repo.get(verdict.claims.recordingId);
    if (!row || row.status !== 'stored' || !row.storageKey) throw notFound('recording');
    return sendAudio(reply, d.storage, row, verdict.claims.action, req.headers.range);
  });

  app.put('/api/recordings/:id/legal-hold', { schema: { params: uuidParam, body: legalHoldBody } }, async (req) => {
    // Any role may ask; access.ts decides (admins only) and every attempt is audited.
    const user = requireRole(req, 'agent');
    const { row } = await authorized(user, req.params.id, 'set_legal_hold', { legalHold: req.body.legalHold });
    await d.repo.setLegalHold(row.id, req.body.legalHold, user.id);
    return recordingView((await d.repo.get(row.id))!);
  });

  app.delete('/api/recordings/:id', { schema: { params: uuidParam } }, async (req, reply) => {
    const user = requireRole(req, 'agent');
    const { row } = await authorized(user, req.params.id, 'delete');
    if (row.storageKey && row.storage === d.storage.kind) await d.storage.remove(row.storageKey);
    await d.repo.markPurged(row.id);
    return reply.code(204).send();
  });

  /** Retry storing a failed recording now. */
  app.post('/api/recordings/:id/retry', { schema: { params: uuidParam } }, async (req) => {
    const user = requireRole(req, 'admin');
    const row = await d.repo.getInOrganization(user.organizationId, req.params.id);
    if (!row) throw notFound('recording');
    if (row.status !== 'failed') throw new HttpError(409, 'invalid_state', `only a failed recording is retried (this one is ${row.status})`);
    const result = await d.finaliser.attempt(row.id);
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'recording.retry', target: row.id, details: { ok: result.ok } });
    return recordingView((await d.repo.get(row.id))!);
  });

  // ------------------------------------------------------------- live calls

  app.get('/api/calls/:id/recording', { schema: { params: uuidParam } }, async (req) => {
    const user = requireRole(req, 'agent');
    const actor = await d.actorOf(user);
    const live = d.recorder.liveCall(req.params.id);
    if (!live || !recordingListScopeReaches(actor, live)) throw notFound('live call');
    return d.recorder.status(req.params.id);
  });

  app.post('/api/calls/:id/recording', { schema: { params: uuidParam, body: controlBody } }, async (req) => {
    const user = requireRole(req, 'agent');
    const actor = await d.actorOf(user);
    try {
      const status = await d.recorder.control(actor, req.params.id, req.body.action);
      await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: `recording.${req.body.action}`, target: req.params.id, details: { recordingId: status.recordingId, state: status.state } });
      return status;
    } catch (err) {
      if (err instanceof LiveCallNotFoundError) throw notFound('live call');
      if (err instanceof RecordingControlDeniedError) {
        if (err.reason === 'other_organization') throw notFound('live call');
        if (err.reason === 'out_of_scope') throw new HttpError(403, 'forbidden', 'this call is not within your reach');
        throw new HttpError(409, err.reason, err.reason === 'recording_mandatory' ? 'this call must be recorded: it can be paused, not stopped' : 'recording is not permitted on this call');
      }
      if (err instanceof RecordingControlError) throw new HttpError(409, 'invalid_state', err.message);
      if (err instanceof RecordingSwitchError) throw new HttpError(502, 'switch_error', err.message);
      throw err;
    }
  });

  // ------------------------------------------------------------- policies

  app.get('/api/recording-policies', async (req) => {
    const user = requireRole(req, 'supervisor');
    const [settings, policies, queues] = await Promise.all([d.repo.settings(user.organizationId), d.repo.policyList(user.organizationId), d.repo.queueRetentions(user.organizationId)]);
    return { settings, policies, queues };
  });

  app.put('/api/recording-policies/settings', { schema: { body: settingsBody } }, async (req) => {
    const user = requireRole(req, 'admin');
    await d.repo.saveSettings(user.organizationId, req.body, user.id);
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'recording.settings', target: null, details: req.body });
    return d.repo.settings(user.organizationId);
  });

  app.put('/api/recording-policies/:scope/:targetId', { schema: { params: policyParams, body: policyBody } }, async (req) => {
    const user = requireRole(req, 'admin');
    const { scope, targetId } = req.params;
    if (!(await d.repo.targetExists(user.organizationId, scope, targetId))) throw notFound(scope);
    const policy = { scope, targetId, mode: req.body.mode, startAt: req.body.startAt };
    await d.repo.savePolicy(user.organizationId, policy, user.id);
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'recording.policy', target: targetId, details: policy });
    return policy;
  });

  app.delete('/api/recording-policies/:scope/:targetId', { schema: { params: policyParams } }, async (req, reply) => {
    const user = requireRole(req, 'admin');
    if (!(await d.repo.deletePolicy(user.organizationId, req.params.scope, req.params.targetId))) throw notFound('recording policy');
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'recording.policy_delete', target: req.params.targetId, details: { scope: req.params.scope } });
    return reply.code(204).send();
  });

  app.put('/api/recording-policies/retention/:queueId', { schema: { params: retentionParams, body: retentionBody } }, async (req) => {
    const user = requireRole(req, 'admin');
    if (!(await d.repo.setQueueRetention(user.organizationId, req.params.queueId, req.body.retentionDays))) throw notFound('queue');
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'recording.retention', target: req.params.queueId, details: req.body });
    return { queueId: req.params.queueId, retentionDays: req.body.retentionDays };
  });

  // ------------------------------------------------------------- jobs on demand

  app.post('/api/recordings/checks/missing', { schema: { body: missingBody } }, async (req) => {
    const user = requireRole(req, 'admin');
    const to = req.body.to ? new Date(req.body.to) : new Date(now());
    const from = req.body.from ? new Date(req.body.from) : new Date(to.getTime() - 86_400_000);
    return d.jobs.missingCheck(user.organizationId, from, to, user.id);
  });

  app.post('/api/recordings/purge', async (req) => {
    const user = requireRole(req, 'admin');
    return d.jobs.purge(user.organizationId);
  });
}

/** Whether the actor reaches a live call: the same reach as for its recordings (own, team, organization for admins). */
function recordingListScopeReaches(actor: RecordingActor, call: { organizationId: string; agentIds: readonly string[] }): boolean {
  const scope = recordingListScope(actor);
  if (scope.organizationId !== call.organizationId) return false;
  return scope.agentIds === 'all' || call.agentIds.some((a) => (scope.agentIds as readonly string[]).includes(a));
}

async function sendAudio(reply: FastifyReply, storage: RecordingStorage, row: RecordingRow, action: RecordingUrlAction, rangeHeader: string | undefined) {
  let size: number;
  try {
    size = await storage.size(row.storageKey!);
  } catch (err) {
    if (err instanceof StoredRecordingMissingError) throw new HttpError(404, 'not_found', 'the recording file is missing from storage');
    throw err;
  }
  reply.header('content-type', 'audio/wav');
  reply.header('accept-ranges', 'bytes');
  reply.header('cache-control', 'private, no-store');
  reply.header('x-content-type-options', 'nosniff');
  if (action === 'download') reply.header('content-disposition', `attachment; filename="recording-${row.id}.wav"`);
  if (rangeHeader) {
    const ranges = parseRange(size, rangeHeader, { combine: true });
    if (ranges === -1) {
      reply.header('content-range', `bytes */${size}`);
      throw new HttpError(416, 'range_not_satisfiable', `range outside the recording (${size} bytes)`);
    }
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
      const { start, end } = ranges[0]!;
      reply.code(206);
      reply.header('content-range', `bytes ${start}-${end}/${size}`);
      reply.header('content-length', String(end - start + 1));
      return reply.send(await storage.read(row.storageKey!, { start, end }));
    }
  }
  reply.header('content-length', String(size));
  return reply.send(await storage.read(row.storageKey!));
}
