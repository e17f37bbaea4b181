import type { App } from './server.ts';
import { requireRole, setSessionCookie, SESSION_COOKIE } from './server.ts';
import * as s from './schemas.ts';
import { HttpError, notFound } from './errors.ts';
import type { AgentView, Health, MetricsView, QueueView, SipAccount, SessionUser } from './protocol.ts';
import { sipAccountFor, type SipSettings } from './sip-account.ts';
import type { UserRepository } from '../auth/users.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { AcdRepository, NotFoundError } from '../acd/repository.ts';
import type { Acd } from '../acd/acd.ts';
import { AgentStateError } from '../acd/agent-state.ts';
import type { CustomerRepository } from '../crm/customers.ts';
import type { Sql } from '../db/client.ts';
import { audit } from '../audit/audit-log.ts';
import { calendarSchema } from '../acd/calendar.ts';

export interface ApiDeps {
  sql: Sql;
  users: UserRepository;
  sessions: SessionStore;
  acdRepo: AcdRepository;
  acd: Acd;
  customers: CustomerRepository;
  health(): Promise<Health>;
  /** Reloads queues and agents into the ACD after an admin change. */
  reloadAcd(): Promise<void>;
  sip: SipSettings;
  metrics(organizationId: string): MetricsView;
  cookieSecure: boolean;
  /** Whether a supervisor's reach covers an agent (supervision/rights.ts); without it, the whole organization. */
  mayActOnAgent?(user: SessionUser, agentId: string): Promise<boolean>;
}

/** Maps domain errors to HTTP errors. */
function domain<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (err instanceof NotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof AgentStateError) throw new HttpError(409, 'invalid_state', err.message);
    throw err;
  });
}

