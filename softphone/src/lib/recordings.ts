import { queryString as query, request } from './api';

/** Recordings as the API shows them (orchestrator/src/api/recording-routes.ts recordingView). */
export type RecordingStatus = 'recording' | 'stored' | 'failed' | 'purged';

export interface RecordingPause {
  fromMs: number;
  toMs: number;
}

export interface Recording {
  id: string;
  callId: string;
  agentId: string | null;
  agentIds: string[];
  queueId: string | null;
  direction: 'inbound' | 'outbound';
  callerNumber: string | null;
  calledNumber: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  channels: number | null;
  sampleRate: number | null;
  sizeBytes: number | null;
  sha256: string | null;
  storage: 'local' | 's3';
  status: RecordingStatus;
  pauses: RecordingPause[];
  pausedMs: number;
  startReason: 'policy' | 'on_demand';
  legalHold: boolean;
  attempts: number;
  lastError: string | null;
  disposition?: string | null;
  talkSeconds?: number | null;
  agentName?: string | null;
  queueName?: string | null;
  qaScore?: number | null;
  agents?: { id: string; name: string | null }[];
}

export interface RecordingSearch {
  from?: string;
  to?: string;
  agentId?: string;
  queueId?: string;
  callerNumber?: string;
  minDurationSec?: number;
  maxDurationSec?: number;
  disposition?: string;
  minQaScore?: number;
  maxQaScore?: number;
  status?: RecordingStatus;
  limit?: number;
  offset?: number;
}

export interface RecordingPage {
  items: Recording[];
  total: number;
  /** 'unavailable' when the QA tables are absent: the QA score filter is ignored. */
  qaScoreFilter: 'available' | 'unavailable';
}

export type LiveRecordingMode = 'all' | 'on_demand' | 'none';
export type LiveRecordingState = 'idle' | 'recording' | 'paused' | 'stopped';

export interface LiveRecordingStatus {
  callId: string;
  mode: LiveRecordingMode;
  state: LiveRecordingState;
  recordingId: string | null;
  pausedSince: string | null;
}

export type RecordingControlAction = 'start' | 'stop' | 'pause' | 'resume';

export const recordingsApi = {
  search: (s: RecordingSearch) => request<RecordingPage>('GET', `/api/recordings${query(s)}`),
  get: (id: string) => request<Recording>('GET', `/api/recordings/${encodeURIComponent(id)}`),
  /** A short-lived signed URL for the player (every call is audited as a playback). */
  playback: (id: string) => request<{ url: string; expiresAt: string }>('POST', `/api/recordings/${encodeURIComponent(id)}/playback`),
  download: (id: string) => request<{ url: string; expiresAt: string }>('POST', `/api/recordings/${encodeURIComponent(id)}/download`),
  setLegalHold: (id: string, legalHold: boolean) => request<Recording>('PUT', `/api/recordings/${encodeURIComponent(id)}/legal-hold`, { legalHold }),
  liveStatus: (callId: string) => request<LiveRecordingStatus>('GET', `/api/calls/${encodeURIComponent(callId)}/recording`),
  control: (callId: string, action: RecordingControlAction) => request<LiveRecordingStatus>('POST', `/api/calls/${encodeURIComponent(callId)}/recording`, { action }),
};
