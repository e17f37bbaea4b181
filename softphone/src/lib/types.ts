// The API contract lives in the orchestrator; the web app only imports its types.
export type {
  AgentMetricsView,
  AgentStatus,
  AgentView,
  ClientMessage,
  ContactView,
  CustomerView,
  Health,
  Locale,
  MetricsView,
  NotReadyReason,
  OverflowAction,
  QueueMetricsView,
  QueueView,
  Role,
  ScreenPop,
  ServerMessage,
  SessionUser,
  SipAccount,
  StrategyName,
} from '../../../orchestrator/src/api/protocol';

import type { QueueView, ServerMessage } from '../../../orchestrator/src/api/protocol';

/** The `call.offered` push message: what the call card shows. */
export type CallOffer = Extract<ServerMessage, { type: 'call.offered' }>;

export type FreeswitchState = 'connected' | 'disconnected';

export type QueueMember = QueueView['members'][number];
export type SkillRule = QueueView['skillRules'][number];

/** The queue settings PATCH /api/queues/:id accepts (any subset). */
export type QueueSettings = Omit<QueueView, 'id' | 'agentIds' | 'members' | 'waiting'>;

// ---- Calendars: GET/POST/PUT /api/calendars. Not (yet) in protocol.ts; mirrors the server's schema. ----

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** ["08:30", "18:00"] */
export type TimeSpan = [string, string];

export interface CalendarException {
  /** YYYY-MM-DD, local to the calendar's time zone. */
  date: string;
  name: string;
  /** Empty: closed all day (holiday); else the opening hours of that day (extra working day). */
  open: TimeSpan[];
}

export interface CalendarInput {
  name: string;
  timezone: string;
  weekly: Partial<Record<Weekday, TimeSpan[]>>;
  exceptions: CalendarException[];
}

export interface CalendarView extends CalendarInput {
  id: string;
}
