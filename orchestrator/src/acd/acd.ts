import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { applyAgentCommand, initialAgentState, type AgentCommand, type AgentState } from './agent-state.ts';
import { compareCalls, planOffers, type RoutingAgent, type RoutingCall, type RoutingQueue, type SkillRequirement } from './routing/index.ts';
import type { WaitingPosition } from './announcements.ts';
import { EslNotConnectedError } from '../esl/errors.ts';
import type { AgentConfig, QueueConfig } from './config.ts';
import type { CallControl, OfferOutcome } from './call-control.ts';
import { isOpen, type Calendar } from './calendar.ts';
import { diversionFor, waitingCallMustLeave, type Diversion, type LeaveReason } from './overflow.ts';

export interface QueuedCallInfo {
  callId: string;
  callerUuid: string;
  queueId: string;
  callerNumber: string;
  callerName: string;
  enqueuedAt: number;
  /** Higher is served first (VIP customers, fault reports). */
  priority: number;
  /** Skills the call needs besides the queue's rules (from IVR data). */
  requiredSkills: readonly SkillRequirement[];
  /** The customer's dedicated agent or last agent. */
  preferredAgentId: string | null;
  /** Set for a callback in queue: the number to call back (there is no caller channel: callerUuid is ''). */
  callbackNumber?: string | null;
}

interface WaitingCall {
  info: QueuedCallInfo;
  /** agentId -> agent leg uuid, for every agent being rung for this call */
  ringing: Map<string, string>;
  missedBy: Set<string>;
  /** Set once an agent answered and the bridge is being made. */
  connecting: string | null;
}

interface ConnectedCall {
  agentId: string;
  queueId: string;
  connectedAt: number;
}

interface AgentStats {
  callsToday: number;
  talkSecondsToday: number;
  lastOfferedAt: number;
  consecutiveMisses: number;
}

export interface OfferEvent {
  callId: string;
  agentId: string;
  agentLegUuid: string;
  queueId: string;
}

export interface AcdEvents {
  agent: [AgentState];
  offering: [OfferEvent];
  offer_failed: [OfferEvent & { cause: string }];
  connected: [OfferEvent & { at: number; call: QueuedCallInfo }];
  /** The call left its queue unanswered; `diversion` says where it went (another queue keeps it in the ACD). */
  left_queue: [{ callId: string; queueId: string; reason: LeaveReason; diversion: Diversion; at: number }];
  /** A caller chose to be called back: `callback` keeps their place in the queue. */
  callback_queued: [{ originCallId: string; callback: QueuedCallInfo }];
  queue_changed: [{ queueId: string }];
}

export class UnknownAgentError extends Error {
  override readonly name = 'UnknownAgentError';
}

/** Offers that fail with these causes count as the agent not answering. */
const NO_ANSWER_CAUSES = new Set(['NO_ANSWER', 'ALLOTTED_TIMEOUT', 'NO_USER_RESPONSE', 'CALL_REJECTED', 'USER_BUSY']);
/** Failures that are nobody's fault: the caller left or the switch is unreachable. */
const NEUTRAL_CAUSES = new Set(['ORIGINATOR_CANCEL', 'SWITCH_UNAVAILABLE', 'LOSE_RACE', 'BRIDGE_FAILED']);

const dayOf = (t: number) => Math.floor(t / 86_400_000);

function toRoutingCall(c: WaitingCall): RoutingCall {
  return {
    id: c.info.callId,
    queueId: c.info.queueId,
    priority: c.info.priority,
    enqueuedAt: c.info.enqueuedAt,
    requiredSkills: c.info.requiredSkills,
    preferredAgentId: c.info.preferredAgentId,
    ringing: [...c.ringing.keys()],
    missedBy: [...c.missedBy],
  };
}

/**
 * Automatic call distribution: keeps waiting calls and agent states, asks the
 * pure routing engine (./routing) whom to offer which call, and drives offers,
 * bridges and diversions through the CallControl port. It knows nothing of
 * CDRs, HTTP or ESL: the composition root wires its events to those.
 */
export class Acd extends EventEmitter<AcdEvents> {
  private readonly queues = new Map<string, QueueConfig>();
  private readonly routingQueues = new Map<string, RoutingQueue>();
  private readonly calendars = new Map<string, Calendar>();
  private readonly agentConfigs = new Map<string, AgentConfig>();
  private readonly agents = new Map<string, AgentState>();
  private readonly stats = new Map<string, AgentStats>();
  private readonly waiting = new Map<string, WaitingCall>();
  private readonly connected = new Map<string, ConnectedCall>();
  private readonly wrapUpTimers = new Map<string, NodeJS.Timeout>();
  private dispatchScheduled = false;
  private switchAvailable = false;
  private overflowTimer: NodeJS.Timeout | undefined;
  private statsDay = -1;

