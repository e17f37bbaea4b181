/**
 * Pure builders for the FreeSWITCH API commands the orchestrator sends.
 * Everything that ends up on the command line is validated or sanitised here,
 * so that data from callers (caller-ID names, numbers) cannot inject commands.
 */

/** A FreeSWITCH channel/call uuid (any case). */
export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TOKEN_RE = /^[A-Za-z0-9_.+@:-]{1,128}$/;
const HANGUP_CAUSE_RE = /^[A-Z_]{2,64}$/;

export class UnsafeCommandArgumentError extends Error {
  override readonly name = 'UnsafeCommandArgumentError';
}

export function assertUuid(value: string): string {
  if (!UUID_RE.test(value)) throw new UnsafeCommandArgumentError(`not a channel uuid: ${JSON.stringify(value)}`);
  return value;
}

function assertToken(value: string, what: string): string {
  if (!TOKEN_RE.test(value)) throw new UnsafeCommandArgumentError(`unsafe ${what}: ${JSON.stringify(value)}`);
  return value;
}

/**
 * A channel-variable value for an originate `{...}` block: commas are escaped,
 * characters that end the block or the argument are removed, and values with
 * spaces are single-quoted.
 */
export function channelVarValue(value: string): string {
  const cleaned = value.replace(/[\r\n'{}[\]^]/g, '').replace(/,/g, '\\,').slice(0, 200);
  return /\s/.test(cleaned) ? `'${cleaned}'` : cleaned;
}

function varBlock(vars: Record<string, string | number | boolean>): string {
  const parts = Object.entries(vars).map(([k, v]) => `${assertToken(k, 'variable name')}=${channelVarValue(String(v))}`);
  return `{${parts.join(',')}}`;
}

export interface AgentOfferCommand {
  agentLegUuid: string;
  callId: string;
  callerUuid: string;
  extension: string;
  sipDomain: string;
  callerNumber: string;
  callerName: string;
  queueName: string;
  ringTimeoutSec: number;
}

/** Rings an agent's registered softphone; the answered leg parks until it is bridged to the caller. */
export function originateToAgent(o: AgentOfferCommand): string {
  const vars = varBlock({
    origination_uuid: assertUuid(o.agentLegUuid),
    originate_timeout: Math.max(1, Math.round(o.ringTimeoutSec)),
    origination_caller_id_number: o.callerNumber || 'unknown',
    origination_caller_id_name: o.callerName || o.callerNumber || 'unknown',
    absolute_codec_string: 'OPUS,PCMU,PCMA',
    ignore_early_media: 'true',
    hangup_after_bridge: 'true',
    cc_role: 'agent',
    cc_call_id: assertUuid(o.callId),
    // A callback has no caller channel yet.
    ...(o.callerUuid ? { cc_caller_uuid: assertUuid(o.callerUuid) } : {}),
    'sip_h_X-CC-Call-Id': o.callId,
    'sip_h_X-CC-Queue': o.queueName,
  });
  return `originate ${vars}user/${assertToken(o.extension, 'extension')}@${assertToken(o.sipDomain, 'SIP domain')} &park()`;
}

export function uuidBridge(a: string, b: string): string {
  return `uuid_bridge ${assertUuid(a)} ${assertUuid(b)}`;
}

export function uuidKill(uuid: string, cause = 'NORMAL_CLEARING'): string {
  if (!HANGUP_CAUSE_RE.test(cause)) throw new UnsafeCommandArgumentError(`bad hangup cause ${cause}`);
  return `uuid_kill ${assertUuid(uuid)} ${cause}`;
}

/** Sends a channel to an extension of a dialplan context (the dialplan owns the media). */
export function uuidTransfer(uuid: string, extension: string, context: string): string {
  return `uuid_transfer ${assertUuid(uuid)} ${assertToken(extension, 'extension')} XML ${assertToken(context, 'context')}`;
}

export function uuidSetVar(uuid: string, name: string, value: string): string {
  return `uuid_setvar ${assertUuid(uuid)} ${assertToken(name, 'variable name')} ${value.replace(/[\r\n]/g, ' ')}`;
}

export function uuidGetVar(uuid: string, name: string): string {
  return `uuid_getvar ${assertUuid(uuid)} ${assertToken(name, 'variable name')}`;
}

/** Plays a file to a channel on top of what it is doing (the hold music resumes after it). */
export function uuidBroadcast(uuid: string, file: string): string {
  if (!/^\/[A-Za-z0-9_./-]{1,400}$/.test(file) || file.includes('..')) throw new UnsafeCommandArgumentError(`unsafe file path ${JSON.stringify(file)}`);
  return `uuid_broadcast ${assertUuid(uuid)} ${file} aleg`;
}

export const UUID_RECORD_ACTIONS = ['start', 'stop', 'mask', 'unmask'] as const;
export type UuidRecordAction = (typeof UUID_RECORD_ACTIONS)[number];

/**
 * Starts, stops, masks (writes silence: a paused span) or unmasks a recording
 * of a channel: `uuid_record <uuid> start|stop|mask|unmask <path> [limit]`.
 * The path must be absolute, made of safe characters and end in .wav; the
 * limit (seconds, start only) caps the recording's length.
 */
export function uuidRecord(uuid: string, action: UuidRecordAction, file: string, limitSec?: number): string {
  if (!(UUID_RECORD_ACTIONS as readonly string[]).includes(action)) throw new UnsafeCommandArgumentError(`bad uuid_record action ${JSON.stringify(action)}`);
  if (!/^\/[A-Za-z0-9_./-]{1,400}\.wav$/.test(file) || file.includes('..') || file.includes('//')) {
    throw new UnsafeCommandArgumentError(`unsafe recording path ${JSON.stringify(file)}`);
  }
  let limit = '';
  if (limitSec !== undefined) {
    if (action !== 'start' || !Number.isInteger(limitSec) || limitSec < 1 || limitSec > 86_400) {
      throw new UnsafeCommandArgumentError(`bad uuid_record limit ${String(limitSec)} (whole seconds 1-86400, start only)`);
    }
    limit = ` ${limitSec}`;
  }
  return `uuid_record ${assertUuid(uuid)} ${action} ${file}${limit}`;
}

/** Sets several channel variables in one command: `uuid_setvar_multi <uuid> a=1;b=2` (values: safe tokens only). */
export function uuidSetVarMulti(uuid: string, vars: Record<string, string>): string {
  const pairs = Object.entries(vars).map(([k, v]) => `${assertToken(k, 'variable name')}=${assertToken(v, 'variable value')}`);
  if (pairs.length === 0) throw new UnsafeCommandArgumentError('uuid_setvar_multi needs at least one variable');
  return `uuid_setvar_multi ${assertUuid(uuid)} ${pairs.join(';')}`;
}

/** Stops what a channel is playing or recording (and its queued media applications). */
export function uuidBreak(uuid: string): string {
  return `uuid_break ${assertUuid(uuid)} all`;
}
