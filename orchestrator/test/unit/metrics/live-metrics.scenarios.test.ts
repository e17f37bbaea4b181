import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../src/acd/agent-state.ts';
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

const S = 1000;
const D = Date.UTC(2024, 5, 3) - 8 * 3600 * S; // a local midnight
const T = D + 9 * 3600 * S; // 09:00
const cfg: QueueMetricsConfig = { serviceLevelSec: 20, shortAbandonSec: 10 };
const feed = (book: MetricsBook, events: MetricsEvent[]): MetricsBook => events.reduce(applyMetricsEvent, book);
const byStatus = (counts: Partial<Record<AgentStatus, number>>): Record<AgentStatus, number> => ({
  logged_out: 0, not_ready: 0, ready: 0, reserved: 0, on_call: 0, wrap_up: 0, ...counts,
});

const entered = (callId: string, queueId: string, at: number): MetricsEvent => ({ kind: 'call_entered', callId, queueId, at });
const answered = (callId: string, queueId: string, agentId: string, at: number): MetricsEvent => ({ kind: 'call_answered', callId, queueId, agentId, at });
const abandoned = (callId: string, queueId: string, at: number): MetricsEvent => ({ kind: 'call_abandoned', callId, queueId, at });
const left = (callId: string, queueId: string, at: number, reason: 'overflow' | 'callback' | 'transfer' = 'overflow'): MetricsEvent => ({ kind: 'call_left_queue', callId, queueId, at, reason });
const holdOn = (callId: string, at: number): MetricsEvent => ({ kind: 'hold_started', callId, at });
const holdOff = (callId: string, at: number): MetricsEvent => ({ kind: 'hold_ended', callId, at });
const talkEnd = (callId: string, at: number): MetricsEvent => ({ kind: 'talk_ended', callId, at });
const wrapEnd = (callId: string, agentId: string, at: number): MetricsEvent => ({ kind: 'wrap_up_ended', callId, agentId, at });
const status = (agentId: string, s: AgentStatus, at: number): MetricsEvent => ({ kind: 'agent_state', agentId, status: s, at });
const member = (agentId: string, ...queueIds: string[]): MetricsEvent => ({ kind: 'agent_queues', agentId, queueIds });

