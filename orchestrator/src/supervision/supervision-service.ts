import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Sql } from '../db/client.ts';
import type { SessionUser } from '../api/protocol.ts';
import { HttpError } from '../api/errors.ts';
import { audit } from '../audit/audit-log.ts';
import type { CallTracker } from '../calls/call-tracker.ts';
import type { CallRecord } from '../calls/cdr.ts';
import { planCallAction, REFUSAL_STATUS, type PlannedCall } from './modes.ts';
import { denialStatus, mayActOnAgent, mayActOnCall, type SupervisorActor } from './rights.ts';
import { ANSWER_TOKEN_RE } from './commands.ts';
import { SupervisionSwitchError, type SupervisionSwitch } from './freeswitch-supervision.ts';
import type { SupervisionRepository } from './repository.ts';
import type { CallAction, CallActionResult, MonitorMode, MonitorSessionView, SupervisedCallView } from './protocol.ts';

/** A supervisor's monitoring of a call: their own leg on the switch, in one mode at a time. */
interface MonitorSession {
  userId: string;
  displayName: string;
  organizationId: string;
  callId: string;
  agentId: string;
  legUuid: string;
  mode: MonitorMode;
  startedAt: number;
  /** False while the supervisor's softphone rings. */
  connected: boolean;
}

export interface SupervisionDeps {
  switch: SupervisionSwitch;
  tracker: CallTracker;
  repo: SupervisionRepository;
  sql: Sql;
  /** An agent's organization and the queues they are a member of (for the supervisors' reach). */
  agentMembership(agentId: string): Promise<{ organizationId: string; queueIds: string[] } | null>;
  /** Frees the agent of a call a supervisor took over (the ACD's end of the agent's part of the call). */
  releaseAgent(callId: string): void;
  logger: Logger;
  ringTimeoutSec?: number;
}

interface SupervisionEvents {
  /** The list of supervised calls of an organization changed. */
  calls: [organizationId: string];
  /** A user's own monitoring changed (started, switched, ended). */
  session: [userId: string, session: MonitorSessionView | null, ended: { callId: string; reason: string } | null];
}

const view = (s: MonitorSession): MonitorSessionView => ({
  callId: s.callId, agentId: s.agentId, mode: s.mode, legUuid: s.legUuid, startedAt: new Date(s.startedAt).toISOString(),
});

/**
 * The supervisor's seat on live calls: listen, whisper, barge-in, force hangup
 * and intercept. Rights (rights.ts) and the switch steps (modes.ts) are pure
 * decisions; this carries them out through the SupervisionSwitch port, keeps
 * each supervisor's monitoring, and writes every attempt to the audit log.
 */
export class SupervisionService extends EventEmitter<SupervisionEvents> {
  private readonly sessions = new Map<string, MonitorSession>();
  private readonly byLeg = new Map<string, MonitorSession>();
  private readonly takenOver = new Map<string, string>();
  private readonly busy = new Set<string>();

  constructor(private readonly d: SupervisionDeps) {
    super();
  }

  sessionOf(userId: string): MonitorSessionView | null {
    const s = this.sessions.get(userId);
    return s && s.connected ? view(s) : null;
  }

  /** The organization's connected calls, with who monitors them. */
  liveCalls(organizationId: string): SupervisedCallView[] {
    const monitors = new Map<string, SupervisedCallView['monitors']>();
    for (const s of this.sessions.values()) {
      if (!s.connected) continue;
      monitors.set(s.callId, [...(monitors.get(s.callId) ?? []), { userId: s.userId, displayName: s.displayName, mode: s.mode }]);
    }
    return this.d.tracker.liveCalls
      .filter((c) => c.organizationId === organizationId && c.answeredAt !== null && c.endedAt === null)
      .sort((a, b) => (a.answeredAt ?? 0) - (b.answeredAt ?? 0))
      .map((c) => ({
        callId: c.callId,
        agentId: c.agentId,
        queueId: c.queueId,
        callerNumber: c.callerNumber,
        callerName: c.callerName,
        answeredAt: new Date(c.answeredAt!).toISOString(),
        takenOverBy: this.takenOver.get(c.callId) ?? null,
        monitors: monitors.get(c.callId) ?? [],
      }));
  }

  /** Whether `user` may force `agentId`'s state (same organization, and the agent is in one of a supervisor's queues). */
  async mayActOnAgent(user: SessionUser, agentId: string): Promise<boolean> {
    const actor = await this.actor(user);
    const membership = await this.d.agentMembership(agentId);
    if (!membership) return false;
    return mayActOnAgent(actor, { agentId, ...membership }).allowed;
  }

