import type { AgentStatus } from '../agent-state.ts';
import { STRATEGY_NAMES } from '../config.ts';

export type { AgentStatus };

/** How a queue picks among the eligible agents of its best tier (the names live with the queue configuration). */
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export const STRATEGIES: readonly StrategyName[] = STRATEGY_NAMES;

/** Strategies that may ring several agents at once for one call. */
export type MultiAgentStrategy = 'ring_all' | 'ring_progressively';

export function isMultiAgentStrategy(s: StrategyName): s is MultiAgentStrategy {
  return s === 'ring_all' || s === 'ring_progressively';
}

/** Levels run 1..10. */
export interface SkillRequirement {
  skill: string;
  minLevel: number;
}

/**
 * Wazo-style rule: the rule with the largest afterWaitSec <= the call's wait applies; e.g.
 * [{afterWaitSec:0, requirements:[{skill:'chinese',minLevel:5}]}, {afterWaitSec:60, requirements:[{skill:'chinese',minLevel:2}]}]
 */
export interface SkillRule {
  afterWaitSec: number;
  requirements: readonly SkillRequirement[];
}

export interface QueueMember {
  agentId: string;
  /** Per-queue priority: 1 is offered first. */
  tier: number;
  /** Order for top_down / ring_progressively (and round_robin ties). */
  position: number;
}

export interface RoutingQueue {
  id: string;
  strategy: StrategyName;
  members: readonly QueueMember[];
  /** [] = no skill requirement. */
  skillRules: readonly SkillRule[];
  /** ring_progressively: one more agent rings every N s of waiting. */
  ringProgressivelyStepSec: number;
  /** How long a call waits for its preferred agent before anyone may take it; 0 = no waiting. */
  stickyAgentSec: number;
}

export interface RoutingAgent {
  id: string;
  /** Only 'ready' agents are offered calls. */
  status: AgentStatus;
  /** ms epoch, when they became ready / ended their last call. */
  idleSince: number;
  skills: ReadonlyMap<string, number>;
  callsToday: number;
  talkSecondsToday: number;
  /** ms epoch, 0 if never (round robin). */
  lastOfferedAt: number;
}

export interface RoutingCall {
  id: string;
  queueId: string;
  /** Higher is served first (VIP, fault report); default 0. */
  priority: number;
  /** ms epoch; order among equal priority. */
  enqueuedAt: number;
  /** From IVR data, ANDed with the queue's active rule. */
  requiredSkills: readonly SkillRequirement[];
  /** Last agent who served this customer, or their dedicated account manager. */
  preferredAgentId: string | null;
  /** Agents currently being rung for this call. */
  ringing: readonly string[];
  /** Agents who already failed to answer this call (never re-offer them this call). */
  missedBy: readonly string[];
}

export interface RoutingState {
  queues: ReadonlyMap<string, RoutingQueue>;
  agents: ReadonlyMap<string, RoutingAgent>;
  calls: readonly RoutingCall[];
  /** Agents already ringing for any call (they can't take another). */
  busyAgents?: ReadonlySet<string>;
  now: number;
  /** [0,1) */
  random: () => number;
}

/** Several ids only for ring_all / ring_progressively. */
export interface Offer {
  callId: string;
  agentIds: readonly string[];
}

/** An agent together with its membership entry in the queue being served. */
export interface Candidate {
  readonly agent: RoutingAgent;
  readonly member: QueueMember;
}
