/** A call as the CDR sees it: one inbound caller, from entry to hangup. */
export interface CallRecord {
  callId: string;
  organizationId: string;
  callerUuid: string;
  callerNumber: string;
  callerName: string;
  calledNumber: string;
  queueId: string | null;
  agentId: string | null;
  agentLegUuid: string | null;
  enqueuedAt: number;
  /** Routing priority (higher first) and skills the call needs, from the dialplan/IVR and the CRM. */
  priority: number;
  requiredSkills: { skill: string; minLevel: number }[];
  /** The caller's language for prompts, when known. */
  language: 'zh-CN' | 'en' | null;
  /** What the caller told the IVR (shown in the agent's screen pop). */
  ivrData: Record<string, string>;
  /** The IVR continues after the agent hangs up (a survey): the caller stays when the agent leaves. */
  afterCall: boolean;
  answeredAt: number | null;
  /** When the agent left a call whose caller stayed for the IVR (survey); talk time ends there. */
  agentLeftAt: number | null;
  endedAt: number | null;
  hangupCause: string | null;
  /** Set when the call left the queue for a reason other than the caller hanging up. */
  disposal: 'overflowed' | 'closed' | 'callback' | 'no_route' | 'lost' | null;
}

export type CdrOutcome = 'answered' | 'abandoned' | 'overflowed' | 'closed' | 'callback' | 'no_route' | 'lost' | 'live';

export interface CdrRow {
  callId: string;
  organizationId: string;
  callerUuid: string;
  agentLegUuid: string | null;
  callerNumber: string;
  calledNumber: string;
  queueId: string | null;
  agentId: string | null;
  enqueuedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  hangupCause: string | null;
  priority: number;
  outcome: CdrOutcome;
}

const seconds = (ms: number) => Math.max(0, Math.round(ms) / 1000);

export function outcomeOf(call: CallRecord): CdrOutcome {
  if (call.endedAt === null) return 'live';
  if (call.answeredAt !== null) return 'answered';
  return call.disposal ?? 'abandoned';
}

/** The CDR row for a call, live or ended. Wait runs from entry to answer (or to the end, unanswered). */
export function toCdrRow(call: CallRecord): CdrRow {
  const ended = call.endedAt;
  const waitEnd = call.answeredAt ?? ended;
  return {
    callId: call.callId,
    organizationId: call.organizationId,
    callerUuid: call.callerUuid,
    agentLegUuid: call.agentLegUuid,
    callerNumber: call.callerNumber,
    calledNumber: call.calledNumber,
    queueId: call.queueId,
    agentId: call.agentId,
    enqueuedAt: new Date(call.enqueuedAt),
    answeredAt: call.answeredAt === null ? null : new Date(call.answeredAt),
    endedAt: ended === null ? null : new Date(ended),
    waitSeconds: waitEnd === null ? null : seconds(waitEnd - call.enqueuedAt),
    talkSeconds: ended === null ? null : call.answeredAt === null ? 0 : seconds((call.agentLeftAt ?? ended) - call.answeredAt),
    hangupCause: call.hangupCause,
    priority: call.priority,
    outcome: outcomeOf(call),
  };
}
