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
import { pickOne, progressiveTarget, ringOrder, strategyOrder, type CandidateOrder } from './strategies.ts';

/** Serving order: priority desc, then enqueuedAt asc, then id. */
export function compareCalls(a: RoutingCall, b: RoutingCall): number {
  // Comparisons rather than subtractions: ms timestamps are doubles, and -1/0/1 stay small integers.
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  if (a.enqueuedAt !== b.enqueuedAt) return a.enqueuedAt < b.enqueuedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/*
 * Performance notes (bench/routing.ts: 300 calls over 1,000 agents and 100 queues per plan):
 * every structure below is built inside one planOffers call and dropped when it returns.
 * Ready agents are resolved once per plan, each queue's ready members once per plan, and
 * the hot loops allocate nothing per member so that the young-generation GC stays rare.
 */

/**
 * One ready agent during one plan. `free` turns false when the agent is busy, ringing for
 * any call, or offered a call earlier in this plan; it never turns back.
 *
 * A Slot is also the Candidate the strategies compare: `member` is pointed at the agent's
 * entry in the queue being scanned just before the agent is looked at, which saves an
 * object per (agent, queue). Slots are therefore only compared within one scan.
 */
interface Slot extends Candidate {
  member: QueueMember;
  free: boolean;
  /** Number of the last queue view this agent was added to (dedupes repeated members). */
  lastQueue: number;
}

/** Ready members of one queue, as parallel arrays, in member order. */
interface QueueView {
  readonly slots: Slot[];
  readonly members: QueueMember[];
}

const NO_MEMBER: QueueMember = Object.freeze({ agentId: '', tier: Number.POSITIVE_INFINITY, position: Number.POSITIVE_INFINITY });

/** The ready agents of the plan, with busy and ringing ones already marked unavailable. */
function readySlots(state: RoutingState): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  state.agents.forEach((agent, id) => {
    if (agent.status === 'ready') slots.set(id, { agent, member: NO_MEMBER, free: true, lastQueue: -1 });
  });
  const block = (id: string): void => {
    const slot = slots.get(id);
    if (slot !== undefined) slot.free = false;
  };
  state.busyAgents?.forEach(block);
  for (let c = 0; c < state.calls.length; c++) {
    const ringing = state.calls[c]!.ringing;
    for (let i = 0; i < ringing.length; i++) block(ringing[i]!);
  }
  return slots;
}

/** The queue's ready members (first membership entry per agent). */
function queueView(queue: RoutingQueue, slots: ReadonlyMap<string, Slot>, viewNumber: number): QueueView {
  const view: QueueView = { slots: [], members: [] };
  for (let i = 0; i < queue.members.length; i++) {
    const member = queue.members[i]!;
    const slot = slots.get(member.agentId);
    if (slot === undefined || slot.lastQueue === viewNumber) continue;
    slot.lastQueue = viewNumber;
    view.slots.push(slot);
    view.members.push(member);
  }
  return view;
}

/** Membership entry of an agent (the first one when listed twice); linear, only for the few calls that need it. */
function memberEntry(queue: RoutingQueue, agentId: string): QueueMember | undefined {
  for (let i = 0; i < queue.members.length; i++) if (queue.members[i]!.agentId === agentId) return queue.members[i];
  return undefined;
}

/**
 * Walks the view's free members that are eligible for the call, pointing each one's
 * `member` at this queue's entry, and hands them to `visit`. Members no longer free are
 * dropped from the view on the way (they cannot become free again within a plan), so later
 * calls of the queue scan less.
 */
function scanEligible(view: QueueView, call: RoutingCall, requirements: readonly SkillRequirement[], visit: (s: Slot) => void): void {
  const { slots, members } = view;
  let kept = 0;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    if (!slot.free) continue;
    const member = members[i]!;
    slots[kept] = slot;
    members[kept++] = member;
    if (call.missedBy.length > 0 && call.missedBy.includes(slot.agent.id)) continue;
    if (requirements.length > 0 && !meetsRequirements(slot.agent, requirements)) continue;
    slot.member = member;
    visit(slot);
  }
  slots.length = kept;
  members.length = kept;
}

/** The free eligible members of the best tier, provided it is not worse than `tierCeiling`. */
function bestTierCandidates(view: QueueView, call: RoutingCall, requirements: readonly SkillRequirement[], tierCeiling: number): Slot[] {
  let out: Slot[] = [];
  let bestTier = tierCeiling;
  scanEligible(view, call, requirements, (slot) => {
    const tier = slot.member.tier;
    if (tier > bestTier) return;
    if (tier < bestTier) {
      bestTier = tier;
      out = [];
    }
    out.push(slot);
  });
  return out;
}

