import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { REPO_ROOT } from '../config/config.ts';
import { connect, migrate, type Sql } from '../db/client.ts';
import { EslClient } from '../esl/client.ts';
import { Acd } from '../acd/acd.ts';
import { AcdRepository } from '../acd/repository.ts';
import type { QueueConfig } from '../acd/config.ts';
import { AgentStateStore } from '../acd/agent-state-store.ts';
import { CallbackStore } from '../acd/callback-store.ts';
import type { QueuedCallInfo } from '../acd/acd.ts';
import { AgentStateError, type AgentState } from '../acd/agent-state.ts';
import { CallTracker, type QueueRoutes } from '../calls/call-tracker.ts';
import { CdrWriter } from '../calls/cdr-writer.ts';
import { PostgresCdrStore } from '../calls/cdr-store.ts';
import { FreeswitchCallControl } from '../calls/freeswitch-call-control.ts';
import { CALL_EVENT_SUBSCRIPTIONS, interpretEvent } from '../calls/signals.ts';
import { resyncWithSwitch } from '../calls/resync.ts';
import { CustomerRepository } from '../crm/customers.ts';
import { SessionStore } from '../auth/sessions.ts';
import { UserRepository } from '../auth/users.ts';
import { createServer } from '../api/server.ts';
import { registerApiRoutes } from '../api/routes.ts';
import { WsHub } from '../api/ws-hub.ts';
import type { Health, ServerMessage } from '../api/protocol.ts';
import { registerFsXmlRoutes } from '../fsxml/routes.ts';
import { MetricsService } from '../metrics/metrics-service.ts';
import { feedMetricsFromAcd } from '../metrics/wiring.ts';
import { QueueAnnouncer } from '../acd/queue-announcer.ts';
import { EspeakTts } from '../tts/tts.ts';

export const DEFAULT_ORGANIZATION_ID = '00000000-0000-4000-8000-000000000001';

export interface ContactCenter {
  url: string;
  /** Reloads queues, agents and calendars into the ACD (after changes made outside the API). */
  reloadAcd(): Promise<void>;
  sql: Sql;
  esl: EslClient;
  acd: Acd;
  tracker: CallTracker;
  cdr: CdrWriter;
  stop(): Promise<void>;
}

/** Creates the first admin when there is none; prints a generated password exactly once. */
async function ensureFirstAdmin(users: UserRepository, config: Config, logger: Logger): Promise<void> {
  if ((await users.countAdmins()) > 0) return;
  const password = config.CC_ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
  await users.createUser({ organizationId: DEFAULT_ORGANIZATION_ID, login: config.CC_ADMIN_LOGIN, displayName: 'Administrator', role: 'admin', password });
  if (config.CC_ADMIN_PASSWORD) {
    logger.info({ login: config.CC_ADMIN_LOGIN }, 'created the first admin with the password from CC_ADMIN_PASSWORD');
  } else {
    process.stdout.write(`\n  First admin created. Login: ${config.CC_ADMIN_LOGIN}  One-time password: ${password}\n  (shown once; change it after logging in)\n\n`);
  }
}

/**
 * The composition root: builds every part, wires their events together and
 * starts the HTTP server. Decisions live in the parts; this only connects them.
 */
