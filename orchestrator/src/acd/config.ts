import { z } from 'zod';

/** Queue and agent configuration as the ACD uses it (stored in Postgres, edited by admins). */

export const STRATEGY_NAMES = [
  'longest_idle', 'round_robin', 'least_talk_time', 'fewest_calls', 'ring_all', 'top_down', 'random', 'ring_progressively', 'skills_best_match',
] as const;

export const OVERFLOW_ACTIONS = ['announcement', 'queue', 'voicemail', 'external'] as const;
export type OverflowAction = (typeof OVERFLOW_ACTIONS)[number];
/** wait; overflow when nobody of the queue is logged in; or overflow when nobody is ready (all busy or away). */
export const NO_AGENTS_ACTIONS = ['wait', 'overflow', 'overflow_when_none_ready'] as const;

export const skillName = z.string().regex(/^[a-z0-9_-]{1,40}$/, 'skill: 1-40 of a-z 0-9 _ -');
export const skillRequirement = z.object({ skill: skillName, minLevel: z.number().int().min(1).max(10) });
export const skillRules = z
  .array(z.object({ afterWaitSec: z.number().int().min(0).max(86400), requirements: z.array(skillRequirement).max(20) }))
  .max(10)
  .refine((rules) => new Set(rules.map((r) => r.afterWaitSec)).size === rules.length, 'two skill rules start at the same wait');

export type SkillRuleConfig = z.infer<typeof skillRules>[number];

export interface QueueSettings {
  name: string;
  inboundNumber: string | null;
  strategy: (typeof STRATEGY_NAMES)[number];
  ringTimeoutSec: number;
  maxWaitSec: number;
  maxLength: number;
  wrapUpSec: number;
  serviceLevelSec: number;
  shortAbandonSec: number;
  announceEverySec: number;
  ringProgressivelyStepSec: number;
  stickyAgentSec: number;
  maxNoAnswer: number;
  skillRules: SkillRuleConfig[];
  noAgentsAction: (typeof NO_AGENTS_ACTIONS)[number];
  /** Music or tone on hold (tone_stream://… or an absolute file path); null = the switch default. */
  holdMusic: string | null;
  overflowAction: OverflowAction;
  overflowTarget: string | null;
  callbackEnabled: boolean;
  callbackDigit: string;
  calendarId: string | null;
  closedAction: OverflowAction;
  closedTarget: string | null;
}

export interface QueueMemberConfig {
  agentId: string;
  tier: number;
  position: number;
}

export interface QueueConfig extends QueueSettings {
  id: string;
  organizationId: string;
  members: QueueMemberConfig[];
}

export interface AgentConfig {
  id: string;
  organizationId: string;
  name: string;
  extension: string;
  skills: ReadonlyMap<string, number>;
}

export const QUEUE_DEFAULTS: Omit<QueueSettings, 'name'> = {
  inboundNumber: null,
  strategy: 'longest_idle',
  ringTimeoutSec: 20,
  maxWaitSec: 600,
  maxLength: 0,
  wrapUpSec: 0,
  serviceLevelSec: 20,
  shortAbandonSec: 5,
  announceEverySec: 0,
  ringProgressivelyStepSec: 10,
  stickyAgentSec: 0,
  maxNoAnswer: 1,
  skillRules: [],
  noAgentsAction: 'wait',
  holdMusic: null,
  overflowAction: 'announcement',
  overflowTarget: null,
  callbackEnabled: false,
  callbackDigit: '1',
  calendarId: null,
  closedAction: 'announcement',
  closedTarget: null,
};