describe('queue figures: waiting, service level, ASA, abandons', () => {
  // sales, SL 20 s, short abandon 10 s:
  //   c1 waits  5 s → answered (in SL)          c4 waits  3 s → abandoned (short)
  //   c2 waits 20 s → answered (in SL, = SL)    c5 waits 10 s → abandoned (not short: = threshold)
  //   c3 waits 30 s → answered (out of SL)      c6 waits 45 s → abandoned
  //   c7 overflows to support after 60 s        c8, c9 still waiting (entered T+40 s, T+45 s)
  const book = feed(emptyBook(D), [
    entered('c1', 'sales', T),
    entered('c2', 'sales', T + 1 * S),
    entered('c3', 'sales', T + 2 * S),
    entered('c4', 'sales', T + 3 * S),
    entered('c5', 'sales', T + 4 * S),
    answered('c1', 'sales', 'a1', T + 5 * S),
    entered('c6', 'sales', T + 5 * S),
    abandoned('c4', 'sales', T + 6 * S),
    entered('c7', 'sales', T + 6 * S),
    abandoned('c5', 'sales', T + 14 * S),
    answered('c2', 'sales', 'a2', T + 21 * S),
    answered('c3', 'sales', 'a3', T + 32 * S),
    entered('c8', 'sales', T + 40 * S),
    entered('c9', 'sales', T + 45 * S),
    abandoned('c6', 'sales', T + 50 * S),
    left('c7', 'sales', T + 66 * S),
    entered('c7', 'support', T + 66 * S),
  ]);

  it('counts offered, answered, abandoned (short ones too), left and waiting', () => {
    expect(queueSnapshot(book, 'sales', cfg, T + 100 * S)).toEqual({
      queueId: 'sales',
      waiting: 2,
      longestWaitSec: 60, // c8, entered at T+40 s
      agents: byStatus({}),
      offered: 9,
      carriedOver: 0,
      answered: 3,
      abandoned: 3,
      shortAbandoned: 1,
      leftQueue: 1,
      serviceLevelPct: 40, // c1, c2 of (3 answered + 3 abandoned − 1 short)
      abandonRatePct: 25, // (3 − 1) of (9 offered − 1 short)
      asaSec: 55 / 3, // (5 + 20 + 30) / 3
      ahtSec: null, // no wrap-up ended yet
    });
  });

  it('takes the thresholds from the request', () => {
    const s = queueSnapshot(book, 'sales', { serviceLevelSec: 30, shortAbandonSec: 11 }, T + 100 * S);
    expect(s.shortAbandoned).toBe(2); // 3 s and 10 s
    expect(s.serviceLevelPct).toBe(75); // all 3 answered of (3 + 3 − 2)
    expect(s.abandonRatePct).toBeCloseTo(100 / 7, 12); // (3 − 2) of (9 − 2)
    const strict = queueSnapshot(book, 'sales', { serviceLevelSec: 19.999, shortAbandonSec: 3.001 }, T + 100 * S);
    expect(strict.serviceLevelPct).toBe(20); // only c1 (5 s) of 5
    expect(strict.shortAbandoned).toBe(1);
  });

  it('moves the longest wait to the next oldest call, and to 0 when nobody waits', () => {
    const b2 = applyMetricsEvent(book, answered('c8', 'sales', 'a1', T + 110 * S));
    expect(queueSnapshot(b2, 'sales', cfg, T + 120 * S)).toMatchObject({ waiting: 1, longestWaitSec: 75 });
    const b3 = applyMetricsEvent(b2, abandoned('c9', 'sales', T + 130 * S));
    expect(queueSnapshot(b3, 'sales', cfg, T + 140 * S)).toMatchObject({ waiting: 0, longestWaitSec: 0, abandoned: 4, shortAbandoned: 1 });
    // The oldest waiting call is found even when it is not the oldest entered, and a clock behind the entry gives 0.
    const b4 = feed(b3, [entered('x1', 'sales', T + 200 * S), entered('x0', 'sales', T + 150 * S)]);
    expect(queueSnapshot(b4, 'sales', cfg, T + 300 * S).longestWaitSec).toBe(150);
    expect(queueSnapshot(b4, 'sales', cfg, T).longestWaitSec).toBe(0);
  });

  it('offers an overflowed call in the queue it moves to as well', () => {
    expect(queueSnapshot(book, 'support', cfg, T + 100 * S)).toMatchObject({ offered: 1, waiting: 1, longestWaitSec: 34, leftQueue: 0 });
    expect(queueIds(book)).toEqual(['sales', 'support']);
  });

  it('gives zeros and nulls for a queue it has not seen', () => {
    expect(queueSnapshot(book, 'nope', cfg, T)).toEqual({
      queueId: 'nope', waiting: 0, longestWaitSec: 0, agents: byStatus({}), offered: 0, carriedOver: 0, answered: 0, abandoned: 0,
      shortAbandoned: 0, leftQueue: 0, serviceLevelPct: null, abandonRatePct: null, asaSec: null, ahtSec: null,
    });
  });

  it('reports a 0 % service level and a 100 % abandon rate rather than dividing by zero', () => {
    const b = feed(emptyBook(D), [entered('z1', 'q', T), abandoned('z1', 'q', T + 60 * S), entered('z2', 'q', T), abandoned('z2', 'q', T + 1 * S)]);
    expect(queueSnapshot(b, 'q', cfg, T + 60 * S)).toMatchObject({ serviceLevelPct: 0, abandonRatePct: 100, asaSec: null });
    const onlyShort = feed(emptyBook(D), [entered('z2', 'q', T), abandoned('z2', 'q', T + 1 * S)]);
    expect(queueSnapshot(onlyShort, 'q', cfg, T + 60 * S)).toMatchObject({ serviceLevelPct: null, abandonRatePct: null });
  });
});

