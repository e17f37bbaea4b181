import type { AgentStatus, MetricsView } from '../api/protocol.ts';
import type { WallboardView } from './protocol.ts';

const STATUSES: readonly AgentStatus[] = ['logged_out', 'not_ready', 'ready', 'reserved', 'on_call', 'wrap_up'];

/**
 * What a wall screen shows, derived from the live metrics: queue figures and
 * agent counts by state, without any agent's name or call (a wallboard token
 * reads nothing else). Today's service level over all queues weighs each
 * queue's level by the calls it counts (answered + abandoned − short abandons).
 */
export function wallboardView(metrics: MetricsView): WallboardView {
  const agentsByState = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<AgentStatus, number>;
  for (const a of metrics.agents) agentsByState[a.status]++;
  let slCalls = 0;
  let slWeighted = 0;
  for (const q of metrics.queues) {
    if (q.serviceLevelPct === null) continue;
    const counted = q.answered + q.abandoned - q.shortAbandoned;
    slCalls += counted;
    slWeighted += q.serviceLevelPct * counted;
  }
  return {
    at: metrics.at,
    queues: metrics.queues.map((q) => ({
      queueId: q.queueId,
      name: q.name,
      waiting: q.waiting,
      longestWaitSec: q.longestWaitSec,
      agents: q.agents,
      offered: q.offered,
      answered: q.answered,
      abandoned: q.abandoned,
      serviceLevelSec: q.serviceLevelSec,
      serviceLevelPct: q.serviceLevelPct,
      abandonRatePct: q.abandonRatePct,
      asaSec: q.asaSec,
      estimatedWaitSec: q.estimatedWaitSec,
    })),
    agentsByState,
    totals: {
      waiting: metrics.queues.reduce((n, q) => n + q.waiting, 0),
      longestWaitSec: Math.max(0, ...metrics.queues.map((q) => (q.waiting > 0 ? q.longestWaitSec : 0))),
      offered: metrics.queues.reduce((n, q) => n + q.offered, 0),
      answered: metrics.queues.reduce((n, q) => n + q.answered, 0),
      abandoned: metrics.queues.reduce((n, q) => n + q.abandoned, 0),
      serviceLevelPct: slCalls > 0 ? slWeighted / slCalls : null,
    },
  };
}
