import { z } from 'zod';
import { relationTo, roleReaches, type RecordingActor } from './actor.ts';

/**
 * Recording policies and who may control a recording, as pure decisions.
 *
 * A policy exists per queue, per outbound route and per agent:
 * - `all`: record automatically from `startAt`;
 * - `on_demand`: do not record automatically; agents/supervisors/admins may start one;
 * - `none`: this scope does not ask for recording (and allows no on-demand recording).
 *
 * `startAt` is when an automatic recording starts: `system_answer` (when the
 * platform answers — IVR and queue time included) or `agent_answer` (when an
 * agent, or the called party on an outbound call, answers).
 *
 * Precedence (see decideRecording):
 * 1. a do-not-record flag (legal constraint or the caller's opt-out) wins over everything: `none`;
 * 2. otherwise the strongest mode among the applicable policies wins: `all` > `on_demand` > `none`.
 *    So an agent's `all` overrides the queue's `on_demand`, and the queue's `all` overrides the
 *    agent's `none` — no single scope can switch off recording that another scope requires.
 *    A configured `none` means "not required here", never "forbidden": forbidding is the flag's job;
 * 3. among the policies with the winning `all` mode, the earliest `startAt` wins (`system_answer`);
 * 4. without any applicable policy the organization default applies (`none` if not given).
 */

export const RECORDING_MODES = ['all', 'on_demand', 'none'] as const;
export type RecordingMode = (typeof RECORDING_MODES)[number];
export const RECORDING_START_POINTS = ['system_answer', 'agent_answer'] as const;
export type RecordingStartAt = (typeof RECORDING_START_POINTS)[number];

export const recordingPolicySchema = z.object({
  mode: z.enum(RECORDING_MODES),
  startAt: z.enum(RECORDING_START_POINTS).default('agent_answer'),
});
export type RecordingPolicy = z.infer<typeof recordingPolicySchema>;

/** Where a policy comes from; also the order in which equal policies are credited (most specific first). */
export type PolicyScope = 'agent' | 'route' | 'queue';

/** Call phases in time order. On outbound calls only `agent_answer` (the called party answers) occurs. */
export type CallPhase = RecordingStartAt;

export type RecordingDecisionReason =
  /** A legal constraint or the caller's opt-out forbids recording. */
  | 'do_not_record'
  /** A policy requires recording and its start point has been reached. */
  | 'policy_all'
  /** A policy requires recording, from agent answer — not reached yet. */
  | 'awaiting_agent_answer'
  /** Recording only when someone starts it. */
  | 'on_demand'
  /** Policies exist and none asks for recording. */
  | 'not_required'
  /** No policy applies and the organization default does not ask for recording either. */
  | 'default_policy';

export interface RecordingDecision {
  /** The effective mode for the call. */
  readonly mode: RecordingMode;
  /** Whether an automatic recording must be running at this phase (start it if it is not). */
  readonly record: boolean;
  /** When the automatic recording starts; null unless mode is `all`. */
  readonly startAt: RecordingStartAt | null;
  readonly reason: RecordingDecisionReason;
  /** The scope whose policy decided; `flag` for do-not-record, `default` for the organization default. */
  readonly decidedBy: PolicyScope | 'flag' | 'default';
}

export interface RecordingDecisionInput {
  queuePolicy?: RecordingPolicy | null;
  routePolicy?: RecordingPolicy | null;
  agentPolicy?: RecordingPolicy | null;
  /** Legal constraint or caller opt-out: nothing is recorded, not even on demand. */
  doNotRecord?: boolean;
  /** The organization default, used only when no queue/route/agent policy applies. */
  defaultPolicy?: RecordingPolicy | null;
  /** The phase the call has reached. The agent policy is normally known from `agent_answer` on. */
  phase: CallPhase;
}

const MODE_STRENGTH: Record<RecordingMode, number> = { none: 0, on_demand: 1, all: 2 };
const PHASE_ORDER: Record<CallPhase, number> = { system_answer: 0, agent_answer: 1 };

/**
 * Decides whether a call is recorded, from when, and why. Pass every policy
 * that applies to the call (queue for queue calls, route for outbound calls,
 * the agent's once an agent is known); the precedence is in the module comment.
 */
