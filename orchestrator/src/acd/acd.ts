import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { applyAgentCommand, initialAgentState, type AgentCommand, type AgentState } from './agent-state.ts';
import { overflowReason, planAssignments, type OverflowReason, type WaitingCall } from './routing.ts';
import type { CallControl } from './call-control.ts';

export interface QueueConfig {
  id: string;
  organizationId: string;
  name: string;
  ringTimeoutSec: number;
  maxWaitSec: number;
  wrapUpSec: number;
  noAgentsAction: 'wait' | 'announce_hangup';
  memberAgentIds: readonly string[];
}

export interface AgentConfig {
  id: string;
  organizationId: string;
  name: string;
  extension: string;
}

export interface QueuedCallInfo {
  callId: string;
  callerUuid: string;
  queueId: string;
  callerNumber: string;
  callerName: string;
  enqueuedAt: number;
}

interface QueuedCall extends WaitingCall {
  info: QueuedCallInfo;
  offeredTo: string | null;
  agentLegUuid: string | null;
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
  connected: [OfferEvent & { at: number }];
  overflowed: [{ callId: string; queueId: string; reason: OverflowReason }];
  queue_changed: [{ queueId: string }];
}

export class UnknownAgentError extends Error {
  override readonly name = 'UnknownAgentError';
}

/** Offers that fail with these causes count as the agent not answering. */
const NO_ANSWER_CAUSES = new Set(['NO_ANSWER', 'ALLOTTED_TIMEOUT', 'NO_USER_RESPONSE', 'CALL_REJECTED', 'USER_BUSY']);

/**
 * After an offer failed while the caller was still waiting, the agent is put not
 * ready (so the call moves on and the same failure does not repeat): "no_answer"
 * for a ring timeout or rejection, else the cause itself (e.g. "user_not_registered").
 * A switch outage is not the agent's fault: the agent stays ready.
 */
export function notReadyReasonFor(cause: string): string | null {
  if (cause === 'SWITCH_UNAVAILABLE') return null;
  return NO_ANSWER_CAUSES.has(cause) ? 'no_answer' : cause.toLowerCase();
}

/**
 * Automatic call distribution: keeps waiting calls and agent states, decides
 * (through the pure functions in routing.ts) who gets which call, and drives
 * the offers through a CallControl port. It does not know about CDRs, HTTP or
 * ESL; the composition root wires its events to those.
 */
