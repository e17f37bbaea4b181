import type { Logger } from 'pino';
import type { App } from './server.ts';
import { WsHub } from './ws-hub.ts';
import type { Health, ServerMessage } from './protocol.ts';
import type { Acd } from '../acd/acd.ts';
import { AgentStateError, type AgentState } from '../acd/agent-state.ts';
import type { CallTracker } from '../calls/call-tracker.ts';
import type { CustomerRepository } from '../crm/customers.ts';
import type { EslClient } from '../esl/client.ts';
import type { MetricsService } from '../metrics/metrics-service.ts';

export interface LiveUpdateParts {
  app: App;
  acd: Acd;
  tracker: CallTracker;
  customers: CustomerRepository;
  metrics: MetricsService;
  esl: EslClient;
  logger: Logger;
  offlineGraceMs: number;
}

const agentStateMessage = (state: AgentState): ServerMessage => ({
  type: 'agent.state',
  agentId: state.agentId,
  status: state.status,
  since: new Date(state.since).toISOString(),
  reason: state.reason,
});

/**
 * The browsers' live view (GET /ws): agents are logged in while their softphone
 * is connected, get their state, offered calls with the CRM screen pop and call
 * progress; supervisors get the live metrics; everybody the switch status.
 * Register this before the call flow, so "call ended" reaches the agent before
 * the agent's next state.
 */
export function wireLiveUpdates({ app, acd, tracker, customers, metrics, esl, logger, offlineGraceMs }: LiveUpdateParts): { close(): void; hub: WsHub } {
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
          // On a call: the call goes on; the agent is logged out when it ends.
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
    offlineGraceMs,
  );
  const freeswitchState = (): Health['freeswitch'] => (esl.isConnected ? 'connected' : 'disconnected');
  const metricsView = (organizationId: string): ServerMessage => ({
    type: 'metrics',
    ...metrics.view(new Map(acd.allAgentStates().map((a) => [a.agentId, a])), organizationId),
  });

  esl.on('connected', () => hub.broadcast({ type: 'system', freeswitch: 'connected' }));
  esl.on('disconnected', () => hub.broadcast({ type: 'system', freeswitch: 'disconnected' }));

  acd.on('agent', (state) => {
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
    const callerNumber = waiting.callbackNumber ?? waiting.callerNumber;
    void customers
      .screenPop(tracked?.organizationId ?? queue.organizationId, callerNumber, offer.callId)
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
          ivrData: tracked?.ivrData ?? {},
        }),
      );
  });
  acd.on('offer_failed', (o) => hub.toAgent(o.agentId, { type: 'call.offer_ended', callId: o.callId, cause: o.cause }));
  acd.on('connected', (c) => hub.toAgent(c.agentId, { type: 'call.connected', callId: c.callId }));
  tracker.on('ended', (call) => {
    if (call.agentId) hub.toAgent(call.agentId, { type: 'call.ended', callId: call.callId, cause: call.hangupCause ?? 'NORMAL_CLEARING' });
  });

  app.get('/ws', { websocket: true }, (socket, req) => {
    if (!req.user) {
      socket.close(4401, 'login required');
      return;
    }
    hub.attach(socket, req.user, { type: 'hello', user: req.user, freeswitch: freeswitchState() });
    const state = req.user.agentId ? acd.agentState(req.user.agentId) : undefined;
    if (state) socket.send(JSON.stringify(agentStateMessage(state)));
    if (req.user.role === 'supervisor' || req.user.role === 'admin') socket.send(JSON.stringify(metricsView(req.user.organizationId)));
  });

  // Supervisors' screens get the figures pushed at most once a second, while something changes.
  let pushedVersion = -1;
  const timer = setInterval(() => {
    if (metrics.changeCount === pushedVersion && acd.waitingCalls().length === 0) return;
    pushedVersion = metrics.changeCount;
    for (const org of hub.organizationsWith(['supervisor', 'admin'])) hub.toRoles(org, ['supervisor', 'admin'], metricsView(org));
  }, 1000);
  timer.unref();

  return {
    /** Other parts push through the same sockets (e.g. the supervisor's seat). */
    hub,
    close() {
      clearInterval(timer);
      hub.close();
    },
  };
}
