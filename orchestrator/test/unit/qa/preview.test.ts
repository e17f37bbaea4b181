import { describe, expect, it } from 'vitest';
import { parseScoringForm, type ScoringForm } from '../../../src/qa/forms.ts';
import { previewForm } from '../../../src/qa/preview.ts';
import { scoreEvaluation } from '../../../src/qa/scoring.ts';

function form(input: unknown): ScoringForm {
  const r = parseScoringForm(input);
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('; '));
  return r.form;
}

// greeting weight 1 (a1 w1, a2 w3), compliance weight 2 (c1 fatal)
const FORM = form({
  id: 'f',
  name: 'F',
  sections: [
    { id: 'greeting', title: 'Greeting', weight: 1, items: [{ id: 'a1', label: 'Hello', maxPoints: 5 }, { id: 'a2', label: 'Name', maxPoints: 2, weight: 3 }] },
    { id: 'compliance', title: 'Compliance', weight: 2, items: [{ id: 'c1', label: 'ID check', maxPoints: 1, fatal: true }] },
  ],
});

describe('form preview', () => {
  it('gives each section and item its weighted share of 100', () => {
    const p = previewForm(FORM);
    expect(p.maxTotal).toBe(100);
    expect(p.itemCount).toBe(3);
    expect(p.fatalItems).toEqual(['c1']);
    expect(p.sections.map((s) => s.maxContribution)).toEqual([33.3, 66.7]);
    // greeting is 1/3; a1 is 1/4 of it (1/12 → 8.3), a2 3/4 (1/4 → 25)
    expect(p.sections[0]!.items.map((i) => i.maxContribution)).toEqual([8.3, 25]);
    expect(p.sections.flatMap((s) => s.items).reduce((sum, i) => sum + i.share, 0)).toBeCloseTo(1, 12);
  });

  it('agrees with the scoring: losing one item costs exactly its share', () => {
    const p = previewForm(FORM);
    const a1 = p.sections[0]!.items[0]!;
    const score = scoreEvaluation(FORM, [{ itemId: 'a1', points: 0 }, { itemId: 'a2', points: 2 }, { itemId: 'c1', points: 1 }]);
    expect(score.total).toBe(Math.round((100 - 100 * a1.share) * 10) / 10);
  });
});