  /** Carries out a supervisor's action on a live call. Throws HttpError for refusals. */
  async act(user: SessionUser, callId: string, action: CallAction, answerToken: string | undefined): Promise<CallActionResult> {
    const actor = await this.actor(user);
    const call = this.d.tracker.call(callId);
    const auditEntry = (outcome: string, details: Record<string, unknown> = {}) =>
      audit(this.d.sql, {
        organizationId: user.organizationId, actorUserId: user.id, action: `supervision.${action}`, target: callId,
        details: { outcome, agentId: call?.agentId ?? null, ...details },
      });
    if (!call || call.endedAt !== null) throw new HttpError(404, 'not_found', 'call not found');
    const membership = call.agentId ? await this.d.agentMembership(call.agentId) : null;
    const rights = mayActOnCall(actor, {
      callId,
      organizationId: call.organizationId,
      queueId: call.queueId,
      agent: call.agentId && membership ? { agentId: call.agentId, ...membership } : null,
    });
    if (!rights.allowed) {
      // Another tenant's call does not exist for this actor; their attempt is still on their own audit log.
      await auditEntry('denied', { reason: rights.reason });
      throw rights.reason === 'other_organization'
        ? new HttpError(denialStatus(rights.reason), 'not_found', 'call not found')
        : new HttpError(denialStatus(rights.reason), 'forbidden', 'this call is not in your queues');
    }
    if (this.busy.has(user.id)) throw new HttpError(409, 'busy', 'your previous supervision action is still in progress');
    this.busy.add(user.id);
    try {
      return await this.carryOut(user, call, action, answerToken, auditEntry);
    } finally {
      this.busy.delete(user.id);
    }
  }

