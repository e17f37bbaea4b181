import { describe, expect, it } from 'vitest';
import {
  STRATEGIES,
  compareCalls,
  planOffers,
  type QueueMember,
  type RoutingAgent,
  type RoutingCall,
  type RoutingQueue,
  type RoutingState,
  type StrategyName,
} from '../../../src/acd/routing/index.ts';

const NOW = 1_800_000_000_000;
const sec = (s: number): number => s * 1000;

function agent(id: string, over: Partial<RoutingAgent> = {}): RoutingAgent {
  return { id, status: 'ready', idleSince: NOW - sec(60), skills: new Map(), callsToday: 0, talkSecondsToday: 0, lastOfferedAt: 0, ...over };
}
function skills(entries: Record<string, number>): ReadonlyMap<string, number> {
  return new Map(Object.entries(entries));
}
/** Members in the given order: position = index + 1, tier 1 unless overridden. */
function members(list: readonly (string | QueueMember)[]): QueueMember[] {
  return list.map((m, i) => (typeof m === 'string' ? { agentId: m, tier: 1, position: i + 1 } : m));
}
function queue(id: string, strategy: StrategyName, list: readonly (string | QueueMember)[], over: Partial<RoutingQueue> = {}): RoutingQueue {
  return { id, strategy, members: members(list), skillRules: [], ringProgressivelyStepSec: 10, stickyAgentSec: 0, ...over };
}
function call(id: string, queueId: string, over: Partial<RoutingCall> = {}): RoutingCall {
  return { id, queueId, priority: 0, enqueuedAt: NOW - sec(5), requiredSkills: [], preferredAgentId: null, ringing: [], missedBy: [], ...over };
}
function plan(
  queues: readonly RoutingQueue[],
  agents: readonly RoutingAgent[],
  calls: readonly RoutingCall[],
  over: Partial<RoutingState> = {},
): ReturnType<typeof planOffers> {
  return planOffers({
    queues: new Map(queues.map((q) => [q.id, q])),
    agents: new Map(agents.map((a) => [a.id, a])),
    calls,
    now: NOW,
    random: () => 0,
    ...over,
  });
}
/** The agents offered for the only call `c1` of queue `q` using `strategy`. */
function pick(strategy: StrategyName, agents: readonly RoutingAgent[], over: Partial<RoutingState> = {}): readonly string[] | undefined {
  const offers = plan([queue('q', strategy, agents.map((a) => a.id))], agents, [call('c1', 'q')], over);
  expect(offers.length).toBeLessThanOrEqual(1);
  return offers[0]?.agentIds;
}

describe('compareCalls', () => {
  it('orders by priority desc, then arrival, then id', () => {
    const old = call('old', 'q', { enqueuedAt: NOW - sec(100) });
    const vip = call('vip', 'q', { enqueuedAt: NOW - sec(1), priority: 5 });
    const sameTimeB = call('b', 'q', { enqueuedAt: NOW - sec(50) });
    const sameTimeA = call('a', 'q', { enqueuedAt: NOW - sec(50) });
    expect([old, sameTimeB, vip, sameTimeA].sort(compareCalls).map((c) => c.id)).toEqual(['vip', 'old', 'a', 'b']);
  });
});

