import { describe, expect, it } from 'vitest';
import { parseScoringForm, type ScoringForm } from '../../../src/qa/forms.ts';
import {
  aggregateScores,
  bucketOf,
  roundHalfUp,
  ScoringError,
  scoreEvaluation,
  type Answer,
  type EvaluationRecord,
  type EvaluationScore,
} from '../../../src/qa/scoring.ts';

function form(input: unknown): ScoringForm {
  const r = parseScoringForm(input);
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('; '));
  return r.form;
}

/*
 * greeting   (weight 20): a1 max 5, a2 max 5 — both may be N/A
 * resolution (weight 50): b1 max 10 weight 2, b2 max 4 weight 1
 * compliance (weight 30): c1 max 1 FATAL, c2 max 10 (may be N/A)
 */
const FORM = form({
  id: 'std',
  name: 'Standard',
  sections: [
    { id: 'greeting', title: 'Greeting', weight: 20, items: [{ id: 'a1', label: 'a1', maxPoints: 5, allowNa: true }, { id: 'a2', label: 'a2', maxPoints: 5, allowNa: true }] },
    { id: 'resolution', title: 'Resolution', weight: 50, items: [{ id: 'b1', label: 'b1', maxPoints: 10, weight: 2 }, { id: 'b2', label: 'b2', maxPoints: 4 }] },
    { id: 'compliance', title: 'Compliance', weight: 30, items: [{ id: 'c1', label: 'c1', maxPoints: 1, fatal: true }, { id: 'c2', label: 'c2', maxPoints: 10, allowNa: true }] },
  ],
});

const answers = (over: Record<string, number | 'na'> = {}): Answer[] =>
  Object.entries({ a1: 4, a2: 'na', b1: 7, b2: 3, c1: 1, c2: 9, ...over } as Record<string, number | 'na'>).map(([itemId, v]) =>
    v === 'na' ? { itemId, na: true as const } : { itemId, points: v },
  );

const sectionScores = (s: EvaluationScore) => Object.fromEntries(s.sections.map((x) => [x.sectionId, x.score]));

