import type { RoutingAgent, RoutingCall, RoutingQueue, SkillRequirement, SkillRule } from './model.ts';

/** Seconds the call has waited; a call stamped in the future (clock skew) counts as 0. */
export function waitedSec(call: RoutingCall, now: number): number {
  return Math.max(0, (now - call.enqueuedAt) / 1000);
}

/**
 * The rule with the largest afterWaitSec <= waitedSec (rules may be in any order; on equal
 * afterWaitSec the first listed wins). Null when no rule applies yet, i.e. no queue requirement.
 */
export function activeSkillRule(rules: readonly SkillRule[], waitedSec: number): SkillRule | null {
  let best: SkillRule | null = null;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (rule.afterWaitSec <= waitedSec && (best === null || rule.afterWaitSec > best.afterWaitSec)) best = rule;
  }
  return best;
}

const NONE: readonly SkillRequirement[] = Object.freeze([]);

/** The queue's active rule ANDed with the call's own required skills. */
export function activeRequirements(queue: RoutingQueue, call: RoutingCall, waited: number): readonly SkillRequirement[] {
  const rule = activeSkillRule(queue.skillRules, waited);
  const fromRule = rule?.requirements ?? NONE;
  if (call.requiredSkills.length === 0) return fromRule;
  if (fromRule.length === 0) return call.requiredSkills;
  return [...fromRule, ...call.requiredSkills];
}

/** Every requirement met: the agent has the skill at minLevel or above (a missing skill never qualifies). */
export function meetsRequirements(agent: RoutingAgent, requirements: readonly SkillRequirement[]): boolean {
  // Indexed loops in the hot paths: for-of iterators are not always optimised away here.
  for (let i = 0; i < requirements.length; i++) {
    const req = requirements[i]!;
    const level = agent.skills.get(req.skill);
    if (level === undefined || level < req.minLevel) return false;
  }
  return true;
}

/**
 * Whether the agent could be offered this call, ignoring what other calls are doing:
 * ready, a member of the queue, meets the active skill requirements, has not missed this
 * call and is not already ringing for it.
 */
export function isEligible(agent: RoutingAgent, queue: RoutingQueue, call: RoutingCall, now: number): boolean {
  if (agent.status !== 'ready') return false;
  if (!queue.members.some((m) => m.agentId === agent.id)) return false;
  if (call.missedBy.includes(agent.id) || call.ringing.includes(agent.id)) return false;
  return meetsRequirements(agent, activeRequirements(queue, call, waitedSec(call, now)));
}