  /** Ends the supervisor's own monitoring (their leg hangs up; the call goes on). */
  async stop(user: SessionUser): Promise<void> {
    const s = this.sessions.get(user.id);
    if (!s) return;
    this.endSession(s, 'stopped');
    await this.d.switch.hangup(s.legUuid, 'NORMAL_CLEARING').catch(() => undefined);
    await audit(this.d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'supervision.stop', target: s.callId, details: { agentId: s.agentId, mode: s.mode } });
  }

  /** A channel hung up: a supervisor's leg ends their monitoring. */
  channelHungUp(uuid: string, cause: string): void {
    const s = this.byLeg.get(uuid);
    if (s) this.endSession(s, cause === 'NORMAL_CLEARING' ? 'hung_up' : cause.toLowerCase());
  }

  /** A call ended: its monitors' legs are hung up (eavesdrops end by themselves too). */
  callEnded(call: CallRecord): void {
    this.takenOver.delete(call.callId);
    for (const s of [...this.sessions.values()]) {
      if (s.callId !== call.callId) continue;
      this.endSession(s, 'call_ended');
      void this.d.switch.hangup(s.legUuid, 'NORMAL_CLEARING').catch(() => undefined);
    }
    this.emit('calls', call.organizationId);
  }

  /** Every supervisor leg (orchestrator stop). */
  async close(): Promise<void> {
    const legs = [...this.byLeg.keys()];
    this.sessions.clear();
    this.byLeg.clear();
    await Promise.all(legs.map((l) => this.d.switch.hangup(l, 'NORMAL_CLEARING').catch(() => undefined)));
  }

  private async actor(user: SessionUser): Promise<SupervisorActor> {
    return { userId: user.id, role: user.role, organizationId: user.organizationId, supervisedQueueIds: await this.d.repo.supervisedQueueIds(user.id) };
  }

  private async carryOut(
    user: SessionUser,
    call: CallRecord,
    action: CallAction,
    answerToken: string | undefined,
    auditEntry: (outcome: string, details?: Record<string, unknown>) => Promise<void>,
  ): Promise<CallActionResult> {
    const own = this.sessions.get(user.id);
    const planned: PlannedCall = {
      callId: call.callId,
      agentLegUuid: call.agentLegUuid,
      answered: call.answeredAt !== null,
      isCallback: call.calledNumber === 'callback',
      takenOverBy: this.takenOver.get(call.callId) ?? null,
    };
    const plan = planCallAction(action, planned, own && own.connected ? { callId: own.callId, legUuid: own.legUuid, mode: own.mode } : null);
    if (!plan.ok) {
      await auditEntry('refused', { reason: plan.refusal });
      throw new HttpError(REFUSAL_STATUS, plan.refusal, `cannot ${action} this call: ${plan.refusal.replace(/_/g, ' ')}`);
    }
    const step = plan.step;
    const result = (session: MonitorSession | null): CallActionResult => ({ action, callId: call.callId, session: session ? view(session) : null });
    const needsLeg = step.kind === 'monitor' || (step.kind === 'intercept' && step.reuseLegUuid === null);
    if (needsLeg && !(answerToken && ANSWER_TOKEN_RE.test(answerToken))) {
      throw new HttpError(400, 'invalid_input', 'answerToken: the softphone needs a token (8-64 letters, digits, - _) to answer the supervision call');
    }
    try {
      switch (step.kind) {
        case 'unchanged':
          await auditEntry('unchanged', { mode: step.mode });
          return result(own ?? null);
        case 'switch_mode': {
          await this.d.switch.switchMode(step.legUuid, step.to);
          own!.mode = step.to;
          await auditEntry('done', { mode: step.to, from: step.from, legUuid: step.legUuid });
          this.changed(own!);
          return result(own!);
        }
        case 'monitor': {
          if (own) await this.stopQuietly(own, 'switched_call');
          const session = await this.dial(user, call, step.mode, answerToken!);
          await auditEntry('done', { mode: step.mode, legUuid: session.legUuid });
          return result(session);
        }
        case 'hangup':
          await this.d.switch.hangup(call.callerUuid, 'MANAGER_REQUEST');
          await auditEntry('done', { cause: 'MANAGER_REQUEST' });
          return result(own && own.callId !== call.callId ? own : null);
        case 'intercept': {
          if (step.stopLegUuid && own) await this.stopQuietly(own, 'switched_call');
          const legUuid = step.reuseLegUuid ?? randomUUID();
          if (step.reuseLegUuid && own) this.endSession(own, 'intercepted');
          else await this.d.switch.takeoverLeg(await this.legCommand(user, call, legUuid, answerToken!));
          const previous = this.d.tracker.handOver(call.callId, legUuid);
          if (!previous) throw new SupervisionSwitchError('the call ended', 'CALL_ENDED');
          try {
            await this.d.switch.bridge(call.callerUuid, legUuid);
          } catch (err) {
            this.d.tracker.handOver(call.callId, previous);
            await this.d.switch.hangup(legUuid, 'NORMAL_CLEARING').catch(() => undefined);
            throw err;
          }
          this.takenOver.set(call.callId, user.id);
          await this.d.switch.hangup(previous, 'NORMAL_CLEARING').catch(() => undefined);
          this.d.releaseAgent(call.callId);
          await auditEntry('done', { legUuid, agentLegUuid: previous, reusedMonitoringLeg: step.reuseLegUuid !== null });
          this.emit('calls', call.organizationId);
          return result(null);
        }
      }
    } catch (err) {
      if (err instanceof HttpError) throw err;
      const cause = err instanceof SupervisionSwitchError ? err.switchCause : (err as Error).name || 'ERROR';
      this.d.logger.warn({ err, callId: call.callId, action }, 'supervision action failed');
      await auditEntry('failed', { cause });
      throw new HttpError(409, 'switch_refused', cause === 'USER_NOT_REGISTERED'
        ? 'your softphone is not registered: it must be online to take part in the call'
        : `the switch did not carry it out (${cause})`);
    }
  }

  private async legCommand(user: SessionUser, call: CallRecord, legUuid: string, answerToken: string) {
    const account = await this.d.repo.ensureSipAccount(user.id, user.organizationId);
    return {
      legUuid, callId: call.callId, extension: account.extension, sipDomain: account.sipDomain,
      callerNumber: call.callerNumber, answerToken, ringTimeoutSec: this.d.ringTimeoutSec ?? 20,
    };
  }

  /** Rings the supervisor into an eavesdrop on the call's agent leg; resolves once answered. */
  private async dial(user: SessionUser, call: CallRecord, mode: MonitorMode, answerToken: string): Promise<MonitorSession> {
    const legUuid = randomUUID();
    const command = await this.legCommand(user, call, legUuid, answerToken);
    const session: MonitorSession = {
      userId: user.id, displayName: user.displayName, organizationId: call.organizationId, callId: call.callId,
      agentId: call.agentId ?? '', legUuid, mode, startedAt: Date.now(), connected: false,
    };
    this.sessions.set(user.id, session);
    this.byLeg.set(legUuid, session);
    try {
      await this.d.switch.monitor({ ...command, agentLegUuid: call.agentLegUuid!, mode });
    } catch (err) {
      this.forget(session);
      throw err;
    }
    if (this.byLeg.get(legUuid) !== session) throw new SupervisionSwitchError('the supervisor leg ended at once', 'LEG_ENDED');
    if (!this.d.tracker.call(call.callId)) {
      this.forget(session);
      void this.d.switch.hangup(legUuid, 'NORMAL_CLEARING').catch(() => undefined);
      throw new SupervisionSwitchError('the call ended while the supervisor was being connected', 'CALL_ENDED');
    }
    session.connected = true;
    session.startedAt = Date.now();
    this.changed(session);
    return session;
  }

  private async stopQuietly(s: MonitorSession, reason: string): Promise<void> {
    this.endSession(s, reason);
    await this.d.switch.hangup(s.legUuid, 'NORMAL_CLEARING').catch(() => undefined);
  }

  private forget(s: MonitorSession): void {
    if (this.sessions.get(s.userId) === s) this.sessions.delete(s.userId);
    if (this.byLeg.get(s.legUuid) === s) this.byLeg.delete(s.legUuid);
  }

  private endSession(s: MonitorSession, reason: string): void {
    if (this.byLeg.get(s.legUuid) !== s) return;
    const wasConnected = s.connected;
    this.forget(s);
    if (!wasConnected) return;
    this.emit('session', s.userId, null, { callId: s.callId, reason });
    this.emit('calls', s.organizationId);
  }

  private changed(s: MonitorSession): void {
    this.emit('session', s.userId, view(s), null);
    this.emit('calls', s.organizationId);
  }
}
