import { describe, expect, it } from 'vitest';
import { parseScoringForm, type ScoringForm } from '../../../src/qa/forms.ts';
import { formatOffset, fromAnswers, liveScore, toAnswers } from '../../../src/qa/live-score.ts';
import { scoreEvaluation } from '../../../src/qa/scoring.ts';

function form(input: unknown): ScoringForm {
  const r = parseScoringForm(input);
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('; '));
  return r.form;
}

// a (weight 1): a1 max 10, a2 max 10 ; b (weight 1): b1 max 1 FATAL
const FORM = form({
  id: 'f',
  name: 'F',
  sections: [
    { id: 'a', title: 'A', items: [{ id: 'a1', label: 'a1', maxPoints: 10 }, { id: 'a2', label: 'a2', maxPoints: 10 }] },
    { id: 'b', title: 'B', items: [{ id: 'b1', label: 'b1', maxPoints: 1, fatal: true }] },
  ],
});

describe('live score while scoring', () => {
  it('scores what is answered so far, leaving unanswered items out', () => {
    expect(liveScore(FORM, {})).toMatchObject({ complete: false, answered: 0, items: 3, score: null });
    // only a1 = 6: section a = 60 %, section b unscored → total 60
    expect(liveScore(FORM, { a1: { points: 6 } })).toMatchObject({ complete: false, answered: 1, score: { total: 60 } });
    // a1 6, a2 10 → a = 80 %; b1 1 → 100 %; total (80 + 100) / 2 = 90
    const done = liveScore(FORM, { a1: { points: 6 }, a2: { points: 10 }, b1: { points: 1 } });
    expect(done).toMatchObject({ complete: true, answered: 3, score: { total: 90 } });
  });

  it('equals the server-side scoreEvaluation once complete, fatal rule included', () => {
    const draft = { a1: { points: 6 }, a2: { points: 10 }, b1: { points: 0 } } as const;
    const live = liveScore(FORM, draft);
    expect(live.score).toEqual(scoreEvaluation(FORM, toAnswers(FORM, draft)));
    expect(live.score).toMatchObject({ total: 0, totalBeforeFatal: 40, fatalFailed: ['b1'] });
  });

  it('reports out-of-range points and N/A where not allowed per item', () => {
    const live = liveScore(FORM, { a1: { points: 12 }, b1: { na: true } });
    expect(live.score).toBeNull();
    expect(live.problems.get('a1')).toMatch(/points must be 0-10/);
    expect(live.problems.get('b1')).toMatch(/may not be N\/A/);
  });

  it('turns grid answers into API answers in form order, and back', () => {
    const answers = toAnswers(FORM, { b1: { points: 1 }, a1: { na: true }, a2: null });
    expect(answers).toEqual([{ itemId: 'a1', na: true }, { itemId: 'b1', points: 1 }]);
    expect(fromAnswers(answers)).toEqual({ a1: { na: true }, b1: { points: 1 } });
  });

  it('formats comment offsets', () => {
    expect(formatOffset(0)).toBe('0:00');
    expect(formatOffset(75_900)).toBe('1:15');
    expect(formatOffset(3_725_000)).toBe('1:02:05');
  });
});
