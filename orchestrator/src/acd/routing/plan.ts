import { activeRequirements, meetsRequirements, waitedSec } from './eligibility.ts';
import {
  isMultiAgentStrategy,
  type Candidate,
  type Offer,
  type QueueMember,
  type RoutingAgent,
  type RoutingCall,
  type RoutingQueue,
  type RoutingState,
  type SkillRequirement,
} from './model.ts';
import { pickOne, progressiveTarget, ringOrder } from './strategies.ts';

/** Serving order: priority desc, then enqueuedAt asc, then id. */
export function compareCalls(a: RoutingCall, b: RoutingCall): number {
  return b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Per-plan view of one queue, built the first time a call of that queue is planned. */
interface QueueIndex {
  readonly queue: RoutingQueue;
  /** First membership entry per agent id. */
  readonly memberOf: ReadonlyMap<string, QueueMember>;
  /** Ready members, sorted by tier, then position, then id. */
  readonly ready: readonly Candidate[];
}

function indexQueue(queue: RoutingQueue, agents: ReadonlyMap<string, RoutingAgent>): QueueIndex {
  const memberOf = new Map<string, QueueMember>();
  const ready: Candidate[] = [];
  for (const member of queue.members) {
    if (memberOf.has(member.agentId)) continue;
    memberOf.set(member.agentId, member);
    const agent = agents.get(member.agentId);
    if (agent?.status === 'ready') ready.push({ agent, member });
  }
  ready.sort(
    (a, b) =>
      a.member.tier - b.member.tier ||
      a.member.position - b.member.position ||
      (a.agent.id < b.agent.id ? -1 : a.agent.id > b.agent.id ? 1 : 0),
  );
  return { queue, memberOf, ready };
}

/**
 * Available eligible members of the best tier that is not worse than `tierCeiling`,
 * in (position, id) order. Available = not busy, not ringing anywhere, not offered earlier
 * in this plan (all in `unavailable`).
 */
function bestTierCandidates(
  idx: QueueIndex,
  call: RoutingCall,
  requirements: readonly SkillRequirement[],
  unavailable: ReadonlySet<string>,
  tierCeiling: number,
): Candidate[] {
  const out: Candidate[] = [];
  let bestTier = tierCeiling;
  for (const c of idx.ready) {
    if (c.member.tier > bestTier) break;
    const id = c.agent.id;
    if (unavailable.has(id) || call.missedBy.includes(id) || !meetsRequirements(c.agent, requirements)) continue;
    bestTier = c.member.tier;
    out.push(c);
  }
  return out;
}

/** Best tier among this call's ringing agents (multi-agent strategies do not add worse tiers). */
function ringingTier(idx: QueueIndex, call: RoutingCall): number {
  let tier = Number.POSITIVE_INFINITY;
  for (const id of call.ringing) {
    const m = idx.memberOf.get(id);
    if (m !== undefined && m.tier < tier) tier = m.tier;
  }
  return tier;
}

type PreferredDecision = { kind: 'offer'; agentId: string } | { kind: 'hold' } | { kind: 'none' };

function preferredDecision(
  idx: QueueIndex,
  call: RoutingCall,
  agents: ReadonlyMap<string, RoutingAgent>,
  requirements: readonly SkillRequirement[],
  unavailable: ReadonlySet<string>,
  waited: number,
): PreferredDecision {
  const id = call.preferredAgentId;
  if (id === null) return { kind: 'none' };
  const agent = agents.get(id);
  // Not a member, unknown, or already missed this call: they can never take it, route normally.
  if (agent === undefined || !idx.memberOf.has(id) || call.missedBy.includes(id)) return { kind: 'none' };
  if (agent.status === 'ready' && !unavailable.has(id) && meetsRequirements(agent, requirements)) {
    return { kind: 'offer', agentId: id };
  }
  return agent.status !== 'logged_out' && waited < idx.queue.stickyAgentSec ? { kind: 'hold' } : { kind: 'none' };
}

/**
 * Decides which agents to offer which waiting calls now. Calls are walked in compareCalls
 * order; each agent appears in at most one offer and never when busy or already ringing for
 * any call. See the README-style notes in index.ts for the full semantics.
 */
export function planOffers(state: RoutingState): Offer[] {
  const unavailable = new Set<string>(state.busyAgents ?? []);
  for (const call of state.calls) for (const id of call.ringing) unavailable.add(id);

  const indexes = new Map<string, QueueIndex>();
  const offers: Offer[] = [];
  const ordered = [...state.calls].sort(compareCalls);

  for (const call of ordered) {
    const queue = state.queues.get(call.queueId);
    if (queue === undefined) continue;
    const multi = isMultiAgentStrategy(queue.strategy);
    if (!multi && call.ringing.length > 0) continue;

    let idx = indexes.get(queue.id);
    if (idx === undefined) {
      idx = indexQueue(queue, state.agents);
      indexes.set(queue.id, idx);
    }
    const waited = waitedSec(call, state.now);
    const requirements = activeRequirements(queue, call, waited);

    const preferred = preferredDecision(idx, call, state.agents, requirements, unavailable, waited);
    if (preferred.kind === 'hold') continue;
    if (preferred.kind === 'offer') {
      unavailable.add(preferred.agentId);
      offers.push({ callId: call.id, agentIds: [preferred.agentId] });
      continue;
    }
    if (idx.ready.length === 0) continue;

    let chosen: string[];
    if (multi) {
      const candidates = ringOrder(bestTierCandidates(idx, call, requirements, unavailable, ringingTier(idx, call)));
      const limit =
        queue.strategy === 'ring_all'
          ? candidates.length
          : Math.min(candidates.length, progressiveTarget(waited, queue.ringProgressivelyStepSec) - call.ringing.length);
      chosen = limit > 0 ? candidates.slice(0, limit).map((c) => c.agent.id) : [];
    } else {
      const candidates = bestTierCandidates(idx, call, requirements, unavailable, Number.POSITIVE_INFINITY);
      const pick = pickOne(queue.strategy, candidates, requirements, state.random);
      chosen = pick === undefined ? [] : [pick.agent.id];
    }
    if (chosen.length === 0) continue;
    for (const id of chosen) unavailable.add(id);
    offers.push({ callId: call.id, agentIds: chosen });
  }
  return offers;
}
