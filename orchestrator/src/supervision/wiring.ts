import type { Logger } from 'pino';
import type { App } from '../api/server.ts';
import type { MetricsView, Role, ServerMessage } from '../api/protocol.ts';
import type { SipSettings } from '../api/sip-account.ts';
import type { Sql } from '../db/client.ts';
import type { EslClient } from '../esl/client.ts';
import type { CallTracker } from '../calls/call-tracker.ts';
import type { CallSignalFeed } from '../calls/signal-feed.ts';
import { TrunkMonitor } from '../trunks/trunk-monitor.ts';
import { FreeswitchSupervision } from './freeswitch-supervision.ts';
import { SupervisionRepository } from './repository.ts';
import { registerSupervisionRoutes } from './routes.ts';
import { SupervisionService } from './supervision-service.ts';

/** What supervision pushes through the browsers' WebSocket hub (api/ws-hub.ts). */
export interface SupervisorPush {
  toUser(userId: string, message: ServerMessage): void;
  toRoles(organizationId: string, roles: readonly Role[], message: ServerMessage): void;
  organizationsWith(roles: readonly Role[]): Set<string>;
}

export interface SupervisionParts {
  app: App;
  sql: Sql;
  esl: EslClient;
  signals: CallSignalFeed;
  tracker: CallTracker;
  push: SupervisorPush;
  metrics(organizationId: string): MetricsView;
  metricsVersion(): number;
  /** Frees the agent of a call a supervisor took over. */
  releaseAgent(callId: string): void;
  sip: SipSettings;
  logger: Logger;
}

const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];

/**
 * The supervisor's seat: the supervision service on the switch, trunk state,
 * their routes, and what is pushed to supervisors (calls, their own monitoring,
 * trunks). Returns what the composition root needs besides.
 */
export function wireSupervision(p: SupervisionParts) {
  const repo = new SupervisionRepository(p.sql);
  const service = new SupervisionService({
    switch: new FreeswitchSupervision(p.esl, p.logger.child({ component: 'supervision-switch' })),
    tracker: p.tracker,
    repo,
    sql: p.sql,
    agentMembership: (agentId) => repo.agentMembership(agentId),
    releaseAgent: p.releaseAgent,
    logger: p.logger.child({ component: 'supervision' }),
  });
  const trunks = new TrunkMonitor(p.esl, p.logger.child({ component: 'trunks' }));
  const routes = registerSupervisionRoutes(p.app, {
    sql: p.sql, repo, service, trunks, metrics: p.metrics, metricsVersion: p.metricsVersion, sip: p.sip, logger: p.logger.child({ component: 'wallboard' }),
  });

  // Pushes of the calls list are coalesced per organization (several changes in one tick: one message).
  const pending = new Set<string>();
  const pushCalls = (organizationId: string) => {
    if (pending.size === 0) {
      setImmediate(() => {
        for (const org of pending) p.push.toRoles(org, SUPERVISORS, { type: 'supervision.calls', calls: service.liveCalls(org) });
        pending.clear();
      });
    }
    pending.add(organizationId);
  };
  service.on('calls', pushCalls);
  service.on('session', (userId, session, ended) => p.push.toUser(userId, { type: 'supervision.session', session, ...(ended ? { ended } : {}) }));
  p.tracker.on('ended', (call) => service.callEnded(call));
  // Calls connect through the ACD; the tracker records it (platform/call-flow.ts) right before this runs.
  const onConnected = (callId: string) => {
    const call = p.tracker.call(callId);
    if (call) pushCalls(call.organizationId);
  };
  // Only hangups matter here: skip interpreting every other event a second time (call-flow.ts already does).
  p.signals.on('signal', (signal) => {
    if (signal.kind === 'channel_hangup') service.channelHungUp(signal.uuid, signal.cause);
  });
  trunks.on('changed', () => {
    const message: ServerMessage = { type: 'trunks', trunks: trunks.views() };
    for (const org of p.push.organizationsWith(SUPERVISORS)) p.push.toRoles(org, SUPERVISORS, message);
  });
  trunks.start();

  return {
    repo,
    service,
    trunks,
    /** Call after the ACD connected a call (its 'connected' event). */
    callConnected: onConnected,
    async close() {
      trunks.stop();
      routes.close();
      await service.close();
    },
  };
}
