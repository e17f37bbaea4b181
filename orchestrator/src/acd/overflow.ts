import type { AgentState } from './agent-state.ts';
import type { OverflowAction, QueueConfig } from './config.ts';

/** Why a call leaves its queue without an agent. */
export type LeaveReason = 'max_wait' | 'no_agents' | 'full' | 'closed' | 'callback';

/** Where a diverted caller goes. */
export type Diversion =
  | { kind: 'announcement'; name: 'queue_overflow' | 'queue_closed' | 'not_in_service' | 'callback_accepted' }
  | { kind: 'voicemail'; mailbox: string }
  | { kind: 'external'; number: string }
  | { kind: 'queue'; queueId: string };

/**
 * Whether a waiting call must leave its queue now: it waited past the queue's
 * maximum, or nobody who serves the queue is logged in and the queue overflows
 * in that case. A call that is ringing an agent stays.
 */
export function waitingCallMustLeave(
  call: { enqueuedAt: number; ringing: boolean },
  queue: Pick<QueueConfig, 'maxWaitSec' | 'noAgentsAction'>,
  memberStates: readonly AgentState[],
  now: number,
): LeaveReason | null {
  if (call.ringing) return null;
  if (queue.maxWaitSec > 0 && now - call.enqueuedAt >= queue.maxWaitSec * 1000) return 'max_wait';
  if (queue.noAgentsAction === 'overflow' && !memberStates.some((a) => a.status !== 'logged_out')) return 'no_agents';
  if (queue.noAgentsAction === 'overflow_when_none_ready' && !memberStates.some((a) => a.status === 'ready')) return 'no_agents';
  return null;
}

/** The queue's diversion for a reason: closed hours follow the closed action, everything else the overflow action. */
export function diversionFor(queue: Pick<QueueConfig, 'id' | 'overflowAction' | 'overflowTarget' | 'closedAction' | 'closedTarget'>, reason: LeaveReason): Diversion {
  if (reason === 'callback') return { kind: 'announcement', name: 'callback_accepted' };
  const [action, target]: [OverflowAction, string | null] =
    reason === 'closed' ? [queue.closedAction, queue.closedTarget] : [queue.overflowAction, queue.overflowTarget];
  switch (action) {
    case 'queue':
      return target && target !== queue.id ? { kind: 'queue', queueId: target } : { kind: 'announcement', name: 'queue_overflow' };
    case 'voicemail':
      return { kind: 'voicemail', mailbox: target || queue.id };
    case 'external':
      return target ? { kind: 'external', number: target } : { kind: 'announcement', name: 'queue_overflow' };
    case 'announcement':
      return { kind: 'announcement', name: reason === 'closed' ? 'queue_closed' : 'queue_overflow' };
  }
}
