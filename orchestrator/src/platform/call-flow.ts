import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Acd } from '../acd/acd.ts';
import type { CallbackStore } from '../acd/callback-store.ts';
import type { CallTracker } from '../calls/call-tracker.ts';
import type { EslClient } from '../esl/client.ts';
import type { CallSignalFeed } from '../calls/signal-feed.ts';
import { resyncWithSwitch } from '../calls/resync.ts';
import type { CustomerRepository } from '../crm/customers.ts';
import type { MetricsService } from '../metrics/metrics-service.ts';
import { feedMetricsFromAcd } from '../metrics/wiring.ts';
import type { IvrRuntime } from '../ivr/runtime/ivr-runtime.ts';
import { adoptParkedIvrCallers } from '../ivr/runtime/adopt.ts';
import type { VoicemailService } from '../voicemail/voicemail-service.ts';

export interface CallFlowParts {
  esl: EslClient;
  signals: CallSignalFeed;
  tracker: CallTracker;
  acd: Acd;
  customers: CustomerRepository;
  callbacks: CallbackStore;
  metrics: MetricsService;
  ivr: IvrRuntime;
  voicemail: VoicemailService;
  logger: Logger;
}

/**
 * How a call moves between the parts: FreeSWITCH events become call signals for
 * the tracker; an entering caller is enqueued in the ACD with what the CRM knows;
 * the ACD's answers, diversions and callbacks are recorded on the call (CDR) and
 * in the metrics; a call that ends frees its agent. Each part decides on its own;
 * this only connects them.
 */
export function wireCallFlow({ esl, signals, tracker, acd, customers, callbacks, metrics, ivr, voicemail, logger }: CallFlowParts): void {
  feedMetricsFromAcd(acd, metrics);

  signals.on('signal', (signal) => {
    if (signal.kind === 'dtmf') {
      // A waiting caller pressed a key: the queue's callback key turns the call into a callback.
      const call = tracker.call(signal.uuid);
      if (call && call.answeredAt === null && acd.requestCallback(call.callId, signal.digit, call.callerNumber, randomUUID())) {
        logger.info({ callId: call.callId }, 'caller chose a callback');
      }
      return;
    }
    tracker.handle(signal);
    ivr.handle(signal);
    if (signal.kind === 'channel_hangup' && signal.voicemail) {
      void voicemail.channelEnded(signal.uuid, signal.voicemail).catch((err: unknown) => logger.error({ err, uuid: signal.uuid }, 'voicemail not stored'));
    }
  });
  esl.on('connected', () => {
    void resyncWithSwitch(esl, tracker, logger.child({ component: 'resync' }))
      .then(({ channels }) => adoptParkedIvrCallers(esl, channels, ivr, logger.child({ component: 'ivr' })))
      .catch((err: unknown) => logger.error({ err }, 'resync with FreeSWITCH failed'))
      .finally(() => acd.setSwitchAvailable(esl.isConnected));
  });
  esl.on('disconnected', () => {
    acd.setSwitchAvailable(false);
    ivr.switchLost();
    logger.warn('FreeSWITCH disconnected; waiting callers keep their place');
  });

  tracker.on('entered', (call) => {
    if (!call.queueId) return;
    const queueId = call.queueId;
    if (call.answeredAt !== null) {
      // A call that was connected when the orchestrator stopped.
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
  // The agent hung up and the caller stays in the IVR (a survey): the agent is free, the flow goes on.
  tracker.on('agent_left', (call) => {
    metrics.apply({ kind: 'talk_ended', callId: call.callId, at: call.agentLeftAt ?? Date.now() });
    acd.callEnded(call.callId);
    ivr.agentLeft(call.callId);
  });
  tracker.on('ended', (call) => {
    if (call.calledNumber === 'callback') callbacks.mark(call.callId, 'done');
    if (call.answeredAt !== null && call.agentLeftAt === null) metrics.apply({ kind: 'talk_ended', callId: call.callId, at: call.endedAt ?? Date.now() });
    else if (call.queueId && call.disposal === null) metrics.apply({ kind: 'call_abandoned', callId: call.callId, queueId: call.queueId, at: call.endedAt ?? Date.now() });
    acd.callEnded(call.callId);
  });

  acd.on('connected', (c) => {
    if (c.call.callbackNumber) {
      const organizationId = acd.queue(c.queueId)?.organizationId;
      if (organizationId) {
        tracker.trackCallback({
          callId: c.callId, organizationId, queueId: c.queueId, number: c.call.callbackNumber, enqueuedAt: c.call.enqueuedAt,
          priority: c.call.priority, agentId: c.agentId, agentLegUuid: c.agentLegUuid, at: c.at,
        });
      }
      callbacks.mark(c.callId, 'dialing', c.agentId);
    } else {
      tracker.markConnected(c.callId, c.agentId, c.agentLegUuid, c.queueId, c.at);
    }
  });
  acd.on('left_queue', (l) => {
    if (l.diversion.kind === 'queue') tracker.markMoved(l.callId, l.diversion.queueId);
    else tracker.markDisposed(l.callId, l.reason === 'closed' ? 'closed' : l.reason === 'callback' ? 'callback' : 'overflowed');
  });
  acd.on('callback_queued', ({ originCallId, callback }) => {
    const organizationId = tracker.call(originCallId)?.organizationId ?? acd.queue(callback.queueId)?.organizationId;
    if (!organizationId) return;
    void callbacks.add(organizationId, originCallId, callback).catch((err: unknown) => logger.error({ err, originCallId }, 'callback not saved'));
  });
}