export function registerApiRoutes(app: App, d: ApiDeps): void {
  app.get('/api/health', async (_req, reply) => {
    const h = await d.health();
    return reply.code(h.database === 'ok' ? 200 : 503).send(h);
  });

  // ---- session ----
  app.post('/api/auth/login', { schema: { body: s.loginBody } }, async (req, reply) => {
    const userId = await d.users.authenticate(req.body.login, req.body.password);
    if (!userId) throw new HttpError(401, 'invalid_credentials', 'wrong login or password');
    const { token, expiresAt } = await d.sessions.create(userId);
    const session = await d.sessions.validate(token);
    setSessionCookie(reply, token, expiresAt, d.cookieSecure);
    return { user: session!.user };
  });

  app.post('/api/auth/logout', async (req, reply) => {
    if (req.sessionToken) await d.sessions.invalidate(req.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/me', async (req) => ({ user: requireRole(req, 'agent') }));

  app.patch('/api/me', { schema: { body: s.meBody } }, async (req) => {
    const user = requireRole(req, 'agent');
    await d.users.setLocale(user.id, req.body.locale);
    return { user: { ...user, locale: req.body.locale } satisfies SessionUser };
  });

  // ---- agent ----
  app.get('/api/agent/sip', async (req): Promise<SipAccount> => {
    const user = requireRole(req, 'agent');
    if (!user.agentId) throw new HttpError(404, 'not_an_agent', 'this user has no softphone extension');
    const account = await d.acdRepo.sipAccountOfAgent(user.agentId);
    if (!account) throw notFound('agent');
    return sipAccountFor(account, user.displayName, d.sip);
  });

  app.post('/api/agent/state', { schema: { body: s.agentStateBody } }, async (req) => {
    const user = requireRole(req, 'agent');
    if (!user.agentId) throw new HttpError(404, 'not_an_agent', 'this user has no softphone extension');
    const agentId = user.agentId;
    const state = await domain(async () =>
      d.acd.command(agentId, req.body.status === 'ready' ? { kind: 'ready' } : { kind: 'not_ready', reason: req.body.reason ?? 'manual' }),
    );
    return { status: state.status, reason: state.reason, since: new Date(state.since).toISOString() };
  });

  // ---- supervisors and admins (admin); agents are created with their extension below ----
  app.post('/api/users', { schema: { body: s.newUserBody } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const id = await d.users.createUser({ organizationId: admin.organizationId, ...req.body });
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'user.create', target: id, details: { login: req.body.login, role: req.body.role } });
    return reply.code(201).send({ id, login: req.body.login, displayName: req.body.displayName, role: req.body.role });
  });

  // ---- agents (admin) ----
  const agentViews = async (organizationId: string): Promise<AgentView[]> => {
    const skills = new Map((await d.acdRepo.agentConfigs()).map((a) => [a.id, a.skills]));
    return (await d.acdRepo.listAgents(organizationId)).map((a) => ({
      id: a.id,
      userId: a.userId,
      login: a.login,
      displayName: a.displayName,
      extension: a.extension,
      queueIds: a.queueIds,
      skills: [...(skills.get(a.id) ?? new Map<string, number>())].map(([skill, level]) => ({ skill, level })),
      status: d.acd.agentState(a.id)?.status ?? 'logged_out',
      reason: d.acd.agentState(a.id)?.reason ?? null,
    }));
  };

  app.get('/api/agents', async (req) => agentViews(requireRole(req, 'supervisor').organizationId));

  app.post('/api/agents', { schema: { body: s.newAgentBody } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const id = await d.acdRepo.createAgent(admin.organizationId, req.body);
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'agent.create', target: id, details: { login: req.body.login, extension: req.body.extension } });
    await d.reloadAcd();
    const view = (await agentViews(admin.organizationId)).find((a) => a.id === id);
    return reply.code(201).send(view);
  });

  app.patch('/api/agents/:id', { schema: { params: s.uuidParam, body: s.agentPatchBody } }, async (req) => {
    const admin = requireRole(req, 'admin');
    await domain(() => d.acdRepo.updateAgent(admin.organizationId, req.params.id, req.body));
    const { password: _omit, ...changed } = req.body;
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'agent.update', target: req.params.id, details: { ...changed, passwordChanged: Boolean(req.body.password) } });
    await d.reloadAcd();
    return (await agentViews(admin.organizationId)).find((a) => a.id === req.params.id);
  });

  app.delete('/api/agents/:id', { schema: { params: s.uuidParam } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const state = d.acd.agentState(req.params.id);
    if (state && (state.status === 'on_call' || state.status === 'reserved')) {
      throw new HttpError(409, 'invalid_state', 'agent is on a call');
    }
    await domain(() => d.acdRepo.deleteAgent(admin.organizationId, req.params.id));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'agent.delete', target: req.params.id });
    await d.reloadAcd();
    return reply.code(204).send();
  });

  // ---- queues (admin) ----
  const queueViews = async (organizationId: string): Promise<QueueView[]> =>
    (await d.acdRepo.listQueues(organizationId)).map(({ organizationId: _org, ...q }) => ({
      ...q,
      agentIds: q.members.map((m) => m.agentId),
      waiting: d.acd.waitingCalls(q.id).length,
    }));
  const queueView = async (organizationId: string, id: string) => {
    const view = (await queueViews(organizationId)).find((q) => q.id === id);
    if (!view) throw notFound('queue');
    return view;
  };

  app.get('/api/queues', async (req) => queueViews(requireRole(req, 'supervisor').organizationId));

  app.post('/api/queues', { schema: { body: s.newQueueBody } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const id = await d.acdRepo.createQueue(admin.organizationId, req.body);
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'queue.create', target: id, details: req.body });
    await d.reloadAcd();
    return reply.code(201).send(await queueView(admin.organizationId, id));
  });

  app.patch('/api/queues/:id', { schema: { params: s.uuidParam, body: s.queuePatchBody } }, async (req) => {
    const admin = requireRole(req, 'admin');
    await domain(() => d.acdRepo.updateQueue(admin.organizationId, req.params.id, req.body));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'queue.update', target: req.params.id, details: req.body });
    await d.reloadAcd();
    return queueView(admin.organizationId, req.params.id);
  });

  // Supervisors move agents between queues live.
  app.put('/api/queues/:id/agents', { schema: { params: s.uuidParam, body: s.queueMembersBody } }, async (req) => {
    const admin = requireRole(req, 'supervisor');
    await domain(() => d.acdRepo.setQueueMembers(admin.organizationId, req.params.id, req.body));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'queue.members', target: req.params.id, details: req.body });
    await d.reloadAcd();
    return queueView(admin.organizationId, req.params.id);
  });

  app.delete('/api/queues/:id', { schema: { params: s.uuidParam } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    if (d.acd.waitingCalls(req.params.id).length > 0) throw new HttpError(409, 'queue_busy', 'callers are waiting in this queue');
    await domain(() => d.acdRepo.deleteQueue(admin.organizationId, req.params.id));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'queue.delete', target: req.params.id });
    await d.reloadAcd();
    return reply.code(204).send();
  });

  app.put('/api/agents/:id/skills', { schema: { params: s.uuidParam, body: s.agentSkillsBody } }, async (req) => {
    const user = requireRole(req, 'supervisor');
    await domain(() => d.acdRepo.setAgentSkills(user.organizationId, req.params.id, req.body.skills));
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'agent.skills', target: req.params.id, details: req.body });
    await d.reloadAcd();
    return (await agentViews(user.organizationId)).find((a) => a.id === req.params.id);
  });

  app.get('/api/calendars', async (req) => d.acdRepo.listCalendars(requireRole(req, 'supervisor').organizationId));

  app.post('/api/calendars', { schema: { body: calendarSchema } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const id = await d.acdRepo.saveCalendar(admin.organizationId, null, req.body);
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'calendar.create', target: id, details: req.body });
    await d.reloadAcd();
    return reply.code(201).send({ id, ...req.body });
  });

  app.put('/api/calendars/:id', { schema: { params: s.uuidParam, body: calendarSchema } }, async (req) => {
    const admin = requireRole(req, 'admin');
    await domain(() => d.acdRepo.saveCalendar(admin.organizationId, req.params.id, req.body));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'calendar.update', target: req.params.id, details: req.body });
    await d.reloadAcd();
    return { id: req.params.id, ...req.body };
  });

  app.delete('/api/calendars/:id', { schema: { params: s.uuidParam } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    await domain(() => d.acdRepo.deleteCalendar(admin.organizationId, req.params.id));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'calendar.delete', target: req.params.id });
    await d.reloadAcd();
    return reply.code(204).send();
  });

  app.get('/api/metrics', async (req) => d.metrics(requireRole(req, 'supervisor').organizationId));

  app.post('/api/agents/:id/state', { schema: { params: s.uuidParam, body: s.forcedAgentStateBody } }, async (req) => {
    const supervisor = requireRole(req, 'supervisor');
    const agent = (await d.acdRepo.listAgents(supervisor.organizationId)).find((a) => a.id === req.params.id);
    if (!agent) throw notFound('agent');
    if (d.mayActOnAgent && !(await d.mayActOnAgent(supervisor, agent.id))) throw new HttpError(403, 'forbidden', 'this agent is not in your queues');
    const { status, reason } = req.body;
    const before = d.acd.agentState(agent.id);
    // A forced not ready carries the supervisor's reason: the agent (and the live panels) see why.
    const state = await domain(async () =>
      d.acd.command(agent.id, status === 'ready' ? { kind: 'ready' } : status === 'logged_out' ? { kind: 'logout' } : { kind: 'not_ready', reason }),
    );
    await audit(d.sql, {
      organizationId: supervisor.organizationId, actorUserId: supervisor.id, action: 'agent.force_state', target: agent.id,
      details: { from: before?.status ?? null, to: state.status, reason },
    });
    return { status: state.status, reason: state.reason, since: new Date(state.since).toISOString() };
  });

  app.get('/api/not-ready-reasons', async (req) => d.acdRepo.notReadyReasons(requireRole(req, 'agent').organizationId));

  app.put('/api/not-ready-reasons', { schema: { body: s.notReadyReasonBody } }, async (req) => {
    const admin = requireRole(req, 'admin');
    await d.acdRepo.saveNotReadyReason(admin.organizationId, req.body);
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'reason.save', target: req.body.code, details: req.body });
    return d.acdRepo.notReadyReasons(admin.organizationId);
  });

  app.delete('/api/not-ready-reasons/:code', { schema: { params: s.reasonParam } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    await domain(() => d.acdRepo.deleteNotReadyReason(admin.organizationId, req.params.code));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'reason.delete', target: req.params.code });
    return reply.code(204).send();
  });

  // ---- CRM ----
  app.get('/api/customers', async (req) => d.customers.list(requireRole(req, 'agent').organizationId));

  app.post('/api/customers', { schema: { body: s.newCustomerBody } }, async (req, reply) => {
    const user = requireRole(req, 'supervisor');
    const customer = await d.customers.create(user.organizationId, req.body);
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'customer.create', target: customer.id });
    return reply.code(201).send(customer);
  });
}
