import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AGENT_STATUSES } from '../../../src/acd/agent-state.ts';
import { prng as seeded } from '../../support/prng.ts';
import {
  STRATEGIES,
  compareCalls,
  isEligible,
  planOffers,
  type Offer,
  type QueueMember,
  type RoutingAgent,
  type RoutingCall,
  type RoutingQueue,
  type RoutingState,
  type SkillRequirement,
} from '../../../src/acd/routing/index.ts';

const NOW = 1_800_000_000_000;
const SKILLS = ['chinese', 'english', 'billing', 'tech'] as const;

const requirementArb = fc.record({ skill: fc.constantFrom(...SKILLS), minLevel: fc.integer({ min: 1, max: 7 }) });
const requirementsArb = fc.array(requirementArb, { maxLength: 2 });

/** Raw shape; agent/queue references are indexes resolved modulo the generated counts. */
const rawArb = fc.record({
  agents: fc.array(
    fc.record({
      status: fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...AGENT_STATUSES) }, { weight: 1, arbitrary: fc.constant('ready' as const) }),
      idleAgoSec: fc.integer({ min: 0, max: 30 }),
      skills: fc.array(fc.tuple(fc.constantFrom(...SKILLS), fc.integer({ min: 1, max: 10 })), { maxLength: 4 }),
      callsToday: fc.integer({ min: 0, max: 5 }),
      talkSecondsToday: fc.integer({ min: 0, max: 5 }).map((n) => n * 60),
      lastOfferedAgoSec: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
    }),
    { maxLength: 30, size: 'max' },
  ),
  queues: fc.array(
    fc.record({
      strategy: fc.constantFrom(...STRATEGIES),
      members: fc.array(fc.record({ agent: fc.nat(), tier: fc.integer({ min: 1, max: 3 }), position: fc.integer({ min: 1, max: 10 }) }), { maxLength: 20, size: 'max' }),
      skillRules: fc.oneof(fc.constant([]), fc.array(fc.record({ afterWaitSec: fc.constantFrom(0, 20, 60), requirements: requirementsArb }), { maxLength: 3 })),
      ringProgressivelyStepSec: fc.constantFrom(0, 5, 10, 30),
      stickyAgentSec: fc.constantFrom(0, 15, 60),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  calls: fc.array(
    fc.record({
      queue: fc.nat(),
      priority: fc.integer({ min: 0, max: 2 }),
      waitedSec: fc.integer({ min: 0, max: 120 }),
      requiredSkills: fc.oneof(fc.constant([] as SkillRequirement[]), requirementsArb),
      preferred: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
      ringing: fc.oneof({ weight: 7, arbitrary: fc.constant([] as number[]) }, { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) }),
      missedBy: fc.array(fc.nat(), { maxLength: 2 }),
      unknownQueue: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    }),
    { maxLength: 40, size: 'max' },
  ),
  busy: fc.array(fc.nat(), { maxLength: 3 }),
  seed: fc.integer(),
});


type Raw = typeof rawArb extends fc.Arbitrary<infer T> ? T : never;

function build(raw: Raw): RoutingState {
  const agentIds = raw.agents.map((_, i) => `a${String(i).padStart(2, '0')}`);
  const aid = (n: number): string | undefined => (agentIds.length === 0 ? undefined : agentIds[n % agentIds.length]);
  const ids = (ns: readonly number[]): string[] => [...new Set(ns.map(aid).filter((x): x is string => x !== undefined))];
  const agents = new Map<string, RoutingAgent>(
    raw.agents.map((a, i) => {
      const id = agentIds[i]!;
      return [
        id,
        {
          id,
          status: a.status,
          idleSince: NOW - a.idleAgoSec * 1000,
          skills: new Map(a.skills),
          callsToday: a.callsToday,
          talkSecondsToday: a.talkSecondsToday,
          lastOfferedAt: a.lastOfferedAgoSec === null ? 0 : NOW - a.lastOfferedAgoSec * 1000,
        },
      ];
    }),
  );
  const queues = new Map<string, RoutingQueue>(
    raw.queues.map((q, i) => {
      const members: QueueMember[] = [];
      for (const m of q.members) {
        const agentId = aid(m.agent);
        if (agentId !== undefined && !members.some((x) => x.agentId === agentId)) members.push({ agentId, tier: m.tier, position: m.position });
      }
      return [`q${i}`, { id: `q${i}`, strategy: q.strategy, members, skillRules: q.skillRules, ringProgressivelyStepSec: q.ringProgressivelyStepSec, stickyAgentSec: q.stickyAgentSec }];
    }),
  );
  const calls: RoutingCall[] = raw.calls.map((c, i) => ({
    id: `c${String(i).padStart(2, '0')}`,
    queueId: c.unknownQueue ? 'nowhere' : `q${c.queue % raw.queues.length}`,
    priority: c.priority,
    enqueuedAt: NOW - c.waitedSec * 1000,
    requiredSkills: c.requiredSkills,
    preferredAgentId: c.preferred === null ? null : (aid(c.preferred) ?? null),
    ringing: ids(c.ringing),
    missedBy: ids(c.missedBy),
  }));
  return { queues, agents, calls, busyAgents: new Set(ids(raw.busy)), now: NOW, random: seeded(raw.seed) };
}

