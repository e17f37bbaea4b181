// The API contract lives in the orchestrator; the web app only imports its types.
export type {
  AgentStatus,
  AgentView,
  ClientMessage,
  ContactView,
  CustomerView,
  Health,
  Locale,
  QueueView,
  Role,
  ScreenPop,
  ServerMessage,
  SessionUser,
  SipAccount,
} from '../../../orchestrator/src/api/protocol';

import type { ServerMessage } from '../../../orchestrator/src/api/protocol';

/** The `call.offered` push message: what the call card shows. */
export type CallOffer = Extract<ServerMessage, { type: 'call.offered' }>;

export type FreeswitchState = 'connected' | 'disconnected';
