import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AgentState } from '../../src/acd/agent-state.ts';
import { longestIdleAgent, overflowReason, planAssignments, type WaitingCall } from '../../src/acd/routing.ts';

const agent = (agentId: string, status: AgentState['status'], since: number): AgentState => ({ agentId, status, since, reason: null, callId: null });
const call = (callId: string, queueId: string, enqueuedAt: number, offeredTo: string | null = null): WaitingCall => ({ callId, queueId, enqueuedAt, offeredTo });

describe('longest idle', () => {
  it('picks the ready agent idle the longest, ties by id', () => {
    const picked = longestIdleAgent([agent('b', 'ready', 10), agent('a', 'ready', 10), agent('c', 'ready', 20), agent('d', 'not_ready', 1)]);
    expect(picked?.agentId).toBe('a');
  });
  it('finds nobody when no agent is ready', () => {
    expect(longestIdleAgent([agent('a', 'on_call', 1), agent('b', 'wrap_up', 2)])).toBeUndefined();
  });
});

describe('planAssignments', () => {
  it('serves calls in arrival order, each agent once, only queue members', () => {
    const agents = new Map([
      ['a', agent('a', 'ready', 5)],
      ['b', agent('b', 'ready', 1)],
      ['c', agent('c', 'ready', 0)],
    ]);
    const members = new Map([
      ['sales', new Set(['a', 'b'])],
      ['support', new Set(['c'])],
    ]);
    const plan = planAssignments({
      waiting: [call('late', 'sales', 30), call('early', 'sales', 10), call('mid', 'sales', 20), call('s1', 'support', 15), call('ringing', 'support', 1, 'x')],
      agents,
      members,
    });
    expect(plan).toEqual([
      { callId: 'early', agentId: 'b' },
      { callId: 's1', agentId: 'c' },
      { callId: 'mid', agentId: 'a' },
    ]);
  });

  it('never assigns an agent twice or a call twice (property)', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.constantFrom(...ids), status: fc.constantFrom('ready', 'not_ready', 'on_call' as const), since: fc.nat(100) }), { maxLength: 5 }),
        fc.array(fc.record({ q: fc.constantFrom('q1', 'q2'), t: fc.nat(100), offered: fc.boolean() }), { maxLength: 20 }),
        fc.array(fc.tuple(fc.constantFrom('q1', 'q2'), fc.constantFrom(...ids)), { maxLength: 10 }),
        (agentList, calls, membership) => {
          const agents = new Map(agentList.map((a) => [a.id, agent(a.id, a.status as AgentState['status'], a.since)]));
          const members = new Map<string, Set<string>>();
          for (const [q, a] of membership) members.set(q, (members.get(q) ?? new Set()).add(a));
          const waiting = calls.map((c, i) => call(`c${i}`, c.q, c.t, c.offered ? 'someone' : null));
          const plan = planAssignments({ waiting, agents, members });
          expect(new Set(plan.map((p) => p.agentId)).size).toBe(plan.length);
          expect(new Set(plan.map((p) => p.callId)).size).toBe(plan.length);
          for (const p of plan) {
            const c = waiting.find((w) => w.callId === p.callId)!;
            expect(c.offeredTo).toBeNull();
            expect(agents.get(p.agentId)?.status).toBe('ready');
            expect(members.get(c.queueId)?.has(p.agentId)).toBe(true);
          }
          // Work-conserving: no unassigned unoffered call has a free ready member left.
          const used = new Set(plan.map((p) => p.agentId));
          for (const c of waiting) {
            if (c.offeredTo !== null || plan.some((p) => p.callId === c.callId)) continue;
            for (const m of members.get(c.queueId) ?? []) {
              if (agents.get(m)?.status === 'ready') expect(used.has(m)).toBe(true);
            }
          }
        },
      ),
    );
  });
});

describe('overflowReason', () => {
  const policy = { maxWaitSec: 60, noAgentsAction: 'announce_hangup' as const };
  it('overflows after max wait', () => {
    expect(overflowReason(call('c', 'q', 0), policy, [agent('a', 'on_call', 0)], 59_999)).toBeNull();
    expect(overflowReason(call('c', 'q', 0), policy, [agent('a', 'on_call', 0)], 60_000)).toBe('max_wait');
  });
  it('announces and hangs up when nobody is logged in, if the queue says so', () => {
    expect(overflowReason(call('c', 'q', 0), policy, [agent('a', 'logged_out', 0)], 1)).toBe('no_agents');
    expect(overflowReason(call('c', 'q', 0), { ...policy, noAgentsAction: 'wait' }, [], 1)).toBeNull();
  });
  it('never overflows a call that is ringing an agent', () => {
    expect(overflowReason(call('c', 'q', 0, 'a'), policy, [], 999_999)).toBeNull();
  });
});
