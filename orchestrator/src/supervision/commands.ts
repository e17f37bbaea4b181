import { assertUuid, channelVarValue, UnsafeCommandArgumentError } from '../esl/commands.ts';
import { eavesdropVariables } from './modes.ts';
import type { MonitorMode } from './protocol.ts';

/**
 * Pure builders of the FreeSWITCH API commands supervision sends. Like
 * esl/commands.ts, everything that reaches the command line is validated here.
 */

const TOKEN_RE = /^[A-Za-z0-9_.+@:-]{1,128}$/;
/** The nonce the supervisor's browser chose for this action: it answers only an INVITE carrying it. */
export const ANSWER_TOKEN_RE = /^[A-Za-z0-9_-]{8,64}$/;

function token(value: string, what: string): string {
  if (!TOKEN_RE.test(value)) throw new UnsafeCommandArgumentError(`unsafe ${what}: ${JSON.stringify(value)}`);
  return value;
}

export interface SupervisorLegCommand {
  /** The new leg's uuid (chosen by the orchestrator). */
  legUuid: string;
  /** The supervised call (its id goes on the leg as cc_call_id). */
  callId: string;
  /** The supervisor's extension and SIP domain: the leg rings their registered WebRTC softphone. */
  extension: string;
  sipDomain: string;
  /** Shown to the supervisor as the caller. */
  callerNumber: string;
  answerToken: string;
  ringTimeoutSec: number;
}

function varBlock(vars: Record<string, string | number>): string {
  return `{${Object.entries(vars).map(([k, v]) => `${token(k, 'variable name')}=${channelVarValue(String(v))}`).join(',')}}`;
}

function legVars(o: SupervisorLegCommand, role: string): Record<string, string | number> {
  if (!ANSWER_TOKEN_RE.test(o.answerToken)) throw new UnsafeCommandArgumentError('bad answer token');
  return {
    origination_uuid: assertUuid(o.legUuid),
    originate_timeout: Math.max(1, Math.round(o.ringTimeoutSec)),
    origination_caller_id_number: /^\+?[0-9]{1,20}$/.test(o.callerNumber) ? o.callerNumber : 'supervision',
    origination_caller_id_name: 'supervision',
    absolute_codec_string: 'OPUS,PCMU,PCMA',
    ignore_early_media: 'true',
    hangup_after_bridge: 'true',
    cc_role: role,
    cc_call_id: assertUuid(o.callId),
    'sip_h_X-CC-Supervision': o.answerToken,
  };
}

/**
 * Rings the supervisor's softphone; once answered, the leg eavesdrops on the
 * agent leg, starting in `mode` (modes.ts explains the switch's behaviour).
 */
export function originateMonitor(o: SupervisorLegCommand & { agentLegUuid: string; mode: MonitorMode }): string {
  const vars = varBlock({ ...legVars(o, 'supervisor'), ...eavesdropVariables(o.mode) });
  return `originate ${vars}user/${token(o.extension, 'extension')}@${token(o.sipDomain, 'SIP domain')} &eavesdrop(${assertUuid(o.agentLegUuid)})`;
}

/** Rings the supervisor's softphone; the answered leg parks until the customer is bridged to it (代接). */
export function originateTakeover(o: SupervisorLegCommand): string {
  return `originate ${varBlock(legVars(o, 'supervisor_takeover'))}user/${token(o.extension, 'extension')}@${token(o.sipDomain, 'SIP domain')} &park()`;
}

/** Queues DTMF on a channel as if its endpoint had sent it (a running eavesdrop reads it as a mode key). */
export function uuidRecvDtmf(uuid: string, digits: string): string {
  if (!/^[0-9*#]{1,8}$/.test(digits)) throw new UnsafeCommandArgumentError(`bad DTMF digits ${JSON.stringify(digits)}`);
  return `uuid_recv_dtmf ${assertUuid(uuid)} ${digits}`;
}
