import type { Candidate, RoutingAgent, SkillRequirement, StrategyName } from './model.ts';

/** Negative when `a` should be offered before `b`; never 0 for two different agents. */
export type CandidateOrder = (a: Candidate, b: Candidate) => number;

/** -1 / 0 / 1 (never a boxed double: timestamps are beyond the small-integer range). */
const cmp = (x: number, y: number): number => (x < y ? -1 : x > y ? 1 : 0);
const byId: CandidateOrder = (a, b) => (a.agent.id < b.agent.id ? -1 : a.agent.id > b.agent.id ? 1 : 0);
const byPosition: CandidateOrder = (a, b) => cmp(a.member.position, b.member.position) || byId(a, b);
const longestIdle: CandidateOrder = (a, b) => cmp(a.agent.idleSince, b.agent.idleSince) || byId(a, b);

/** skills_best_match score: sum of (agent level - minLevel) over the requirements. */
export function skillScore(agent: RoutingAgent, requirements: readonly SkillRequirement[]): number {
  let score = 0;
  for (let i = 0; i < requirements.length; i++) {
    const req = requirements[i]!;
    score += (agent.skills.get(req.skill) ?? 0) - req.minLevel;
  }
  return score;
}

const ORDERS: Record<Exclude<StrategyName, 'random' | 'skills_best_match'>, CandidateOrder> = {
  longest_idle: longestIdle,
  round_robin: (a, b) => cmp(a.agent.lastOfferedAt, b.agent.lastOfferedAt) || byPosition(a, b),
  least_talk_time: (a, b) => cmp(a.agent.talkSecondsToday, b.agent.talkSecondsToday) || byId(a, b),
  fewest_calls: (a, b) => cmp(a.agent.callsToday, b.agent.callsToday) || byId(a, b),
  top_down: byPosition,
  ring_all: byPosition,
  ring_progressively: byPosition,
};

/**
 * The order in which a strategy offers the (eligible, same-tier) candidates: the first is
 * the one a single-agent strategy picks, ring strategies ring in this order. Null for
 * 'random', which has no order (see pickOne).
 */
export function strategyOrder(strategy: StrategyName, requirements: readonly SkillRequirement[]): CandidateOrder | null {
  if (strategy === 'random') return null;
  if (strategy === 'skills_best_match') {
    return (a, b) => cmp(skillScore(b.agent, requirements), skillScore(a.agent, requirements)) || longestIdle(a, b);
  }
  return ORDERS[strategy];
}

/** Index of the random pick among n candidates sorted by id; `random` is clamped into [0, 1) (NaN counts as 0). */
export function randomIndex(n: number, random: () => number): number {
  const i = Math.floor(random() * n);
  return i > 0 ? Math.min(n - 1, i) : 0;
}

/**
 * One agent for a strategy, from candidates that are all eligible, available and of the
 * same (best) tier. For 'random', `random` is called exactly once when there is a candidate,
 * over the candidates in id order.
 */
export function pickOne<C extends Candidate>(
  strategy: StrategyName,
  candidates: readonly C[],
  requirements: readonly SkillRequirement[],
  random: () => number,
): C | undefined {
  if (candidates.length === 0) return undefined;
  const order = strategyOrder(strategy, requirements);
  if (order === null) return [...candidates].sort(byId)[randomIndex(candidates.length, random)];
  let best: C | undefined;
  for (const c of candidates) if (best === undefined || order(c, best) < 0) best = c;
  return best;
}

/** ring_all / ring_progressively ring order: position, then id. */
export function ringOrder<C extends Candidate>(candidates: readonly C[]): C[] {
  return [...candidates].sort(byPosition);
}

/**
 * How many agents a ring_progressively call should ring in total, counting those already
 * ringing: 1 + floor(waited / step), everyone when step <= 0.
 */
export function progressiveTarget(waited: number, stepSec: number): number {
  return stepSec > 0 ? 1 + Math.floor(waited / stepSec) : Number.POSITIVE_INFINITY;
}
