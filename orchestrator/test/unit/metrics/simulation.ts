/**
 * A seeded contact-center day for the metrics tests: calls, agents and the events they produce, plus naive
 * reference computations of every snapshot field straight from the generated call list.
 */
import { AGENT_STATUSES, type AgentStatus } from '../../../src/acd/agent-state.ts';
import type { AgentSnapshot, MetricsEvent, QueueMetricsConfig, QueueSnapshot } from '../../../src/metrics/live-metrics.ts';

export { prng } from '../../support/prng.ts';
import { prng } from '../../support/prng.ts';

export interface SimSegment {
  callId: string;
  queueId: string;
  enteredAt: number;
  outcome: 'answered' | 'abandoned' | 'left';
  endAt: number;
}

export interface SimCall {
  callId: string;
  segments: SimSegment[];
  agentId: string | null;
  answerQueue: string | null;
  answeredAt: number;
  holds: { start: number; end: number }[];
  talkEndedAt: number;
  wrapEndedAt: number;
}

export interface TimedEvent {
  at: number;
  seq: number;
  event: MetricsEvent;
}

export interface Simulation {
  day0: number;
  day1: number;
  queues: string[];
  agents: string[];
  calls: SimCall[];
  /** Per agent, the time-ordered status changes as generated. */
  statusLog: Map<string, { at: number; status: AgentStatus }[]>;
  /** Per agent, the time-ordered memberships as generated. */
  membershipLog: Map<string, { at: number; queueIds: string[] }[]>;
  /** All events in feed order, duplicates included. */
  feed: TimedEvent[];
  /** Events without the injected duplicates. */
  eventCount: number;
}