describe('handle time: talk, hold, wrap-up (AHT and agent figures)', () => {
  // c1: waits 10 s, answered by a1; hold 40→70 s (30 s); hold 100 s → still on hold at talk end 130 s (30 s);
  //     talk = 120 s − 60 s hold = 60 s; wrap-up 130→150 s = 20 s; handle 140 s.
  // c2: waits 0 s, answered by a1 at 200 s; talk 100 s; no wrap-up (ends with the talk); handle 100 s.
  const events: MetricsEvent[] = [
    member('a1', 'support'),
    status('a1', 'ready', T - 100 * S),
    entered('c1', 'support', T),
    status('a1', 'on_call', T + 10 * S),
    answered('c1', 'support', 'a1', T + 10 * S),
    holdOn('c1', T + 40 * S),
    holdOff('c1', T + 70 * S),
    holdOn('c1', T + 100 * S),
    talkEnd('c1', T + 130 * S),
    status('a1', 'wrap_up', T + 130 * S),
    wrapEnd('c1', 'a1', T + 150 * S),
    status('a1', 'ready', T + 150 * S),
    entered('c2', 'support', T + 200 * S),
    answered('c2', 'support', 'a1', T + 200 * S),
    status('a1', 'on_call', T + 200 * S),
    talkEnd('c2', T + 300 * S),
    wrapEnd('c2', 'a1', T + 300 * S),
    status('a1', 'ready', T + 300 * S),
  ];
  const upTo = (n: number): MetricsBook => feed(emptyBook(D), events.slice(0, n));

  it('follows one call through talk, hold and wrap-up', () => {
    const onCall = upTo(8); // on hold the second time
    expect(agentSnapshot(onCall, 'a1', T + 110 * S)).toEqual({
      agentId: 'a1', status: 'on_call', inStatusSec: 100, callsAnswered: 1, talkSec: 0, holdSec: 0, wrapUpSec: 0, currentCallId: 'c1',
    });
    const inWrapUp = upTo(10);
    expect(agentSnapshot(inWrapUp, 'a1', T + 140 * S)).toEqual({
      agentId: 'a1', status: 'wrap_up', inStatusSec: 10, callsAnswered: 1, talkSec: 60, holdSec: 60, wrapUpSec: 0, currentCallId: 'c1',
    });
    expect(queueSnapshot(inWrapUp, 'support', cfg, T + 140 * S)).toMatchObject({ answered: 1, asaSec: 10, ahtSec: null, agents: byStatus({ wrap_up: 1 }) });
    const done = upTo(12);
    expect(agentSnapshot(done, 'a1', T + 160 * S)).toMatchObject({ status: 'ready', inStatusSec: 10, wrapUpSec: 20, currentCallId: null });
    expect(queueSnapshot(done, 'support', cfg, T + 160 * S).ahtSec).toBe(140);
  });

  it('averages over the calls whose wrap-up ended', () => {
    const b = upTo(events.length);
    expect(queueSnapshot(b, 'support', cfg, T + 400 * S)).toMatchObject({
      offered: 2, answered: 2, waiting: 0, serviceLevelPct: 100, asaSec: 5, ahtSec: 120, agents: byStatus({ ready: 1 }),
    });
    expect(agentSnapshot(b, 'a1', T + 400 * S)).toEqual({
      agentId: 'a1', status: 'ready', inStatusSec: 100, callsAnswered: 2, talkSec: 160, holdSec: 60, wrapUpSec: 20, currentCallId: null,
    });
  });

  it('ignores redelivered hold events', () => {
    const noisy = feed(emptyBook(D), [
      ...events.slice(0, 6),
      holdOn('c1', T + 40 * S), // again while on hold
      holdOff('c1', T + 70 * S),
      holdOff('c1', T + 70 * S), // again while not on hold
      holdOn('c1', T + 40 * S), // late copy of the first hold
      holdOn('c1', T + 100 * S),
      holdOff('c1', T + 70 * S), // late copy of the first hold's end during the second hold
      holdOff('c1', T + 90 * S), // ends before the open hold began: stale
      ...events.slice(8),
    ]);
    expect(agentSnapshot(noisy, 'a1', T + 400 * S)).toMatchObject({ talkSec: 160, holdSec: 60, wrapUpSec: 20 });
    expect(queueSnapshot(noisy, 'support', cfg, T + 400 * S).ahtSec).toBe(120);
  });

  it('ends the talk at wrap_up_ended when talk_ended never came', () => {
    const b = feed(emptyBook(D), [entered('c', 'q', T), answered('c', 'q', 'a', T + 5 * S), holdOn('c', T + 10 * S), wrapEnd('c', 'a', T + 30 * S), talkEnd('c', T + 40 * S)]);
    expect(agentSnapshot(b, 'a', T + 60 * S)).toMatchObject({ talkSec: 5, holdSec: 20, wrapUpSec: 0, currentCallId: null });
    expect(queueSnapshot(b, 'q', cfg, T + 60 * S).ahtSec).toBe(25);
  });

  it('credits the agent who answered, whatever agent the wrap-up names', () => {
    const b = feed(emptyBook(D), [entered('c', 'q', T), answered('c', 'q', 'a', T + 5 * S), talkEnd('c', T + 15 * S), wrapEnd('c', 'b', T + 20 * S)]);
    expect(agentSnapshot(b, 'a', T + 60 * S)).toMatchObject({ callsAnswered: 1, talkSec: 10, wrapUpSec: 5, currentCallId: null });
    expect(agentSnapshot(b, 'b', T + 60 * S)).toMatchObject({ callsAnswered: 0, talkSec: 0, wrapUpSec: 0 });
  });
});

