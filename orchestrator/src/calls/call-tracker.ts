import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CallSignal } from './signals.ts';
import { toCdrRow, type CallRecord } from './cdr.ts';
import type { CdrWriter } from './cdr-writer.ts';
import type { CallControl } from '../acd/call-control.ts';

export interface QueueRoute {
  queueId: string;
  organizationId: string;
}

/** Resolves where an entering caller goes: the queue named by the dialplan, else the queue owning the dialed number. */
export interface QueueRoutes {
  resolve(dialedNumber: string, queueIdHint: string | null): QueueRoute | null;
}

interface CallTrackerEvents {
  entered: [CallRecord];
  ended: [CallRecord];
  /** The agent hung up and the caller stays in the IVR (afterCall). */
  agent_left: [CallRecord];
}

/** A channel FreeSWITCH reports as alive, with what the orchestrator may need to adopt it. */
export interface LiveChannel {
  uuid: string;
  createdAt: number;
}

/**
 * Follows each inbound call from its entry to its hangup and keeps its CDR:
 * exactly one row per call, written when the call enters and finalised when it
 * ends, whatever the reason (answered, abandoned, overflowed, no route, lost).
 */
export class CallTracker extends EventEmitter<CallTrackerEvents> {
  private readonly calls = new Map<string, CallRecord>();
  private readonly legToCall = new Map<string, string>();
  /** Channel uuid -> call id, for calls whose channel is not the call id (callbacks). */
  private readonly byChannel = new Map<string, string>();

  constructor(
    private readonly routes: QueueRoutes,
    private readonly cdr: CdrWriter,
    private readonly control: CallControl,
    private readonly logger: Logger,
    private readonly defaultOrganizationId: string,
  ) {
    super();
  }

  get liveCalls(): readonly CallRecord[] {
    return [...this.calls.values()];
  }

  call(callId: string): CallRecord | undefined {
    return this.calls.get(callId);
  }

  handle(signal: CallSignal): void {
    if (signal.kind === 'caller_entered') this.onEntered(signal);
    else if (signal.kind === 'channel_hangup') this.onHangup(signal.uuid, signal.cause, signal.at);
  }

  /** Re-creates a call that was live before an orchestrator restart (from its CDR row). */
  restore(call: CallRecord): void {
    if (this.calls.has(call.callId)) return;
    this.calls.set(call.callId, call);
    if (call.callerUuid !== call.callId) this.byChannel.set(call.callerUuid, call.callId);
    this.emit('entered', call);
  }

  markConnected(callId: string, agentId: string, agentLegUuid: string, queueId: string, at: number): void {
    const call = this.calls.get(callId);
    if (!call) return;
    call.queueId = queueId;
    call.agentId = agentId;
    call.agentLegUuid = agentLegUuid;
    call.answeredAt = at;
    this.legToCall.set(agentLegUuid, callId);
    this.persist(call);
  }

  /**
   * A supervisor takes a connected call over (代接, supervision/): `legUuid`, the
   * supervisor's leg, now carries the call's agent side. The old agent leg's
   * hangup no longer ends the call; the new leg's does. Returns the previous leg.
   */
  handOver(callId: string, legUuid: string): string | null {
    const call = this.calls.get(callId);
    if (!call || call.answeredAt === null || !call.agentLegUuid) return null;
    const previous = call.agentLegUuid;
    this.legToCall.delete(previous);
    call.agentLegUuid = legUuid;
    this.legToCall.set(legUuid, callId);
    this.persist(call);
    return previous;
  }

  markDisposed(callId: string, disposal: NonNullable<CallRecord['disposal']>): void {
    const call = this.calls.get(callId);
    if (call) call.disposal = disposal;
  }

  /**
   * A callback call started: the agent answered and the customer is being dialled.
   * It is tracked (and gets its own CDR) by the agent leg, whose hangup ends it.
   */
  trackCallback(c: { callId: string; organizationId: string; queueId: string; number: string; enqueuedAt: number; priority: number; agentId: string; agentLegUuid: string; at: number }): void {
    const call: CallRecord = {
      callId: c.callId, organizationId: c.organizationId, callerUuid: c.agentLegUuid, callerNumber: c.number, callerName: '',
      calledNumber: 'callback', queueId: c.queueId, agentId: c.agentId, agentLegUuid: c.agentLegUuid, enqueuedAt: c.enqueuedAt,
      priority: c.priority, requiredSkills: [], language: null, ivrData: {}, afterCall: false, answeredAt: c.at, agentLeftAt: null, endedAt: null, hangupCause: null, disposal: null,
    };
    this.calls.set(call.callId, call);
    this.byChannel.set(c.agentLegUuid, call.callId);
    this.persist(call);
  }

