import { header, variable, type FsEvent } from '../esl/event.ts';
import { UUID_RE } from '../esl/commands.ts';

/**
 * The ESL subscriptions the call layer needs (passed to `event json ...`).
 * CHANNEL_CREATE and sofia::gateway_state feed the trunk state (trunks/): calls in use per gateway, up/down.
 */
export const CALL_EVENT_SUBSCRIPTIONS = ['BACKGROUND_JOB', 'CHANNEL_CREATE', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_EXECUTE_COMPLETE', 'HEARTBEAT', 'RECORD_START', 'RECORD_STOP', 'CUSTOM', 'cc::enqueue', 'cc::digit', 'cc::ivr', 'sofia::gateway_state'] as const;

/** The custom event the dialplan fires when a caller enters the contact center. */
export const ENQUEUE_SUBCLASS = 'cc::enqueue';
/**
 * The custom event the dialplan fires when a waiting caller presses a key
 * (bind_digit_action in dialplans/cc_inbound.xml: the hold music does not read
 * digits, so FreeSWITCH's own DTMF event would never come).
 */
export const DIGIT_SUBCLASS = 'cc::digit';
/** The custom event dialplans/cc_ivr.xml fires when a caller reaches an IVR flow (the channel then parks). */
export const IVR_SUBCLASS = 'cc::ivr';
/** The channel variable play_and_get_digits stores the IVR's collected keys in. */
export const IVR_DIGITS_VAR = 'cc_ivr_digits';

/** What the call layer learns from FreeSWITCH, stripped of the wire format. */
export type CallSignal =
  | {
      kind: 'caller_entered';
      uuid: string;
      dialedNumber: string;
      queueId: string | null;
      callerNumber: string;
      callerName: string;
      /** From the dialplan or IVR (cc_priority): higher is served first. */
      priority: number;
      /** From the dialplan or IVR (cc_skills = "chinese:5,billing:3"). */
      requiredSkills: { skill: string; minLevel: number }[];
      /** The caller's language when the dialplan or IVR chose one (cc_language). */
      language: 'zh-CN' | 'en' | null;
      /** What the caller told the IVR (cc_ivr_data, JSON of strings): shown in the agent's screen pop. */
      ivrData: Record<string, string>;
      /** The IVR continues after the agent hangs up (e.g. a satisfaction survey): keep the caller (cc_after_call). */
      afterCall: boolean;
      at: number;
    }
  | { kind: 'ivr_entered'; uuid: string; flowId: string; dialedNumber: string; callerNumber: string; callerName: string; at: number }
  | {
      kind: 'app_completed';
      uuid: string;
      /** The Event-UUID the orchestrator sent with `sendmsg` (Application-UUID). */
      applicationUuid: string;
      application: string;
      response: string;
      /** Keys collected by play_and_get_digits into cc_ivr_digits ('' when none). */
      digits: string;
      /** Length of a `record` in ms (record_ms), when the application was a recording. */
      recordMs: number | null;
      at: number;
    }
  | {
      kind: 'channel_hangup';
      uuid: string;
      cause: string;
      at: number;
      /** Set when the channel recorded a voicemail message (cc_voicemail_box/_file, set by the IVR or the diversion). */
      voicemail?: VoicemailLeft;
    }
  | { kind: 'dtmf'; uuid: string; digit: string; at: number };


function clean(value: string | undefined, max = 80): string {
  return (value ?? '').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max);
}

export function parsePriority(raw: string | undefined): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 100 ? n : 0;
}

export function parseLanguage(raw: string | undefined): 'zh-CN' | 'en' | null {
  if (!raw) return null;
  const v = raw.toLowerCase();
  return v.startsWith('zh') || v === 'cmn' ? 'zh-CN' : v.startsWith('en') ? 'en' : null;
}

/** "chinese:5,billing:3" -> requirements; malformed items are dropped. */
export function parseSkills(raw: string | undefined): { skill: string; minLevel: number }[] {
  if (!raw) return [];
  const out: { skill: string; minLevel: number }[] = [];
  for (const item of raw.split(',').slice(0, 20)) {
    const m = /^\s*([a-z0-9_-]{1,40})\s*:\s*(10|[1-9])\s*$/.exec(item);
    if (m) out.push({ skill: m[1]!, minLevel: Number(m[2]) });
  }
  return out;
}

/** A voicemail message the ending channel left. */
export interface VoicemailLeft {
  mailbox: string;
  file: string;
  recordMs: number | null;
  callerNumber: string;
  organizationId: string | null;
  data: Record<string, string>;
}

const MAILBOX_RE = /^[A-Za-z0-9_-]{1,64}$/;
const VOICEMAIL_FILE_RE = /^\/[A-Za-z0-9_./-]{1,400}\.wav$/;