/** bestTierCandidates followed by the strategy's order, in one pass and without a list. */
function bestTierPick(view: QueueView, call: RoutingCall, requirements: readonly SkillRequirement[], order: CandidateOrder): Slot | undefined {
  let best: Slot | undefined;
  scanEligible(view, call, requirements, (slot) => {
    if (best === undefined || slot.member.tier < best.member.tier || (slot.member.tier === best.member.tier && order(slot, best) < 0)) {
      best = slot;
    }
  });
  return best;
}

/** Best tier among this call's ringing agents (multi-agent strategies do not add worse tiers). */
function ringingTier(queue: RoutingQueue, call: RoutingCall): number {
  let tier = Number.POSITIVE_INFINITY;
  for (let i = 0; i < call.ringing.length; i++) {
    const m = memberEntry(queue, call.ringing[i]!);
    if (m !== undefined && m.tier < tier) tier = m.tier;
  }
  return tier;
}

const HOLD = 'hold';
const NONE = 'none';

/** The preferred agent to offer alone, HOLD to keep the call for them, or NONE to route normally. */
function preferredDecision(
  queue: RoutingQueue,
  call: RoutingCall,
  state: RoutingState,
  slots: ReadonlyMap<string, Slot>,
  requirements: readonly SkillRequirement[],
  waited: number,
): Slot | typeof HOLD | typeof NONE {
  const id = call.preferredAgentId;
  if (id === null) return NONE;
  const agent = state.agents.get(id);
  // Unknown, already missed this call, or not a member: they can never take it, route normally.
  if (agent === undefined || call.missedBy.includes(id) || memberEntry(queue, id) === undefined) return NONE;
  const slot = slots.get(id);
  if (slot?.free === true && meetsRequirements(agent, requirements)) return slot;
  return agent.status !== 'logged_out' && waited < queue.stickyAgentSec ? HOLD : NONE;
}

/** The agents to offer one call now (empty: none), marking them taken. */
function agentsFor(call: RoutingCall, queue: RoutingQueue, view: QueueView, requirements: readonly SkillRequirement[], waited: number, random: () => number): string[] {
  if (isMultiAgentStrategy(queue.strategy)) {
    const tierCeiling = call.ringing.length > 0 ? ringingTier(queue, call) : Number.POSITIVE_INFINITY;
    const candidates = bestTierCandidates(view, call, requirements, tierCeiling);
    const limit =
      queue.strategy === 'ring_all'
        ? candidates.length
        : Math.min(candidates.length, progressiveTarget(waited, queue.ringProgressivelyStepSec) - call.ringing.length);
    if (limit <= 0) return [];
    const chosen = ringOrder(candidates);
    const ids: string[] = [];
    for (let i = 0; i < limit; i++) {
      const slot = chosen[i]!;
      slot.free = false;
      ids.push(slot.agent.id);
    }
    return ids;
  }
  const order = strategyOrder(queue.strategy, requirements);
  const pick =
    order === null
      ? pickOne(queue.strategy, bestTierCandidates(view, call, requirements, Number.POSITIVE_INFINITY), requirements, random)
      : bestTierPick(view, call, requirements, order);
  if (pick === undefined) return [];
  pick.free = false;
  return [pick.agent.id];
}

/**
 * Decides which agents to offer which waiting calls now. Calls are walked in compareCalls
 * order; each agent appears in at most one offer and never when busy or already ringing for
 * any call. The full semantics are described in index.ts.
 */
export function planOffers(state: RoutingState): Offer[] {
  const slots = readySlots(state);
  const views = new Map<string, QueueView>();
  const offers: Offer[] = [];
  const ordered = [...state.calls].sort(compareCalls);

  for (let c = 0; c < ordered.length; c++) {
    const call = ordered[c]!;
    const queue = state.queues.get(call.queueId);
    if (queue === undefined) continue;
    // Single-agent strategies leave a call alone while it rings someone.
    if (call.ringing.length > 0 && !isMultiAgentStrategy(queue.strategy)) continue;

    const waited = waitedSec(call, state.now);
    const requirements = activeRequirements(queue, call, waited);

    const preferred = preferredDecision(queue, call, state, slots, requirements, waited);
    if (preferred === HOLD) continue;
    if (preferred !== NONE) {
      preferred.free = false;
      offers.push({ callId: call.id, agentIds: [preferred.agent.id] });
      continue;
    }

    let view = views.get(queue.id);
    if (view === undefined) {
      view = queueView(queue, slots, views.size);
      views.set(queue.id, view);
    }
    if (view.slots.length === 0) continue;
    const agentIds = agentsFor(call, queue, view, requirements, waited, state.random);
    if (agentIds.length > 0) offers.push({ callId: call.id, agentIds });
  }
  return offers;
}