  /** The call moved to another queue (overflow to a queue). */
  markMoved(callId: string, queueId: string): void {
    const call = this.calls.get(callId);
    if (!call) return;
    call.queueId = queueId;
    this.persist(call);
  }

  /**
   * After a (re)connection to FreeSWITCH: every call that was tracked when the
   * channel list was requested (`snapshotOf`) and whose caller channel is not in
   * it ended while we could not see it. Calls that entered after the request are
   * left alone: the list cannot know them yet.
   */
  reconcile(alive: ReadonlySet<string>, snapshotOf: ReadonlySet<string>, now: number): void {
    for (const call of [...this.calls.values()]) {
      // The channel that carries the call: the caller's, or for a callback the agent leg.
      if (alive.has(call.callerUuid) || !snapshotOf.has(call.callId)) continue;
      if (call.disposal === null && call.answeredAt === null) call.disposal = 'lost';
      this.finish(call, 'LOSE_RACE_ORCHESTRATOR_RESYNC', now);
    }
  }

  private onEntered(s: Extract<CallSignal, { kind: 'caller_entered' }>): void {
    if (this.calls.has(s.uuid)) return;
    const route = this.routes.resolve(s.dialedNumber, s.queueId);
    const call: CallRecord = {
      callId: s.uuid,
      organizationId: route?.organizationId ?? this.defaultOrganizationId,
      callerUuid: s.uuid,
      callerNumber: s.callerNumber,
      callerName: s.callerName,
      calledNumber: s.dialedNumber,
      queueId: route?.queueId ?? null,
      agentId: null,
      agentLegUuid: null,
      enqueuedAt: s.at,
      priority: s.priority,
      requiredSkills: s.requiredSkills,
      language: s.language,
      ivrData: s.ivrData,
      afterCall: s.afterCall,
      answeredAt: null,
      agentLeftAt: null,
      endedAt: null,
      hangupCause: null,
      disposal: route ? null : 'no_route',
    };
    this.calls.set(call.callId, call);
    this.persist(call);
    if (!route) {
      this.logger.warn({ callId: call.callId, dialed: s.dialedNumber }, 'no queue for dialed number');
      void this.control.divert(call.callerUuid, { kind: 'announcement', name: 'not_in_service' }).catch(() =>
        this.control.hangup(call.callerUuid, 'UNALLOCATED_NUMBER'),
      );
      return;
    }
    this.emit('entered', call);
  }

  private onHangup(uuid: string, cause: string, at: number): void {
    const call = this.calls.get(this.byChannel.get(uuid) ?? uuid);
    if (call && call.callerUuid === uuid) {
      this.finish(call, cause, at);
      return;
    }
    const callId = this.legToCall.get(uuid);
    if (!callId) return;
    const owner = this.calls.get(callId);
    if (owner && owner.agentLegUuid === uuid && owner.answeredAt !== null && owner.afterCall && owner.agentLeftAt === null) {
      // The caller stays for the rest of the IVR flow (e.g. a survey).
      owner.agentLeftAt = Math.max(at, owner.answeredAt);
      this.emit('agent_left', owner);
    } else if (owner && owner.agentLegUuid === uuid && owner.answeredAt !== null && !owner.afterCall) {
      // The agent hung up a connected call: release the caller too.
      void this.control.hangup(owner.callerUuid, 'NORMAL_CLEARING');
    } else {
      this.legToCall.delete(uuid);
    }
  }

  private finish(call: CallRecord, cause: string, at: number): void {
    call.endedAt = Math.max(at, call.answeredAt ?? call.enqueuedAt);
    call.hangupCause = cause;
    this.calls.delete(call.callId);
    this.byChannel.delete(call.callerUuid);
    if (call.agentLegUuid) {
      this.legToCall.delete(call.agentLegUuid);
      if (call.answeredAt !== null) void this.control.hangup(call.agentLegUuid, 'NORMAL_CLEARING');
    }
    this.persist(call);
    this.emit('ended', call);
  }

  private persist(call: CallRecord): void {
    void this.cdr.write(toCdrRow(call));
  }
}
