/**
 * The orchestrator's pure quality-control decisions, run in the browser for
 * instant feedback (live score while scoring, form validation and preview while
 * designing). The server recomputes everything; these are the same functions.
 * They depend on zod and Intl only (browser-safe).
 */
export { parseScoringForm, type FormIssue, type ScoringForm, type ScoringItem, type ScoringSection } from '../../../../orchestrator/src/qa/forms.ts';
export { scoreEvaluation, ScoringError, type Answer, type EvaluationScore } from '../../../../orchestrator/src/qa/scoring.ts';
export { previewForm, type FormPreview } from '../../../../orchestrator/src/qa/preview.ts';
export { MAX_COMMENT_LENGTH } from '../../../../orchestrator/src/qa/comments.ts';
export { formatOffset, fromAnswers, liveScore, toAnswers, type DraftAnswer, type LiveScore } from '../../../../orchestrator/src/qa/live-score.ts';
