import { z } from 'zod';
import { NO_AGENTS_ACTIONS, OVERFLOW_ACTIONS, QUEUE_DEFAULTS, STRATEGY_NAMES, skillName, skillRules, type QueueSettings } from '../acd/config.ts';

export const login = z.string().trim().regex(/^[A-Za-z0-9_.@-]{2,64}$/, '2-64 letters, digits, _ . @ -');
export const password = z.string().min(8, 'at least 8 characters').max(200);
export const displayName = z.string().trim().min(1).max(100);
export const extension = z.string().regex(/^[0-9]{2,10}$/, '2-10 digits');
export const inboundNumber = z.string().regex(/^\+?[0-9]{2,20}$/, '2-20 digits, optional leading +');
export const uuidParam = z.object({ id: z.uuid() });

export const loginBody = z.object({ login: z.string().min(1).max(64), password: z.string().min(1).max(200) });
export const meBody = z.object({ locale: z.enum(['zh-CN', 'en']) });
const reasonCode = z.string().regex(/^[a-z0-9_]{1,40}$/, 'a reason code');
export const agentStateBody = z.object({ status: z.enum(['ready', 'not_ready']), reason: reasonCode.optional() });
/** A supervisor forcing an agent's state (强制示忙 / 置闲 / 签出): the reason is required and audited. */
export const forcedAgentStateBody = z.object({ status: z.enum(['ready', 'not_ready', 'logged_out']), reason: z.string().trim().min(1).max(200) });

export const newAgentBody = z.object({ login, displayName, extension, password });
export const newUserBody = z.object({ login, displayName, password, role: z.enum(['supervisor', 'admin']) });
export const agentPatchBody = z.object({ displayName, extension, password }).partial().refine((o) => Object.keys(o).length > 0, 'nothing to change');

const overflowAction = z.enum(OVERFLOW_ACTIONS);
const overflowTarget = z.string().trim().max(64).regex(/^[A-Za-z0-9_+.@-]*$/, 'a queue id, a number or a mailbox').nullable();
const queueFields = {
  name: z.string().trim().min(1).max(100),
  inboundNumber: inboundNumber.nullable(),
  strategy: z.enum(STRATEGY_NAMES),
  ringTimeoutSec: z.number().int().min(5).max(120),
  maxWaitSec: z.number().int().min(0).max(86400),
  maxLength: z.number().int().min(0).max(10000),
  wrapUpSec: z.number().int().min(0).max(3600),
  serviceLevelSec: z.number().int().min(1).max(3600),
  shortAbandonSec: z.number().int().min(0).max(600),
  announceEverySec: z.number().int().refine((n) => n === 0 || (n >= 15 && n <= 3600), '0 (off) or 15-3600'),
  ringProgressivelyStepSec: z.number().int().min(1).max(600),
  stickyAgentSec: z.number().int().min(0).max(600),
  maxNoAnswer: z.number().int().min(1).max(20),
  skillRules,
  noAgentsAction: z.enum(NO_AGENTS_ACTIONS),
  holdMusic: z
    .string()
    .regex(/^(tone_stream:\/\/[0-9A-Za-z(),.;=%-]{1,250}|\/[A-Za-z0-9_./-]{1,250}\.(wav|mp3))$/, 'tone_stream://… or an absolute .wav/.mp3 path')
    .refine((v) => !v.includes('..'), 'no .. in paths')
    .nullable(),
  overflowAction,
  overflowTarget,
  callbackEnabled: z.boolean(),
  callbackDigit: z.string().regex(/^[0-9*#]$/, 'one DTMF key'),
  calendarId: z.uuid().nullable(),
  closedAction: overflowAction,
  closedTarget: overflowTarget,
};
/** Overflow to a queue needs a queue id; to an external number needs digits. */
function overflowTargetsValid(q: { overflowAction?: string; overflowTarget?: string | null; closedAction?: string; closedTarget?: string | null }, ctx: z.RefinementCtx) {
  for (const [action, target, path] of [[q.overflowAction, q.overflowTarget, 'overflowTarget'], [q.closedAction, q.closedTarget, 'closedTarget']] as const) {
    if (action === 'queue' && !(target && z.uuid().safeParse(target).success)) ctx.addIssue({ code: 'custom', path: [path], message: 'overflow to a queue needs the target queue id' });
    if (action === 'external' && !(target && /^\+?[0-9]{3,20}$/.test(target))) ctx.addIssue({ code: 'custom', path: [path], message: 'overflow to an external number needs the number' });
  }
}
export const newQueueBody = z
  .object(Object.fromEntries(Object.entries(queueFields).map(([k, schema]) => [k, k === 'name' ? schema : schema.optional()])) as { [K in keyof typeof queueFields]: K extends 'name' ? (typeof queueFields)[K] : z.ZodOptional<(typeof queueFields)[K]> })
  .superRefine(overflowTargetsValid)
  .transform((q) => ({ ...QUEUE_DEFAULTS, ...Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)), name: q.name }) as QueueSettings);
export const queuePatchBody = z.object(queueFields).partial().superRefine(overflowTargetsValid);
const member = z.object({ agentId: z.uuid(), tier: z.number().int().min(1).max(9).default(1), position: z.number().int().min(0).max(10000).default(0) });
export const queueMembersBody = z
  .union([z.object({ agentIds: z.array(z.uuid()).max(2000) }), z.object({ members: z.array(member).max(2000) })])
  .transform((b) => ('members' in b ? b.members : b.agentIds.map((agentId, position) => ({ agentId, tier: 1, position }))));
export const notReadyReasonBody = z.object({
  code: z.string().regex(/^[a-z0-9_]{1,40}$/, 'a-z, 0-9 and _ (1-40)'),
  labelZh: z.string().trim().min(1).max(40),
  labelEn: z.string().trim().min(1).max(40),
});
export const reasonParam = z.object({ code: z.string().regex(/^[a-z0-9_]{1,40}$/) });

export const agentSkillsBody = z.object({
  skills: z.array(z.object({ skill: skillName, level: z.number().int().min(1).max(10) })).max(50)
    .refine((l) => new Set(l.map((s) => s.skill)).size === l.length, 'a skill is listed twice'),
});

export const newCustomerBody = z.object({
  name: z.string().trim().min(1).max(200),
  phone: z.string().regex(/^\+?[0-9 ()-]{3,30}$/, 'digits, optional + ( ) - and spaces'),
  company: z.string().trim().max(200).nullable().default(null),
  notes: z.string().trim().max(2000).nullable().default(null),
  priority: z.number().int().min(0).max(100).default(0),
  dedicatedAgentId: z.uuid().nullable().default(null),
});

export const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('agent.set_state'), status: z.enum(['ready', 'not_ready']), reason: reasonCode.optional() }),
  z.object({ type: z.literal('ping') }),
]);
