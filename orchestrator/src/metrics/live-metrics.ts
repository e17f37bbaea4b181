/**
 * Live queue and agent metrics for the wallboard and supervisor views, as pure functions over plain data.
 *
 * `applyMetricsEvent(book, event)` folds one event into an immutable `MetricsBook` and returns a new book
 * (or the same book when the event changes nothing). Books are persistent: calls, queues and agents live in
 * hash tries, the waiting calls of a queue in a min-heap by entry time, and answered/abandoned waits in count
 * tries, so an event copies only a few small nodes (amortized O(log n), never a scan of the calls; an agent's
 * status change touches each of the agent's queues) and every older book stays valid and unchanged.
 * Snapshots are O(1) in the number of calls. `startNewDay` is O(calls + queues + agents), once a day.
 *
 * Times are whole ms since the epoch, supplied by the caller (nothing here reads the clock); durations in
 * snapshots are seconds (not rounded); a span that comes out negative (clock skew) counts as 0, and waits are
 * kept to the whole ms. Events are expected roughly in time order; each rule below says what
 * happens with duplicates and with events for calls the book does not know (for instance after a restart).
 * Nothing here throws on odd input.
 *
 * Queue rules
 * - A call is offered in a queue when it enters it (`call_entered`), at most once per queue: a second
 *   `call_entered` for a queue the call was already offered in is a duplicate and ignored.
 * - Waiting = entered and not yet answered, abandoned or left. Each wait ends exactly once, so
 *   offered + carriedOver = answered + abandoned + leftQueue + waiting, per queue, at any time.
 * - A call can enter another queue after `call_left_queue` (overflow, transfer) and is offered there too.
 *   A `call_entered` for another queue while the call is still waiting counts as leaving the first queue
 *   (leftQueue there) and entering the new one. A call that was answered or abandoned does not queue again
 *   under the same id (ignored).
 * - Wait = end − entry. Service level counts answered calls with wait ≤ serviceLevelSec; a short abandon is an
 *   abandon with wait < shortAbandonSec. Both thresholds come with the snapshot request, so they may change.
 * - `call_answered` and `call_abandoned` end the wait in the queue the call is waiting in, even when the
 *   event names another queue; `call_left_queue` for a queue the call is not waiting in is stale and ignored.
 *   Events for a call that is not waiting (unknown, already answered, abandoned, left) are ignored, except
 *   `call_answered` for an unknown or left call: see the talk rules.
 * - Abandoned counts every abandon, short ones included; `shortAbandoned` is the subset. The rates leave
 *   short abandons out: serviceLevelPct = answered within SL ÷ (answered + abandoned − shortAbandoned);
 *   abandonRatePct = (abandoned − shortAbandoned) ÷ (offered + carriedOver − shortAbandoned). Both are null
 *   when the divisor is 0 (the numerator is then 0 too), and both stay within [0, 100].
 *
 * Talk rules (per call, then per agent and per queue)
 * - Hold = sum of hold spans; a hold still open at `talk_ended` ends there. Talk = (talk_ended − answered)
 *   − hold. Wrap-up = talk_ended → wrap_up_ended. Handle time = talk + hold + wrap-up.
 * - Redelivered hold events are ignored (a `hold_started` while on hold or at a time already seen, a
 *   `hold_ended` while not on hold, at a time already seen or before the open hold began).
 * - `wrap_up_ended` for a call still talking first ends the talk at the same time (wrap-up 0).
 * - The per-call figures go to the agent who answered (the agentId of `wrap_up_ended` is not used), and AHT
 *   to the queue the call was answered from; AHT counts a call when its `wrap_up_ended` arrives.
 * - `call_answered` for a call the book does not know, or that had left its queue, starts tracking the call at
 *   the answer: it counts for the agent (callsAnswered, talk, hold, wrap-up, currentCallId) and in the named
 *   queue's AHT, but not in that queue's offered/answered/SL/ASA, since its wait is unknown.
 *
 * Agent rules
 * - Status comes only from `agent_state` (call events do not move it). A repeated status keeps its original
 *   `since`; an `agent_state` older than the current status's `since` is stale and ignored, and so is a
 *   status this build does not know.
 * - Agents never seen are `logged_out`; `agent_queues` replaces an agent's membership (per-queue agent counts
 *   follow). currentCallId is set by `call_answered` and cleared by that call's `wrap_up_ended`.
 *
 * Days
 * - "Today" is everything processed since the last `startNewDay` (or `emptyBook`), whatever the events'
 *   times: the caller calls `startNewDay` at midnight, before feeding later events. A call entered yesterday
 *   and answered, abandoned or left today counts that outcome today (with its whole wait), and it is counted
 *   in `carriedOver` (calls waiting when the day started) instead of `offered`. Talk and hold count the day
 *   the talk ends, wrap-up and AHT the day the wrap-up ends, callsAnswered the day of the answer.
 * - `startNewDay` keeps live calls, agents, memberships and statuses. Finished calls are kept one more day,
 *   so late duplicates right after midnight are still recognized, then forgotten.
 */
