import type {
  QaCommentView,
  QaEvaluationSummary,
  QaEvaluationView,
  QaFormSummary,
  QaFormView,
  QaRecordingCandidate,
  QaReport,
} from '../../../../orchestrator/src/qa/views.ts';
import type { Answer, EvaluationScore } from '../../../../orchestrator/src/qa/scoring.ts';
import type { EvaluationStatus } from '../../../../orchestrator/src/qa/workflow.ts';
import { queryString as query, request } from '../api';

export type {
  Answer,
  EvaluationScore,
  EvaluationStatus,
  QaCommentView,
  QaEvaluationSummary,
  QaEvaluationView,
  QaFormSummary,
  QaFormView,
  QaRecordingCandidate,
  QaReport,
};

export interface ReportQuery {
  groupBy: 'agent' | 'queue' | 'item';
  bucket: 'day' | 'week' | 'month' | 'all';
  from: string;
  to: string;
  formId?: string;
}

export interface CommentInput {
  offsetMs: number;
  endOffsetMs?: number | null;
  itemId?: string | null;
  text: string;
}

const enc = encodeURIComponent;
const evaluationPath = (id: string) => `/api/qa/evaluations/${enc(id)}`;

/** The quality-control API (orchestrator/src/api/qa-routes.ts). Scores are always computed by the server. */
export const qaApi = {
  forms: {
    list: () => request<QaFormSummary[]>('GET', '/api/qa/forms'),
    get: (id: string, version?: number) => request<QaFormView>('GET', `/api/qa/forms/${enc(id)}${query({ version })}`),
    create: (definition: unknown) => request<QaFormView>('POST', '/api/qa/forms', { definition }),
    /** Saves an edited form as its next version. */
    update: (id: string, definition: unknown) => request<QaFormView>('PUT', `/api/qa/forms/${enc(id)}`, { definition }),
    setArchived: (id: string, archived: boolean) => request<QaFormView>('POST', `/api/qa/forms/${enc(id)}/archive`, { archived }),
  },
  recordings: (params: { from?: string; to?: string; limit?: number } = {}) =>
    request<QaRecordingCandidate[]>('GET', `/api/qa/recordings${query(params)}`),
  evaluations: {
    list: (params: { status?: EvaluationStatus; agentId?: string; recordingId?: string } = {}) =>
      request<QaEvaluationSummary[]>('GET', `/api/qa/evaluations${query(params)}`),
    get: (id: string) => request<QaEvaluationView>('GET', evaluationPath(id)),
    create: (recordingId: string, formId: string) => request<QaEvaluationView>('POST', '/api/qa/evaluations', { recordingId, formId }),
    saveAnswers: (id: string, answers: Answer[]) =>
      request<QaEvaluationView & { preview: EvaluationScore | null }>('PUT', `${evaluationPath(id)}/answers`, { answers }),
    submit: (id: string, answers: Answer[]) => request<QaEvaluationView>('POST', `${evaluationPath(id)}/submit`, { answers }),
    comment: (id: string, input: CommentInput) => request<QaCommentView>('POST', `${evaluationPath(id)}/comments`, input),
    acknowledge: (id: string) => request<QaEvaluationView>('POST', `${evaluationPath(id)}/acknowledge`),
    dispute: (id: string, reason: string) => request<QaEvaluationView>('POST', `${evaluationPath(id)}/dispute`, { reason }),
    resolve: (id: string, resolution: string, answers?: Answer[]) =>
      request<QaEvaluationView>('POST', `${evaluationPath(id)}/resolve`, answers ? { resolution, answers } : { resolution }),
  },
  report: (q: ReportQuery) => request<QaReport>('GET', `/api/qa/reports${query(q)}`),
};
