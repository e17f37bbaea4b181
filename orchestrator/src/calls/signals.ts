import { header, variable, type FsEvent } from '../esl/event.ts';

/** The ESL subscriptions the call layer needs (passed to `event json ...`). */
export const CALL_EVENT_SUBSCRIPTIONS = ['BACKGROUND_JOB', 'CHANNEL_HANGUP_COMPLETE', 'HEARTBEAT', 'CUSTOM', 'cc::enqueue', 'cc::digit'] as const;

/** The custom event the dialplan fires when a caller enters the contact center. */
export const ENQUEUE_SUBCLASS = 'cc::enqueue';
/**
 * The custom event the dialplan fires when a waiting caller presses a key
 * (bind_digit_action in dialplans/cc_inbound.xml: the hold music does not read
 * digits, so FreeSWITCH's own DTMF event would never come).
 */
export const DIGIT_SUBCLASS = 'cc::digit';

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
      at: number;
    }
  | { kind: 'channel_hangup'; uuid: string; cause: string; at: number }
  | { kind: 'dtmf'; uuid: string; digit: string; at: number };

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

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
      at: event.at,
    };
  }
  if (event.name === 'CUSTOM' && event.subclass === DIGIT_SUBCLASS) {
    const digit = header(event, 'cc_digit') ?? '';
    return /^[0-9*#A-D]$/.test(digit) ? { kind: 'dtmf', uuid, digit, at: event.at } : null;
  }
  if (event.name === 'CHANNEL_HANGUP_COMPLETE') {
    return { kind: 'channel_hangup', uuid, cause: clean(header(event, 'Hangup-Cause') ?? 'UNKNOWN', 64), at: event.at };
  }
  return null;
}
