import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_STATUSES } from '../../../src/acd/agent-state.ts';
import {
  agentIds,
  agentSnapshot,
  applyMetricsEvent,
  emptyBook,
  queueIds,
  queueSnapshot,
  startNewDay,
  type MetricsBook,
  type MetricsEvent,
  type QueueMetricsConfig,
} from '../../../src/metrics/live-metrics.ts';

const D = Date.UTC(2024, 0, 1);
const callId = fc.constantFrom('c0', 'c1', 'c2', 'c3', 'c4', 'c5');
const queueId = fc.constantFrom('q0', 'q1', 'q2');
const agentId = fc.constantFrom('a0', 'a1', 'a2');

type Spec =
  | { kind: 'call_entered' | 'call_abandoned'; callId: string; queueId: string }
  | { kind: 'call_left_queue'; callId: string; queueId: string; reason: 'overflow' | 'callback' | 'transfer' }
  | { kind: 'call_answered'; callId: string; queueId: string; agentId: string }
  | { kind: 'hold_started' | 'hold_ended' | 'talk_ended'; callId: string }
  | { kind: 'wrap_up_ended'; callId: string; agentId: string }
  | { kind: 'agent_state'; agentId: string; status: (typeof AGENT_STATUSES)[number] }
  | { kind: 'agent_queues'; agentId: string; queueIds: string[] }
  | { kind: 'new_day' };

const spec: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('call_entered' as const), callId, queueId }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('call_answered' as const), callId, queueId, agentId }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('call_abandoned' as const), callId, queueId }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('call_left_queue' as const), callId, queueId, reason: fc.constantFrom('overflow' as const, 'callback' as const, 'transfer' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('hold_started' as const, 'hold_ended' as const, 'talk_ended' as const), callId }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wrap_up_ended' as const), callId, agentId }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('agent_state' as const), agentId, status: fc.constantFrom(...AGENT_STATUSES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('agent_queues' as const), agentId, queueIds: fc.array(queueId, { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'new_day' as const }) },
);

const step = fc.record({
  spec,
  dt: fc.nat(20_000),
  /** Delivered late: its time is this far behind the clock. */
  lateBy: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(30_000) }),
});

const config: fc.Arbitrary<QueueMetricsConfig> = fc.record({
  serviceLevelSec: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 60, noNaN: true })),
  shortAbandonSec: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.double({ min: 0, max: 20, noNaN: true })),
});

function toEvent(s: Exclude<Spec, { kind: 'new_day' }>, at: number): MetricsEvent {
  return s.kind === 'agent_queues' ? s : ({ ...s, at } as MetricsEvent);
}

const inPct = (x: number | null): boolean => x === null || (x >= 0 && x <= 100);

function checkInvariants(book: MetricsBook, cfg: QueueMetricsConfig, now: number, rolled: boolean, members: Map<string, string[]>): void {
  for (const q of queueIds(book)) {
    const s = queueSnapshot(book, q, cfg, now);
    for (const n of [s.waiting, s.longestWaitSec, s.offered, s.carriedOver, s.answered, s.abandoned, s.shortAbandoned, s.leftQueue, ...Object.values(s.agents)]) {
      expect(n).toBeGreaterThanOrEqual(0);
    }
    expect(s.shortAbandoned).toBeLessThanOrEqual(s.abandoned);
    // Every wait started today or carried over from yesterday has ended exactly one way, or is still waiting.
    expect(s.offered + s.carriedOver).toBe(s.answered + s.abandoned + s.leftQueue + s.waiting);
    if (!rolled) expect(s.carriedOver).toBe(0);
    if (s.waiting === 0) expect(s.longestWaitSec).toBe(0);
    expect(inPct(s.serviceLevelPct)).toBe(true);
    expect(inPct(s.abandonRatePct)).toBe(true);
    expect(s.asaSec === null || s.asaSec >= 0).toBe(true);
    expect(s.ahtSec === null || s.ahtSec >= 0).toBe(true);
    expect(s.asaSec === null).toBe(s.answered === 0);
    // Agents per queue: every member once.
    const memberCount = [...members.values()].filter((qs) => qs.includes(q)).length;
    expect(Object.values(s.agents).reduce((a, b) => a + b, 0)).toBe(memberCount);
  }
  for (const a of agentIds(book)) {
    const s = agentSnapshot(book, a, now);
    for (const n of [s.inStatusSec, s.callsAnswered, s.talkSec, s.holdSec, s.wrapUpSec]) expect(n).toBeGreaterThanOrEqual(0);
  }
}

describe('metrics over random event sequences (property)', () => {
  it('keeps counters non-negative, conserves calls and bounds the rates; duplicates change nothing', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), config, (steps, cfg) => {
        let book = emptyBook(D);
        let clock = D + 8 * 3_600_000;
        let rolled = false;
        const members = new Map<string, string[]>();
        for (const { spec: s, dt, lateBy } of steps) {
          clock += dt;
          if (s.kind === 'new_day') {
            const next = startNewDay(book, clock);
            rolled ||= next !== book;
            book = next;
          } else {
            const e = toEvent(s, clock - lateBy);
            const next = applyMetricsEvent(book, e);
            expect(applyMetricsEvent(next, e)).toBe(next); // an immediate duplicate is a no-op
            book = next;
            if (s.kind === 'agent_queues') members.set(s.agentId, [...new Set(s.queueIds)]);
          }
          checkInvariants(book, cfg, clock, rolled, members);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never changes an earlier book', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.array(step, { maxLength: 40 }), config, (first, second, cfg) => {
        const run = (book: MetricsBook, steps: typeof first, clock: number): MetricsBook =>
          steps.reduce((b, { spec: s, dt, lateBy }) => {
            clock += dt;
            return s.kind === 'new_day' ? startNewDay(b, clock) : applyMetricsEvent(b, toEvent(s, clock - lateBy));
          }, book);
        const now = D + 48 * 3_600_000;
        const view = (b: MetricsBook): string =>
          JSON.stringify([queueIds(b).map((q) => queueSnapshot(b, q, cfg, now)), agentIds(b).map((a) => agentSnapshot(b, a, now)), b.calls.size]);
        const mid = run(emptyBook(D), first, D + 3_600_000);
        const before = view(mid);
        run(mid, second, D + 20 * 3_600_000);
        expect(view(mid)).toBe(before);
      }),
      { numRuns: 200 },
    );
  });
});
