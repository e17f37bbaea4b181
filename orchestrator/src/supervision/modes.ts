import type { CallAction, MonitorMode } from './protocol.ts';

/**
 * What the switch must do for a supervisor's call action, as a pure decision.
 *
 * How it works on FreeSWITCH (see freeswitch-supervision.ts): the orchestrator
 * originates the supervisor's own WebRTC leg with `&eavesdrop(<agent leg>)`.
 * switch_ivr_eavesdrop_session (src/switch_ivr_async.c) puts a media bug on the
 * agent leg: the supervisor hears what the agent leg reads and writes (agent and
 * customer); the supervisor's audio is mixed into what is written to the agent
 * leg (ED_MUX_WRITE: only the agent hears it) and/or into what is read from it
 * (ED_MUX_READ: it goes on to the customer). While the eavesdrop runs, digits
 * queued on the supervisor's channel switch these flags: 0 = listen only,
 * 2 = whisper (write mix: the agent), 1 = the read side only, 3 = both (barge).
 * `uuid_recv_dtmf <supervisor leg> <digit>` queues such a digit, so modes change
 * on the same leg without re-dialing. (A conference with member flags would do
 * too, but would move the customer and agent out of their bridge into a
 * conference for every monitored call; eavesdrop leaves the call untouched.)
 */

export const CALL_ACTIONS = ['listen', 'whisper', 'barge', 'hangup', 'intercept'] as const satisfies readonly CallAction[];

/** The eavesdrop key that selects a mode on a running eavesdrop. */
export const MODE_DIGIT: Record<MonitorMode, '0' | '2' | '3'> = { listen: '0', whisper: '2', barge: '3' };

/**
 * Channel variables that start an eavesdrop in a mode (mod_dptools eavesdrop:
 * eavesdrop_whisper_aleg sets ED_MUX_READ, eavesdrop_whisper_bleg ED_MUX_WRITE),
 * so the first mode needs no digit at all.
 */
export function eavesdropVariables(mode: MonitorMode): Record<string, string> {
  return {
    eavesdrop_enable_dtmf: 'true',
    ...(mode === 'barge' ? { eavesdrop_whisper_aleg: 'true' } : {}),
    ...(mode === 'whisper' || mode === 'barge' ? { eavesdrop_whisper_bleg: 'true' } : {}),
  };
}

/** A live call as the planner sees it. */
export interface PlannedCall {
  readonly callId: string;
  /** Answered by an agent and bridged: there is an agent leg to monitor. */
  readonly agentLegUuid: string | null;
  readonly answered: boolean;
  /** A callback: the agent leg carries the call and the customer leg is the switch's own. */
  readonly isCallback: boolean;
  /** The user who took the call over (代接), if any. */
  readonly takenOverBy: string | null;
}

/** The supervisor's own monitoring, if any (on this or another call). */
export interface OwnMonitoring {
  readonly callId: string;
  readonly legUuid: string;
  readonly mode: MonitorMode;
}

export type SupervisionStep =
  /** Dial the supervisor's leg into an eavesdrop on the agent leg, in `mode` (after stopping `stopLegUuid`, their monitoring of another call). */
  | { readonly kind: 'monitor'; readonly mode: MonitorMode; readonly stopLegUuid: string | null }
  /** Same leg, another mode: queue the mode's digit on the supervisor's leg. */
  | { readonly kind: 'switch_mode'; readonly legUuid: string; readonly from: MonitorMode; readonly to: MonitorMode; readonly digit: string }
  /** Already in that mode. */
  | { readonly kind: 'unchanged'; readonly mode: MonitorMode }
  /** 强拆: end the call (the customer's channel; the agent leg follows). */
  | { readonly kind: 'hangup' }
  /**
   * 代接: the customer is bridged to the supervisor's leg (the monitoring leg when
   * the supervisor monitors this call, else a new one) and the agent leg is released.
   */
  | { readonly kind: 'intercept'; readonly reuseLegUuid: string | null; readonly stopLegUuid: string | null };

export type StepRefusal =
  /** Not (or no longer) connected to an agent. */
  | 'call_not_connected'
  /** A supervisor took the call over: only hanging up remains. */
  | 'call_taken_over'
  /** Callbacks have no customer channel of the orchestrator's to move. */
  | 'not_for_callbacks';

export type PlanResult = { readonly ok: true; readonly step: SupervisionStep } | { readonly ok: false; readonly refusal: StepRefusal };

const refuse = (refusal: StepRefusal): PlanResult => ({ ok: false, refusal });
const step = (s: SupervisionStep): PlanResult => ({ ok: true, step: s });

/** What to do for `action` on `call`, given the supervisor's own monitoring. */
export function planCallAction(action: CallAction, call: PlannedCall, own: OwnMonitoring | null): PlanResult {
  if (!call.answered) return refuse('call_not_connected');
  if (action === 'hangup') return step({ kind: 'hangup' });
  if (call.takenOverBy !== null) return refuse('call_taken_over');
  if (!call.agentLegUuid) return refuse('call_not_connected');
  const onThisCall = own !== null && own.callId === call.callId ? own : null;
  if (action === 'intercept') {
    if (call.isCallback) return refuse('not_for_callbacks');
    return step({ kind: 'intercept', reuseLegUuid: onThisCall?.legUuid ?? null, stopLegUuid: own && !onThisCall ? own.legUuid : null });
  }
  if (onThisCall) {
    return onThisCall.mode === action
      ? step({ kind: 'unchanged', mode: action })
      : step({ kind: 'switch_mode', legUuid: onThisCall.legUuid, from: onThisCall.mode, to: action, digit: MODE_DIGIT[action] });
  }
  return step({ kind: 'monitor', mode: action, stopLegUuid: own?.legUuid ?? null });
}

/** HTTP status of a refusal: the call is in the wrong state for it. */
export const REFUSAL_STATUS = 409;
