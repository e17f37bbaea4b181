/**
 * The agent state machine, as pure functions over plain data.
 *
 *   logged_out ──login──▶ not_ready ◀──▶ ready ──reserve──▶ reserved ──connect──▶ on_call
 *                              ▲            ▲  ◀──offer failed──┘                      │
 *                              └────────────┴──────── wrap-up ended ◀── wrap_up ◀──────┘
 */
export const AGENT_STATUSES = ['logged_out', 'not_ready', 'ready', 'reserved', 'on_call', 'wrap_up'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface AgentState {
  readonly agentId: string;
  readonly status: AgentStatus;
  /** When the agent entered `status` (ms since epoch). For `ready` this is the idle-since time. */
  readonly since: number;
  readonly reason: string | null;
  readonly callId: string | null;
}

export type AgentCommand =
  | { kind: 'login' }
  | { kind: 'logout' }
  | { kind: 'ready' }
  | { kind: 'not_ready'; reason: string }
  | { kind: 'reserve'; callId: string }
  | { kind: 'offer_failed'; callId: string; notReadyReason: string | null }
  | { kind: 'connect'; callId: string }
  | { kind: 'call_ended'; callId: string; wrapUp: boolean }
  | { kind: 'wrap_up_ended' };

export class AgentStateError extends Error {
  override readonly name = 'AgentStateError';
  constructor(
    readonly agentId: string,
    readonly from: AgentStatus,
    readonly command: AgentCommand['kind'],
  ) {
    super(`agent cannot ${command.replace('_', ' ')} while ${from.replace('_', ' ')}`);
  }
}

export function initialAgentState(agentId: string, now: number): AgentState {
  return { agentId, status: 'logged_out', since: now, reason: null, callId: null };
}

function to(state: AgentState, status: AgentStatus, now: number, extra: Partial<AgentState> = {}): AgentState {
  return { ...state, status, since: now, reason: null, callId: null, ...extra };
}

/** Applies a command; throws AgentStateError when the command is not allowed in the current status. */
export function applyAgentCommand(state: AgentState, cmd: AgentCommand, now: number): AgentState {
  const deny = (): never => {
    throw new AgentStateError(state.agentId, state.status, cmd.kind);
  };
  const s = state.status;
  switch (cmd.kind) {
    case 'login':
      return s === 'logged_out' ? to(state, 'not_ready', now, { reason: 'login' }) : state;
    case 'logout':
      return s === 'reserved' || s === 'on_call' ? deny() : to(state, 'logged_out', now);
    case 'ready':
      if (s === 'ready') return state;
      return s === 'not_ready' || s === 'wrap_up' ? to(state, 'ready', now) : deny();
    case 'not_ready':
      if (s === 'not_ready') return { ...state, reason: cmd.reason };
      return s === 'ready' || s === 'wrap_up' ? to(state, 'not_ready', now, { reason: cmd.reason }) : deny();
    case 'reserve':
      return s === 'ready' ? to(state, 'reserved', now, { callId: cmd.callId }) : deny();
    case 'offer_failed':
      if (s !== 'reserved' || state.callId !== cmd.callId) return state;
      return cmd.notReadyReason
        ? to(state, 'not_ready', now, { reason: cmd.notReadyReason })
        : to(state, 'ready', now);
    case 'connect':
      return s === 'reserved' && state.callId === cmd.callId ? to(state, 'on_call', now, { callId: cmd.callId }) : deny();
    case 'call_ended':
      if (s !== 'on_call' || state.callId !== cmd.callId) return state;
      return cmd.wrapUp ? to(state, 'wrap_up', now) : to(state, 'ready', now);
    case 'wrap_up_ended':
      return s === 'wrap_up' ? to(state, 'ready', now) : state;
  }
}
