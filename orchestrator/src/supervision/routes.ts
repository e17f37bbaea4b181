import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { App } from '../api/server.ts';
import { requireRole } from '../api/server.ts';
import { HttpError, notFound } from '../api/errors.ts';
import type { MetricsView, SipAccount } from '../api/protocol.ts';
import { sipAccountFor, type SipSettings } from '../api/sip-account.ts';
import type { Sql } from '../db/client.ts';
import { audit } from '../audit/audit-log.ts';
import { NotFoundError } from '../acd/repository.ts';
import type { TrunkMonitor } from '../trunks/trunk-monitor.ts';
import { CALL_ACTIONS } from './modes.ts';
import { ANSWER_TOKEN_RE } from './commands.ts';
import type { SupervisionRepository } from './repository.ts';
import type { SupervisionService } from './supervision-service.ts';
import type { SupervisionCallsView, WallboardServerMessage, WallboardTokenView, WallboardView } from './protocol.ts';
import { wallboardView } from './wallboard.ts';

export interface SupervisionRouteDeps {
  sql: Sql;
  repo: SupervisionRepository;
  service: SupervisionService;
  trunks: TrunkMonitor;
  metrics(organizationId: string): MetricsView;
  /** Bumps whenever the figures changed (wallboards are pushed at most once a second then). */
  metricsVersion(): number;
  sip: SipSettings;
  logger: Logger;
}

const callActionParams = z.object({ callId: z.uuid(), action: z.enum(CALL_ACTIONS) });
/** A body is optional (mode switches need none). */
const callActionBody = z
  .object({ answerToken: z.string().regex(ANSWER_TOKEN_RE, '8-64 letters, digits, - or _').optional() })
  .nullish()
  .transform((b) => b ?? {});
const userParam = z.object({ userId: z.uuid() });
const supervisorQueuesBody = z.object({ queueIds: z.array(z.uuid()).max(500) });
const tokenBody = z.object({ name: z.string().trim().min(1).max(100) });
const idParam = z.object({ id: z.uuid() });
const wallboardQuery = z.object({ token: z.string().max(100).optional() });

/** How often an open wallboard socket checks that its token was not revoked. */
const TOKEN_RECHECK_MS = 30_000;

function domain<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (err instanceof NotFoundError) throw new HttpError(404, 'not_found', err.message);
    throw err;
  });
}

/**
 * HTTP and WebSocket routes of the supervisor's seat: call actions, the
 * supervisor's SIP account, supervisors' queues, trunks, wallboard tokens, and
 * the token-authenticated wallboard (GET /api/wallboard/data, GET /ws/wallboard):
 * a wallboard token is accepted by these two routes only, and reads only the
 * figures of wallboard.ts.
 */