describe('strategies', () => {
  it('lists every strategy once', () => {
    expect(new Set(STRATEGIES).size).toBe(9);
  });

  it('longest_idle picks the smallest idleSince', () => {
    expect(pick('longest_idle', [agent('a', { idleSince: NOW - sec(10) }), agent('b', { idleSince: NOW - sec(90) }), agent('c', { idleSince: NOW - sec(30) })])).toEqual(['b']);
  });

  it('round_robin picks the agent offered least recently, ties by position', () => {
    expect(pick('round_robin', [agent('a', { lastOfferedAt: NOW - sec(5) }), agent('b', { lastOfferedAt: NOW - sec(50) }), agent('c', { lastOfferedAt: NOW - sec(20) })])).toEqual(['b']);
    // Never offered (0) comes first; ties go by queue position, not id.
    const agents = [agent('a', { lastOfferedAt: NOW - sec(5) }), agent('z', { lastOfferedAt: 0 }), agent('y', { lastOfferedAt: 0 })];
    const offers = plan([queue('q', 'round_robin', [{ agentId: 'a', tier: 1, position: 1 }, { agentId: 'z', tier: 1, position: 2 }, { agentId: 'y', tier: 1, position: 3 }])], agents, [call('c1', 'q')]);
    expect(offers).toEqual([{ callId: 'c1', agentIds: ['z'] }]);
  });

  it('least_talk_time picks the smallest talkSecondsToday', () => {
    expect(pick('least_talk_time', [agent('a', { talkSecondsToday: 300 }), agent('b', { talkSecondsToday: 900 }), agent('c', { talkSecondsToday: 120, idleSince: NOW })])).toEqual(['c']);
  });

  it('fewest_calls picks the smallest callsToday', () => {
    expect(pick('fewest_calls', [agent('a', { callsToday: 4 }), agent('b', { callsToday: 2, idleSince: NOW }), agent('c', { callsToday: 9 })])).toEqual(['b']);
  });

  it('top_down picks the smallest position whatever the idle time', () => {
    const agents = [agent('a', { idleSince: NOW - sec(500) }), agent('b', { idleSince: NOW }), agent('c')];
    const offers = plan([queue('q', 'top_down', [{ agentId: 'a', tier: 1, position: 3 }, { agentId: 'b', tier: 1, position: 1 }, { agentId: 'c', tier: 1, position: 2 }])], agents, [call('c1', 'q')]);
    expect(offers).toEqual([{ callId: 'c1', agentIds: ['b'] }]);
  });

  it('random picks with state.random over the candidates in id order', () => {
    const agents = [agent('c'), agent('a'), agent('b')];
    expect(pick('random', agents, { random: () => 0 })).toEqual(['a']);
    expect(pick('random', agents, { random: () => 0.5 })).toEqual(['b']);
    expect(pick('random', agents, { random: () => 0.999 })).toEqual(['c']);
    expect(pick('random', agents, { random: () => 1 })).toEqual(['c']); // out-of-range input is clamped
    expect(pick('random', agents, { random: () => Number.NaN })).toEqual(['a']);
    let calls = 0;
    pick('random', agents, { random: () => (calls++, 0.4) });
    expect(calls).toBe(1);
  });

  it('skills_best_match picks the highest surplus over the active requirements, ties by longest idle', () => {
    const q = queue('q', 'skills_best_match', ['a', 'b', 'c', 'd'], { skillRules: [{ afterWaitSec: 0, requirements: [{ skill: 'chinese', minLevel: 3 }] }] });
    const agents = [
      agent('a', { skills: skills({ chinese: 5, billing: 2 }) }), // 2 + 0
      agent('b', { skills: skills({ chinese: 4, billing: 5 }) }), // 1 + 3 = 4
      agent('c', { skills: skills({ chinese: 7, billing: 3 }), idleSince: NOW - sec(10) }), // 4 + 1 = 5
      agent('d', { skills: skills({ chinese: 6, billing: 4 }), idleSince: NOW - sec(20) }), // 3 + 2 = 5, idle longer
    ];
    const c1 = call('c1', 'q', { requiredSkills: [{ skill: 'billing', minLevel: 2 }] });
    expect(plan([q], agents, [c1])).toEqual([{ callId: 'c1', agentIds: ['d'] }]);
  });

  it('single-agent strategies break full ties by agent id', () => {
    for (const s of STRATEGIES) {
      if (s === 'ring_all' || s === 'ring_progressively') continue;
      const agents = [agent('m'), agent('k'), agent('x')];
      const offers = plan([queue('q', s, [{ agentId: 'm', tier: 1, position: 1 }, { agentId: 'k', tier: 1, position: 1 }, { agentId: 'x', tier: 1, position: 1 }])], agents, [call('c1', 'q')]);
      expect(offers, s).toEqual([{ callId: 'c1', agentIds: ['k'] }]);
    }
  });

  it('ring_all offers every eligible agent of the best tier, then only the newly eligible ones', () => {
    const q = queue('q', 'ring_all', ['b', 'a', 'c', { agentId: 'd', tier: 2, position: 4 }]);
    const agents = [agent('a'), agent('b'), agent('c', { status: 'on_call' }), agent('d')];
    expect(plan([q], agents, [call('c1', 'q')])).toEqual([{ callId: 'c1', agentIds: ['b', 'a'] }]);
    // Later: a and b are ringing, c became ready; only c is added, tier 2 stays out.
    const later = [agent('a', { status: 'reserved' }), agent('b', { status: 'reserved' }), agent('c'), agent('d')];
    expect(plan([q], later, [call('c1', 'q', { ringing: ['a', 'b'] })])).toEqual([{ callId: 'c1', agentIds: ['c'] }]);
    // Nothing new: no offer.
    expect(plan([q], later, [call('c1', 'q', { ringing: ['a', 'b', 'c'] })])).toEqual([]);
  });

  it('ring_progressively rings one more agent (by position) every step', () => {
    const q = queue('q', 'ring_progressively', ['e', 'd', 'c', 'b', 'a'], { ringProgressivelyStepSec: 10 });
    const agents = ['a', 'b', 'c', 'd', 'e'].map((id) => agent(id));
    const at = (waited: number, ringing: string[]): readonly string[] | undefined =>
      plan([q], agents, [call('c1', 'q', { enqueuedAt: NOW - sec(waited), ringing })])[0]?.agentIds;
    expect(at(0, [])).toEqual(['e']);
    expect(at(9.9, ['e'])).toBeUndefined();
    expect(at(10, ['e'])).toEqual(['d']);
    expect(at(25, ['e'])).toEqual(['d', 'c']); // catches up: 3 in total
    expect(at(25, [])).toEqual(['e', 'd', 'c']);
    expect(at(1000, ['e', 'd'])).toEqual(['c', 'b', 'a']); // capped by the eligible agents
  });

  it('a single-agent strategy skips a call that is already ringing', () => {
    const agents = [agent('a'), agent('b')];
    expect(plan([queue('q', 'longest_idle', ['a', 'b'])], agents, [call('c1', 'q', { ringing: ['x'] })])).toEqual([]);
  });
});

