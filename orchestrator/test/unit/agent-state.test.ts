import { describe, expect, it } from 'vitest';
import { AgentStateError, applyAgentCommand, initialAgentState, type AgentState } from '../../src/acd/agent-state.ts';

const at = (status: AgentState['status'], extra: Partial<AgentState> = {}): AgentState => ({
  agentId: 'a1', status, since: 0, reason: null, callId: null, ...extra,
});

describe('agent state machine', () => {
  it('walks login → ready → reserved → on call → wrap-up → ready', () => {
    let s = initialAgentState('a1', 0);
    s = applyAgentCommand(s, { kind: 'login' }, 1);
    expect(s.status).toBe('not_ready');
    s = applyAgentCommand(s, { kind: 'ready' }, 2);
    expect(s).toMatchObject({ status: 'ready', since: 2 });
    s = applyAgentCommand(s, { kind: 'reserve', callId: 'c1' }, 3);
    expect(s).toMatchObject({ status: 'reserved', callId: 'c1' });
    s = applyAgentCommand(s, { kind: 'connect', callId: 'c1' }, 4);
    expect(s).toMatchObject({ status: 'on_call', callId: 'c1' });
    s = applyAgentCommand(s, { kind: 'call_ended', callId: 'c1', wrapUp: true }, 5);
    expect(s).toMatchObject({ status: 'wrap_up', callId: null });
    s = applyAgentCommand(s, { kind: 'wrap_up_ended' }, 6);
    expect(s).toMatchObject({ status: 'ready', since: 6 });
  });

  it('returns to ready directly when the queue has no wrap-up', () => {
    const s = applyAgentCommand(at('on_call', { callId: 'c1' }), { kind: 'call_ended', callId: 'c1', wrapUp: false }, 9);
    expect(s).toMatchObject({ status: 'ready', since: 9 });
  });

  it('refuses to reserve an agent who is not ready', () => {
    for (const status of ['logged_out', 'not_ready', 'reserved', 'on_call', 'wrap_up'] as const) {
      expect(() => applyAgentCommand(at(status), { kind: 'reserve', callId: 'c' }, 1)).toThrow(AgentStateError);
    }
  });

  it('refuses logout during a call and not-ready while ringing', () => {
    expect(() => applyAgentCommand(at('on_call', { callId: 'c' }), { kind: 'logout' }, 1)).toThrow(/cannot logout while on call/);
    expect(() => applyAgentCommand(at('reserved', { callId: 'c' }), { kind: 'not_ready', reason: 'break' }, 1)).toThrow(AgentStateError);
  });

  it('a failed offer puts the agent not ready with a reason, or back to ready', () => {
    const r = at('reserved', { callId: 'c1' });
    expect(applyAgentCommand(r, { kind: 'offer_failed', callId: 'c1', notReadyReason: 'no_answer' }, 5)).toMatchObject({ status: 'not_ready', reason: 'no_answer' });
    expect(applyAgentCommand(r, { kind: 'offer_failed', callId: 'c1', notReadyReason: null }, 5)).toMatchObject({ status: 'ready' });
  });

  it('ignores stale events about another call', () => {
    const r = at('reserved', { callId: 'c2' });
    expect(applyAgentCommand(r, { kind: 'offer_failed', callId: 'c1', notReadyReason: null }, 5)).toBe(r);
    const oc = at('on_call', { callId: 'c2' });
    expect(applyAgentCommand(oc, { kind: 'call_ended', callId: 'c1', wrapUp: false }, 5)).toBe(oc);
  });
});