const stateArb = rawArb.map(build);

// --- Oracles written independently of the engine. ---

function oracleRequirements(queue: RoutingQueue, call: RoutingCall, now: number): SkillRequirement[] {
  const waited = (now - call.enqueuedAt) / 1000;
  const applicable = queue.skillRules.filter((r) => r.afterWaitSec <= waited);
  const top = Math.max(...applicable.map((r) => r.afterWaitSec));
  const rule = applicable.find((r) => r.afterWaitSec === top);
  return [...(rule?.requirements ?? []), ...call.requiredSkills];
}
function oracleQualifies(agent: RoutingAgent, reqs: readonly SkillRequirement[]): boolean {
  return reqs.every((r) => (agent.skills.get(r.skill) ?? -Infinity) >= r.minLevel);
}
function oracleEligible(agent: RoutingAgent, queue: RoutingQueue, call: RoutingCall, now: number): boolean {
  return (
    agent.status === 'ready' &&
    queue.members.some((m) => m.agentId === agent.id) &&
    !call.missedBy.includes(agent.id) &&
    !call.ringing.includes(agent.id) &&
    oracleQualifies(agent, oracleRequirements(queue, call, now))
  );
}
const single = (q: RoutingQueue): boolean => q.strategy !== 'ring_all' && q.strategy !== 'ring_progressively';

function context(state: RoutingState) {
  const offers = planOffers(state);
  const callById = new Map(state.calls.map((c) => [c.id, c]));
  const offerByCall = new Map<string, Offer>(offers.map((o) => [o.callId, o]));
  const taken = new Map<string, string>(); // agent -> call
  for (const o of offers) for (const a of o.agentIds) taken.set(a, o.callId);
  const ringingAnywhere = new Set(state.calls.flatMap((c) => c.ringing));
  return { offers, callById, offerByCall, taken, ringingAnywhere };
}

const runs = { numRuns: 400 };