  constructor(
    private readonly control: CallControl,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    super();
  }

  start(): void {
    this.overflowTimer = setInterval(() => this.checkWaitingCalls(), 1000);
    this.overflowTimer.unref();
  }

  stop(): void {
    clearInterval(this.overflowTimer);
    for (const t of this.wrapUpTimers.values()) clearTimeout(t);
    this.wrapUpTimers.clear();
  }

  /** Offers are only made while the switch is reachable; waiting calls are kept meanwhile. */
  setSwitchAvailable(available: boolean): void {
    this.switchAvailable = available;
    if (available) {
      this.scheduleDispatch();
      this.checkWaitingCalls();
    }
  }

  /** Replaces queue, agent and calendar configuration (after an admin change); live states are kept. */
  configure(queues: readonly QueueConfig[], agents: readonly AgentConfig[], calendars: readonly (Calendar & { id: string })[] = []): void {
    this.queues.clear();
    this.routingQueues.clear();
    for (const q of queues) {
      this.queues.set(q.id, q);
      this.routingQueues.set(q.id, {
        id: q.id,
        strategy: q.strategy,
        members: q.members,
        skillRules: q.skillRules,
        ringProgressivelyStepSec: q.ringProgressivelyStepSec,
        stickyAgentSec: q.stickyAgentSec,
      });
    }
    this.calendars.clear();
    for (const c of calendars) this.calendars.set(c.id, c);
    this.agentConfigs.clear();
    for (const a of agents) {
      this.agentConfigs.set(a.id, a);
      if (!this.agents.has(a.id)) this.agents.set(a.id, initialAgentState(a.id, this.clock()));
    }
    for (const [id, state] of [...this.agents]) {
      if (!this.agentConfigs.has(id) && (state.status === 'logged_out' || state.status === 'not_ready' || state.status === 'ready')) {
        this.agents.delete(id);
      }
    }
    this.scheduleDispatch();
  }

  queue(queueId: string): QueueConfig | undefined {
    return this.queues.get(queueId);
  }

  agentState(agentId: string): AgentState | undefined {
    return this.agents.get(agentId);
  }

  allAgentStates(): AgentState[] {
    return [...this.agents.values()];
  }

  waitingCall(callId: string): QueuedCallInfo | undefined {
    return this.waiting.get(callId)?.info;
  }

  waitingCalls(queueId?: string): QueuedCallInfo[] {
    return [...this.waiting.values()].filter((c) => !queueId || c.info.queueId === queueId).map((c) => c.info);
  }

  /** Every caller waiting on the line with their place in the queue (1 = next; callbacks hold places too). */
  waitingPositions(): WaitingPosition[] {
    const byQueue = new Map<string, WaitingCall[]>();
    for (const c of this.waiting.values()) byQueue.set(c.info.queueId, [...(byQueue.get(c.info.queueId) ?? []), c]);
    const out: WaitingPosition[] = [];
    for (const calls of byQueue.values()) {
      calls.sort((a, b) => compareCalls(toRoutingCall(a), toRoutingCall(b)));
      calls.forEach((c, i) => {
        if (c.info.callbackNumber) return;
        const ringing = c.ringing.size > 0 || c.connecting !== null;
        out.push({ callId: c.info.callId, callerUuid: c.info.callerUuid, queueId: c.info.queueId, position: i + 1, ringing, enqueuedAt: c.info.enqueuedAt });
      });
    }
    return out;
  }

  /** Restores an agent's state after an orchestrator restart (before any call is routed). */
  restoreAgent(state: AgentState): void {
    if (!this.agentConfigs.has(state.agentId)) return;
    // An offer in flight was lost with the old process: the agent is free again.
    const status = state.status === 'reserved' ? 'ready' : state.status;
    this.agents.set(state.agentId, { ...state, status, callId: null });
  }

  /** Restores a call that was connected to an agent when the orchestrator stopped. */
  restoreConnected(callId: string, agentId: string, queueId: string, connectedAt: number): void {
    this.connected.set(callId, { agentId, queueId, connectedAt });
    const agent = this.agents.get(agentId);
    if (agent) this.agents.set(agentId, { ...agent, status: 'on_call', callId });
  }

