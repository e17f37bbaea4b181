import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../src/acd/agent-state.ts';
import { diversionFor, waitingCallMustLeave } from '../../src/acd/overflow.ts';

const agent = (status: AgentState['status']): AgentState => ({ agentId: 'a', status, since: 0, reason: null, callId: null });
const queue = { id: 'q1', maxWaitSec: 60, noAgentsAction: 'overflow' as const, overflowAction: 'announcement' as const, overflowTarget: null, closedAction: 'voicemail' as const, closedTarget: 'sales' };

describe('waiting calls leaving their queue', () => {
  it('leaves after max wait', () => {
    expect(waitingCallMustLeave({ enqueuedAt: 0, ringing: false }, queue, [agent('on_call')], 59_999)).toBeNull();
    expect(waitingCallMustLeave({ enqueuedAt: 0, ringing: false }, queue, [agent('on_call')], 60_000)).toBe('max_wait');
  });
  it('leaves when nobody is logged in, if the queue overflows then', () => {
    expect(waitingCallMustLeave({ enqueuedAt: 0, ringing: false }, queue, [agent('logged_out')], 1)).toBe('no_agents');
    expect(waitingCallMustLeave({ enqueuedAt: 0, ringing: false }, { ...queue, noAgentsAction: 'wait' }, [], 1)).toBeNull();
  });
  it('can leave when nobody is ready (all busy or away), if the queue says so', () => {
    const q = { ...queue, noAgentsAction: 'overflow_when_none_ready' as const };
    expect(waitingCallMustLeave({ enqueuedAt: 0, ringing: false }, q, [agent('on_call'), agent('not_ready')], 1)).toBe('no_agents');
    expect(waitingCallMustLeave({ enqueuedAt: 0, ringing: false }, q, [agent('on_call'), agent('ready')], 1)).toBeNull();
  });

  it('never takes away a call that is ringing an agent', () => {
    expect(waitingCallMustLeave({ enqueuedAt: 0, ringing: true }, queue, [], 999_999)).toBeNull();
  });
});

describe('diversions', () => {
  it('follows the overflow action, and the closed action for closed hours', () => {
    expect(diversionFor(queue, 'max_wait')).toEqual({ kind: 'announcement', name: 'queue_overflow' });
    expect(diversionFor(queue, 'closed')).toEqual({ kind: 'voicemail', mailbox: 'sales' });
    expect(diversionFor({ ...queue, overflowAction: 'queue', overflowTarget: 'q2' }, 'full')).toEqual({ kind: 'queue', queueId: 'q2' });
    expect(diversionFor({ ...queue, overflowAction: 'external', overflowTarget: '13800138000' }, 'no_agents')).toEqual({ kind: 'external', number: '13800138000' });
  });
  it('falls back to the announcement when the target is missing or the queue itself', () => {
    expect(diversionFor({ ...queue, overflowAction: 'queue', overflowTarget: 'q1' }, 'full')).toEqual({ kind: 'announcement', name: 'queue_overflow' });
    expect(diversionFor({ ...queue, overflowAction: 'external', overflowTarget: null }, 'full')).toEqual({ kind: 'announcement', name: 'queue_overflow' });
    expect(diversionFor({ ...queue, closedAction: 'announcement' }, 'closed')).toEqual({ kind: 'announcement', name: 'queue_closed' });
  });
});