describe('tiers', () => {
  const q = queue('q', 'longest_idle', [{ agentId: 't2', tier: 2, position: 1 }, { agentId: 't1', tier: 1, position: 2 }, { agentId: 't1b', tier: 1, position: 3 }]);
  it('offers the best tier first even if a worse tier has waited longer', () => {
    const agents = [agent('t2', { idleSince: NOW - sec(1000) }), agent('t1', { idleSince: NOW - sec(10) }), agent('t1b', { idleSince: NOW - sec(5) })];
    expect(plan([q], agents, [call('c1', 'q')])).toEqual([{ callId: 'c1', agentIds: ['t1'] }]);
  });
  it('falls through to the next tier when the best tier is unavailable', () => {
    const agents = [agent('t2'), agent('t1', { status: 'not_ready' }), agent('t1b')];
    expect(plan([q], agents, [call('c1', 'q'), call('c2', 'q', { enqueuedAt: NOW })], { busyAgents: new Set(['t1b']) })).toEqual([
      { callId: 'c1', agentIds: ['t2'] },
    ]);
    // t1b taken by the first call of this plan: the second call gets tier 2.
    expect(plan([q], agents, [call('c1', 'q'), call('c2', 'q', { enqueuedAt: NOW })])).toEqual([
      { callId: 'c1', agentIds: ['t1b'] },
      { callId: 'c2', agentIds: ['t2'] },
    ]);
  });
  it('tier filtering happens after eligibility (a skilled tier 2 beats an unskilled tier 1)', () => {
    const agents = [agent('t2', { skills: skills({ fr: 3 }) }), agent('t1'), agent('t1b')];
    expect(plan([q], agents, [call('c1', 'q', { requiredSkills: [{ skill: 'fr', minLevel: 1 }] })])).toEqual([{ callId: 'c1', agentIds: ['t2'] }]);
  });
});