import { AGENT_STATUSES, type AgentStatus } from '../acd/agent-state.ts';
import { COUNT_TRIE_MAX, countTrieAdd, countTrieAtMost, countTrieBelow, EMPTY_COUNT_TRIE, type CountTrie } from './count-trie.ts';
import { emptyPMap, pmapFilter, pmapGet, pmapEntries, pmapSet, type PMap } from './pmap.ts';
import { heapEntries, heapFrom, heapInsert, heapPop, type WaitHeap } from './wait-heap.ts';

export type MetricsEvent =
  | { kind: 'call_entered'; callId: string; queueId: string; at: number }
  /** The agent is connected. */
  | { kind: 'call_answered'; callId: string; queueId: string; agentId: string; at: number }
  /** The caller hung up while waiting. */
  | { kind: 'call_abandoned'; callId: string; queueId: string; at: number }
  /** Left the queue unanswered for another reason. */
  | { kind: 'call_left_queue'; callId: string; queueId: string; at: number; reason: 'overflow' | 'callback' | 'transfer' }
  | { kind: 'hold_started'; callId: string; at: number }
  | { kind: 'hold_ended'; callId: string; at: number }
  /** The bridged call hung up. */
  | { kind: 'talk_ended'; callId: string; at: number }
  /** After-call work done (immediately after talk_ended when the queue has no wrap-up). */
  | { kind: 'wrap_up_ended'; callId: string; agentId: string; at: number }
  | { kind: 'agent_state'; agentId: string; status: AgentStatus; at: number }
  /** The agent's queue membership (replaces the previous one). */
  | { kind: 'agent_queues'; agentId: string; queueIds: readonly string[] };

export interface QueueMetricsConfig {
  serviceLevelSec: number;
  shortAbandonSec: number;
}

export type CallPhase = 'waiting' | 'left' | 'abandoned' | 'talking' | 'wrap_up' | 'done';

export interface CallRecord {
  readonly callId: string;
  readonly phase: CallPhase;
  /** The queue of the current or last wait; for a call answered without a known wait, the queue of the answer. */
  readonly queueId: string;
  /** Every queue the call has been offered in. */
  readonly offeredIn: readonly string[];
  readonly enteredAt: number;
  /** Identifies the current wait's heap entry; -1 when not waiting. */
  readonly waitSeq: number;
  readonly agentId: string | null;
  readonly answeredAt: number;
  readonly holdSince: number | null;
  readonly holdStarts: readonly number[];
  readonly holdEnds: readonly number[];
  readonly holdMs: number;
  readonly talkEndedAt: number;
  readonly talkMs: number;
  /** The book's day number when the call reached left/abandoned/done (for forgetting it later). */
  readonly endedDay: number;
}

export interface QueueRecord {
  readonly queueId: string;
  readonly waiting: number;
  readonly heap: WaitHeap | null;
  /** Entries in the heap, stale ones included. */
  readonly heapSize: number;
  readonly agents: Readonly<Record<AgentStatus, number>>;
  readonly offered: number;
  readonly carriedOver: number;
  readonly leftQueue: number;
  readonly answeredWaits: CountTrie;
  readonly answeredWaitMs: number;
  readonly abandonWaits: CountTrie;
  readonly handled: number;
  readonly handleMs: number;
}

export interface AgentRecord {
  readonly agentId: string;
  readonly status: AgentStatus;
  /** When the agent entered `status`; null when no agent_state has been seen. */
  readonly since: number | null;
  readonly queueIds: readonly string[];
  readonly currentCallId: string | null;
  readonly callsAnswered: number;
  readonly talkMs: number;
  readonly holdMs: number;
  readonly wrapUpMs: number;
}