describe('planOffers properties', () => {
  it('never offers an agent twice, nor a call twice, nor an empty offer', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const { offers } = context(state);
        const agentIds = offers.flatMap((o) => o.agentIds);
        expect(new Set(agentIds).size).toBe(agentIds.length);
        expect(new Set(offers.map((o) => o.callId)).size).toBe(offers.length);
        for (const o of offers) expect(o.agentIds.length).toBeGreaterThan(0);
      }),
      runs,
    );
  });

  it('offers only eligible, available agents that meet the active skill rule and have not missed the call', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const { offers, callById, ringingAnywhere } = context(state);
        for (const o of offers) {
          const call = callById.get(o.callId)!;
          const queue = state.queues.get(call.queueId)!;
          expect(queue).toBeDefined();
          const reqs = oracleRequirements(queue, call, state.now);
          for (const id of o.agentIds) {
            const agent = state.agents.get(id)!;
            expect(agent).toBeDefined();
            expect(oracleEligible(agent, queue, call, state.now)).toBe(true);
            expect(isEligible(agent, queue, call, state.now)).toBe(true);
            expect(state.busyAgents?.has(id)).toBe(false);
            expect(ringingAnywhere.has(id)).toBe(false);
            expect(call.missedBy).not.toContain(id);
            expect(oracleQualifies(agent, reqs)).toBe(true);
          }
        }
      }),
      runs,
    );
  });

  it('gives exactly one agent per offer for single-agent strategies, and never to a call already ringing', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const { offers, callById } = context(state);
        for (const o of offers) {
          const call = callById.get(o.callId)!;
          const queue = state.queues.get(call.queueId)!;
          if (single(queue)) {
            expect(o.agentIds).toHaveLength(1);
            expect(call.ringing).toHaveLength(0);
          } else if (queue.strategy === 'ring_progressively' && o.agentIds[0] !== call.preferredAgentId) {
            const waited = (state.now - call.enqueuedAt) / 1000;
            const target = queue.ringProgressivelyStepSec > 0 ? 1 + Math.floor(waited / queue.ringProgressivelyStepSec) : Infinity;
            expect(call.ringing.length + o.agentIds.length).toBeLessThanOrEqual(target);
          }
        }
      }),
      runs,
    );
  });

  it('only offers the best tier among the available eligible agents (unless the preferred agent)', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const { offers, callById, ringingAnywhere, taken } = context(state);
        for (const o of offers) {
          const call = callById.get(o.callId)!;
          if (o.agentIds.length === 1 && o.agentIds[0] === call.preferredAgentId) continue;
          const queue = state.queues.get(call.queueId)!;
          const tierOf = (id: string): number => queue.members.find((m) => m.agentId === id)!.tier;
          const offeredTier = Math.max(...o.agentIds.map(tierOf));
          expect(Math.min(...o.agentIds.map(tierOf))).toBe(offeredTier);
          // Any eligible agent of a strictly better tier must have been unavailable or taken by a call served earlier.
          for (const m of queue.members) {
            const agent = state.agents.get(m.agentId);
            if (!agent || m.tier >= offeredTier || !oracleEligible(agent, queue, call, state.now)) continue;
            const by = taken.get(m.agentId);
            const earlier = by !== undefined && compareCalls(callById.get(by)!, call) < 0;
            expect(state.busyAgents?.has(m.agentId) || ringingAnywhere.has(m.agentId) || earlier).toBe(true);
          }
        }
      }),
      runs,
    );
  });

  it('respects queue order: an agent given to a later call was not eligible for an earlier unserved one', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const { offers, callById, offerByCall } = context(state);
        const plain = (c: RoutingCall): boolean => c.preferredAgentId === null && c.ringing.length === 0;
        for (const c of state.calls) {
          if (offerByCall.has(c.id) || !plain(c)) continue;
          const queue = state.queues.get(c.queueId);
          if (!queue) continue;
          for (const o of offers) {
            const d = callById.get(o.callId)!;
            if (d.queueId !== c.queueId || !plain(d) || compareCalls(c, d) >= 0) continue;
            for (const x of o.agentIds) expect(oracleEligible(state.agents.get(x)!, queue, c, state.now)).toBe(false);
          }
        }
      }),
      runs,
    );
  });

  it('is work-conserving: an unserved plain call has no eligible agent left free', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const { offerByCall, taken, ringingAnywhere } = context(state);
        for (const c of state.calls) {
          const queue = state.queues.get(c.queueId);
          if (!queue || offerByCall.has(c.id) || c.preferredAgentId !== null || c.ringing.length > 0) continue;
          for (const m of queue.members) {
            const agent = state.agents.get(m.agentId);
            if (!agent || !oracleEligible(agent, queue, c, state.now)) continue;
            expect(taken.has(m.agentId) || state.busyAgents?.has(m.agentId) || ringingAnywhere.has(m.agentId)).toBe(true);
          }
        }
      }),
      runs,
    );
  });

  it('is deterministic and does not touch its input', () => {
    fc.assert(
      fc.property(rawArb, (raw) => {
        const a = build(raw);
        const before = JSON.stringify({ calls: a.calls, queues: [...a.queues.values()] });
        const first = planOffers(a);
        expect(JSON.stringify({ calls: a.calls, queues: [...a.queues.values()] })).toBe(before);
        expect(planOffers(build(raw))).toEqual(first);
      }),
      runs,
    );
  });
});
