/**
 * The ACD routing engine: pure functions over plain data (time comes in as `now`,
 * randomness as `random`). It replaced the earlier longest-idle-only planner.
 *
 * planOffers walks waiting calls by priority, then arrival. For each call:
 *  - single-agent strategies skip a call that is already ringing someone;
 *  - an eligible, available preferred agent gets the call alone; a preferred agent who is a
 *    member, not logged out and has not missed the call holds it for stickyAgentSec
 *    (other calls still get served meanwhile);
 *  - otherwise the queue's strategy picks among the available eligible members of the
 *    best tier (multi-agent strategies never add a tier worse than one already ringing).
 */
export {
  STRATEGIES,
  isMultiAgentStrategy,
  type AgentStatus,
  type Candidate,
  type MultiAgentStrategy,
  type Offer,
  type QueueMember,
  type RoutingAgent,
  type RoutingCall,
  type RoutingQueue,
  type RoutingState,
  type SkillRequirement,
  type SkillRule,
  type StrategyName,
} from './model.ts';
export { activeRequirements, activeSkillRule, isEligible, meetsRequirements, waitedSec } from './eligibility.ts';
export { pickOne, progressiveTarget, randomIndex, ringOrder, skillScore, strategyOrder, type CandidateOrder } from './strategies.ts';
export { compareCalls, planOffers } from './plan.ts';
export { estimatedWaitSec, MIN_ANSWERS_FOR_RATE, type EstimatedWaitInput } from './estimates.ts';
