import { describe, expect, it } from 'vitest';
import { activeSkillRule, isEligible, type RoutingAgent, type RoutingCall, type RoutingQueue, type SkillRule } from '../../../src/acd/routing/index.ts';

const NOW = 1_800_000_000_000;
const rules: SkillRule[] = [
  { afterWaitSec: 0, requirements: [{ skill: 'chinese', minLevel: 5 }] },
  { afterWaitSec: 60, requirements: [{ skill: 'chinese', minLevel: 2 }] },
  { afterWaitSec: 120, requirements: [] },
];

describe('activeSkillRule', () => {
  it('applies the rule with the largest afterWaitSec not above the wait', () => {
    expect(activeSkillRule(rules, 0)).toBe(rules[0]);
    expect(activeSkillRule(rules, 59.9)).toBe(rules[0]);
    expect(activeSkillRule(rules, 60)).toBe(rules[1]);
    expect(activeSkillRule(rules, 500)).toBe(rules[2]);
    expect(activeSkillRule([...rules].reverse(), 61)).toBe(rules[1]);
  });
  it('is null with no rules or before the first rule', () => {
    expect(activeSkillRule([], 100)).toBeNull();
    expect(activeSkillRule([{ afterWaitSec: 30, requirements: [] }], 10)).toBeNull();
  });
});

describe('isEligible', () => {
  const queue: RoutingQueue = { id: 'q', strategy: 'longest_idle', members: [{ agentId: 'a', tier: 1, position: 1 }], skillRules: rules, ringProgressivelyStepSec: 10, stickyAgentSec: 0 };
  const agent: RoutingAgent = { id: 'a', status: 'ready', idleSince: 0, skills: new Map([['chinese', 3]]), callsToday: 0, talkSecondsToday: 0, lastOfferedAt: 0 };
  const call: RoutingCall = { id: 'c', queueId: 'q', priority: 0, enqueuedAt: NOW - 61_000, requiredSkills: [], preferredAgentId: null, ringing: [], missedBy: [] };

  it('needs ready, member, skills, not missed and not ringing for the call', () => {
    expect(isEligible(agent, queue, call, NOW)).toBe(true);
    expect(isEligible({ ...agent, status: 'wrap_up' }, queue, call, NOW)).toBe(false);
    expect(isEligible({ ...agent, id: 'b' }, queue, call, NOW)).toBe(false);
    expect(isEligible(agent, queue, call, NOW - 2_000)).toBe(false); // waited 59 s: needs chinese >= 5
    expect(isEligible(agent, queue, { ...call, requiredSkills: [{ skill: 'billing', minLevel: 1 }] }, NOW)).toBe(false);
    expect(isEligible(agent, queue, { ...call, missedBy: ['a'] }, NOW)).toBe(false);
    expect(isEligible(agent, queue, { ...call, ringing: ['a'] }, NOW)).toBe(false);
  });
});
