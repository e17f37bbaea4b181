import type { Acd } from '../acd/acd.ts';
import type { MetricsService } from './metrics-service.ts';

/** Feeds the metrics from what the ACD reports: agent states, answers, calls leaving their queue. */
export function feedMetricsFromAcd(acd: Acd, metrics: MetricsService): void {
  acd.on('agent', (state) => metrics.agentState(state));
  acd.on('connected', (c) => metrics.apply({ kind: 'call_answered', callId: c.callId, queueId: c.queueId, agentId: c.agentId, at: c.at }));
  acd.on('left_queue', (l) => {
    if (l.diversion.kind === 'queue') metrics.apply({ kind: 'call_entered', callId: l.callId, queueId: l.diversion.queueId, at: l.at });
    else metrics.apply({ kind: 'call_left_queue', callId: l.callId, queueId: l.queueId, at: l.at, reason: l.reason === 'callback' ? 'callback' : 'overflow' });
  });
}