describe('skills', () => {
  const q = queue('zh', 'longest_idle', ['lo', 'hi'], {
    skillRules: [
      { afterWaitSec: 60, requirements: [{ skill: 'chinese', minLevel: 2 }] },
      { afterWaitSec: 0, requirements: [{ skill: 'chinese', minLevel: 5 }] },
    ],
  });
  const lo = agent('lo', { skills: skills({ chinese: 3 }), idleSince: NOW - sec(500) });
  const hi = agent('hi', { skills: skills({ chinese: 6 }), idleSince: NOW - sec(10) });

  it('switches rules with wait time: chinese >= 5 before 60 s, >= 2 after', () => {
    expect(plan([q], [lo], [call('c1', 'zh', { enqueuedAt: NOW - sec(59) })])).toEqual([]);
    expect(plan([q], [lo, hi], [call('c1', 'zh', { enqueuedAt: NOW - sec(59) })])).toEqual([{ callId: 'c1', agentIds: ['hi'] }]);
    expect(plan([q], [lo, hi], [call('c1', 'zh', { enqueuedAt: NOW - sec(60) })])).toEqual([{ callId: 'c1', agentIds: ['lo'] }]);
  });

  it('ANDs the call requiredSkills with the queue rule', () => {
    const billing = agent('hi', { skills: skills({ chinese: 6, billing: 4 }) });
    const noBilling = agent('lo', { skills: skills({ chinese: 9 }), idleSince: NOW - sec(999) });
    const c = call('c1', 'zh', { requiredSkills: [{ skill: 'billing', minLevel: 4 }] });
    expect(plan([q], [noBilling, billing], [c])).toEqual([{ callId: 'c1', agentIds: ['hi'] }]);
    expect(plan([q], [noBilling, agent('hi', { skills: skills({ chinese: 6, billing: 3 }) })], [c])).toEqual([]);
  });
});

describe('preferred agent', () => {
  const q = queue('q', 'longest_idle', ['pref', 'other', 'third'], { stickyAgentSec: 30 });
  const other = agent('other', { idleSince: NOW - sec(900) });

  it('offers only the preferred agent when eligible, whatever the strategy', () => {
    for (const strategy of ['longest_idle', 'ring_all', 'ring_progressively'] as const) {
      expect(plan([{ ...q, strategy }], [agent('pref'), other], [call('c1', 'q', { preferredAgentId: 'pref' })])).toEqual([{ callId: 'c1', agentIds: ['pref'] }]);
    }
  });

  it('holds the call within stickyAgentSec while the preferred agent is busy', () => {
    const busy = agent('pref', { status: 'on_call' });
    expect(plan([q], [busy, other], [call('c1', 'q', { preferredAgentId: 'pref', enqueuedAt: NOW - sec(29) })])).toEqual([]);
    // Ready but ringing for another call counts as not available too.
    expect(plan([q], [agent('pref'), other], [call('c1', 'q', { preferredAgentId: 'pref', enqueuedAt: NOW - sec(29) })], { busyAgents: new Set(['pref']) })).toEqual([]);
  });

  it('falls back to normal routing after stickyAgentSec', () => {
    const busy = agent('pref', { status: 'wrap_up' });
    expect(plan([q], [busy, other], [call('c1', 'q', { preferredAgentId: 'pref', enqueuedAt: NOW - sec(30) })])).toEqual([{ callId: 'c1', agentIds: ['other'] }]);
  });

  it('does not hold for a logged-out, non-member or already-missed preferred agent', () => {
    const c = (over: Partial<RoutingCall>): RoutingCall => call('c1', 'q', { preferredAgentId: 'pref', enqueuedAt: NOW - sec(1), ...over });
    expect(plan([q], [agent('pref', { status: 'logged_out' }), other], [c({})])).toEqual([{ callId: 'c1', agentIds: ['other'] }]);
    expect(plan([q], [agent('pref'), other], [c({ missedBy: ['pref'] })])).toEqual([{ callId: 'c1', agentIds: ['other'] }]);
    expect(plan([q], [agent('stranger'), other], [c({ preferredAgentId: 'stranger' })])).toEqual([{ callId: 'c1', agentIds: ['other'] }]);
  });

  it('a held call does not block later calls from other agents', () => {
    const held = call('held', 'q', { preferredAgentId: 'pref', enqueuedAt: NOW - sec(20), priority: 1 });
    const later = call('later', 'q', { enqueuedAt: NOW - sec(1) });
    expect(plan([q], [agent('pref', { status: 'on_call' }), other], [later, held])).toEqual([{ callId: 'later', agentIds: ['other'] }]);
  });

  it('a preferred agent without the required skills is not offered the call', () => {
    const skilled = { ...q, skillRules: [{ afterWaitSec: 0, requirements: [{ skill: 'vip', minLevel: 1 }] }] };
    const c = call('c1', 'q', { preferredAgentId: 'pref', enqueuedAt: NOW - sec(40) });
    expect(plan([skilled], [agent('pref'), agent('other', { skills: skills({ vip: 1 }) })], [c])).toEqual([{ callId: 'c1', agentIds: ['other'] }]);
  });
});

