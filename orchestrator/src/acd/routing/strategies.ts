import type { Candidate, RoutingAgent, SkillRequirement, StrategyName } from './model.ts';

/** Negative when `a` should be offered before `b`. */
type Order = (a: Candidate, b: Candidate) => number;

const byId: Order = (a, b) => (a.agent.id < b.agent.id ? -1 : a.agent.id > b.agent.id ? 1 : 0);
const byPosition: Order = (a, b) => a.member.position - b.member.position || byId(a, b);

const ORDERS: Record<Exclude<StrategyName, 'random' | 'skills_best_match' | 'ring_all' | 'ring_progressively'>, Order> = {
  longest_idle: (a, b) => a.agent.idleSince - b.agent.idleSince || byId(a, b),
  round_robin: (a, b) => a.agent.lastOfferedAt - b.agent.lastOfferedAt || byPosition(a, b),
  least_talk_time: (a, b) => a.agent.talkSecondsToday - b.agent.talkSecondsToday || byId(a, b),
  fewest_calls: (a, b) => a.agent.callsToday - b.agent.callsToday || byId(a, b),
  top_down: byPosition,
};

/** skills_best_match score: sum of (agent level - minLevel) over the requirements. */
export function skillScore(agent: RoutingAgent, requirements: readonly SkillRequirement[]): number {
  let score = 0;
  for (const req of requirements) score += (agent.skills.get(req.skill) ?? 0) - req.minLevel;
  return score;
}

function minBy<T>(items: readonly T[], order: (a: T, b: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || order(item, best) < 0) best = item;
  return best;
}

/**
 * One agent for a single-agent strategy, from candidates that are all eligible, available
 * and of the same (best) tier. `random` is called exactly once when there is a candidate
 * and the strategy is 'random' (candidates are taken in id order).
 */
export function pickOne(
  strategy: StrategyName,
  candidates: readonly Candidate[],
  requirements: readonly SkillRequirement[],
  random: () => number,
): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  switch (strategy) {
    case 'random': {
      const sorted = [...candidates].sort(byId);
      const i = Math.min(sorted.length - 1, Math.max(0, Math.floor(random() * sorted.length)));
      return sorted[i];
    }
    case 'skills_best_match': {
      const scored = candidates.map((c) => ({ c, score: skillScore(c.agent, requirements) }));
      return minBy(scored, (a, b) => b.score - a.score || ORDERS.longest_idle(a.c, b.c))?.c;
    }
    case 'ring_all':
    case 'ring_progressively':
      return minBy(candidates, byPosition);
    default:
      return minBy(candidates, ORDERS[strategy]);
  }
}

/** ring_all / ring_progressively ring order: position, then id. */
export function ringOrder(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates].sort(byPosition);
}

/**
 * How many more agents a ring_progressively call should ring: in total
 * 1 + floor(waited / step) (everyone when step <= 0), counting those already ringing.
 */
export function progressiveTarget(waited: number, stepSec: number): number {
  return stepSec > 0 ? 1 + Math.floor(waited / stepSec) : Number.POSITIVE_INFINITY;
}