/** Immutable; treat as opaque and change it only through the functions of this module. */
export interface MetricsBook {
  readonly dayStart: number;
  /** How many times the day has rolled over. */
  readonly day: number;
  readonly nextSeq: number;
  readonly calls: PMap<CallRecord>;
  readonly queues: PMap<QueueRecord>;
  readonly agents: PMap<AgentRecord>;
}

export interface QueueSnapshot {
  queueId: string;
  /** Live, at `now`. */
  waiting: number;
  /** now − entry of the oldest waiting call (0 when none waits). */
  longestWaitSec: number;
  /** Members of the queue by status. */
  agents: Record<AgentStatus, number>;
  /** Today: calls that entered the queue. */
  offered: number;
  /** Today: calls that were already waiting when the day started (entered yesterday). */
  carriedOver: number;
  answered: number;
  /** Every abandon, short ones included. */
  abandoned: number;
  /** Abandons with wait < shortAbandonSec (a subset of `abandoned`). */
  shortAbandoned: number;
  leftQueue: number;
  /** Answered with wait ≤ serviceLevelSec ÷ (answered + abandoned − shortAbandoned); null when 0 ÷ 0. */
  serviceLevelPct: number | null;
  /** (abandoned − shortAbandoned) ÷ (offered + carriedOver − shortAbandoned); null when 0 ÷ 0. */
  abandonRatePct: number | null;
  /** Average wait of the calls answered today. */
  asaSec: number | null;
  /** Average talk + hold + wrap-up of the calls whose wrap-up ended today. */
  ahtSec: number | null;
}

export interface AgentSnapshot {
  agentId: string;
  status: AgentStatus;
  inStatusSec: number;
  /** Today. */
  callsAnswered: number;
  talkSec: number;
  holdSec: number;
  wrapUpSec: number;
  currentCallId: string | null;
}

const ZERO_BY_STATUS: Readonly<Record<AgentStatus, number>> = Object.freeze(
  Object.fromEntries(AGENT_STATUSES.map((s) => [s, 0])) as Record<AgentStatus, number>,
);

export function emptyBook(dayStart: number): MetricsBook {
  return { dayStart, day: 0, nextSeq: 0, calls: emptyPMap(), queues: emptyPMap(), agents: emptyPMap() };
}

function newQueue(queueId: string): QueueRecord {
  return {
    queueId,
    waiting: 0,
    heap: null,
    heapSize: 0,
    agents: ZERO_BY_STATUS,
    offered: 0,
    carriedOver: 0,
    leftQueue: 0,
    answeredWaits: EMPTY_COUNT_TRIE,
    answeredWaitMs: 0,
    abandonWaits: EMPTY_COUNT_TRIE,
    handled: 0,
    handleMs: 0,
  };
}

function newAgent(agentId: string): AgentRecord {
  return { agentId, status: 'logged_out', since: null, queueIds: [], currentCallId: null, callsAnswered: 0, talkMs: 0, holdMs: 0, wrapUpMs: 0 };
}

function newCall(callId: string, queueId: string): CallRecord {
  return {
    callId,
    phase: 'waiting',
    queueId,
    offeredIn: [],
    enteredAt: 0,
    waitSeq: -1,
    agentId: null,
    answeredAt: 0,
    holdSince: null,
    holdStarts: [],
    holdEnds: [],
    holdMs: 0,
    talkEndedAt: 0,
    talkMs: 0,
    endedDay: 0,
  };
}

const queueOf = (b: MetricsBook, queueId: string): QueueRecord => pmapGet(b.queues, queueId) ?? newQueue(queueId);
const agentOf = (b: MetricsBook, agentId: string): AgentRecord => pmapGet(b.agents, agentId) ?? newAgent(agentId);
const withCall = (b: MetricsBook, c: CallRecord): MetricsBook => ({ ...b, calls: pmapSet(b.calls, c.callId, c) });
const withQueue = (b: MetricsBook, q: QueueRecord): MetricsBook => ({ ...b, queues: pmapSet(b.queues, q.queueId, q) });
const withAgent = (b: MetricsBook, a: AgentRecord): MetricsBook => ({ ...b, agents: pmapSet(b.agents, a.agentId, a) });
const span = (from: number, to: number): number => Math.max(0, to - from);
/** A wait as stored: whole ms within the count trie's range. */
const waitMs = (from: number, to: number): number => Math.min(COUNT_TRIE_MAX, Math.round(span(from, to)));

