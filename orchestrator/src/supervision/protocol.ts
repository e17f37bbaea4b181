import type { AgentStatus, QueueMetricsView } from '../api/protocol.ts';

/**
 * The supervisor's seat (班长席) and the wallboard as the web app sees them.
 * Type-only, like api/protocol.ts (which includes these messages in its unions).
 */

/** Listen (监听), whisper (耳语/密语: only the agent hears the supervisor), barge-in (三方强插: both hear). */
export type MonitorMode = 'listen' | 'whisper' | 'barge';
/** What a supervisor may do to a live call: the monitor modes, force hangup (强拆) and intercept (代接). */
export type CallAction = MonitorMode | 'hangup' | 'intercept';

/** A supervisor's own monitoring of a call: one WebRTC leg, switched between modes without re-dialing. */
export interface MonitorSessionView {
  callId: string;
  agentId: string;
  mode: MonitorMode;
  /** The supervisor's leg on the switch. */
  legUuid: string;
  startedAt: string;
}

/** A connected call as the supervisor's seat lists it. */
export interface SupervisedCallView {
  callId: string;
  agentId: string | null;
  queueId: string | null;
  callerNumber: string;
  callerName: string;
  answeredAt: string;
  /** Set once a supervisor took the call over (代接). */
  takenOverBy: string | null;
  /** Who monitors the call right now, and how. */
  monitors: { userId: string; displayName: string; mode: MonitorMode }[];
}

export interface SupervisionCallsView {
  calls: SupervisedCallView[];
  /** The asking supervisor's own monitoring, if any. */
  session: MonitorSessionView | null;
}

/** What POST /api/supervision/calls/:callId/:action answers. */
export interface CallActionResult {
  action: CallAction;
  callId: string;
  /** The monitoring after the action (null after hangup, intercept or when none). */
  session: MonitorSessionView | null;
}

/** A supervisor (or admin) and the queues they are responsible for (none: the whole organization). */
export interface SupervisorView {
  userId: string;
  login: string;
  displayName: string;
  role: 'supervisor' | 'admin';
  queueIds: string[];
}

/** A trunk / media gateway (中继) as FreeSWITCH reports it. */
export interface TrunkView {
  name: string;
  profile: string;
  /** Registration state: REGED, NOREG (no registration needed), TRYING, FAILED, FAIL_WAIT, UNREGED, … */
  registration: string;
  /** OPTIONS ping status (UP / DOWN), when pinging is configured; else unknown. */
  ping: 'up' | 'down' | 'unknown';
  /** The summary the seat shows: up when registered (or registration not required) and not failing pings. */
  status: 'up' | 'down';
  /** Live calls through this gateway (both directions). */
  callsInUse: number;
  /** Since FreeSWITCH started. */
  callsInTotal: number;
  callsOutTotal: number;
  lastChange: string | null;
  /** The last SIP status and phrase FreeSWITCH reported (e.g. 503 Service Unavailable). */
  lastStatus: string | null;
}

/** A wallboard token as listed (the token itself is shown once, at creation). */
export interface WallboardTokenView {
  id: string;
  name: string;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** The only data a wallboard token reads: queues, service level, waiting, agents by state, today's totals. */
export interface WallboardView {
  at: string;
  queues: Pick<
    QueueMetricsView,
    | 'queueId' | 'name' | 'waiting' | 'longestWaitSec' | 'agents' | 'offered' | 'answered' | 'abandoned'
    | 'serviceLevelSec' | 'serviceLevelPct' | 'abandonRatePct' | 'asaSec' | 'estimatedWaitSec'
  >[];
  agentsByState: Record<AgentStatus, number>;
  totals: {
    waiting: number;
    longestWaitSec: number;
    offered: number;
    answered: number;
    abandoned: number;
    /** Answered within each queue's service-level time, over all queues' calls (null before any call). */
    serviceLevelPct: number | null;
  };
}

export type SupervisionServerMessage =
  | { type: 'supervision.calls'; calls: SupervisedCallView[] }
  | { type: 'supervision.session'; session: MonitorSessionView | null; ended?: { callId: string; reason: string } }
  | { type: 'trunks'; trunks: TrunkView[] };

/** What GET /ws/wallboard pushes. */
export type WallboardServerMessage = ({ type: 'wallboard' } & WallboardView) | { type: 'error'; code: string; message: string };