describe('availability', () => {
  it('never re-offers a call to an agent in its missedBy', () => {
    const agents = [agent('a', { idleSince: NOW - sec(999) }), agent('b')];
    expect(plan([queue('q', 'longest_idle', ['a', 'b'])], agents, [call('c1', 'q', { missedBy: ['a'] })])).toEqual([{ callId: 'c1', agentIds: ['b'] }]);
    expect(plan([queue('q', 'ring_all', ['a', 'b'])], agents, [call('c1', 'q', { missedBy: ['a'] })])).toEqual([{ callId: 'c1', agentIds: ['b'] }]);
    expect(plan([queue('q', 'longest_idle', ['a', 'b'])], agents, [call('c1', 'q', { missedBy: ['a', 'b'] })])).toEqual([]);
  });

  it('skips busy agents and agents ringing for any call; a missed call can still go to others', () => {
    const agents = [agent('a', { idleSince: NOW - sec(999) }), agent('b', { idleSince: NOW - sec(500) }), agent('c')];
    const q = queue('q', 'longest_idle', ['a', 'b', 'c']);
    const r = queue('r', 'ring_all', ['a']);
    const offers = plan([q, r], agents, [call('c1', 'q'), call('r1', 'r', { ringing: ['b'] })], { busyAgents: new Set(['a']) });
    expect(offers).toEqual([{ callId: 'c1', agentIds: ['c'] }]);
  });

  it('gives each agent at most one offer across queues, in priority order', () => {
    const agents = [agent('shared')];
    const offers = plan(
      [queue('sales', 'longest_idle', ['shared']), queue('support', 'ring_all', ['shared'])],
      agents,
      [call('old', 'sales', { enqueuedAt: NOW - sec(300) }), call('vip', 'support', { enqueuedAt: NOW - sec(1), priority: 10 })],
    );
    expect(offers).toEqual([{ callId: 'vip', agentIds: ['shared'] }]);
  });

  it('serves a VIP before an older normal call in the same queue', () => {
    const agents = [agent('a')];
    const q = queue('q', 'longest_idle', ['a']);
    expect(plan([q], agents, [call('old', 'q', { enqueuedAt: NOW - sec(600) }), call('vip', 'q', { priority: 1, enqueuedAt: NOW })])).toEqual([
      { callId: 'vip', agentIds: ['a'] },
    ]);
  });

  it('ignores calls of unknown queues and members without an agent record', () => {
    const offers = plan([queue('q', 'longest_idle', ['ghost', 'a'])], [agent('a')], [call('x', 'nope'), call('c1', 'q')]);
    expect(offers).toEqual([{ callId: 'c1', agentIds: ['a'] }]);
  });
});