  /** Agents marked on a call that no restored call backs up are made ready. */
  settleRestoredAgents(): void {
    for (const a of this.agents.values()) {
      if (a.status === 'on_call' && !(a.callId && this.connected.has(a.callId))) {
        this.agents.set(a.agentId, { ...a, status: 'ready', callId: null, since: this.clock() });
      }
    }
  }

  /** Applies an agent's own or a supervisor's command (ready, not ready, login, logout). */
  command(agentId: string, cmd: AgentCommand): AgentState {
    const current = this.agents.get(agentId);
    if (!current) throw new UnknownAgentError(`unknown agent ${agentId}`);
    const next = applyAgentCommand(current, cmd, this.clock());
    if (cmd.kind === 'ready') this.statsOf(agentId).consecutiveMisses = 0;
    if (cmd.kind === 'ready' || cmd.kind === 'not_ready' || cmd.kind === 'logout') this.cancelWrapUp(agentId);
    this.setAgent(next);
    return next;
  }

  /** A caller enters a queue. Closed hours and full queues divert the caller at once. */
  enqueue(info: QueuedCallInfo): void {
    if (this.waiting.has(info.callId) || this.connected.has(info.callId)) return;
    const queue = this.queues.get(info.queueId);
    const now = this.clock();
    const calendar = queue?.calendarId ? this.calendars.get(queue.calendarId) : undefined;
    const call: WaitingCall = { info, ringing: new Map(), missedBy: new Set(), connecting: null };
    this.waiting.set(info.callId, call);
    this.emit('queue_changed', { queueId: info.queueId });
    if (queue && calendar && !isOpen(calendar, now)) return this.leave(call, queue, 'closed');
    if (queue && queue.maxLength > 0 && this.waitingCalls(queue.id).length > queue.maxLength) return this.leave(call, queue, 'full');
    this.scheduleDispatch();
    this.checkWaitingCalls();
  }

  /**
   * The caller asked to be called back (pressed the queue's callback key): the
   * caller hears a confirmation and hangs up; a callback with a new id keeps the
   * original place (entry time and priority). Refused (false) when the queue does
   * not offer callbacks, the call is already ringing an agent, or the number can't be dialled.
   */
  requestCallback(callId: string, digit: string, number: string, callbackId: string): boolean {
    const call = this.waiting.get(callId);
    const queue = call && this.queues.get(call.info.queueId);
    if (!call || !queue || !queue.callbackEnabled || digit !== queue.callbackDigit) return false;
    if (call.ringing.size > 0 || call.connecting !== null || call.info.callbackNumber) return false;
    if (!/^\+?[0-9]{3,20}$/.test(number)) return false;
    const callback: QueuedCallInfo = { ...call.info, callId: callbackId, callerUuid: '', callbackNumber: number };
    this.leave(call, queue, 'callback');
    this.emit('callback_queued', { originCallId: callId, callback });
    this.enqueue(callback);
    return true;
  }

  /** The call ended on the switch (the caller hung up, or the talk ended). */
  callEnded(callId: string): void {
    const queued = this.waiting.get(callId);
    if (queued) {
      this.waiting.delete(callId);
      this.emit('queue_changed', { queueId: queued.info.queueId });
      for (const leg of queued.ringing.values()) void this.control.hangup(leg, 'ORIGINATOR_CANCEL');
      return;
    }
    const connected = this.connected.get(callId);
    if (!connected) return;
    this.connected.delete(callId);
    const now = this.clock();
    this.statsOf(connected.agentId).talkSecondsToday += Math.max(0, (now - connected.connectedAt) / 1000);
    const wrapUpSec = this.queues.get(connected.queueId)?.wrapUpSec ?? 0;
    const agent = this.agents.get(connected.agentId);
    if (!agent) return;
    this.setAgent(applyAgentCommand(agent, { kind: 'call_ended', callId, wrapUp: wrapUpSec > 0 }, now));
    if (wrapUpSec > 0) {
      this.cancelWrapUp(connected.agentId);
      const timer = setTimeout(() => {
        this.wrapUpTimers.delete(connected.agentId);
        const a = this.agents.get(connected.agentId);
        if (a) this.setAgent(applyAgentCommand(a, { kind: 'wrap_up_ended' }, this.clock()));
      }, wrapUpSec * 1000);
      this.wrapUpTimers.set(connected.agentId, timer);
    }
  }

