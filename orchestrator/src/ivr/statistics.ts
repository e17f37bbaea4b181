import type { LogEffect, Outcome } from './engine.ts';

/**
 * Per-node IVR statistics from the engine's `log` effects, which the runtime
 * stores with the id of the call's run. Pure aggregation, in any order.
 *
 * - visits: times a node was entered;
 * - exits: how it was left, by branch ('choice:1', 'fail', 'ok', 'error',
 *   'when:0', 'otherwise', 'queued', 'caller_hangup', …);
 * - hangups: callers who hung up while at the node;
 * - self-service completion rate: finished runs that ended in a hang-up (the
 *   caller's or a hangup node) or a voicemail and never reached a queue or a
 *   transfer, divided by finished runs. Runs still in progress (no run_ended
 *   yet) are counted in `runs` but left out of the rate.
 */

export type RunLogEvent = LogEffect & { runId: string };

export interface NodeStatistics {
  visits: number;
  exits: Record<string, number>;
  hangups: number;
}

export interface FlowStatistics {
  runs: number;
  finishedRuns: number;
  selfServiceRuns: number;
  /** selfServiceRuns / finishedRuns; null when no run finished. */
  selfServiceRate: number | null;
  outcomes: Partial<Record<Outcome, number>>;
  nodes: Record<string, NodeStatistics>;
}

const SELF_SERVICE_OUTCOMES: readonly Outcome[] = ['caller_hangup', 'hangup', 'voicemail'];

export function nodeStatistics(events: Iterable<RunLogEvent>): FlowStatistics {
  const runs = new Set<string>();
  const ended = new Map<string, { outcome: Outcome; handedOff: boolean }>();
  const nodes: Record<string, NodeStatistics> = {};
  const at = (id: string) => (nodes[id] ??= { visits: 0, exits: {}, hangups: 0 });
  for (const e of events) {
    runs.add(e.runId);
    switch (e.event) {
      case 'node_entered':
        at(e.node).visits += 1;
        break;
      case 'node_exited': {
        const n = at(e.node);
        n.exits[e.branch] = (n.exits[e.branch] ?? 0) + 1;
        if (e.branch === 'caller_hangup') n.hangups += 1;
        break;
      }
      case 'run_ended':
        ended.set(e.runId, { outcome: e.outcome, handedOff: e.handedOff });
        break;
      case 'input_ignored':
        break;
    }
  }
  const outcomes: Partial<Record<Outcome, number>> = {};
  let selfServiceRuns = 0;
  for (const { outcome, handedOff } of ended.values()) {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (!handedOff && SELF_SERVICE_OUTCOMES.includes(outcome)) selfServiceRuns += 1;
  }
  return {
    runs: runs.size,
    finishedRuns: ended.size,
    selfServiceRuns,
    selfServiceRate: ended.size ? selfServiceRuns / ended.size : null,
    outcomes,
    nodes,
  };
}