/** Folds one event into the book. Returns the same book when the event changes nothing. */
export function applyMetricsEvent(book: MetricsBook, e: MetricsEvent): MetricsBook {
  switch (e.kind) {
    case 'call_entered':
      return callEntered(book, e.callId, e.queueId, e.at);
    case 'call_answered':
      return callAnswered(book, e.callId, e.queueId, e.agentId, e.at);
    case 'call_abandoned': {
      const c = pmapGet(book.calls, e.callId);
      return c?.phase === 'waiting' ? endWait(book, c, 'abandoned', e.at) : book;
    }
    case 'call_left_queue': {
      const c = pmapGet(book.calls, e.callId);
      return c?.phase === 'waiting' && c.queueId === e.queueId ? endWait(book, c, 'left', e.at) : book;
    }
    case 'hold_started': {
      const c = pmapGet(book.calls, e.callId);
      if (!c || c.phase !== 'talking' || c.holdSince !== null || c.holdStarts.includes(e.at)) return book;
      return withCall(book, { ...c, holdSince: e.at, holdStarts: [...c.holdStarts, e.at] });
    }
    case 'hold_ended': {
      const c = pmapGet(book.calls, e.callId);
      if (!c || c.phase !== 'talking' || c.holdSince === null || e.at < c.holdSince || c.holdEnds.includes(e.at)) return book;
      return withCall(book, { ...c, holdSince: null, holdEnds: [...c.holdEnds, e.at], holdMs: c.holdMs + span(c.holdSince, e.at) });
    }
    case 'talk_ended': {
      const c = pmapGet(book.calls, e.callId);
      return c?.phase === 'talking' ? talkEnded(book, c, e.at).book : book;
    }
    case 'wrap_up_ended':
      return wrapUpEnded(book, e.callId, e.at);
    case 'agent_state':
      return agentState(book, e.agentId, e.status, e.at);
    case 'agent_queues':
      return agentQueues(book, e.agentId, e.queueIds);
    default:
      return book;
  }
}

function callEntered(book: MetricsBook, callId: string, queueId: string, at: number): MetricsBook {
  let b = book;
  let c = pmapGet(b.calls, callId);
  if (c) {
    if (c.offeredIn.includes(queueId)) return book;
    if (c.phase === 'waiting') {
      b = endWait(b, c, 'left', at);
      c = pmapGet(b.calls, callId)!;
    } else if (c.phase !== 'left') return book;
  }
  const seq = b.nextSeq;
  const base = c ?? newCall(callId, queueId);
  const call: CallRecord = { ...base, phase: 'waiting', queueId, offeredIn: [...base.offeredIn, queueId], enteredAt: at, waitSeq: seq };
  const q = queueOf(b, queueId);
  b = withQueue(withCall({ ...b, nextSeq: seq + 1 }, call), {
    ...q,
    waiting: q.waiting + 1,
    offered: q.offered + 1,
    heap: heapInsert(q.heap, { at, seq, callId }),
    heapSize: q.heapSize + 1,
  });
  return b;
}

/** Ends the wait of a waiting call: answered (then talking), abandoned or left. */
function endWait(book: MetricsBook, c: CallRecord, outcome: 'answered' | 'abandoned' | 'left', at: number, agentId: string | null = null): MetricsBook {
  const wait = waitMs(c.enteredAt, at);
  const call: CallRecord =
    outcome === 'answered'
      ? { ...c, phase: 'talking', waitSeq: -1, agentId, answeredAt: at }
      : { ...c, phase: outcome, waitSeq: -1, endedDay: book.day };
  const b = withCall(book, call);
  const q0 = queueOf(b, c.queueId);
  const q: QueueRecord =
    outcome === 'answered'
      ? { ...q0, waiting: q0.waiting - 1, answeredWaits: countTrieAdd(q0.answeredWaits, wait), answeredWaitMs: q0.answeredWaitMs + wait }
      : outcome === 'abandoned'
        ? { ...q0, waiting: q0.waiting - 1, abandonWaits: countTrieAdd(q0.abandonWaits, wait) }
        : { ...q0, waiting: q0.waiting - 1, leftQueue: q0.leftQueue + 1 };
  return withQueue(b, dropStaleTops(q, b.calls));
}