export class Acd extends EventEmitter<AcdEvents> {
  private readonly queues = new Map<string, QueueConfig>();
  private readonly agentConfigs = new Map<string, AgentConfig>();
  private readonly agents = new Map<string, AgentState>();
  private readonly members = new Map<string, Set<string>>();
  private readonly waiting = new Map<string, QueuedCall>();
  private readonly connectedCalls = new Map<string, { agentId: string; queueId: string }>();
  private readonly wrapUpTimers = new Map<string, NodeJS.Timeout>();
  private dispatchScheduled = false;
  private switchAvailable = false;
  private overflowTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly control: CallControl,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    super();
  }

  start(): void {
    this.overflowTimer = setInterval(() => this.checkOverflows(), 1000);
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
      this.checkOverflows();
    }
  }

  /** Replaces queue and agent configuration (after an admin change); live states are kept. */
  configure(queues: readonly QueueConfig[], agents: readonly AgentConfig[]): void {
    this.queues.clear();
    this.members.clear();
    for (const q of queues) {
      this.queues.set(q.id, q);
      this.members.set(q.id, new Set(q.memberAgentIds));
    }
    this.agentConfigs.clear();
    for (const a of agents) {
      this.agentConfigs.set(a.id, a);
      if (!this.agents.has(a.id)) this.agents.set(a.id, initialAgentState(a.id, this.clock()));
    }
    for (const id of [...this.agents.keys()]) {
      const state = this.agents.get(id);
      if (!this.agentConfigs.has(id) && state && (state.status === 'logged_out' || state.status === 'not_ready')) {
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

  waitingCalls(queueId?: string): QueuedCallInfo[] {
    return [...this.waiting.values()].filter((c) => !queueId || c.queueId === queueId).map((c) => c.info);
  }

  /** Applies an agent's own or a supervisor's command (ready, not ready, login, logout). */
  command(agentId: string, cmd: AgentCommand): AgentState {
    const current = this.agents.get(agentId);
    if (!current) throw new UnknownAgentError(`unknown agent ${agentId}`);
    const next = applyAgentCommand(current, cmd, this.clock());
    if (cmd.kind === 'ready' || cmd.kind === 'not_ready' || cmd.kind === 'logout') this.cancelWrapUp(agentId);
    this.setAgent(next);
    return next;
  }

  enqueue(info: QueuedCallInfo): void {
    if (this.waiting.has(info.callId) || this.connectedCalls.has(info.callId)) return;
    this.waiting.set(info.callId, {
      callId: info.callId,
      queueId: info.queueId,
      enqueuedAt: info.enqueuedAt,
      info,
      offeredTo: null,
      agentLegUuid: null,
    });
    this.emit('queue_changed', { queueId: info.queueId });
    this.scheduleDispatch();
    this.checkOverflows();
  }

  /** The call ended on the switch (caller hung up, or the talk ended). */
  callEnded(callId: string): void {
    const queued = this.waiting.get(callId);
    if (queued) {
      this.waiting.delete(callId);
      this.emit('queue_changed', { queueId: queued.queueId });
      if (queued.agentLegUuid) void this.control.hangup(queued.agentLegUuid, 'ORIGINATOR_CANCEL');
      return;
    }
    const connected = this.connectedCalls.get(callId);
    if (!connected) return;
    this.connectedCalls.delete(callId);
    const wrapUpSec = this.queues.get(connected.queueId)?.wrapUpSec ?? 0;
    const agent = this.agents.get(connected.agentId);
    if (!agent) return;
    this.setAgent(applyAgentCommand(agent, { kind: 'call_ended', callId, wrapUp: wrapUpSec > 0 }, this.clock()));
    if (wrapUpSec > 0) {
      const timer = setTimeout(() => {
        this.wrapUpTimers.delete(connected.agentId);
        const a = this.agents.get(connected.agentId);
        if (a) this.setAgent(applyAgentCommand(a, { kind: 'wrap_up_ended' }, this.clock()));
      }, wrapUpSec * 1000);
      this.wrapUpTimers.set(connected.agentId, timer);
    }
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
    if (!this.switchAvailable) return;
    const assignments = planAssignments({ waiting: [...this.waiting.values()], agents: this.agents, members: this.members });
    for (const { callId, agentId } of assignments) {
      const call = this.waiting.get(callId);
      const agent = this.agents.get(agentId);
      const agentConfig = this.agentConfigs.get(agentId);
      const queue = call && this.queues.get(call.queueId);
      if (!call || !agent || !agentConfig || !queue) continue;
      void this.runOffer(call, agentConfig, queue);
    }
  }

  private async runOffer(call: QueuedCall, agent: AgentConfig, queue: QueueConfig): Promise<void> {
    const agentLegUuid = randomUUID();
    const reserved = this.agents.get(agent.id);
    if (!reserved) return;
    this.setAgent(applyAgentCommand(reserved, { kind: 'reserve', callId: call.callId }, this.clock()));
    call.offeredTo = agent.id;
    call.agentLegUuid = agentLegUuid;
    const offerEvent: OfferEvent = { callId: call.callId, agentId: agent.id, agentLegUuid, queueId: call.queueId };
    this.emit('offering', offerEvent);

    let outcome: Awaited<ReturnType<CallControl['offer']>>;
    try {
      outcome = await this.control.offer({
        callId: call.callId,
        callerUuid: call.info.callerUuid,
        agentLegUuid,
        extension: agent.extension,
        callerNumber: call.info.callerNumber,
        callerName: call.info.callerName,
        queueName: queue.name,
        ringTimeoutSec: queue.ringTimeoutSec,
      });
    } catch (err) {
      this.logger.warn({ err, callId: call.callId, agentId: agent.id }, 'offer could not be sent');
      outcome = { kind: 'failed', cause: 'SWITCH_UNAVAILABLE' };
    }

    const stillWaiting = this.waiting.get(call.callId) === call && call.offeredTo === agent.id;
    if (outcome.kind === 'answered' && stillWaiting) {
      try {
        await this.control.bridge(call.info.callerUuid, agentLegUuid);
        this.waiting.delete(call.callId);
        this.connectedCalls.set(call.callId, { agentId: agent.id, queueId: call.queueId });
        const a = this.agents.get(agent.id);
        if (a) this.setAgent(applyAgentCommand(a, { kind: 'connect', callId: call.callId }, this.clock()));
        this.emit('connected', { ...offerEvent, at: this.clock() });
        this.emit('queue_changed', { queueId: call.queueId });
        return;
      } catch (err) {
        this.logger.warn({ err, callId: call.callId }, 'bridge to agent failed');
        outcome = { kind: 'failed', cause: 'BRIDGE_FAILED' };
      }
    }
    if (outcome.kind === 'answered' || !stillWaiting) {
      void this.control.hangup(agentLegUuid, 'ORIGINATOR_CANCEL');
    }
    const cause = outcome.kind === 'failed' ? outcome.cause : 'ORIGINATOR_CANCEL';
    this.emit('offer_failed', { ...offerEvent, cause });
    const a = this.agents.get(agent.id);
    if (a) {
      const notReadyReason = stillWaiting ? notReadyReasonFor(cause) : null;
      this.setAgent(applyAgentCommand(a, { kind: 'offer_failed', callId: call.callId, notReadyReason }, this.clock()));
    }
    if (this.waiting.get(call.callId) === call) {
      call.offeredTo = null;
      call.agentLegUuid = null;
    }
    this.scheduleDispatch();
  }

  private checkOverflows(): void {
    if (!this.switchAvailable) return;
    const now = this.clock();
    for (const call of [...this.waiting.values()]) {
      const queue = this.queues.get(call.queueId);
      if (!queue) continue;
      const memberStates = [...(this.members.get(queue.id) ?? [])]
        .map((id) => this.agents.get(id))
        .filter((a): a is AgentState => a !== undefined);
      const reason = overflowReason(call, queue, memberStates, now);
      if (!reason) continue;
      this.waiting.delete(call.callId);
      this.emit('overflowed', { callId: call.callId, queueId: call.queueId, reason });
      this.emit('queue_changed', { queueId: call.queueId });
      void this.control.overflow(call.info.callerUuid, 'queue_overflow').catch((err: unknown) => {
        this.logger.warn({ err, callId: call.callId }, 'overflow transfer failed; hanging up');
        void this.control.hangup(call.info.callerUuid, 'NORMAL_CLEARING');
      });
    }
  }
}