describe('agents per status per queue', () => {
  it('follows statuses and memberships', () => {
    let b = feed(emptyBook(D), [member('a1', 'sales', 'support'), member('a2', 'sales'), member('a3', 'support'), status('a4', 'ready', T)]);
    expect(queueSnapshot(b, 'sales', cfg, T).agents).toEqual(byStatus({ logged_out: 2 }));
    expect(queueSnapshot(b, 'support', cfg, T).agents).toEqual(byStatus({ logged_out: 2 }));

    b = feed(b, [status('a1', 'ready', T), status('a2', 'not_ready', T), status('a3', 'on_call', T)]);
    expect(queueSnapshot(b, 'sales', cfg, T).agents).toEqual(byStatus({ ready: 1, not_ready: 1 }));
    expect(queueSnapshot(b, 'support', cfg, T).agents).toEqual(byStatus({ ready: 1, on_call: 1 }));

    b = feed(b, [member('a1', 'support'), member('a4', 'sales', 'sales')]);
    expect(queueSnapshot(b, 'sales', cfg, T).agents).toEqual(byStatus({ not_ready: 1, ready: 1 }));
    expect(queueSnapshot(b, 'support', cfg, T).agents).toEqual(byStatus({ ready: 1, on_call: 1 }));

    b = feed(b, [status('a3', 'wrap_up', T + 5 * S), member('a2'), status('a2', 'ready', T + 6 * S)]);
    expect(queueSnapshot(b, 'sales', cfg, T).agents).toEqual(byStatus({ ready: 1 }));
    expect(queueSnapshot(b, 'support', cfg, T).agents).toEqual(byStatus({ ready: 1, wrap_up: 1 }));
    expect(queueIds(b)).toEqual(['sales', 'support']);
    expect(agentIds(b)).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('keeps the time of the first of repeated statuses and ignores stale ones', () => {
    let b = feed(emptyBook(D), [status('a', 'ready', T), status('a', 'ready', T + 50 * S)]);
    expect(agentSnapshot(b, 'a', T + 60 * S)).toMatchObject({ status: 'ready', inStatusSec: 60 });
    b = feed(b, [status('a', 'on_call', T + 70 * S), status('a', 'ready', T + 65 * S)]);
    expect(agentSnapshot(b, 'a', T + 80 * S)).toMatchObject({ status: 'on_call', inStatusSec: 10 });
    expect(agentSnapshot(b, 'a', T).inStatusSec).toBe(0); // clock behind: never negative
    expect(applyMetricsEvent(b, status('a', 'away' as AgentStatus, T + 90 * S))).toBe(b); // unknown status
  });

  it('shows an agent never seen as logged out with zeros', () => {
    expect(agentSnapshot(emptyBook(D), 'ghost', T)).toEqual({
      agentId: 'ghost', status: 'logged_out', inStatusSec: 0, callsAnswered: 0, talkSec: 0, holdSec: 0, wrapUpSec: 0, currentCallId: null,
    });
  });
});

describe('day reset', () => {
  const D1 = D + 24 * 3600 * S;
  const yesterday = feed(emptyBook(D), [
    member('a2', 'q'),
    status('a2', 'ready', D1 - 3600 * S),
    entered('c1', 'q', D1 - 10 * S), // still waiting at midnight
    entered('c2', 'q', D1 - 60 * S),
    answered('c2', 'q', 'a2', D1 - 50 * S),
    status('a2', 'on_call', D1 - 50 * S),
    talkEnd('c2', D1 - 20 * S), // talk 30 s yesterday
    status('a2', 'wrap_up', D1 - 20 * S),
    entered('c3', 'q', D1 - 40 * S),
    abandoned('c3', 'q', D1 - 15 * S),
  ]);

  it('resets today’s counters and keeps live calls and agents', () => {
    expect(queueSnapshot(yesterday, 'q', cfg, D1 - 1)).toMatchObject({ offered: 3, answered: 1, abandoned: 1, waiting: 1 });
    expect(agentSnapshot(yesterday, 'a2', D1 - 1)).toMatchObject({ callsAnswered: 1, talkSec: 30 });

    const today = startNewDay(yesterday, D1);
    expect(today.dayStart).toBe(D1);
    expect(queueSnapshot(today, 'q', cfg, D1 + 5 * S)).toEqual({
      queueId: 'q', waiting: 1, longestWaitSec: 15, agents: byStatus({ wrap_up: 1 }), offered: 0, carriedOver: 1, answered: 0, abandoned: 0,
      shortAbandoned: 0, leftQueue: 0, serviceLevelPct: null, abandonRatePct: 0, asaSec: null, ahtSec: null,
    });
    expect(agentSnapshot(today, 'a2', D1 + 5 * S)).toEqual({
      agentId: 'a2', status: 'wrap_up', inStatusSec: 25, callsAnswered: 0, talkSec: 0, holdSec: 0, wrapUpSec: 0, currentCallId: 'c2',
    });
    expect(startNewDay(today, D1)).toBe(today); // repeated: nothing happens
    expect(startNewDay(today, D)).toBe(today);
  });

  it('counts the answer of a call entered yesterday today, and finished calls on the day they finish', () => {
    const today = feed(startNewDay(yesterday, D1), [
      wrapEnd('c2', 'a2', D1 + 10 * S), // wrap-up 30 s, today
      answered('c1', 'q', 'a2', D1 + 20 * S), // waited 30 s across midnight
      entered('c4', 'q', D1 + 30 * S),
    ]);
    expect(queueSnapshot(today, 'q', cfg, D1 + 40 * S)).toMatchObject({
      offered: 1, carriedOver: 1, answered: 1, waiting: 1, serviceLevelPct: 0, asaSec: 30, ahtSec: 60, abandonRatePct: 0,
    });
    expect(agentSnapshot(today, 'a2', D1 + 40 * S)).toMatchObject({ callsAnswered: 1, talkSec: 0, wrapUpSec: 30, currentCallId: 'c1' });
  });

  it('still recognizes yesterday’s calls after midnight, and forgets them a day later', () => {
    const today = startNewDay(yesterday, D1);
    const late = [abandoned('c3', 'q', D1 - 15 * S), entered('c3', 'q', D1 - 40 * S), answered('c2', 'q', 'a2', D1 - 50 * S)];
    expect(feed(today, late)).toBe(today);
    const dayAfter = startNewDay(startNewDay(feed(today, [wrapEnd('c2', 'a2', D1 + 10 * S)]), D1 + 86_400 * S), D1 + 2 * 86_400 * S);
    expect(dayAfter.calls.size).toBe(1); // only c1, still waiting
    expect(queueSnapshot(dayAfter, 'q', cfg, D1 + 2 * 86_400 * S)).toMatchObject({ waiting: 1, carriedOver: 1, offered: 0 });
  });
});

describe('unknown calls, duplicates and odd order', () => {
  const base = feed(emptyBook(D), [entered('c1', 'sales', T)]);

  it('ignores call events for calls it does not know, except an answer', () => {
    for (const e of [
      abandoned('x', 'sales', T), left('x', 'sales', T), holdOn('x', T), holdOff('x', T), talkEnd('x', T), wrapEnd('x', 'a', T),
      { kind: 'no_such_event', at: T } as unknown as MetricsEvent,
    ]) {
      expect(applyMetricsEvent(base, e)).toBe(base);
    }
  });

  it('tracks a call answered without a known entry (after a restart) for the agent and AHT only', () => {
    const b = feed(base, [answered('x', 'sales', 'a', T + 5 * S), holdOn('x', T + 6 * S), holdOff('x', T + 8 * S), talkEnd('x', T + 15 * S), wrapEnd('x', 'a', T + 20 * S)]);
    expect(agentSnapshot(b, 'a', T + 30 * S)).toMatchObject({ callsAnswered: 1, talkSec: 8, holdSec: 2, wrapUpSec: 5, currentCallId: null });
    expect(queueSnapshot(b, 'sales', cfg, T + 30 * S)).toMatchObject({ offered: 1, answered: 0, waiting: 1, asaSec: null, ahtSec: 15 });
  });

  it('does not double count duplicates', () => {
    const events = [entered('c2', 'sales', T + 1 * S), answered('c2', 'sales', 'a', T + 3 * S), talkEnd('c2', T + 10 * S), wrapEnd('c2', 'a', T + 12 * S), abandoned('c1', 'sales', T + 20 * S), status('a', 'ready', T + 12 * S), member('a', 'sales')];
    let once = base;
    let twice = base;
    for (const e of events) {
      once = applyMetricsEvent(once, e);
      twice = applyMetricsEvent(applyMetricsEvent(twice, e), e);
    }
    twice = feed(twice, events); // and all of them again, late
    expect(queueSnapshot(twice, 'sales', cfg, T + 30 * S)).toEqual(queueSnapshot(once, 'sales', cfg, T + 30 * S));
    expect(agentSnapshot(twice, 'a', T + 30 * S)).toEqual(agentSnapshot(once, 'a', T + 30 * S));
    expect(queueSnapshot(once, 'sales', cfg, T + 30 * S)).toMatchObject({ offered: 2, answered: 1, abandoned: 1, waiting: 0, ahtSec: 9 }); // talk 7 s + wrap-up 2 s
  });

  it('moves a call that enters another queue while still waiting, and offers it once per queue', () => {
    let b = applyMetricsEvent(base, entered('c1', 'support', T + 30 * S)); // no call_left_queue for sales
    expect(queueSnapshot(b, 'sales', cfg, T + 40 * S)).toMatchObject({ offered: 1, waiting: 0, leftQueue: 1 });
    expect(queueSnapshot(b, 'support', cfg, T + 40 * S)).toMatchObject({ offered: 1, waiting: 1, longestWaitSec: 10 });
    b = feed(b, [
      left('c1', 'sales', T + 35 * S), // stale: not waiting in sales
      entered('c1', 'sales', T + 36 * S), // back to a queue it was offered in: ignored
    ]);
    expect(queueSnapshot(b, 'sales', cfg, T + 40 * S)).toMatchObject({ offered: 1, waiting: 0, leftQueue: 1 });
    b = feed(b, [left('c1', 'support', T + 50 * S, 'transfer'), entered('c1', 'billing', T + 50 * S), answered('c1', 'support', 'a', T + 55 * S)]);
    // the answer ends the wait where the call waits (billing), whatever queue the event names
    expect(queueSnapshot(b, 'billing', cfg, T + 60 * S)).toMatchObject({ offered: 1, answered: 1, waiting: 0, asaSec: 5 });
    expect(queueSnapshot(b, 'support', cfg, T + 60 * S)).toMatchObject({ offered: 1, answered: 0, leftQueue: 1 });
    // an answered call does not queue again under the same id
    expect(applyMetricsEvent(b, entered('c1', 'other', T + 70 * S))).toBe(b);
  });

  it('clamps a wait with the answer before the entry to 0', () => {
    const b = applyMetricsEvent(base, answered('c1', 'sales', 'a', T - 5 * S));
    expect(queueSnapshot(b, 'sales', cfg, T)).toMatchObject({ answered: 1, asaSec: 0, serviceLevelPct: 100 });
  });

  it('never changes a book it was given', () => {
    const before = JSON.stringify(queueSnapshot(base, 'sales', cfg, T + 10 * S));
    const after = feed(base, [answered('c1', 'sales', 'a', T + 2 * S), entered('c2', 'sales', T + 3 * S), status('a', 'on_call', T)]);
    expect(JSON.stringify(queueSnapshot(base, 'sales', cfg, T + 10 * S))).toBe(before);
    expect(queueSnapshot(after, 'sales', cfg, T + 10 * S)).toMatchObject({ answered: 1, waiting: 1 });
    expect(agentSnapshot(base, 'a', T).status).toBe('logged_out');
  });
});
