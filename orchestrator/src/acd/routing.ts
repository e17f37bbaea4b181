import type { AgentState } from './agent-state.ts';

/** A call waiting in a queue, as the routing decision sees it. */
export interface WaitingCall {
  readonly callId: string;
  readonly queueId: string;
  readonly enqueuedAt: number;
  /** Set while an agent is being rung for this call. */
  readonly offeredTo: string | null;
}

export interface RoutingSnapshot {
  readonly waiting: readonly WaitingCall[];
  readonly agents: ReadonlyMap<string, AgentState>;
  /** queueId -> agent ids that serve it */
  readonly members: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface Assignment {
  readonly callId: string;
  readonly agentId: string;
}

/** Longest-idle: among ready agents, the one that has been ready the longest (ties: lowest id). */
export function longestIdleAgent(candidates: Iterable<AgentState>): AgentState | undefined {
  let best: AgentState | undefined;
  for (const a of candidates) {
    if (a.status !== 'ready') continue;
    if (!best || a.since < best.since || (a.since === best.since && a.agentId < best.agentId)) best = a;
  }
  return best;
}

/**
 * Decides which waiting calls to offer to which agents now. Calls are taken in
 * arrival order across all queues; each agent gets at most one call and each
 * call at most one agent; calls already being offered are left alone.
 */
export function planAssignments(snapshot: RoutingSnapshot): Assignment[] {
  const ordered = snapshot.waiting
    .filter((c) => c.offeredTo === null)
    .sort((a, b) => a.enqueuedAt - b.enqueuedAt || (a.callId < b.callId ? -1 : 1));
  const taken = new Set<string>();
  const result: Assignment[] = [];
  for (const call of ordered) {
    const memberIds = snapshot.members.get(call.queueId);
    if (!memberIds || memberIds.size === 0) continue;
    const candidates: AgentState[] = [];
    for (const id of memberIds) {
      const agent = snapshot.agents.get(id);
      if (agent && !taken.has(id)) candidates.push(agent);
    }
    const agent = longestIdleAgent(candidates);
    if (!agent) continue;
    taken.add(agent.agentId);
    result.push({ callId: call.callId, agentId: agent.agentId });
  }
  return result;
}

export interface QueuePolicy {
  readonly maxWaitSec: number;
  readonly noAgentsAction: 'wait' | 'announce_hangup';
}

export type OverflowReason = 'max_wait' | 'no_agents';

/**
 * Whether a waiting call must leave the queue now: it waited past max wait, or the
 * queue has no logged-in member and its policy is to announce and hang up.
 */
export function overflowReason(
  call: WaitingCall,
  policy: QueuePolicy,
  memberStates: readonly AgentState[],
  now: number,
): OverflowReason | null {
  if (call.offeredTo !== null) return null;
  if (policy.maxWaitSec > 0 && now - call.enqueuedAt >= policy.maxWaitSec * 1000) return 'max_wait';
  if (policy.noAgentsAction === 'announce_hangup' && !memberStates.some((a) => a.status !== 'logged_out')) {
    return 'no_agents';
  }
  return null;
}
