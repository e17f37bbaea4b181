import { z } from 'zod';
import { parsePattern } from './pattern.ts';

/**
 * What admins change in the dialplan every day, as plain data: inbound numbers
 * (DIDs), extensions, outbound routes and the blacklist. The base contexts stay
 * static XML in dialplans/; these tables are served to FreeSWITCH through mod_xml_curl.
 */

/** Built-in announcements (extensions of the static cc_diversions context). */
export const ANNOUNCEMENTS = ['not_in_service', 'closed', 'busy', 'blacklisted'] as const;
export type Announcement = (typeof ANNOUNCEMENTS)[number];

/** SIP answers a rejected call may get. */
export const REJECT_CODES = [403, 404, 480, 486, 503] as const;

export const numberPattern = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .superRefine((s, ctx) => {
    const parsed = parsePattern(s);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
  });
export const exactNumber = z.string().trim().regex(/^\+?[0-9]{2,20}$/, '2-20 digits, optional leading +');
export const extensionNumber = z.string().trim().regex(/^[0-9]{2,10}$/, '2-10 digits');
export const gatewayName = z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 letters, digits, _ . -');
const description = z.string().trim().max(200).default('');
const position = z.number().int().min(0).max(1_000_000).default(0);
const enabled = z.boolean().default(true);

export const inboundTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ivr'), flowId: z.uuid() }),
  z.object({ kind: z.literal('queue'), queueId: z.uuid() }),
  z.object({ kind: z.literal('extension'), extension: extensionNumber }),
  z.object({ kind: z.literal('announcement'), announcement: z.enum(ANNOUNCEMENTS) }),
  z.object({ kind: z.literal('reject'), code: z.literal(REJECT_CODES).default(404) }),
]);
export type InboundTarget = z.output<typeof inboundTarget>;

export const extensionTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent'), agentId: z.uuid() }),
  z.object({ kind: z.literal('extension'), extension: extensionNumber }),
  z.object({ kind: z.literal('queue'), queueId: z.uuid() }),
  z.object({ kind: z.literal('ivr'), flowId: z.uuid() }),
  z.object({ kind: z.literal('external'), number: exactNumber }),
  z.object({ kind: z.literal('echo') }),
]);
export type ExtensionTarget = z.output<typeof extensionTarget>;

export const callerIdRule = z.discriminatedUnion('mode', [
  /** The caller ID the call already has (the original caller, or the agent's extension). */
  z.object({ mode: z.literal('pass_through') }),
  z.object({ mode: z.literal('fixed'), number: exactNumber }),
  /** One of the gateway's numbers, the same one for the same called number (stable hash). */
  z.object({ mode: z.literal('pool'), numbers: z.array(exactNumber).min(1).max(200) }),
]);
export type CallerIdRule = z.output<typeof callerIdRule>;

export const inboundNumberInput = z.object({
  number: numberPattern,
  position,
  target: inboundTarget,
  enabled,
  description,
});
export const extensionInput = z.object({
  extension: extensionNumber,
  target: extensionTarget,
  enabled,
  description,
});
export const outboundRouteInput = z.object({
  pattern: numberPattern,
  position,
  gateway: gatewayName,
  stripDigits: z.number().int().min(0).max(20).default(0),
  prepend: z.string().trim().regex(/^\+?[0-9]{0,20}$/, 'digits, optional leading +').default(''),
  callerId: callerIdRule.default({ mode: 'pass_through' }),
  enabled,
  description,
});
export const blacklistInput = z.object({
  number: numberPattern,
  position,
  action: z.enum(['reject', 'announcement']).default('reject'),
  reason: z.string().trim().max(200).default(''),
  /** Stored and compared in UTC (…Z), whatever offset it was given with. */
  expiresAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString()).nullable().default(null),
  enabled,
});

const withId = { id: z.uuid() };
export const inboundNumberItem = inboundNumberInput.extend(withId);
export const extensionItem = extensionInput.extend(withId);
export const outboundRouteItem = outboundRouteInput.extend(withId);
export const blacklistItem = blacklistInput.extend(withId);

export type InboundNumber = z.output<typeof inboundNumberItem>;
export type Extension = z.output<typeof extensionItem>;
export type OutboundRoute = z.output<typeof outboundRouteItem>;
export type BlacklistEntry = z.output<typeof blacklistItem>;

export interface Dialplan {
  inboundNumbers: InboundNumber[];
  extensions: Extension[];
  outboundRoutes: OutboundRoute[];
  blacklist: BlacklistEntry[];
}

export type DialplanKind = keyof Dialplan;
export const DIALPLAN_KINDS: readonly DialplanKind[] = ['inboundNumbers', 'extensions', 'outboundRoutes', 'blacklist'];

export type DialplanItem<K extends DialplanKind = DialplanKind> = Dialplan[K][number];

/** Per kind: its input and stored schemas, how items are named in messages, and its URL segment. */
export const KIND_INFO = {
  inboundNumbers: { input: inboundNumberInput, item: inboundNumberItem, noun: 'inbound number', segment: 'inbound-numbers', label: (i: InboundNumber) => i.number },
  extensions: { input: extensionInput, item: extensionItem, noun: 'extension', segment: 'extensions', label: (i: Extension) => i.extension },
  outboundRoutes: { input: outboundRouteInput, item: outboundRouteItem, noun: 'outbound route', segment: 'outbound-routes', label: (i: OutboundRoute) => i.pattern },
  blacklist: { input: blacklistInput, item: blacklistItem, noun: 'blacklist entry', segment: 'blacklist', label: (i: BlacklistEntry) => i.number },
} as const;

export function itemLabel(kind: DialplanKind, item: DialplanItem): string {
  return (KIND_INFO[kind].label as (i: DialplanItem) => string)(item);
}

/** The whole dialplan as one JSON file (export / import). Ids are kept when present. */
export const DIALPLAN_FILE_FORMAT = 'cc-dialplan';
export const dialplanFile = z.object({
  format: z.literal(DIALPLAN_FILE_FORMAT),
  version: z.literal(1),
  exportedAt: z.string().max(40).optional(),
  inboundNumbers: z.array(inboundNumberInput.extend({ id: z.uuid().optional() })).max(10_000).default([]),
  extensions: z.array(extensionInput.extend({ id: z.uuid().optional() })).max(10_000).default([]),
  outboundRoutes: z.array(outboundRouteInput.extend({ id: z.uuid().optional() })).max(10_000).default([]),
  blacklist: z.array(blacklistInput.extend({ id: z.uuid().optional() })).max(100_000).default([]),
});
export type DialplanFile = z.output<typeof dialplanFile>;

export function emptyDialplan(): Dialplan {
  return { inboundNumbers: [], extensions: [], outboundRoutes: [], blacklist: [] };
}

/** JSON with sorted keys: two equal items give the same text (revisions compare states this way). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Evaluation order of ordered kinds: by position, then as listed (the store lists by position, then creation). */
export function inEvaluationOrder<T extends { position: number }>(items: readonly T[]): T[] {
  return items.map((item, index) => ({ item, index })).sort((a, b) => a.item.position - b.item.position || a.index - b.index).map((x) => x.item);
}
