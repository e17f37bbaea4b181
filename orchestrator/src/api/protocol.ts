import type { QueueSettings } from '../acd/config.ts';
import type { SupervisionServerMessage } from '../supervision/protocol.ts';

/**
 * The contract between the orchestrator and the web app (softphone + admin).
 * Type-only: the web app imports these types; the orchestrator validates every
 * incoming payload with the zod schemas in api/schemas.ts.
 */

export type Role = 'agent' | 'supervisor' | 'admin';
export type Locale = 'zh-CN' | 'en';
export type AgentStatus = 'logged_out' | 'not_ready' | 'ready' | 'reserved' | 'on_call' | 'wrap_up';

export interface SessionUser {
  id: string;
  login: string;
  displayName: string;
  role: Role;
  locale: Locale;
  organizationId: string;
  /** Set when the user is an agent (has a softphone extension). */
  agentId: string | null;
}

/** GET /api/agent/sip: the SIP account the softphone registers with. */
export interface SipAccount {
  uri: string; // sip:1001@domain
  authorizationUser: string;
  password: string;
  displayName: string;
  wsServers: string[]; // ws://127.0.0.1:5066 or wss://...
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
}

export interface Health {
  status: 'ok' | 'degraded';
  freeswitch: 'connected' | 'disconnected';
  database: 'ok' | 'error';
}

export interface AgentView {
  id: string;
  userId: string;
  login: string;
  displayName: string;
  extension: string;
  queueIds: string[];
  skills: { skill: string; level: number }[];
  status: AgentStatus;
  reason: string | null;
}

export type { OverflowAction } from '../acd/config.ts';
export type StrategyName = QueueSettings['strategy'];

/** A queue as the admin pages see it: its settings (acd/config.ts), members and live waiting count. */
export interface QueueView extends QueueSettings {
  id: string;
  agentIds: string[];
  members: { agentId: string; tier: number; position: number }[];
  waiting: number;
}

export interface NotReadyReason {
  code: string;
  labelZh: string;
  labelEn: string;
}

export interface CustomerView {
  id: string;
  name: string;
  phone: string;
  company: string | null;
  notes: string | null;
  priority: number;
  dedicatedAgentId: string | null;
}

export interface ContactView {
  at: string; // ISO time
  queueName: string | null;
  agentName: string | null;
  outcome: string;
  talkSeconds: number | null;
}

export interface ScreenPop {
  customer: CustomerView | null;
  lastContacts: ContactView[];
}

/** Live figures of one queue (today's counters reset at local midnight). */
export interface QueueMetricsView {
  queueId: string;
  name: string;
  waiting: number;
  longestWaitSec: number;
  agents: Record<AgentStatus, number>;
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  leftQueue: number;
  serviceLevelSec: number;
  serviceLevelPct: number | null;
  abandonRatePct: number | null;
  asaSec: number | null;
  ahtSec: number | null;
  /** Estimated wait for the next caller, from the live answer rate. */
  estimatedWaitSec: number | null;
}

export interface AgentMetricsView {
  agentId: string;
  name: string;
  extension: string;
  status: AgentStatus;
  reason: string | null;
  inStatusSec: number;
  callsAnswered: number;
  talkSec: number;
  wrapUpSec: number;
  currentCallId: string | null;
}

export interface MetricsView {
  at: string;
  queues: QueueMetricsView[];
  agents: AgentMetricsView[];
}

/** Messages the server pushes over GET /ws (JSON text frames). */
export type ServerMessage =
  | { type: 'hello'; user: SessionUser; freeswitch: Health['freeswitch'] }
  | { type: 'system'; freeswitch: Health['freeswitch'] }
  | { type: 'agent.state'; agentId: string; status: AgentStatus; since: string; reason: string | null }
  | {
      type: 'call.offered';
      callId: string;
      callerNumber: string;
      callerName: string;
      calledNumber: string;
      queue: { id: string; name: string };
      screenPop: ScreenPop;
      /** What the caller entered in the IVR (account number, menu choices...), sensitive values excluded. */
      ivrData: Record<string, string>;
    }
  | { type: 'call.connected'; callId: string }
  | { type: 'call.offer_ended'; callId: string; cause: string }
  | { type: 'call.ended'; callId: string; cause: string }
  | { type: 'error'; code: string; message: string }
  /** To supervisors and admins, at most once a second while something changes. */
  | ({ type: 'metrics' } & MetricsView)
  /** The supervisor's seat: live calls, the user's own monitoring, trunks (supervision/protocol.ts). */
  | SupervisionServerMessage;

/** Messages the web app sends over /ws. */
export type ClientMessage =
  | { type: 'agent.set_state'; status: 'ready' | 'not_ready'; reason?: string }
  | { type: 'ping' };
