import type { AgentState } from '../acd/agent-state.ts';
import type { AgentConfig, QueueConfig } from '../acd/config.ts';
import { estimatedWaitSec } from '../acd/routing/index.ts';
import type { AgentMetricsView, MetricsView, QueueMetricsView } from '../api/protocol.ts';
import { agentSnapshot, applyMetricsEvent, emptyBook, queueSnapshot, startNewDay, type MetricsBook, type MetricsEvent } from './live-metrics.ts';

/** Midnight of the day containing `at`, in `timezone`, as ms since the epoch. */
export function dayStartIn(timezone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return at - ((n('hour') * 60 + n('minute')) * 60 + n('second')) * 1000 - (at % 1000);
}

const ANSWER_WINDOW_SEC = 900;

/**
 * Keeps the live metrics book (a pure reducer, ./live-metrics.ts) fed with what
 * the ACD and the call tracker report, and renders the views the supervisor
 * screens and the wallboard show.
 */
export class MetricsService {
  private book: MetricsBook;
  private version = 0;
  private queues = new Map<string, QueueConfig>();
  private agents = new Map<string, AgentConfig>();
  private readonly answers = new Map<string, number[]>();
  private readonly lastCallOf = new Map<string, string>();

  constructor(
    private readonly timezone: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.book = emptyBook(dayStartIn(timezone, clock()));
  }

  /** Bumps whenever the figures changed; pushers compare it. */
  get changeCount(): number {
    return this.version;
  }

  configure(queues: readonly QueueConfig[], agents: readonly AgentConfig[]): void {
    this.queues = new Map(queues.map((q) => [q.id, q]));
    this.agents = new Map(agents.map((a) => [a.id, a]));
    const memberships = new Map<string, string[]>();
    for (const q of queues) for (const m of q.members) memberships.set(m.agentId, [...(memberships.get(m.agentId) ?? []), q.id]);
    for (const a of agents) this.apply({ kind: 'agent_queues', agentId: a.id, queueIds: memberships.get(a.id) ?? [] });
  }

  apply(event: MetricsEvent): void {
    const today = dayStartIn(this.timezone, this.clock());
    if (today > this.book.dayStart) this.book = startNewDay(this.book, today);
    const next = applyMetricsEvent(this.book, event);
    if (next === this.book) return;
    this.book = next;
    this.version++;
    if (event.kind === 'call_answered') {
      const list = this.answers.get(event.queueId) ?? [];
      list.push(event.at);
      while (list.length > 0 && list[0]! < event.at - ANSWER_WINDOW_SEC * 1000) list.shift();
      this.answers.set(event.queueId, list);
      this.lastCallOf.set(event.agentId, event.callId);
    }
  }

  agentState(state: AgentState): void {
    const previous = this.lastCallOf.get(state.agentId);
    // Wrap-up (after-call work) ends when the agent leaves wrap_up / on_call for ready, not ready or logout.
    if (previous && state.status !== 'on_call' && state.status !== 'wrap_up' && state.status !== 'reserved') {
      this.apply({ kind: 'wrap_up_ended', callId: previous, agentId: state.agentId, at: state.since });
      this.lastCallOf.delete(state.agentId);
    }
    this.apply({ kind: 'agent_state', agentId: state.agentId, status: state.status, at: state.since });
  }

  /** Estimated wait of the caller at `position` in a queue, from the live answer rate. */
  estimatedWait(queueId: string, position: number): number | null {
    const now = this.clock();
    const q = this.queues.get(queueId);
    if (!q) return null;
    const s = queueSnapshot(this.book, queueId, { serviceLevelSec: q.serviceLevelSec, shortAbandonSec: q.shortAbandonSec }, now);
    const staffed = Object.entries(s.agents).filter(([status]) => status !== 'logged_out' && status !== 'not_ready').reduce((n, [, c]) => n + c, 0);
    return estimatedWaitSec({ position, answeredTimestamps: this.answers.get(queueId) ?? [], now, windowSec: ANSWER_WINDOW_SEC, readyOrBusyAgents: staffed, fallbackHandleSec: s.ahtSec ?? 180 });
  }

  view(agentStates: ReadonlyMap<string, AgentState>, organizationId?: string): MetricsView {
    const now = this.clock();
    const queues: QueueMetricsView[] = [];
    for (const q of this.queues.values()) {
      if (organizationId && q.organizationId !== organizationId) continue;
      const s = queueSnapshot(this.book, q.id, { serviceLevelSec: q.serviceLevelSec, shortAbandonSec: q.shortAbandonSec }, now);
      queues.push({
        queueId: q.id, name: q.name, waiting: s.waiting, longestWaitSec: s.longestWaitSec, agents: s.agents,
        offered: s.offered, answered: s.answered, abandoned: s.abandoned, shortAbandoned: s.shortAbandoned, leftQueue: s.leftQueue,
        serviceLevelSec: q.serviceLevelSec, serviceLevelPct: s.serviceLevelPct, abandonRatePct: s.abandonRatePct, asaSec: s.asaSec, ahtSec: s.ahtSec,
        estimatedWaitSec: this.estimatedWait(q.id, s.waiting + 1),
      });
    }
    const agents: AgentMetricsView[] = [];
    for (const a of this.agents.values()) {
      if (organizationId && a.organizationId !== organizationId) continue;
      const s = agentSnapshot(this.book, a.id, now);
      const live = agentStates.get(a.id);
      agents.push({
        agentId: a.id, name: a.name, extension: a.extension, status: live?.status ?? s.status, reason: live?.reason ?? null,
        inStatusSec: s.inStatusSec, callsAnswered: s.callsAnswered, talkSec: s.talkSec, wrapUpSec: s.wrapUpSec, currentCallId: s.currentCallId,
      });
    }
    return { at: new Date(now).toISOString(), queues, agents };
  }
}
