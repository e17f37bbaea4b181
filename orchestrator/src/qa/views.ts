import type { ScoringForm } from './forms.ts';
import type { Answer, EvaluationScore, AggregateGroupBy, AggregatePeriod } from './scoring.ts';
import type { EvaluationParty, EvaluationStatus } from './workflow.ts';

/** The quality-control API's answers (/api/qa/...), shared with the web app. */

export interface QaFormSummary {
  id: string;
  code: string;
  name: string;
  currentVersion: number;
  archived: boolean;
  createdAt: string;
  /** How many evaluations use any version of the form. */
  evaluationCount: number;
}

export interface QaFormView extends QaFormSummary {
  /** The version shown (the current one unless another was asked for). */
  version: number;
  definition: ScoringForm;
  versions: { version: number; createdAt: string; createdBy: string | null }[];
}

export interface QaCommentView {
  id: string;
  offsetMs: number;
  endOffsetMs: number | null;
  itemId: string | null;
  text: string;
  author: { id: string; displayName: string } | null;
  createdAt: string;
}

export interface QaDisputeView {
  reason: string;
  raisedAt: string;
  resolution: string | null;
  outcome: 'upheld' | 'rescored' | null;
  /** The total before a rescoring resolution. */
  previousTotal: number | null;
  resolvedBy: { id: string; displayName: string } | null;
  resolvedAt: string | null;
}

export interface QaEvaluationSummary {
  id: string;
  status: EvaluationStatus;
  recordingId: string | null;
  form: { id: string; name: string; version: number };
  agent: { id: string; displayName: string } | null;
  queue: { id: string; name: string } | null;
  evaluator: { id: string; displayName: string } | null;
  callStartedAt: string;
  callerNumber: string | null;
  /** 0-100 (1 decimal); null while draft or when every item is N/A. */
  totalScore: number | null;
  fatal: boolean;
  createdAt: string;
  submittedAt: string | null;
}

export interface QaEvaluationView extends QaEvaluationSummary {
  /** How the asker relates to it: the evaluated agent, or a reviewer (supervisor/admin). */
  party: EvaluationParty;
  /** Whether the asker may edit the answers and submit (the evaluator, while draft). */
  editable: boolean;
  definition: ScoringForm;
  answers: Answer[];
  score: EvaluationScore | null;
  /** The recording's playback length in ms (comments lie within it); null when unknown or purged. */
  recordingDurationMs: number | null;
  comments: QaCommentView[];
  dispute: QaDisputeView | null;
  acknowledgedAt: string | null;
}

export interface QaReportRow {
  /** Agent id, queue id (null: no queue) or item id. */
  key: string | null;
  /** The agent's or queue's name, or the item's label. */
  label: string | null;
  bucket: string;
  count: number;
  average: number;
  fatalCount: number;
}

export interface QaReport {
  groupBy: AggregateGroupBy;
  bucket: AggregatePeriod['bucket'];
  timezone: string;
  from: string;
  to: string;
  formId: string | null;
  /** Evaluations counted (submitted or later, calls in the period, within the asker's reach). */
  evaluations: number;
  rows: QaReportRow[];
}

/** A recording a reviewer may evaluate, with the evaluations it already has. */
export interface QaRecordingCandidate {
  id: string;
  callId: string;
  agent: { id: string; displayName: string } | null;
  queue: { id: string; name: string } | null;
  callerNumber: string | null;
  startedAt: string;
  durationMs: number | null;
  evaluationCount: number;
}