export async function startContactCenter(config: Config, databaseUrl: string, logger: Logger): Promise<ContactCenter> {
  const sql = connect(databaseUrl);
  await migrate(sql);
  const users = new UserRepository(sql);
  await ensureFirstAdmin(users, config, logger);
  const sessions = new SessionStore(sql, { lifetimeDays: config.CC_SESSION_DAYS });
  const acdRepo = new AcdRepository(sql);
  const customers = new CustomerRepository(sql);
  const cdrStore = new PostgresCdrStore(sql);

  const esl = new EslClient({
    host: config.CC_ESL_HOST,
    port: config.CC_ESL_PORT,
    password: config.CC_ESL_PASSWORD,
    subscriptions: CALL_EVENT_SUBSCRIPTIONS,
    backoff: { initialMs: 500, maxMs: 10_000 },
    logger: logger.child({ component: 'esl' }),
  });
  const [org] = await sql<{ sip_domain: string }[]>`select sip_domain from organizations where id = ${DEFAULT_ORGANIZATION_ID}`;
  const control = new FreeswitchCallControl(esl, org?.sip_domain ?? 'cc.local', logger.child({ component: 'call-control' }));
  const acd = new Acd(control, logger.child({ component: 'acd' }));
  const cdr = new CdrWriter(cdrStore, logger.child({ component: 'cdr' }));

  let queues: QueueConfig[] = [];
  const routes: QueueRoutes = {
    resolve(dialed, hint) {
      const q = (hint && queues.find((x) => x.id === hint)) || queues.find((x) => x.inboundNumber !== null && x.inboundNumber === dialed);
      return q ? { queueId: q.id, organizationId: q.organizationId } : null;
    },
  };
  const tracker = new CallTracker(routes, cdr, control, logger.child({ component: 'calls' }), DEFAULT_ORGANIZATION_ID);
  const metrics = new MetricsService(config.CC_TIMEZONE);
  const reloadAcd = async () => {
    queues = await acdRepo.listQueues();
    const agentConfigs = await acdRepo.agentConfigs();
    acd.configure(queues, agentConfigs, await acdRepo.listCalendars());
    metrics.configure(queues, agentConfigs);
  };
  await reloadAcd();
  const agentStates = new AgentStateStore(sql, logger.child({ component: 'agent-states' }));
  for (const state of await agentStates.load()) acd.restoreAgent(state);

  // ---- browser push ----
  const pendingLogout = new Set<string>();
  const hub = new WsHub(
    {
      onAgentOnline: (agentId) => {
        pendingLogout.delete(agentId);
        try {
          acd.command(agentId, { kind: 'login' });
        } catch (err) {
          logger.warn({ err, agentId }, 'agent login refused');
        }
      },
      onAgentOffline: (agentId) => {
        try {
          acd.command(agentId, { kind: 'logout' });
        } catch (err) {
          if (err instanceof AgentStateError) pendingLogout.add(agentId);
        }
      },
      onMessage: (user, message) => {
        if (message.type !== 'agent.set_state') return;
        if (!user.agentId) throw new Error('this user has no softphone extension');
        acd.command(user.agentId, message.status === 'ready' ? { kind: 'ready' } : { kind: 'not_ready', reason: message.reason ?? 'manual' });
      },
    },
    logger.child({ component: 'ws' }),
    config.CC_AGENT_OFFLINE_GRACE_MS,
  );
  const freeswitchState = (): Health['freeswitch'] => (esl.isConnected ? 'connected' : 'disconnected');

  const agentStateMessage = (state: AgentState): ServerMessage => ({
    type: 'agent.state',
    agentId: state.agentId,
    status: state.status,
    since: new Date(state.since).toISOString(),
    reason: state.reason,
  });
  acd.on('agent', (state) => {
    agentStates.record(state);
    hub.toAgent(state.agentId, agentStateMessage(state));
    if (pendingLogout.has(state.agentId) && (state.status === 'ready' || state.status === 'wrap_up' || state.status === 'not_ready')) {
      pendingLogout.delete(state.agentId);
      acd.command(state.agentId, { kind: 'logout' });
    }
  });
  acd.on('offering', (offer) => {
    const queue = acd.queue(offer.queueId);
    const waiting = acd.waitingCall(offer.callId);
    const tracked = tracker.call(offer.callId);
    if (!queue || !waiting) return;
    const organizationId = tracked?.organizationId ?? queue.organizationId;
    const callerNumber = waiting.callbackNumber ?? waiting.callerNumber;
    void customers
      .screenPop(organizationId, callerNumber, offer.callId)
      .catch((err: unknown) => {
        logger.warn({ err, callId: offer.callId }, 'screen pop lookup failed');
        return { customer: null, lastContacts: [] };
      })
      .then((screenPop) =>
        hub.toAgent(offer.agentId, {
          type: 'call.offered',
          callId: offer.callId,
          callerNumber,
          callerName: waiting.callerName,
          calledNumber: waiting.callbackNumber ? 'callback' : (tracked?.calledNumber ?? ''),
          queue: { id: queue.id, name: queue.name },
          screenPop,
        }),
      );
  });
  acd.on('offer_failed', (o) => hub.toAgent(o.agentId, { type: 'call.offer_ended', callId: o.callId, cause: o.cause }));
  feedMetricsFromAcd(acd, metrics);
  acd.on('connected', (c) => {
    if (c.callbackNumber) {
      const queue = acd.queue(c.queueId);
      const info = callbackInfo.get(c.callId);
      tracker.trackCallback({
        callId: c.callId, organizationId: queue?.organizationId ?? DEFAULT_ORGANIZATION_ID, queueId: c.queueId, number: c.callbackNumber,
        enqueuedAt: info?.enqueuedAt ?? c.at, priority: info?.priority ?? 0, agentId: c.agentId, agentLegUuid: c.agentLegUuid, at: c.at,
      });
      callbacks.mark(c.callId, 'dialing', c.agentId);
    } else {
      tracker.markConnected(c.callId, c.agentId, c.agentLegUuid, c.queueId, c.at);
    }
    hub.toAgent(c.agentId, { type: 'call.connected', callId: c.callId });
  });
  acd.on('left_queue', (l) => {
    if (l.diversion.kind === 'queue') tracker.markMoved(l.callId, l.diversion.queueId);
    else tracker.markDisposed(l.callId, l.reason === 'closed' ? 'closed' : l.reason === 'callback' ? 'callback' : 'overflowed');
  });
  const callbackInfo = new Map<string, QueuedCallInfo>();
  acd.on('callback_queued', ({ originCallId, callback }) => {
    callbackInfo.set(callback.callId, callback);
    const organizationId = tracker.call(originCallId)?.organizationId ?? acd.queue(callback.queueId)?.organizationId ?? DEFAULT_ORGANIZATION_ID;
    void callbacks.add(organizationId, originCallId, callback).catch((err: unknown) => logger.error({ err, originCallId }, 'callback not saved'));
  });

  tracker.on('entered', (call) => {
    if (!call.queueId) return;
    const queueId = call.queueId;
    if (call.answeredAt !== null) {
      if (call.agentId) acd.restoreConnected(call.callId, call.agentId, queueId, call.answeredAt);
      return;
    }
    metrics.apply({ kind: 'call_entered', callId: call.callId, queueId, at: call.enqueuedAt });
    void customers
      .routingHints(call.organizationId, call.callerNumber)
      .catch((err: unknown) => {
        logger.warn({ err, callId: call.callId }, 'CRM routing hints unavailable');
        return { priority: 0, preferredAgentId: null };
      })
      .then((hints) => {
        if (!tracker.call(call.callId)) return; // hung up meanwhile
        call.priority = Math.max(call.priority, hints.priority);
        acd.enqueue({
          callId: call.callId,
          callerUuid: call.callerUuid,
          queueId,
          callerNumber: call.callerNumber,
          callerName: call.callerName,
          enqueuedAt: call.enqueuedAt,
          priority: call.priority,
          requiredSkills: call.requiredSkills,
          preferredAgentId: hints.preferredAgentId,
        });
      });
  });
  tracker.on('ended', (call) => {
    if (call.calledNumber === 'callback' && callbackInfo.delete(call.callId)) callbacks.mark(call.callId, 'done');
    if (call.answeredAt !== null) metrics.apply({ kind: 'talk_ended', callId: call.callId, at: call.endedAt ?? Date.now() });
    else if (call.queueId && call.disposal === null) metrics.apply({ kind: 'call_abandoned', callId: call.callId, queueId: call.queueId, at: call.endedAt ?? Date.now() });
    if (call.agentId) hub.toAgent(call.agentId, { type: 'call.ended', callId: call.callId, cause: call.hangupCause ?? 'NORMAL_CLEARING' });
    acd.callEnded(call.callId);
  });

  // ---- FreeSWITCH ----
  esl.on('event', (event) => {
    const signal = interpretEvent(event);
    if (!signal) return;
    if (signal.kind === 'dtmf') {
      // A waiting caller pressed a key: the queue's callback key turns the call into a callback.
      const call = tracker.call(signal.uuid);
      if (call && call.answeredAt === null && acd.requestCallback(call.callId, signal.digit, call.callerNumber, randomUUID())) {
        logger.info({ callId: call.callId }, 'caller chose a callback');
      }
      return;
    }
    tracker.handle(signal);
  });
  esl.on('connected', () => {
    hub.broadcast({ type: 'system', freeswitch: 'connected' });
    void resyncWithSwitch(esl, tracker, logger.child({ component: 'resync' }))
      .catch((err: unknown) => logger.error({ err }, 'resync with FreeSWITCH failed'))
      .finally(() => acd.setSwitchAvailable(esl.isConnected));
  });
  esl.on('disconnected', () => {
    acd.setSwitchAvailable(false);
    hub.broadcast({ type: 'system', freeswitch: 'disconnected' });
    logger.warn('FreeSWITCH disconnected; waiting callers keep their place');
  });

  for (const call of await cdrStore.liveCalls()) tracker.restore(call);
  acd.settleRestoredAgents();
  const callbacks = new CallbackStore(sql, logger.child({ component: 'callbacks' }));
  for (const cb of await callbacks.waiting()) {
    callbackInfo.set(cb.callId, cb);
    acd.enqueue(cb);
  }

  // ---- HTTP ----
  const app = await createServer({ logger, sessions, cookieSecure: config.CC_COOKIE_SECURE, webRoot: path.join(REPO_ROOT, 'softphone', 'dist') });
  const health = async (): Promise<Health> => {
    const database = await sql`select 1`.then(() => 'ok' as const, () => 'error' as const);
    const freeswitch = freeswitchState();
    return { status: database === 'ok' && freeswitch === 'connected' ? 'ok' : 'degraded', freeswitch, database };
  };
  registerApiRoutes(app, { sql, users, sessions, acdRepo, acd, customers, health, reloadAcd, metrics: (org) => metrics.view(new Map(acd.allAgentStates().map((a) => [a.agentId, a])), org), sip: { wsServers: config.CC_SIP_WS_URLS, iceServers: config.CC_ICE_SERVERS }, cookieSecure: config.CC_COOKIE_SECURE });
  app.get('/ws', { websocket: true }, (socket, req) => {
    if (!req.user) {
      socket.close(4401, 'login required');
      return;
    }
    hub.attach(socket, req.user, { type: 'hello', user: req.user, freeswitch: freeswitchState() });
    const agentId = req.user.agentId;
    const state = agentId ? acd.agentState(agentId) : undefined;
    if (state) socket.send(JSON.stringify(agentStateMessage(state)));
    if (req.user.role === 'supervisor' || req.user.role === 'admin') {
      const states = new Map(acd.allAgentStates().map((a) => [a.agentId, a]));
      socket.send(JSON.stringify({ type: 'metrics', ...metrics.view(states, req.user.organizationId) } satisfies ServerMessage));
    }
  });
  await registerFsXmlRoutes(
    app,
    {
      sipAccount: (domain, extension) => acdRepo.sipAccount(domain, extension),
      queueForNumber: (dialed) => {
        const q = queues.find((x) => x.inboundNumber === dialed);
        return q ? { queueId: q.id, holdMusic: q.holdMusic } : null;
      },
    },
    { user: config.CC_FSXML_USER, password: config.CC_FSXML_PASSWORD },
  );
  const address = await app.listen({ host: config.CC_HTTP_HOST, port: config.CC_HTTP_PORT });
  logger.info({ url: address }, 'contact center listening');

  // Supervisors' screens get the figures pushed at most once a second, while something changes.
  let pushedVersion = -1;
  const metricsTimer = setInterval(() => {
    const waiting = acd.waitingCalls().length > 0;
    if (metrics.changeCount === pushedVersion && !waiting) return;
    pushedVersion = metrics.changeCount;
    const states = new Map(acd.allAgentStates().map((a) => [a.agentId, a]));
    for (const org of hub.organizationsWith(['supervisor', 'admin'])) {
      hub.toRoles(org, ['supervisor', 'admin'], { type: 'metrics', ...metrics.view(states, org) });
    }
  }, 1000);
  metricsTimer.unref();

  // Position and estimated-wait announcements need a TTS engine (espeak-ng + sox from Debian).
  let announcer: QueueAnnouncer | undefined;
  if (await EspeakTts.available()) {
    const tts = new EspeakTts(config.CC_PROMPTS_DIR ?? path.join(config.CC_DATA_DIR, 'prompts'));
    announcer = new QueueAnnouncer(acd, control, tts, (q, pos) => metrics.estimatedWait(q, pos), (callId) => tracker.call(callId)?.language ?? config.CC_DEFAULT_LANGUAGE, logger.child({ component: 'announcer' }));
    announcer.start();
  } else {
    logger.warn('queue announcements are off: espeak-ng and sox are not installed');
  }

  acd.start();
  esl.start();

  return {
    url: address,
    reloadAcd,
    sql,
    esl,
    acd,
    tracker,
    cdr,
    async stop() {
      clearInterval(metricsTimer);
      announcer?.stop();
      acd.stop();
      hub.close();
      await esl.stop();
      await app.close();
      await cdr.flush();
      await agentStates.flush();
      await sql.end({ timeout: 5 });
    },
  };
}