/**
 * Pops heap tops that no longer wait, so the top is always the oldest waiting call; rebuilds the heap when
 * stale entries (calls that stopped waiting while an older one still waits) outnumber the live ones.
 * Each entry is popped or rebuilt away once, so this is amortized O(log n) per wait.
 */
function dropStaleTops(q: QueueRecord, calls: PMap<CallRecord>): QueueRecord {
  const live = (seq: number, callId: string): boolean => {
    const c = pmapGet(calls, callId);
    return c !== undefined && c.phase === 'waiting' && c.waitSeq === seq;
  };
  let heap = q.heap;
  let heapSize = q.heapSize;
  while (heap && !live(heap.entry.seq, heap.entry.callId)) {
    heap = heapPop(heap);
    heapSize--;
  }
  if (heapSize > 2 * q.waiting + 32) {
    const entries = heapEntries(heap).filter((en) => live(en.seq, en.callId));
    heap = heapFrom(entries);
    heapSize = entries.length;
  }
  return heap === q.heap ? q : { ...q, heap, heapSize };
}

function callAnswered(book: MetricsBook, callId: string, queueId: string, agentId: string, at: number): MetricsBook {
  const c = pmapGet(book.calls, callId);
  let b: MetricsBook;
  if (c?.phase === 'waiting') {
    b = endWait(book, c, 'answered', at, agentId);
  } else if (!c || c.phase === 'left') {
    // Wait unknown: track from the answer on, for the agent and the queue's AHT only.
    const base = c ?? newCall(callId, queueId);
    b = withCall(book, { ...base, phase: 'talking', queueId, waitSeq: -1, agentId, answeredAt: at });
    if (!pmapGet(b.queues, queueId)) b = withQueue(b, newQueue(queueId));
  } else {
    return book;
  }
  const a = agentOf(b, agentId);
  return withAgent(b, { ...a, callsAnswered: a.callsAnswered + 1, currentCallId: callId });
}

function talkEnded(book: MetricsBook, c: CallRecord, at: number): { book: MetricsBook; call: CallRecord } {
  const holdMs = c.holdMs + (c.holdSince === null ? 0 : span(c.holdSince, at));
  const talkMs = Math.max(0, span(c.answeredAt, at) - holdMs);
  const call: CallRecord = { ...c, phase: 'wrap_up', holdSince: null, holdMs, talkMs, talkEndedAt: at };
  let b = withCall(book, call);
  if (c.agentId !== null) {
    const a = agentOf(b, c.agentId);
    b = withAgent(b, { ...a, talkMs: a.talkMs + talkMs, holdMs: a.holdMs + holdMs });
  }
  return { book: b, call };
}

function wrapUpEnded(book: MetricsBook, callId: string, at: number): MetricsBook {
  let c = pmapGet(book.calls, callId);
  let b = book;
  if (c?.phase === 'talking') ({ book: b, call: c } = talkEnded(b, c, at));
  if (c?.phase !== 'wrap_up') return book;
  const wrapMs = span(c.talkEndedAt, at);
  b = withCall(b, { ...c, phase: 'done', endedDay: b.day });
  const q = queueOf(b, c.queueId);
  b = withQueue(b, { ...q, handled: q.handled + 1, handleMs: q.handleMs + c.talkMs + c.holdMs + wrapMs });
  if (c.agentId !== null) {
    const a = agentOf(b, c.agentId);
    b = withAgent(b, { ...a, wrapUpMs: a.wrapUpMs + wrapMs, currentCallId: a.currentCallId === callId ? null : a.currentCallId });
  }
  return b;
}

