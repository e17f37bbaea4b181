import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { REPO_ROOT, voicemailDir } from '../config/config.ts';
import { connect, migrate, type Sql } from '../db/client.ts';
import { EslClient } from '../esl/client.ts';
import { Acd } from '../acd/acd.ts';
import { AcdRepository } from '../acd/repository.ts';
import type { QueueConfig } from '../acd/config.ts';
import { AgentStateStore } from '../acd/agent-state-store.ts';
import { CallbackStore } from '../acd/callback-store.ts';
import { QueueAnnouncer } from '../acd/queue-announcer.ts';
import { CallTracker, type QueueRoutes } from '../calls/call-tracker.ts';
import { CdrWriter } from '../calls/cdr-writer.ts';
import { PostgresCdrStore } from '../calls/cdr-store.ts';
import { FreeswitchCallControl } from '../calls/freeswitch-call-control.ts';
import { CALL_EVENT_SUBSCRIPTIONS } from '../calls/signals.ts';
import { CallSignalFeed } from '../calls/signal-feed.ts';
import { CustomerRepository } from '../crm/customers.ts';
import { SessionStore } from '../auth/sessions.ts';
import { UserRepository } from '../auth/users.ts';
import { createServer } from '../api/server.ts';
import { registerApiRoutes } from '../api/routes.ts';
import { wireLiveUpdates } from '../api/live-updates.ts';
import { registerIvrRoutes } from '../api/ivr-routes.ts';
import { FlowRepository } from '../ivr/store/flow-repository.ts';
import { registerQaRoutes } from '../api/qa-routes.ts';
import { QaRepository } from '../qa/repository.ts';
import { createRecordingService, wireRecording, type RecordingService } from '../recording/service.ts';
import { loadRecordingActor } from '../recording/actor-loader.ts';
import { registerRecordingRoutes } from '../api/recording-routes.ts';
import type { Health } from '../api/protocol.ts';
import { registerFsXmlRoutes } from '../fsxml/routes.ts';
import { registerDialplanRoutes } from '../api/dialplan-routes.ts';
import { gatewayOfDialPrefix } from '../dialplan/store/gateways.ts';
import { MetricsService } from '../metrics/metrics-service.ts';
import { EspeakTts } from '../tts/tts.ts';
import { wireCallFlow } from './call-flow.ts';
import { wireSupervision } from '../supervision/wiring.ts';
import { IvrRuntime } from '../ivr/runtime/ivr-runtime.ts';
import { FreeswitchIvrSwitch } from '../ivr/runtime/ivr-switch.ts';
import { PromptSource } from '../ivr/runtime/prompt-source.ts';
import { IvrRunStore } from '../ivr/store/run-store.ts';
import { PromptLibrary } from '../ivr/store/prompt-library.ts';
import { ivrSwitchVariables } from '../ivr/store/switches.ts';
import { registerIvrRuntimeRoutes } from '../api/ivr-runtime-routes.ts';
import { registerVoicemailRoutes } from '../api/voicemail-routes.ts';
import { VoicemailStore } from '../voicemail/voicemail-store.ts';
import { ensureMailboxFolder, mailboxFile, VoicemailService } from '../voicemail/voicemail-service.ts';

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
  /** Call recording; `recording.recorder.callAnswered(...)` is the system-answer start point (IVR). */
  recording: RecordingService;
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
 * The composition root: builds every part and connects them (call flow in
 * ./call-flow.ts, browser updates in ../api/live-updates.ts), then starts the
 * HTTP server and the Event Socket connection. Decisions live in the parts.
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
  const agentStates = new AgentStateStore(sql, logger.child({ component: 'agent-states' }));
  const callbacks = new CallbackStore(sql, logger.child({ component: 'callbacks' }));

  const esl = new EslClient({
    host: config.CC_ESL_HOST,
    port: config.CC_ESL_PORT,
    password: config.CC_ESL_PASSWORD,
    subscriptions: CALL_EVENT_SUBSCRIPTIONS,
    backoff: { initialMs: 500, maxMs: 10_000 },
    logger: logger.child({ component: 'esl' }),
  });
  const [org] = await sql<{ sip_domain: string }[]>`select sip_domain from organizations where id = ${DEFAULT_ORGANIZATION_ID}`;
  const voicemailFolder = voicemailDir(config);
  const control = new FreeswitchCallControl(esl, org?.sip_domain ?? 'cc.local', logger.child({ component: 'call-control' }), (mailbox) => void ensureMailboxFolder(voicemailFolder, mailbox));
  const acd = new Acd(control, logger.child({ component: 'acd' }));
  const cdr = new CdrWriter(cdrStore, logger.child({ component: 'cdr' }));
  const metrics = new MetricsService(config.CC_TIMEZONE);
  const metricsView = (organizationId: string) => metrics.view(new Map(acd.allAgentStates().map((a) => [a.agentId, a])), organizationId);
  const sip = { wsServers: config.CC_SIP_WS_URLS, iceServers: config.CC_ICE_SERVERS };

  let queues: QueueConfig[] = [];
  const routes: QueueRoutes = {
    resolve(dialed, hint) {
      const q = (hint && queues.find((x) => x.id === hint)) || queues.find((x) => x.inboundNumber !== null && x.inboundNumber === dialed);
      return q ? { queueId: q.id, organizationId: q.organizationId } : null;
    },
  };
  const tracker = new CallTracker(routes, cdr, control, logger.child({ component: 'calls' }), DEFAULT_ORGANIZATION_ID);
  const reloadAcd = async () => {
    queues = await acdRepo.listQueues();
    const agentConfigs = await acdRepo.agentConfigs();
    acd.configure(queues, agentConfigs, await acdRepo.listCalendars());
    metrics.configure(queues, agentConfigs);
  };
  await reloadAcd();
  for (const state of await agentStates.load()) acd.restoreAgent(state);
  acd.on('agent', (state) => agentStates.record(state));

  const app = await createServer({ logger, sessions, cookieSecure: config.CC_COOKIE_SECURE, webRoot: path.join(REPO_ROOT, 'softphone', 'dist') });
  const live = wireLiveUpdates({ app, acd, tracker, customers, metrics, esl, logger, offlineGraceMs: config.CC_AGENT_OFFLINE_GRACE_MS });
  const signals = new CallSignalFeed(esl);
  const recording = createRecordingService({ config, sql, esl, logger });
  wireRecording({ esl, acd, tracker, recorder: recording.recorder, logger });
  // IVR flows on live calls, with their prompts (espeak-ng files; English also by mod_flite) and voicemail.
  const promptsDir = config.CC_PROMPTS_DIR ?? path.join(config.CC_DATA_DIR, 'prompts');
  const espeak = (await EspeakTts.available()) ? new EspeakTts(promptsDir) : null;
  if (!espeak) logger.warn('espeak-ng and sox are not installed: Mandarin IVR prompts and queue announcements are off');
  const flows = new FlowRepository(sql);
  const ivrRuns = new IvrRunStore(sql, logger.child({ component: 'ivr-runs' }));
  const ivr = new IvrRuntime({
    sw: new FreeswitchIvrSwitch(esl),
    flows,
    prompts: new PromptSource(
      {
        ...(espeak ? { 'zh-CN': { kind: 'file' as const, engine: espeak } } : {}),
        ...(config.CC_TTS_ENGLISH === 'flite' ? { en: { kind: 'switch' as const } } : espeak ? { en: { kind: 'file' as const, engine: espeak } } : {}),
      },
      logger.child({ component: 'ivr-prompts' }),
    ),
    store: ivrRuns,
    switches: (organizationId) => ivrSwitchVariables(sql, organizationId),
    voicemailFile: (mailbox, callUuid) => mailboxFile(voicemailFolder, mailbox, callUuid),
    // Recording may start when the system answers (policy start point `system_answer`).
    calls: {
      answered: (c) =>
        void recording.recorder
          .callAnswered({ callId: c.uuid, callerUuid: c.uuid, organizationId: c.organizationId, queueId: null, callerNumber: c.callerNumber, calledNumber: c.did, direction: 'inbound' })
          .catch((err: unknown) => logger.error({ err, callId: c.uuid }, 'recording at IVR answer failed')),
      ended: (uuid) => recording.recorder.callEnded(uuid),
    },
    logger: logger.child({ component: 'ivr' }),
  });
  const voicemails = new VoicemailStore(sql);
  const voicemail = new VoicemailService(voicemails, DEFAULT_ORGANIZATION_ID, { smtpUrl: config.CC_SMTP_URL, mailFrom: config.CC_MAIL_FROM }, logger.child({ component: 'voicemail' }));
  wireCallFlow({ esl, signals, tracker, acd, customers, callbacks, metrics, ivr, voicemail, logger });
  // The supervisor's seat (班长席): listen / whisper / barge / hang up / intercept, trunk state, wallboard tokens.
  const supervision = wireSupervision({
    app, sql, esl, signals, tracker, push: live.hub, logger,
    metrics: metricsView,
    metricsVersion: () => metrics.changeCount,
    releaseAgent: (callId) => acd.callEnded(callId),
    sip,
  });
  acd.on('connected', (c) => supervision.callConnected(c.callId));

  // What was in progress when the orchestrator last stopped: calls (from their live CDRs) and callbacks.
  for (const call of await cdrStore.liveCalls()) tracker.restore(call);
  acd.settleRestoredAgents();
  for (const callback of await callbacks.waiting()) acd.enqueue(callback);

  const health = async (): Promise<Health> => {
    const database = await sql`select 1`.then(() => 'ok' as const, () => 'error' as const);
    const freeswitch = esl.isConnected ? 'connected' : 'disconnected';
    return { status: database === 'ok' && freeswitch === 'connected' ? 'ok' : 'degraded', freeswitch, database };
  };
  registerApiRoutes(app, {
    sql, users, sessions, acdRepo, acd, customers, health, reloadAcd,
    metrics: metricsView,
    sip,
    cookieSecure: config.CC_COOKIE_SECURE,
    mayActOnAgent: (user, agentId) => supervision.service.mayActOnAgent(user, agentId),
  });
  registerIvrRoutes(app, { sql, flows });
  registerIvrRuntimeRoutes(app, { sql, runs: ivrRuns, prompts: new PromptLibrary(sql, promptsDir) });
  registerVoicemailRoutes(app, { sql, voicemails });
  registerQaRoutes(app, { sql, qa: new QaRepository(sql), actorOf: (user) => loadRecordingActor(sql, user), timezone: config.CC_TIMEZONE });
  registerRecordingRoutes(app, { sql, ...recording, actorOf: (user) => loadRecordingActor(sql, user) });
  const dialplan = registerDialplanRoutes(app, {
    sql, logger, defaultOrganizationId: DEFAULT_ORGANIZATION_ID,
    gatewaysDir: path.join(REPO_ROOT, 'freeswitch', 'conf', 'gateways'), defaultGateway: gatewayOfDialPrefix(config.CC_EXTERNAL_DIAL_PREFIX),
  });
  await registerFsXmlRoutes(
    app,
    {
      // Agents' accounts, then supervisors' (their WebRTC leg for supervision).
      sipAccount: async (domain, extension) => (await acdRepo.sipAccount(domain, extension)) ?? supervision.repo.sipAccount(domain, extension),
      dialplan: (lookup) => dialplan.decide(lookup),
      queueForNumber: (dialed) => {
        const q = queues.find((x) => x.inboundNumber === dialed);
        return q ? { queueId: q.id, holdMusic: q.holdMusic } : null;
      },
    },
    { user: config.CC_FSXML_USER, password: config.CC_FSXML_PASSWORD },
  );
  const address = await app.listen({ host: config.CC_HTTP_HOST, port: config.CC_HTTP_PORT });
  logger.info({ url: address }, 'contact center listening');

  // Position and estimated-wait announcements need a TTS engine (espeak-ng + sox from Debian).
  let announcer: QueueAnnouncer | undefined;
  if (espeak) {
    const languageOf = (callId: string) => tracker.call(callId)?.language ?? config.CC_DEFAULT_LANGUAGE;
    announcer = new QueueAnnouncer(acd, control, espeak, (q, pos) => metrics.estimatedWait(q, pos), languageOf, logger.child({ component: 'announcer' }));
    announcer.start();
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
    recording,
    async stop() {
      announcer?.stop();
      acd.stop();
      await supervision.close();
      await ivr.stop();
      live.close();
      await esl.stop();
      await app.close();
      await cdr.flush();
      await agentStates.flush();
      await recording.stop();
      await sql.end({ timeout: 5 });
    },
  };
}