export function decideRecording(input: RecordingDecisionInput): RecordingDecision {
  if (input.doNotRecord) return { mode: 'none', record: false, startAt: null, reason: 'do_not_record', decidedBy: 'flag' };

  const candidates: [PolicyScope, RecordingPolicy][] = [];
  if (input.agentPolicy) candidates.push(['agent', input.agentPolicy]);
  if (input.routePolicy) candidates.push(['route', input.routePolicy]);
  if (input.queuePolicy) candidates.push(['queue', input.queuePolicy]);

  let decidedBy: PolicyScope | 'default';
  let policy: RecordingPolicy;
  const first = candidates[0];
  if (!first) {
    decidedBy = 'default';
    policy = input.defaultPolicy ?? { mode: 'none', startAt: 'agent_answer' };
  } else {
    [decidedBy, policy] = first;
    for (const [scope, p] of candidates.slice(1)) {
      const stronger = MODE_STRENGTH[p.mode] > MODE_STRENGTH[policy.mode];
      const earlier = p.mode === policy.mode && PHASE_ORDER[p.startAt] < PHASE_ORDER[policy.startAt];
      if (stronger || earlier) [decidedBy, policy] = [scope, p];
    }
  }

  const base = { mode: policy.mode, decidedBy };
  switch (policy.mode) {
    case 'all': {
      const reached = PHASE_ORDER[input.phase] >= PHASE_ORDER[policy.startAt];
      return { ...base, record: reached, startAt: policy.startAt, reason: reached ? 'policy_all' : 'awaiting_agent_answer' };
    }
    case 'on_demand':
      return { ...base, record: false, startAt: null, reason: 'on_demand' };
    case 'none':
      return { ...base, record: false, startAt: null, reason: decidedBy === 'default' ? 'default_policy' : 'not_required' };
  }
}

/* ------------------------------------------------------------------------ */
/* On-demand control                                                         */
/* ------------------------------------------------------------------------ */

export const RECORDING_CONTROL_ACTIONS = ['start', 'stop', 'pause', 'resume'] as const;
export type RecordingControlAction = (typeof RECORDING_CONTROL_ACTIONS)[number];

/** A live call as the control rules see it. */
export interface ControlledCall {
  readonly organizationId: string;
  /** Every agent on the call (after transfers, all of them). */
  readonly agentIds: readonly string[];
  /** The effective mode from decideRecording. */
  readonly mode: RecordingMode;
}

export type ControlDenial =
  /** Another tenant's call: never. */
  | 'other_organization'
  /** Not the actor's own call, nor (for supervisors) their team's. */
  | 'out_of_scope'
  /** Mode `none` (not required, or do-not-record): nothing may be recorded. */
  | 'recording_not_permitted'
  /** Mode `all`: the recording is mandatory and may only be paused, not stopped. */
  | 'recording_mandatory';

export type ControlDecision = { allowed: true } | { allowed: false; reason: ControlDenial };

/**
 * Whether `actor` may start/stop/pause/resume the recording of `call`:
 * the agent on their own call, a supervisor of one of the call's agents (or
 * on their own call), an admin of the organization — never across tenants.
 * The mode narrows this for everyone: under `none` nothing may be done;
 * under `all` the recording may be paused and resumed (e.g. while a card
 * number is read out) and started early, but not stopped.
 */
export function canControlRecording(actor: RecordingActor, action: RecordingControlAction, call: ControlledCall): ControlDecision {
  const relation = relationTo(actor, call);
  if (relation === 'other_organization') return { allowed: false, reason: 'other_organization' };
  if (!roleReaches(actor.role, relation)) return { allowed: false, reason: 'out_of_scope' };
  if (call.mode === 'none') return { allowed: false, reason: 'recording_not_permitted' };
  if (call.mode === 'all' && action === 'stop') return { allowed: false, reason: 'recording_mandatory' };
  return { allowed: true };
}

/** The state of a call's recording. `stopped` may be started again (a new recording). */
export type RecordingRunState = 'idle' | 'recording' | 'paused' | 'stopped';

export class RecordingControlError extends Error {
  override readonly name = 'RecordingControlError';
  constructor(
    readonly from: RecordingRunState,
    readonly action: RecordingControlAction,
  ) {
    super(`cannot ${action} a recording that is ${from === 'idle' ? 'not started' : from}`);
  }
}

/**
 * The recording state after a control action. Repeating the action that led
 * to the current state is a no-op (double clicks, retried requests); actions
 * that make no sense in the state throw RecordingControlError.
 */
export function nextRecordingState(state: RecordingRunState, action: RecordingControlAction): RecordingRunState {
  const deny = (): never => {
    throw new RecordingControlError(state, action);
  };
  switch (action) {
    case 'start':
      return state === 'paused' ? deny() : 'recording';
    case 'pause':
      return state === 'recording' || state === 'paused' ? 'paused' : deny();
    case 'resume':
      return state === 'recording' || state === 'paused' ? 'recording' : deny();
    case 'stop':
      return state === 'idle' ? deny() : 'stopped';
  }
}