function countAgent(q: QueueRecord, status: AgentStatus, delta: number): QueueRecord {
  return { ...q, agents: { ...q.agents, [status]: q.agents[status] + delta } };
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set(AGENT_STATUSES);

function agentState(book: MetricsBook, agentId: string, status: AgentStatus, at: number): MetricsBook {
  if (!KNOWN_STATUSES.has(status)) return book;
  const a = agentOf(book, agentId);
  if (a.status === status && a.since !== null) return book;
  if (a.since !== null && at < a.since) return book;
  let b = withAgent(book, { ...a, status, since: at });
  if (a.status !== status) {
    for (const qid of a.queueIds) b = withQueue(b, countAgent(countAgent(queueOf(b, qid), a.status, -1), status, 1));
  }
  return b;
}

function agentQueues(book: MetricsBook, agentId: string, queueIds: readonly string[]): MetricsBook {
  const a = agentOf(book, agentId);
  const next = [...new Set(queueIds)];
  const known = pmapGet(book.agents, agentId) !== undefined;
  if (known && next.length === a.queueIds.length && next.every((q) => a.queueIds.includes(q))) return book;
  let b = withAgent(book, { ...a, queueIds: next });
  for (const qid of a.queueIds) if (!next.includes(qid)) b = withQueue(b, countAgent(queueOf(b, qid), a.status, -1));
  for (const qid of next) if (!a.queueIds.includes(qid)) b = withQueue(b, countAgent(queueOf(b, qid), a.status, 1));
  return b;
}

/**
 * Starts a new day at `dayStart`: resets today's queue and agent counters; keeps live calls (waiting ones
 * become the queues' `carriedOver`), agents, statuses and memberships. Ignored unless `dayStart` is later
 * than the book's, so a repeated call does nothing.
 */
export function startNewDay(book: MetricsBook, dayStart: number): MetricsBook {
  if (!(dayStart > book.dayStart)) return book;
  const day = book.day + 1;
  let queues = book.queues;
  for (const [id, q] of pmapEntries(book.queues)) {
    queues = pmapSet(queues, id, {
      ...newQueue(id),
      waiting: q.waiting,
      heap: q.heap,
      heapSize: q.heapSize,
      agents: q.agents,
      carriedOver: q.waiting,
    });
  }
  let agents = book.agents;
  for (const [id, a] of pmapEntries(book.agents)) {
    agents = pmapSet(agents, id, { ...a, callsAnswered: 0, talkMs: 0, holdMs: 0, wrapUpMs: 0 });
  }
  // Forget calls that ended before the day that is now ending.
  const calls = pmapFilter(book.calls, (c) => !(c.phase === 'left' || c.phase === 'abandoned' || c.phase === 'done') || c.endedDay >= book.day);
  return { ...book, dayStart, day, calls, queues, agents };
}

const pct = (num: number, den: number): number | null => (den > 0 ? (num / den) * 100 : null);
const avgSec = (sumMs: number, n: number): number | null => (n > 0 ? sumMs / n / 1000 : null);

/** Figures for one queue at `now` (an unknown queue gives zeros and nulls). */
export function queueSnapshot(book: MetricsBook, queueId: string, config: QueueMetricsConfig, now: number): QueueSnapshot {
  const q = queueOf(book, queueId);
  const answered = q.answeredWaits.count;
  const abandoned = q.abandonWaits.count;
  const shortAbandoned = countTrieBelow(q.abandonWaits, config.shortAbandonSec * 1000);
  const withinSl = countTrieAtMost(q.answeredWaits, config.serviceLevelSec * 1000);
  return {
    queueId,
    waiting: q.waiting,
    longestWaitSec: q.heap && q.waiting > 0 ? span(q.heap.entry.at, now) / 1000 : 0,
    agents: { ...q.agents },
    offered: q.offered,
    carriedOver: q.carriedOver,
    answered,
    abandoned,
    shortAbandoned,
    leftQueue: q.leftQueue,
    serviceLevelPct: pct(withinSl, answered + abandoned - shortAbandoned),
    abandonRatePct: pct(abandoned - shortAbandoned, q.offered + q.carriedOver - shortAbandoned),
    asaSec: avgSec(q.answeredWaitMs, answered),
    ahtSec: avgSec(q.handleMs, q.handled),
  };
}

/** Figures for one agent at `now` (an agent never seen is logged out with zeros). */
export function agentSnapshot(book: MetricsBook, agentId: string, now: number): AgentSnapshot {
  const a = agentOf(book, agentId);
  return {
    agentId,
    status: a.status,
    inStatusSec: a.since === null ? 0 : span(a.since, now) / 1000,
    callsAnswered: a.callsAnswered,
    talkSec: a.talkMs / 1000,
    holdSec: a.holdMs / 1000,
    wrapUpSec: a.wrapUpMs / 1000,
    currentCallId: a.currentCallId,
  };
}

/** Every queue seen in call events or memberships, sorted. */
export function queueIds(book: MetricsBook): string[] {
  return [...pmapEntries(book.queues)].map(([id]) => id).sort();
}

/** Every agent seen, sorted. */
export function agentIds(book: MetricsBook): string[] {
  return [...pmapEntries(book.agents)].map(([id]) => id).sort();
}
