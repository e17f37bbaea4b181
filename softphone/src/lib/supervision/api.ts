import { request } from '../api';
import type { SipAccount } from '../types';
import type {
  CallAction,
  CallActionResult,
  SupervisionCallsView,
  SupervisorView,
  TrunkView,
  WallboardTokenView,
  WallboardView,
} from '../../../../orchestrator/src/supervision/protocol';

export type {
  CallAction,
  CallActionResult,
  MonitorMode,
  MonitorSessionView,
  SupervisedCallView,
  SupervisionCallsView,
  SupervisorView,
  TrunkView,
  WallboardTokenView,
  WallboardView,
} from '../../../../orchestrator/src/supervision/protocol';

/** A token as POST /api/wallboard/tokens answers it: the only time the token itself is shown. */
export interface CreatedWallboardToken extends WallboardTokenView {
  token: string;
  url: string;
}

const enc = encodeURIComponent;

/** The supervisor's seat API (orchestrator/src/supervision/routes.ts). */
export const supervisionApi = {
  sipAccount: () => request<SipAccount>('GET', '/api/supervision/sip'),
  calls: () => request<SupervisionCallsView>('GET', '/api/supervision/calls'),
  act: (callId: string, action: CallAction, answerToken?: string) =>
    request<CallActionResult>('POST', `/api/supervision/calls/${enc(callId)}/${action}`, answerToken ? { answerToken } : {}),
  stop: () => request<void>('POST', '/api/supervision/stop'),
  supervisors: () => request<SupervisorView[]>('GET', '/api/supervision/supervisors'),
  setSupervisorQueues: (userId: string, queueIds: string[]) =>
    request<SupervisorView>('PUT', `/api/supervision/supervisors/${enc(userId)}/queues`, { queueIds }),
  trunks: () => request<TrunkView[]>('GET', '/api/trunks'),
  forceAgentState: (agentId: string, status: 'ready' | 'not_ready' | 'logged_out', reason: string) =>
    request<{ status: string }>('POST', `/api/agents/${enc(agentId)}/state`, { status, reason }),
  wallboardTokens: () => request<WallboardTokenView[]>('GET', '/api/wallboard/tokens'),
  createWallboardToken: (name: string) => request<CreatedWallboardToken>('POST', '/api/wallboard/tokens', { name }),
  revokeWallboardToken: (id: string) => request<void>('DELETE', `/api/wallboard/tokens/${enc(id)}`),
  /** Token-authenticated: the wallboard page has no login. */
  wallboard: (token: string) => request<WallboardView>('GET', `/api/wallboard/data?token=${enc(token)}`),
};
