import { scoreEvaluation, ScoringError, type Answer, type EvaluationScore } from './scoring.ts';
import type { ScoringForm } from './forms.ts';

/** One item's answer as the scoring grid holds it: points, N/A, or not answered yet. */
export type DraftAnswer = { points: number } | { na: true } | null;

export interface LiveScore {
  /** Every item answered: `score` is what the server will compute on submit. */
  readonly complete: boolean;
  readonly answered: number;
  readonly items: number;
  /** The score of the answered items (unanswered ones left out like N/A); null when nothing scorable yet. */
  readonly score: EvaluationScore | null;
  /** Out-of-range points etc., by item id. */
  readonly problems: ReadonlyMap<string, string>;
}

/** The answers to send: one per answered item, in form order. */
export function toAnswers(form: ScoringForm, draft: Readonly<Record<string, DraftAnswer>>): Answer[] {
  return form.sections.flatMap((s) =>
    s.items.flatMap((it): Answer[] => {
      const a = draft[it.id];
      if (!a) return [];
      return 'na' in a ? [{ itemId: it.id, na: true }] : [{ itemId: it.id, points: a.points }];
    }),
  );
}

export function fromAnswers(answers: readonly Answer[]): Record<string, DraftAnswer> {
  return Object.fromEntries(answers.map((a) => [a.itemId, 'na' in a ? { na: true as const } : { points: a.points }]));
}

/**
 * The score as it stands while the evaluator is still answering, with the
 * orchestrator's own scoreEvaluation: unanswered items count as N/A (left out
 * of their section), so the running score is the score of what was heard so far.
 */
export function liveScore(form: ScoringForm, draft: Readonly<Record<string, DraftAnswer>>): LiveScore {
  const items = form.sections.flatMap((s) => s.items);
  const answered = items.filter((it) => draft[it.id]).length;
  const problems = new Map<string, string>();
  const partialForm: ScoringForm = {
    ...form,
    sections: form.sections.map((s) => ({ ...s, items: s.items.map((it) => (draft[it.id] ? it : { ...it, allowNa: true })) })),
  };
  const answers = partialForm.sections.flatMap((s) =>
    s.items.map((it): Answer => {
      const a = draft[it.id];
      return !a || 'na' in a ? { itemId: it.id, na: true } : { itemId: it.id, points: a.points };
    }),
  );
  try {
    const score = scoreEvaluation(partialForm, answers);
    return { complete: answered === items.length, answered, items: items.length, score: score.total === null && answered === 0 ? null : score, problems };
  } catch (err) {
    if (!(err instanceof ScoringError)) throw err;
    for (const issue of err.issues) problems.set(issue.itemId, issue.message);
    return { complete: false, answered, items: items.length, score: null, problems };
  }
}

/** ms → "m:ss" (h:mm:ss from an hour) for comment times. */
export function formatOffset(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