  private statsOf(agentId: string): AgentStats {
    const today = dayOf(this.clock());
    if (today !== this.statsDay) {
      this.statsDay = today;
      for (const s of this.stats.values()) Object.assign(s, { callsToday: 0, talkSecondsToday: 0 });
    }
    let s = this.stats.get(agentId);
    if (!s) this.stats.set(agentId, (s = { callsToday: 0, talkSecondsToday: 0, lastOfferedAt: 0, consecutiveMisses: 0 }));
    return s;
  }

  private cancelWrapUp(agentId: string): void {
    const t = this.wrapUpTimers.get(agentId);
    if (t) clearTimeout(t);
    this.wrapUpTimers.delete(agentId);
  }

  private setAgent(state: AgentState): void {
    const before = this.agents.get(state.agentId);
    this.agents.set(state.agentId, state);
    if (before !== state) this.emit('agent', state);
    if (state.status === 'ready' || state.status === 'logged_out') this.scheduleDispatch();
  }

  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (!this.switchAvailable || this.waiting.size === 0) return;
    const now = this.clock();
    const agents = new Map<string, RoutingAgent>();
    for (const [id, state] of this.agents) {
      if (!this.agentConfigs.has(id)) continue;
      const s = this.statsOf(id);
      agents.set(id, {
        id,
        status: state.status,
        idleSince: state.since,
        skills: this.agentConfigs.get(id)!.skills,
        callsToday: s.callsToday,
        talkSecondsToday: s.talkSecondsToday,
        lastOfferedAt: s.lastOfferedAt,
      });
    }
    const calls: RoutingCall[] = [];
    for (const c of this.waiting.values()) if (!c.connecting) calls.push(toRoutingCall(c));
    for (const offer of planOffers({ queues: this.routingQueues, agents, calls, now, random: this.random })) {
      const call = this.waiting.get(offer.callId);
      const queue = call && this.queues.get(call.info.queueId);
      if (!call || !queue) continue;
      for (const agentId of offer.agentIds) this.startOffer(call, queue, agentId);
    }
  }

  private startOffer(call: WaitingCall, queue: QueueConfig, agentId: string): void {
    const agent = this.agents.get(agentId);
    const config = this.agentConfigs.get(agentId);
    if (!agent || !config || agent.status !== 'ready') return;
    const agentLegUuid = randomUUID();
    this.setAgent(applyAgentCommand(agent, { kind: 'reserve', callId: call.info.callId }, this.clock()));
    this.statsOf(agentId).lastOfferedAt = this.clock();
    call.ringing.set(agentId, agentLegUuid);
    const offer: OfferEvent = { callId: call.info.callId, agentId, agentLegUuid, queueId: queue.id };
    this.emit('offering', offer);
    this.control
      .offer({
        callId: call.info.callId,
        callerUuid: call.info.callerUuid,
        agentLegUuid,
        extension: config.extension,
        callerNumber: call.info.callerNumber,
        callerName: call.info.callerName,
        queueName: queue.name,
        ringTimeoutSec: queue.ringTimeoutSec,
      })
      .catch((err: unknown): OfferOutcome => {
        this.logger.warn({ err, callId: call.info.callId, agentId }, 'offer could not be sent');
        return { kind: 'failed', cause: err instanceof EslNotConnectedError ? 'SWITCH_UNAVAILABLE' : 'OFFER_NOT_SENT' };
      })
      .then((outcome) => this.onOfferOutcome(call, offer, outcome));
  }

  private async onOfferOutcome(call: WaitingCall, offer: OfferEvent, outcome: OfferOutcome): Promise<void> {
    const { agentId, agentLegUuid } = offer;
    const current = () => this.waiting.get(call.info.callId) === call;
    if (outcome.kind === 'answered' && current() && call.connecting === null) {
      call.connecting = agentId;
      try {
        if (call.info.callbackNumber) await this.control.dialOut(agentLegUuid, call.info.callbackNumber);
        else await this.control.bridge(call.info.callerUuid, agentLegUuid);
      } catch (err) {
        this.logger.warn({ err, callId: call.info.callId }, 'bridge to agent failed');
        call.connecting = null;
        outcome = { kind: 'failed', cause: 'BRIDGE_FAILED' };
      }
      if (outcome.kind === 'answered') {
        call.ringing.delete(agentId);
        this.waiting.delete(call.info.callId);
        for (const [other, leg] of call.ringing) {
          void this.control.hangup(leg, 'LOSE_RACE');
          this.emit('offer_failed', { ...offer, agentId: other, agentLegUuid: leg, cause: 'LOSE_RACE' });
          this.releaseAgent(other, call.info.callId, null);
        }
        call.ringing.clear();
        const at = this.clock();
        this.connected.set(call.info.callId, { agentId, queueId: call.info.queueId, connectedAt: at });
        const stats = this.statsOf(agentId);
        stats.callsToday++;
        stats.consecutiveMisses = 0;
        const a = this.agents.get(agentId);
        if (a) this.setAgent(applyAgentCommand(a, { kind: 'connect', callId: call.info.callId }, at));
        this.emit('connected', { ...offer, at, call: call.info });
        this.emit('queue_changed', { queueId: call.info.queueId });
        return;
      }
    }
    if (!call.ringing.has(agentId)) return; // already released (another agent won the race)
    call.ringing.delete(agentId);
    if (outcome.kind === 'answered') void this.control.hangup(agentLegUuid, 'LOSE_RACE');
    const cause = outcome.kind === 'failed' ? outcome.cause : 'LOSE_RACE';
    this.emit('offer_failed', { ...offer, cause });
    let notReadyReason: string | null = null;
    if (current() && cause === 'OFFER_NOT_SENT') {
      // Not the agent's fault, but this agent must not be tried again for this call (no hot loop).
      call.missedBy.add(agentId);
    } else if (current() && !NEUTRAL_CAUSES.has(cause)) {
      call.missedBy.add(agentId);
      const stats = this.statsOf(agentId);
      if (NO_ANSWER_CAUSES.has(cause)) {
        stats.consecutiveMisses++;
        const maxNoAnswer = this.queues.get(call.info.queueId)?.maxNoAnswer ?? 1;
        if (stats.consecutiveMisses >= maxNoAnswer) notReadyReason = 'no_answer';
      } else {
        notReadyReason = cause.toLowerCase();
      }
    }
    this.releaseAgent(agentId, call.info.callId, notReadyReason);
    this.scheduleDispatch();
  }

  private releaseAgent(agentId: string, callId: string, notReadyReason: string | null): void {
    const a = this.agents.get(agentId);
    if (a) this.setAgent(applyAgentCommand(a, { kind: 'offer_failed', callId, notReadyReason }, this.clock()));
  }

  /** Periodic and event-driven check of waiting calls against max wait and staffing. */
  private checkWaitingCalls(): void {
    if (!this.switchAvailable) return;
    const now = this.clock();
    for (const call of [...this.waiting.values()]) {
      const queue = this.queues.get(call.info.queueId);
      // A callback has no caller on the line: it waits for its turn however long it takes.
      if (!queue || call.info.callbackNumber) continue;
      const members = queue.members.map((m) => this.agents.get(m.agentId)).filter((a): a is AgentState => a !== undefined);
      const reason = waitingCallMustLeave({ enqueuedAt: call.info.enqueuedAt, ringing: call.ringing.size > 0 || call.connecting !== null }, queue, members, now);
      if (reason) this.leave(call, queue, reason);
    }
    // Routing depends on time too (skill rules relax, sticky-agent waits expire, ring-progressively grows).
    if (this.waiting.size > 0) this.scheduleDispatch();
  }

  private leave(call: WaitingCall, queue: QueueConfig, reason: LeaveReason): void {
    const diversion = diversionFor(queue, reason);
    const at = this.clock();
    if (diversion.kind === 'queue' && this.queues.has(diversion.queueId)) {
      // Moves to another queue keeping its original entry time (and so its place by age).
      call.info = { ...call.info, queueId: diversion.queueId };
      call.missedBy.clear();
      this.emit('left_queue', { callId: call.info.callId, queueId: queue.id, reason, diversion, at });
      this.emit('queue_changed', { queueId: queue.id });
      this.emit('queue_changed', { queueId: diversion.queueId });
      this.scheduleDispatch();
      return;
    }
    this.waiting.delete(call.info.callId);
    for (const [agentId, leg] of call.ringing) {
      void this.control.hangup(leg, 'ORIGINATOR_CANCEL');
      this.releaseAgent(agentId, call.info.callId, null);
    }
    const switchDiversion = diversion.kind === 'queue' ? ({ kind: 'announcement', name: 'queue_overflow' } as const) : diversion;
    this.emit('left_queue', { callId: call.info.callId, queueId: queue.id, reason, diversion: switchDiversion, at });
    this.emit('queue_changed', { queueId: queue.id });
    void this.control.divert(call.info.callerUuid, switchDiversion).catch((err: unknown) => {
      this.logger.warn({ err, callId: call.info.callId }, 'diversion failed; hanging up');
      void this.control.hangup(call.info.callerUuid, 'NORMAL_CLEARING');
    });
  }
}