class MinHeap<T> {
  private items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  push(x: T): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

export interface SimOptions {
  seed: number;
  callsPerQueue: number;
  queueCount: number;
  agentsPerQueue: number;
  /** Arrivals spread over this window, centred on midnight. */
  windowMs: number;
  duplicates: boolean;
}

export function simulate(opts: SimOptions): Simulation {
  const rnd = prng(opts.seed);
  const uniform = (lo: number, hi: number): number => Math.floor(lo + rnd() * (hi - lo));
  const expo = (mean: number): number => Math.floor(-Math.log(1 - rnd()) * mean);
  const day0 = Date.UTC(2024, 2, 4) - 8 * HOUR; // any local midnight
  const day1 = day0 + 24 * HOUR;
  const start = day1 - opts.windowMs / 2;
  const queues = Array.from({ length: opts.queueCount }, (_, i) => `q${i}`);
  const hasWrapUp = (q: number): boolean => q % 10 < 7;
  const overflows = (q: number): boolean => q % 2 === 0;

  let seq = 0;
  const events: TimedEvent[] = [];
  const emit = (at: number, event: MetricsEvent): void => {
    events.push({ at, seq: seq++, event });
  };
  const statusLog = new Map<string, { at: number; status: AgentStatus }[]>();
  const membershipLog = new Map<string, { at: number; queueIds: string[] }[]>();
  const setStatus = (agentId: string, status: AgentStatus, at: number): void => {
    statusLog.get(agentId)!.push({ at, status });
    emit(at, { kind: 'agent_state', agentId, status, at });
  };
  const setMembership = (agentId: string, queueIds: string[], at: number): void => {
    membershipLog.get(agentId)!.push({ at, queueIds });
    emit(at, { kind: 'agent_queues', agentId, queueIds });
  };

  // Agents: a team per queue, plus floaters in several queues who take no calls and wander between statuses.
  const agents: string[] = [];
  const freeAt = new Map<string, number>();
  const team = queues.map((q, qi) =>
    Array.from({ length: opts.agentsPerQueue }, (_, i) => {
      const id = `a${qi}-${i}`;
      agents.push(id);
      statusLog.set(id, []);
      membershipLog.set(id, []);
      const login = start - HOUR + uniform(0, 10 * MIN);
      setMembership(id, [q], login);
      setStatus(id, 'not_ready', login);
      const ready = login + uniform(0, 5 * MIN);
      setStatus(id, 'ready', ready);
      freeAt.set(id, ready);
      return id;
    }),
  );
  for (let f = 0; f < 5; f++) {
    const id = `f${f}`;
    agents.push(id);
    statusLog.set(id, []);
    membershipLog.set(id, []);
    let t = start - HOUR + uniform(0, HOUR);
    setMembership(id, queues.filter(() => rnd() < 0.4), t);
    let last: AgentStatus = 'logged_out';
    let changedMembership = false;
    while (t < start + opts.windowMs + HOUR) {
      const status = AGENT_STATUSES[uniform(0, AGENT_STATUSES.length)]!;
      if (status !== last) setStatus(id, status, t);
      last = status;
      t += expo(20 * MIN) + 1;
      if (!changedMembership && t > day1 - HOUR) {
        setMembership(id, queues.filter(() => rnd() < 0.5), t);
        changedMembership = true;
      }
    }
  }

  // Arrivals, processed in time order; overflow re-enters the next queue as another wait of the same call.
  interface Arrival {
    call: SimCall;
    qi: number;
    at: number;
    seq: number;
  }
  const pending = new MinHeap<Arrival>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  let arrivalSeq = 0;
  const calls: SimCall[] = [];
  queues.forEach((_, qi) => {
    let t = start;
    for (let i = 0; i < opts.callsPerQueue; i++) {
      t += expo(opts.windowMs / opts.callsPerQueue);
      const call: SimCall = { callId: `c${qi}-${i}`, segments: [], agentId: null, answerQueue: null, answeredAt: 0, holds: [], talkEndedAt: 0, wrapEndedAt: 0 };
      calls.push(call);
      pending.push({ call, qi, at: t, seq: arrivalSeq++ });
    }
  });

  for (let arr = pending.pop(); arr; arr = pending.pop()) {
    const { call, qi, at } = arr;
    const queueId = queues[qi]!;
    emit(at, { kind: 'call_entered', callId: call.callId, queueId, at });
    const r = rnd();
    const patience = r < 0.12 ? uniform(0, 10 * SEC) : r < 0.14 ? 10 * SEC : r < 0.16 ? uniform(10 * SEC, 20 * SEC) : expo(3 * MIN);
    const firstWait = call.segments.length === 0;
    const leaveAfter = overflows(qi) && firstWait ? 150 * SEC : rnd() < 0.05 ? uniform(20 * SEC, 90 * SEC) : Infinity;
    const members = team[qi]!;
    let agentId = members[0]!;
    for (const m of members) if (freeAt.get(m)! < freeAt.get(agentId)!) agentId = m;
    const answerAt = Math.max(at, freeAt.get(agentId)!);
    const abandonAt = at + patience;
    const leaveAt = at + leaveAfter;
    if (answerAt <= abandonAt && answerAt <= leaveAt) {
      call.segments.push({ callId: call.callId, queueId, enteredAt: at, outcome: 'answered', endAt: answerAt });
      call.agentId = agentId;
      call.answerQueue = queueId;
      call.answeredAt = answerAt;
      emit(answerAt, { kind: 'call_answered', callId: call.callId, queueId, agentId, at: answerAt });
      setStatus(agentId, 'on_call', answerAt);
      const talkTotal = uniform(20 * SEC, 6 * MIN);
      const talkEnd = answerAt + talkTotal;
      if (rnd() < 0.35) {
        let t = answerAt + uniform(0, talkTotal / 3);
        const holdCount = uniform(1, 3);
        for (let h = 0; h < holdCount && t < talkEnd; h++) {
          const open = h === holdCount - 1 && rnd() < 0.15;
          const end = open ? talkEnd : Math.min(talkEnd, t + uniform(0, 90 * SEC));
          emit(t, { kind: 'hold_started', callId: call.callId, at: t });
          if (!open) emit(end, { kind: 'hold_ended', callId: call.callId, at: end });
          call.holds.push({ start: t, end });
          t = end + uniform(0, 60 * SEC);
        }
      }
      call.talkEndedAt = talkEnd;
      emit(talkEnd, { kind: 'talk_ended', callId: call.callId, at: talkEnd });
      const wrapEnd = hasWrapUp(qi) ? talkEnd + uniform(0, 60 * SEC) : talkEnd;
      const breakMs = rnd() < 0.1 ? uniform(MIN, 15 * MIN) : 0;
      const afterCall: AgentStatus = breakMs > 0 ? 'not_ready' : 'ready';
      if (hasWrapUp(qi)) setStatus(agentId, 'wrap_up', talkEnd);
      else setStatus(agentId, afterCall, talkEnd);
      call.wrapEndedAt = wrapEnd;
      emit(wrapEnd, { kind: 'wrap_up_ended', callId: call.callId, agentId, at: wrapEnd });
      if (hasWrapUp(qi)) setStatus(agentId, afterCall, wrapEnd);
      if (breakMs > 0) setStatus(agentId, 'ready', wrapEnd + breakMs);
      freeAt.set(agentId, wrapEnd + breakMs);
    } else if (abandonAt <= leaveAt) {
      call.segments.push({ callId: call.callId, queueId, enteredAt: at, outcome: 'abandoned', endAt: abandonAt });
      emit(abandonAt, { kind: 'call_abandoned', callId: call.callId, queueId, at: abandonAt });
    } else {
      call.segments.push({ callId: call.callId, queueId, enteredAt: at, outcome: 'left', endAt: leaveAt });
      const reason = overflows(qi) && firstWait ? 'overflow' : 'callback';
      emit(leaveAt, { kind: 'call_left_queue', callId: call.callId, queueId, at: leaveAt, reason });
      if (reason === 'overflow') pending.push({ call, qi: (qi + 1) % queues.length, at: leaveAt, seq: arrivalSeq++ });
    }
  }

  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  const feed: TimedEvent[] = [];
  const late: { due: number; ev: TimedEvent }[] = [];
  events.forEach((ev, i) => {
    feed.push(ev);
    if (!opts.duplicates) return;
    if (rnd() < 0.02) feed.push(ev); // redelivered at once
    if (ev.event.kind !== 'agent_state' && rnd() < 0.01) late.push({ due: i + uniform(1, 200), ev });
    for (let j = late.length - 1; j >= 0; j--) {
      if (late[j]!.due <= i) {
        feed.push(late[j]!.ev); // redelivered later, with its old time
        late.splice(j, 1);
      }
    }
  });
  for (const l of late) feed.push(l.ev);
  return { day0, day1, queues, agents, calls, statusLog, membershipLog, feed, eventCount: events.length };
}

// ---- naive reference figures, straight from the call list ----

const within = (x: number, from: number, to: number): boolean => x >= from && x <= to;
const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
const mean = (xs: number[]): number | null => (xs.length ? sum(xs) / xs.length : null);

function lastAtOrBefore<T extends { at: number }>(log: T[] | undefined, t: number): T | undefined {
  let found: T | undefined;
  for (const x of log ?? []) if (x.at <= t) found = x;
  return found;
}

/** When the agent entered the status it has at t: the first of the run of equal statuses ending at t. */
function statusAt(sim: Simulation, agentId: string, t: number): { status: AgentStatus; since: number | null } {
  const log = (sim.statusLog.get(agentId) ?? []).filter((x) => x.at <= t);
  const last = log[log.length - 1];
  if (!last) return { status: 'logged_out', since: null };
  let i = log.length - 1;
  while (i > 0 && log[i - 1]!.status === last.status) i--;
  return { status: last.status, since: log[i]!.at };
}

function callFigures(c: SimCall): { hold: number; talk: number; wrap: number } {
  const hold = sum(c.holds.map((h) => h.end - h.start));
  return { hold, talk: c.talkEndedAt - c.answeredAt - hold, wrap: c.wrapEndedAt - c.talkEndedAt };
}

export function naiveQueue(sim: Simulation, queueId: string, config: QueueMetricsConfig, t: number): QueueSnapshot {
  const dayStart = t >= sim.day1 ? sim.day1 : sim.day0;
  const segs = sim.calls.flatMap((c) => c.segments).filter((s) => s.queueId === queueId);
  const waitingSegs = segs.filter((s) => s.enteredAt <= t && s.endAt > t);
  const ended = (outcome: SimSegment['outcome']): SimSegment[] => segs.filter((s) => s.outcome === outcome && within(s.endAt, dayStart, t));
  const answered = ended('answered');
  const abandoned = ended('abandoned');
  const shortAbandoned = abandoned.filter((s) => s.endAt - s.enteredAt < config.shortAbandonSec * 1000);
  const offered = segs.filter((s) => within(s.enteredAt, dayStart, t)).length;
  const carriedOver = segs.filter((s) => s.enteredAt < dayStart && s.endAt >= dayStart).length;
  const inSl = answered.filter((s) => s.endAt - s.enteredAt <= config.serviceLevelSec * 1000).length;
  const handled = sim.calls.filter((c) => c.answerQueue === queueId && within(c.wrapEndedAt, dayStart, t));
  const agents = Object.fromEntries(AGENT_STATUSES.map((s) => [s, 0])) as Record<AgentStatus, number>;
  for (const a of sim.agents) {
    if (lastAtOrBefore(sim.membershipLog.get(a), t)?.queueIds.includes(queueId)) agents[statusAt(sim, a, t).status]++;
  }
  const slDen = answered.length + abandoned.length - shortAbandoned.length;
  const arDen = offered + carriedOver - shortAbandoned.length;
  const asa = mean(answered.map((s) => s.endAt - s.enteredAt));
  const aht = mean(handled.map((c) => {
    const f = callFigures(c);
    return f.talk + f.hold + f.wrap;
  }));
  return {
    queueId,
    waiting: waitingSegs.length,
    longestWaitSec: waitingSegs.length ? Math.max(...waitingSegs.map((s) => t - s.enteredAt)) / 1000 : 0,
    agents,
    offered,
    carriedOver,
    answered: answered.length,
    abandoned: abandoned.length,
    shortAbandoned: shortAbandoned.length,
    leftQueue: ended('left').length,
    serviceLevelPct: slDen ? (100 * inSl) / slDen : null,
    abandonRatePct: arDen ? (100 * (abandoned.length - shortAbandoned.length)) / arDen : null,
    asaSec: asa === null ? null : asa / 1000,
    ahtSec: aht === null ? null : aht / 1000,
  };
}

export function naiveAgent(sim: Simulation, agentId: string, t: number): AgentSnapshot {
  const dayStart = t >= sim.day1 ? sim.day1 : sim.day0;
  const mine = sim.calls.filter((c) => c.agentId === agentId);
  const { status, since } = statusAt(sim, agentId, t);
  const talked = mine.filter((c) => within(c.talkEndedAt, dayStart, t)).map(callFigures);
  const current = mine.filter((c) => c.answeredAt <= t && c.wrapEndedAt > t);
  return {
    agentId,
    status,
    inStatusSec: since === null ? 0 : (t - since) / 1000,
    callsAnswered: mine.filter((c) => within(c.answeredAt, dayStart, t)).length,
    talkSec: sum(talked.map((f) => f.talk)) / 1000,
    holdSec: sum(talked.map((f) => f.hold)) / 1000,
    wrapUpSec: sum(mine.filter((c) => within(c.wrapEndedAt, dayStart, t)).map((c) => callFigures(c).wrap)) / 1000,
    currentCallId: current[current.length - 1]?.callId ?? null,
  };
}