export function registerSupervisionRoutes(app: App, d: SupervisionRouteDeps): { close(): void } {
  // ---- the supervisor's own softphone ----
  app.get('/api/supervision/sip', async (req): Promise<SipAccount> => {
    const user = requireRole(req, 'supervisor');
    return sipAccountFor(await d.repo.ensureSipAccount(user.id, user.organizationId), user.displayName, d.sip);
  });

  // ---- live calls ----
  app.get('/api/supervision/calls', async (req): Promise<SupervisionCallsView> => {
    const user = requireRole(req, 'supervisor');
    return { calls: d.service.liveCalls(user.organizationId), session: d.service.sessionOf(user.id) };
  });

  app.post('/api/supervision/calls/:callId/:action', { schema: { params: callActionParams, body: callActionBody } }, async (req) => {
    const user = requireRole(req, 'supervisor');
    return d.service.act(user, req.params.callId, req.params.action, req.body.answerToken);
  });

  app.post('/api/supervision/stop', async (req, reply) => {
    const user = requireRole(req, 'supervisor');
    await d.service.stop(user);
    return reply.code(204).send();
  });

  // ---- supervisors and their queues (admin) ----
  app.get('/api/supervision/supervisors', async (req) => d.repo.listSupervisors(requireRole(req, 'admin').organizationId));

  app.put('/api/supervision/supervisors/:userId/queues', { schema: { params: userParam, body: supervisorQueuesBody } }, async (req) => {
    const admin = requireRole(req, 'admin');
    await domain(() => d.repo.setSupervisedQueues(admin.organizationId, req.params.userId, req.body.queueIds));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'supervisor.queues', target: req.params.userId, details: req.body });
    const updated = (await d.repo.listSupervisors(admin.organizationId)).find((s) => s.userId === req.params.userId);
    if (!updated) throw notFound('supervisor');
    return updated;
  });

  // ---- trunks (中继状态) ----
  app.get('/api/trunks', async (req) => {
    requireRole(req, 'supervisor');
    return d.trunks.views();
  });

  // ---- wallboard tokens ----
  app.get('/api/wallboard/tokens', async (req): Promise<WallboardTokenView[]> => d.repo.listWallboardTokens(requireRole(req, 'supervisor').organizationId));

  app.post('/api/wallboard/tokens', { schema: { body: tokenBody } }, async (req, reply) => {
    const user = requireRole(req, 'supervisor');
    const { token, view } = await d.repo.createWallboardToken(user.organizationId, req.body.name, user.id);
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'wallboard_token.create', target: view.id, details: { name: view.name } });
    return reply.code(201).send({ ...view, token, url: `/wallboard?token=${token}` });
  });

  app.delete('/api/wallboard/tokens/:id', { schema: { params: idParam } }, async (req, reply) => {
    const user = requireRole(req, 'supervisor');
    await domain(() => d.repo.revokeWallboardToken(user.organizationId, req.params.id));
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'wallboard_token.revoke', target: req.params.id });
    for (const w of wallboards) if (w.tokenId === req.params.id) w.socket.close(4401, 'wallboard token revoked');
    return reply.code(204).send();
  });

  // ---- the wallboard itself: a token, no login ----
  const tokenOf = (req: { query: unknown; headers: Record<string, unknown> }): string => {
    const q = wallboardQuery.safeParse(req.query);
    const header = req.headers['x-wallboard-token'];
    return (q.success ? q.data.token : undefined) ?? (typeof header === 'string' ? header : '');
  };
  const viewOf = (organizationId: string): WallboardView => wallboardView(d.metrics(organizationId));

  app.get('/api/wallboard/data', async (req): Promise<WallboardView> => {
    const grant = await d.repo.validateWallboardToken(tokenOf(req));
    if (!grant) throw new HttpError(401, 'invalid_token', 'wallboard token missing, unknown or revoked');
    return viewOf(grant.organizationId);
  });

  interface Wallboard {
    socket: WebSocket;
    organizationId: string;
    tokenId: string;
    checkedAt: number;
  }
  const wallboards = new Set<Wallboard>();
  const send = (socket: WebSocket, message: WallboardServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };

  app.get('/ws/wallboard', { websocket: true }, (socket, req) => {
    void d.repo.validateWallboardToken(tokenOf(req)).then(
      (grant) => {
        if (!grant) return socket.close(4401, 'wallboard token missing, unknown or revoked');
        const w: Wallboard = { socket, organizationId: grant.organizationId, tokenId: grant.tokenId, checkedAt: Date.now() };
        wallboards.add(w);
        socket.on('close', () => wallboards.delete(w));
        socket.on('error', (err) => d.logger.debug({ err }, 'wallboard socket error'));
        // A wallboard only listens: whatever it sends is ignored.
        send(socket, { type: 'wallboard', ...viewOf(grant.organizationId) });
      },
      (err: unknown) => {
        d.logger.warn({ err }, 'wallboard token check failed');
        socket.close(1011, 'try again');
      },
    );
  });

  let pushedVersion = -1;
  const timer = setInterval(() => {
    if (wallboards.size === 0) return;
    const now = Date.now();
    for (const w of wallboards) {
      if (now - w.checkedAt < TOKEN_RECHECK_MS) continue;
      w.checkedAt = now;
      void d.repo.wallboardTokenLive(w.tokenId).then((live) => {
        if (!live) w.socket.close(4401, 'wallboard token revoked');
      }, () => undefined);
    }
    const version = d.metricsVersion();
    const byOrg = new Map<string, WallboardView>();
    for (const w of wallboards) if (!byOrg.has(w.organizationId)) byOrg.set(w.organizationId, viewOf(w.organizationId));
    // Waiting times grow every second, so while callers wait the figures are pushed anyway.
    if (version === pushedVersion && ![...byOrg.values()].some((v) => v.totals.waiting > 0)) return;
    pushedVersion = version;
    for (const w of wallboards) send(w.socket, { type: 'wallboard', ...byOrg.get(w.organizationId)! });
  }, 1000);
  timer.unref();

  return {
    close() {
      clearInterval(timer);
      for (const w of wallboards) w.socket.close(1001, 'server shutting down');
      wallboards.clear();
    },
  };
}