function voicemailLeft(event: FsEvent): VoicemailLeft | undefined {
  const mailbox = variable(event, 'cc_voicemail_box');
  const file = variable(event, 'cc_voicemail_file');
  if (!mailbox || !file || !MAILBOX_RE.test(mailbox) || !VOICEMAIL_FILE_RE.test(file) || file.includes('..')) return undefined;
  const ms = Number(variable(event, 'record_ms'));
  const org = variable(event, 'cc_organization_id') ?? '';
  return {
    mailbox,
    file,
    recordMs: variable(event, 'record_ms') !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : null,
    callerNumber: clean(header(event, 'Caller-Caller-ID-Number'), 64),
    organizationId: UUID_RE.test(org) ? org.toLowerCase() : null,
    data: parseIvrData(variable(event, 'cc_ivr_data')),
  };
}

const IVR_DATA_MAX_KEYS = 30;

/** cc_ivr_data: a JSON object of short strings; anything else yields {}. */
export function parseIvrData(raw: string | undefined): Record<string, string> {
  if (!raw || raw.length > 8000) return {};
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data).slice(0, IVR_DATA_MAX_KEYS)) {
    if (/^[a-z_][a-z0-9_]{0,39}$/.test(k) && typeof v === 'string') out[k] = clean(v, 200);
  }
  return out;
}

/**
 * Interprets one FreeSWITCH event. Returns null for events the call layer does
 * not act on, and for events whose channel uuid is missing or malformed.
 */
export function interpretEvent(event: FsEvent): CallSignal | null {
  const uuid = event.uuid;
  if (!uuid || !UUID_RE.test(uuid)) return null;
  if (event.name === 'CUSTOM' && event.subclass === ENQUEUE_SUBCLASS) {
    const queueId = header(event, 'cc_queue_id') ?? variable(event, 'cc_queue_id') ?? null;
    return {
      kind: 'caller_entered',
      uuid,
      dialedNumber: clean(header(event, 'cc_did') ?? variable(event, 'cc_did') ?? header(event, 'Caller-Destination-Number'), 64),
      queueId: queueId && UUID_RE.test(queueId) ? queueId : null,
      callerNumber: clean(header(event, 'Caller-Caller-ID-Number'), 64),
      callerName: clean(header(event, 'Caller-Caller-ID-Name')),
      priority: parsePriority(variable(event, 'cc_priority')),
      requiredSkills: parseSkills(variable(event, 'cc_skills')),
      language: parseLanguage(variable(event, 'cc_language')),
      ivrData: parseIvrData(variable(event, 'cc_ivr_data')),
      afterCall: variable(event, 'cc_after_call') === 'true',
      at: event.at,
    };
  }
  if (event.name === 'CUSTOM' && event.subclass === IVR_SUBCLASS) {
    const flowId = variable(event, 'cc_ivr_flow_id') ?? '';
    if (!UUID_RE.test(flowId)) return null;
    return {
      kind: 'ivr_entered',
      uuid,
      flowId: flowId.toLowerCase(),
      dialedNumber: clean(variable(event, 'cc_did') ?? header(event, 'Caller-Destination-Number'), 64),
      callerNumber: clean(header(event, 'Caller-Caller-ID-Number'), 64),
      callerName: clean(header(event, 'Caller-Caller-ID-Name')),
      at: event.at,
    };
  }
  if (event.name === 'CHANNEL_EXECUTE_COMPLETE') {
    const applicationUuid = header(event, 'Application-UUID') ?? '';
    // The dialplan's own applications carry one too: the IVR runtime ignores uuids it did not send.
    if (!UUID_RE.test(applicationUuid)) return null;
    const ms = Number(variable(event, 'record_ms'));
    return {
      kind: 'app_completed',
      uuid,
      applicationUuid: applicationUuid.toLowerCase(),
      application: clean(header(event, 'Application'), 64),
      response: clean(header(event, 'Application-Response'), 200),
      digits: (variable(event, IVR_DIGITS_VAR) ?? '').replace(/[^0-9*#A-D]/g, '').slice(0, 64),
      recordMs: Number.isFinite(ms) && ms >= 0 && variable(event, 'record_ms') !== undefined ? ms : null,
      at: event.at,
    };
  }
  if (event.name === 'CUSTOM' && event.subclass === DIGIT_SUBCLASS) {
    const digit = header(event, 'cc_digit') ?? '';
    return /^[0-9*#A-D]$/.test(digit) ? { kind: 'dtmf', uuid, digit, at: event.at } : null;
  }
  if (event.name === 'CHANNEL_HANGUP_COMPLETE') {
    const voicemail = voicemailLeft(event);
    return { kind: 'channel_hangup', uuid, cause: clean(header(event, 'Hangup-Cause') ?? 'UNKNOWN', 64), at: event.at, ...(voicemail ? { voicemail } : {}) };
  }
  return null;
}