describe('scoreEvaluation: hand-computed examples', () => {
  it('weights items within sections and sections within the form; N/A items leave the denominator', () => {
    // greeting   = 4/5                              = 0.8
    // resolution = (2 × 7/10 + 1 × 3/4) / (2 + 1)   = 2.15 / 3 = 0.71666…
    // compliance = (1 × 1/1 + 1 × 9/10) / 2         = 0.95
    // total      = (20 × 0.8 + 50 × 0.71666… + 30 × 0.95) / 100 = 80.333… → 80.3
    const s = scoreEvaluation(FORM, answers());
    expect(s.total).toBe(80.3);
    expect(s.totalBeforeFatal).toBe(80.3);
    expect(s.fatalFailed).toEqual([]);
    expect(sectionScores(s)).toEqual({ greeting: 80, resolution: 71.7, compliance: 95 });
    expect(s.sections.map((x) => x.share)).toEqual([0.2, 0.5, 0.3]);
    expect(s.sections[0]!.items).toEqual([
      { itemId: 'a1', fatal: false, na: false, points: 4, maxPoints: 5, weight: 1, score: 80, fatalFailed: false },
      { itemId: 'a2', fatal: false, na: true, points: null, maxPoints: 5, weight: 1, score: null, fatalFailed: false },
    ]);
    expect(s.sections[1]!.items.map((i) => i.score)).toEqual([70, 75]);
  });

  it('drops a section whose items are all N/A and renormalises the section weights', () => {
    // total = (50 × 0.71666… + 30 × 0.95) / (50 + 30) = 64.333… / 80 = 0.804166… → 80.4
    const s = scoreEvaluation(FORM, answers({ a1: 'na' }));
    expect(s.total).toBe(80.4);
    expect(sectionScores(s)).toEqual({ greeting: null, resolution: 71.7, compliance: 95 });
    expect(s.sections.map((x) => x.share)).toEqual([0, 0.625, 0.375]);
  });

  it('an N/A item in a section counts for nothing, not for zero', () => {
    // compliance = 1/1 = 1 (c2 N/A); total = (16 + 35.8333… + 30) / 100 = 81.8333… → 81.8
    const s = scoreEvaluation(FORM, answers({ c2: 'na' }));
    expect(sectionScores(s).compliance).toBe(100);
    expect(s.total).toBe(81.8);
  });

  it('a failed fatal item zeroes the total but keeps the breakdown', () => {
    // compliance = (0 + 0.9) / 2 = 0.45; before fatal = (16 + 35.8333… + 13.5) / 100 = 65.333… → 65.3
    const s = scoreEvaluation(FORM, answers({ c1: 0 }));
    expect(s.total).toBe(0);
    expect(s.totalBeforeFatal).toBe(65.3);
    expect(s.fatalFailed).toEqual(['c1']);
    expect(sectionScores(s).compliance).toBe(45);
    expect(s.sections[2]!.items[0]).toMatchObject({ itemId: 'c1', points: 0, score: 0, fatalFailed: true });
  });

  it('a fatal item is failed by anything below its maximum', () => {
    const f = form({ id: 'f', name: 'f', sections: [{ id: 's', title: 's', items: [{ id: 'x', label: 'x', maxPoints: 4, fatal: true }, { id: 'y', label: 'y', maxPoints: 4 }] }] });
    expect(scoreEvaluation(f, [{ itemId: 'x', points: 3.5 }, { itemId: 'y', points: 4 }])).toMatchObject({ total: 0, totalBeforeFatal: 93.8, fatalFailed: ['x'] });
    expect(scoreEvaluation(f, [{ itemId: 'x', points: 4 }, { itemId: 'y', points: 2 }])).toMatchObject({ total: 75, fatalFailed: [] });
  });

  it('a fatal item marked N/A (where allowed) cannot fail', () => {
    const f = form({ id: 'f', name: 'f', sections: [{ id: 's', title: 's', items: [{ id: 'x', label: 'x', maxPoints: 1, fatal: true, allowNa: true }, { id: 'y', label: 'y', maxPoints: 4 }] }] });
    expect(scoreEvaluation(f, [{ itemId: 'x', na: true }, { itemId: 'y', points: 1 }])).toMatchObject({ total: 25, fatalFailed: [] });
  });

  it('full marks are 100, zero points score 0, all N/A is unscorable (null)', () => {
    expect(scoreEvaluation(FORM, answers({ a1: 5, a2: 5, b1: 10, b2: 4, c2: 10 })).total).toBe(100);
    // Only c1 met: compliance = (1 + 0) / 2 = 0.5; total = 30 × 0.5 / 100 = 15.
    expect(scoreEvaluation(FORM, answers({ a1: 0, a2: 0, b1: 0, b2: 0, c1: 1, c2: 0 })).total).toBe(15);
    const plain = form({ id: 'f', name: 'f', sections: [{ id: 's', title: 's', items: [{ id: 'x', label: 'x', maxPoints: 3 }] }] });
    expect(scoreEvaluation(plain, [{ itemId: 'x', points: 0 }])).toMatchObject({ total: 0, fatalFailed: [] });
    const onlyNa = form({ id: 'f', name: 'f', sections: [{ id: 's', title: 's', items: [{ id: 'x', label: 'x', maxPoints: 1, allowNa: true }] }] });
    expect(scoreEvaluation(onlyNa, [{ itemId: 'x', na: true }])).toMatchObject({ total: null, totalBeforeFatal: null, sections: [{ score: null, share: 0 }] });
  });

  it('rounds once, to one decimal, half up', () => {
    const one = (maxPoints: number) => form({ id: 'f', name: 'f', sections: [{ id: 's', title: 's', items: [{ id: 'x', label: 'x', maxPoints }] }] });
    expect(scoreEvaluation(one(400), [{ itemId: 'x', points: 329 }]).total).toBe(82.3); // 82.25 → 82.3 (not banker's 82.2)
    expect(scoreEvaluation(one(400), [{ itemId: 'x', points: 327 }]).total).toBe(81.8); // 81.75 → 81.8
    expect(scoreEvaluation(one(3), [{ itemId: 'x', points: 1 }]).total).toBe(33.3);
    expect(scoreEvaluation(one(3), [{ itemId: 'x', points: 2 }]).total).toBe(66.7);
    expect(scoreEvaluation(one(8), [{ itemId: 'x', points: 7 }]).total).toBe(87.5);
    expect(scoreEvaluation(one(1000), [{ itemId: 'x', points: 999.5 }]).total).toBe(100); // 99.95 → 100
  });

  it('roundHalfUp ignores float noise', () => {
    expect(roundHalfUp(1.005, 2)).toBe(1.01);
    expect(roundHalfUp(0.1 + 0.2, 1)).toBe(0.3);
    expect(roundHalfUp(82.25, 1)).toBe(82.3);
    expect(roundHalfUp(82.2499, 1)).toBe(82.2);
    expect(roundHalfUp(0.0000001, 1)).toBe(0);
    expect(roundHalfUp(100, 1)).toBe(100);
  });

  it('rejects answers that do not fit the form, naming every item', () => {
    const bad: Answer[] = [
      { itemId: 'a1', points: 6 }, // over max
      { itemId: 'a2', na: true },
      { itemId: 'b1', points: -1 }, // negative
      { itemId: 'b1', points: 5 }, // duplicate
      { itemId: 'c1', na: true }, // N/A not allowed
      { itemId: 'zz', points: 1 }, // unknown
      // b2 and c2 missing
    ];
    let err: unknown;
    try {
      scoreEvaluation(FORM, bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScoringError);
    expect((err as ScoringError).issues).toEqual([
      { sectionId: 'resolution', itemId: 'b1', message: 'answered more than once' },
      { sectionId: null, itemId: 'zz', message: 'not an item of this form' },
      { sectionId: 'greeting', itemId: 'a1', message: 'points must be 0-5 (got 6)' },
      { sectionId: 'resolution', itemId: 'b1', message: 'points must be 0-10 (got -1)' },
      { sectionId: 'resolution', itemId: 'b2', message: 'not answered' },
      { sectionId: 'compliance', itemId: 'c1', message: 'may not be N/A' },
      { sectionId: 'compliance', itemId: 'c2', message: 'not answered' },
    ]);
    expect((err as Error).message).toContain('section "greeting", item "a1": points must be 0-5 (got 6)');
    expect(() => scoreEvaluation(FORM, answers({ b1: Number.NaN }))).toThrow(ScoringError);
  });
});

describe('aggregateScores', () => {
  const TZ = 'Asia/Shanghai';
  const at = (iso: string) => Date.parse(iso);
  const ev = (agentId: string, queueId: string | null, when: string, total: number | null, items: [string, number | null, boolean?][] = []): EvaluationRecord => ({
    agentId, queueId, at: at(when),
    score: {
      total,
      fatalFailed: items.filter(([, , f]) => f).map(([id]) => id),
      sections: [{ sectionId: 's', weight: 1, share: 1, score: total, items: items.map(([itemId, score, f]) => ({ itemId, score, fatalFailed: f ?? false, fatal: f !== undefined, na: score === null, points: null, maxPoints: 1, weight: 1 })) }],
    },
  });

  const EVS: EvaluationRecord[] = [
    ev('a1', 'sales', '2025-03-03T02:00:00Z', 80.3, [['x', 80], ['c1', 100, false]]), // Mon 03-03 10:00 local
    ev('a1', 'sales', '2025-03-04T02:00:00Z', 90, [['x', 90], ['c1', 100, false]]),
    ev('a1', 'support', '2025-03-05T02:00:00Z', 0, [['x', 70], ['c1', 0, true]]), // fatal
    ev('a2', 'sales', '2025-03-03T03:00:00Z', 75, [['x', null], ['c1', 100, false]]), // x N/A
    ev('a2', null, '2025-03-03T04:00:00Z', null, [['x', null]]), // unscorable
    ev('a1', 'sales', '2025-02-01T00:00:00Z', 10), // before the period
    ev('a1', 'sales', '2025-04-01T00:00:00Z', 10), // at the (exclusive) end
  ];
  const MARCH = { from: at('2025-03-01T00:00:00+08:00'), to: at('2025-04-01T00:00:00Z'), bucket: 'all' as const, timezone: TZ };

  it('averages per agent over the period: (80.3 + 90 + 0) / 3 = 56.77 → 56.8', () => {
    expect(aggregateScores(EVS, 'agent', MARCH)).toEqual([
      { key: 'a1', bucket: 'all', count: 3, average: 56.8, fatalCount: 1 },
      { key: 'a2', bucket: 'all', count: 1, average: 75, fatalCount: 0 },
    ]);
  });

  it('averages per queue, with calls without a queue as null', () => {
    const evs = [...EVS, ev('a3', null, '2025-03-10T00:00:00Z', 50)];
    expect(aggregateScores(evs, 'queue', MARCH)).toEqual([
      { key: null, bucket: 'all', count: 1, average: 50, fatalCount: 0 },
      { key: 'sales', bucket: 'all', count: 3, average: 81.8, fatalCount: 0 }, // (80.3 + 90 + 75) / 3 = 81.77
      { key: 'support', bucket: 'all', count: 1, average: 0, fatalCount: 1 },
    ]);
  });

  it('averages per item, without N/A answers', () => {
    expect(aggregateScores(EVS, 'item', MARCH)).toEqual([
      { key: 'c1', bucket: 'all', count: 4, average: 75, fatalCount: 1 },
      { key: 'x', bucket: 'all', count: 3, average: 80, fatalCount: 0 },
    ]);
  });

  it('buckets by local day in the time zone', () => {
    // a1's 2025-03-02T17:00Z is 03-03 01:00 in Shanghai.
    const evs = [ev('a1', 'q', '2025-03-02T17:00:00Z', 60), ev('a1', 'q', '2025-03-02T15:59:59Z', 100), ev('a1', 'q', '2025-03-03T10:00:00Z', 81)];
    expect(aggregateScores(evs, 'agent', { ...MARCH, bucket: 'day' })).toEqual([
      { key: 'a1', bucket: '2025-03-02', count: 1, average: 100, fatalCount: 0 },
      { key: 'a1', bucket: '2025-03-03', count: 2, average: 70.5, fatalCount: 0 },
    ]);
  });

  it('labels weeks by their Monday and months by YYYY-MM, in the time zone', () => {
    expect(bucketOf(at('2025-03-02T15:00:00Z'), 'week', TZ)).toBe('2025-02-24'); // Sun 03-02 23:00 local
    expect(bucketOf(at('2025-03-02T16:00:00Z'), 'week', TZ)).toBe('2025-03-03'); // Mon 03-03 00:00 local
    expect(bucketOf(at('2025-03-09T15:59:59Z'), 'week', TZ)).toBe('2025-03-03'); // Sun 03-09 23:59:59 local
    expect(bucketOf(at('2025-01-01T00:00:00Z'), 'week', TZ)).toBe('2024-12-30'); // across a year
    expect(bucketOf(at('2025-02-28T20:00:00Z'), 'month', TZ)).toBe('2025-03');
    expect(bucketOf(at('2025-02-28T20:00:00Z'), 'month', 'UTC')).toBe('2025-02');
    expect(bucketOf(at('2025-02-28T20:00:00Z'), 'all', TZ)).toBe('all');
  });

  it('sorts by bucket then key, and leaves out groups with nothing to average', () => {
    const evs = [ev('b', 'q', '2025-03-10T00:00:00Z', 50), ev('a', 'q', '2025-03-10T00:00:00Z', 40), ev('a', 'q', '2025-03-03T00:00:00Z', 30), ev('c', 'q', '2025-03-03T00:00:00Z', null)];
    expect(aggregateScores(evs, 'agent', { ...MARCH, bucket: 'week' }).map((r) => [r.bucket, r.key])).toEqual([
      ['2025-03-03', 'a'], ['2025-03-10', 'a'], ['2025-03-10', 'b'],
    ]);
  });
});
