import { z } from 'zod';
import { localTime } from '../acd/calendar.ts';
import type { ScoringForm } from './forms.ts';

/**
 * Scoring an evaluation against a form, and averaging scores over time.
 *
 * Arithmetic (all exact until the final rounding):
 * - item fraction   = points / maxPoints                     (0..1)
 * - section fraction = Σ itemWeight × itemFraction / Σ itemWeight, over the items not N/A;
 *   a section whose items are all N/A has no score and leaves the form's denominator;
 * - form fraction   = Σ sectionWeight × sectionFraction / Σ sectionWeight, over scored sections;
 * - total           = 100 × form fraction, or 0 when any fatal item is failed
 *   (scored below its maxPoints); null when every item is N/A.
 *
 * Rounding: every reported percentage (item, section, total, averages) is
 * rounded once, at the end, to one decimal, half up (82.25 → 82.3), after
 * discarding float noise below 1e-9. Totals are computed from the unrounded
 * section fractions, so rounded section scores need not add up to the total.
 * Averages (aggregateScores) are the mean of the stored, rounded scores,
 * rounded again to one decimal: they match what people saw on each evaluation.
 */

export const SCORE_DECIMALS = 1;

/** Rounds a non-negative number half up to `decimals`, ignoring float noise (1.005 → 1.01, 0.1 + 0.2 → 0.3). */
export function roundHalfUp(x: number, decimals: number): number {
  // toFixed(9) drops float noise; shifting by the exponent in the string keeps 1.005 from becoming 100.49999….
  return Math.round(Number(`${x.toFixed(9)}e${decimals}`)) / 10 ** decimals;
}

const pct = (fraction: number) => roundHalfUp(100 * fraction, SCORE_DECIMALS);

export const answerSchema = z.union([
  z.object({ itemId: z.string().min(1), points: z.number().min(0) }).strict(),
  z.object({ itemId: z.string().min(1), na: z.literal(true) }).strict(),
]);
export type Answer = z.infer<typeof answerSchema>;

export interface ItemScore {
  readonly itemId: string;
  readonly fatal: boolean;
  readonly na: boolean;
  readonly points: number | null;
  readonly maxPoints: number;
  readonly weight: number;
  /** points / maxPoints as a percentage (1 decimal); null when N/A. */
  readonly score: number | null;
  /** A fatal item scored below its maximum. */
  readonly fatalFailed: boolean;
}

export interface SectionScore {
  readonly sectionId: string;
  readonly weight: number;
  /** The section's share of the total (weight / Σ weights of scored sections); 0 when unscored. */
  readonly share: number;
  /** Percentage (1 decimal); null when all its items are N/A. */
  readonly score: number | null;
  readonly items: ItemScore[];
}

export interface EvaluationScore {
  /** 0–100, 1 decimal; 0 when a fatal item failed; null when every item is N/A. */
  readonly total: number | null;
  /** What the total would be without the fatal rule (for coaching). */
  readonly totalBeforeFatal: number | null;
  /** Ids of the failed fatal items, in form order. */
  readonly fatalFailed: string[];
  readonly sections: SectionScore[];
}

export interface ScoringIssue {
  readonly sectionId: string | null;
  readonly itemId: string;
  readonly message: string;
}

export class ScoringError extends Error {
  override readonly name = 'ScoringError';
  constructor(readonly issues: ScoringIssue[]) {
    super(issues.map((i) => (i.sectionId ? `section "${i.sectionId}", item "${i.itemId}": ${i.message}` : `item "${i.itemId}": ${i.message}`)).join('; '));
  }
}

/**
 * Scores `answers` (one per item of the form: points in 0..maxPoints, or N/A
 * where the item allows it) against a validated form. Throws ScoringError
 * listing every missing, unknown, duplicated or out-of-range answer.
 */
export function scoreEvaluation(form: ScoringForm, answers: readonly Answer[]): EvaluationScore {
  const issues: ScoringIssue[] = [];
  const byItem = new Map<string, Answer>();
  const known = new Map(form.sections.flatMap((s) => s.items.map((it) => [it.id, s.id] as const)));
  for (const a of answers) {
    if (!known.has(a.itemId)) issues.push({ sectionId: null, itemId: a.itemId, message: 'not an item of this form' });
    else if (byItem.has(a.itemId)) issues.push({ sectionId: known.get(a.itemId) ?? null, itemId: a.itemId, message: 'answered more than once' });
    else byItem.set(a.itemId, a);
  }

  let weighted = 0;
  let totalWeight = 0;
  const fatalFailed: string[] = [];
  const sections = form.sections.map((section) => {
    let sum = 0;
    let weights = 0;
    const items = section.items.map((item): ItemScore => {
      const a = byItem.get(item.id);
      const base = { itemId: item.id, fatal: item.fatal, maxPoints: item.maxPoints, weight: item.weight };
      const invalid = (message: string): ItemScore => {
        issues.push({ sectionId: section.id, itemId: item.id, message });
        return { ...base, na: false, points: null, score: null, fatalFailed: false };
      };
      if (!a) return invalid('not answered');
      if ('na' in a) return item.allowNa ? { ...base, na: true, points: null, score: null, fatalFailed: false } : invalid('may not be N/A');
      if (!Number.isFinite(a.points) || a.points < 0 || a.points > item.maxPoints) return invalid(`points must be 0-${item.maxPoints} (got ${a.points})`);
      const fraction = a.points / item.maxPoints;
      sum += item.weight * fraction;
      weights += item.weight;
      const failed = item.fatal && a.points < item.maxPoints;
      if (failed) fatalFailed.push(item.id);
      return { ...base, na: false, points: a.points, score: pct(fraction), fatalFailed: failed };
    });
    const fraction = weights > 0 ? sum / weights : null;
    if (fraction !== null) {
      weighted += section.weight * fraction;
      totalWeight += section.weight;
    }
    return { section, fraction, items };
  });
  if (issues.length) throw new ScoringError(issues);

  const fraction = totalWeight > 0 ? weighted / totalWeight : null;
  const totalBeforeFatal = fraction === null ? null : pct(fraction);
  return {
    total: fatalFailed.length > 0 ? 0 : totalBeforeFatal,
    totalBeforeFatal,
    fatalFailed,
    sections: sections.map(({ section, fraction: f, items }) => ({
      sectionId: section.id,
      weight: section.weight,
      share: f === null ? 0 : section.weight / totalWeight,
      score: f === null ? null : pct(f),
      items,
    })),
  };
}

/* ------------------------------------------------------------------------ */
/* Aggregation                                                               */
/* ------------------------------------------------------------------------ */

/** A stored evaluation: who and which queue it is about, when, and its score. */
export interface EvaluationRecord {
  readonly agentId: string;
  readonly queueId: string | null;
  /** The time the evaluation counts for — normally the evaluated call's start (ms since epoch). */
  readonly at: number;
  readonly score: Pick<EvaluationScore, 'total' | 'fatalFailed' | 'sections'>;
}

export type AggregateGroupBy = 'agent' | 'queue' | 'item';

export interface AggregatePeriod {
  /** Inclusive start, ms since epoch. */
  readonly from: number;
  /** Exclusive end. */
  readonly to: number;
  /** Bucket size: calendar day, ISO week (Monday), calendar month in `timezone`, or the whole period. */
  readonly bucket: 'day' | 'week' | 'month' | 'all';
  /** IANA time zone for bucket boundaries, e.g. Asia/Shanghai. */
  readonly timezone: string;
}

export interface AggregateRow {
  /** The agent id, queue id (null: no queue) or item id. */
  readonly key: string | null;
  /** `YYYY-MM-DD` (day; the Monday for weeks), `YYYY-MM` (month) or `all`. */
  readonly bucket: string;
  /** How many scores were averaged (evaluations with a total; items not N/A). */
  readonly count: number;
  /** Mean of those scores, 1 decimal half up. */
  readonly average: number;
  /** Evaluations zeroed by a fatal item (agent/queue); failures of this fatal item (item). */
  readonly fatalCount: number;
}

const DAY_INDEX = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 } as const;

/** The bucket label of `at`. */
export function bucketOf(at: number, bucket: AggregatePeriod['bucket'], timezone: string): string {
  if (bucket === 'all') return 'all';
  const local = localTime(at, timezone);
  if (bucket === 'day') return local.date;
  if (bucket === 'month') return local.date.slice(0, 7);
  const [y, m, d] = local.date.split('-').map(Number);
  const monday = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) - DAY_INDEX[local.day] * 86_400_000;
  return new Date(monday).toISOString().slice(0, 10);
}

/**
 * Average scores per agent, queue or form item, per time bucket, over the
 * evaluations with `from <= at < to`. Unscorable evaluations (total null) and
 * N/A items are not counted. Rows are sorted by bucket, then key (null first).
 * Items are grouped by id alone: aggregate one form (or forms that share item ids) at a time.
 */
export function aggregateScores(evaluations: readonly EvaluationRecord[], groupBy: AggregateGroupBy, period: AggregatePeriod): AggregateRow[] {
  const groups = new Map<string, { key: string | null; bucket: string; sum: number; count: number; fatalCount: number }>();
  const add = (key: string | null, bucket: string, value: number, fatal: boolean) => {
    const id = JSON.stringify([bucket, key]);
    const g = groups.get(id) ?? { key, bucket, sum: 0, count: 0, fatalCount: 0 };
    g.sum += value;
    g.count += 1;
    if (fatal) g.fatalCount += 1;
    groups.set(id, g);
  };

  for (const e of evaluations) {
    if (!(e.at >= period.from && e.at < period.to)) continue;
    const bucket = bucketOf(e.at, period.bucket, period.timezone);
    if (groupBy === 'item') {
      for (const item of e.score.sections.flatMap((s) => s.items)) {
        if (item.score !== null) add(item.itemId, bucket, item.score, item.fatalFailed);
      }
    } else if (e.score.total !== null) {
      add(groupBy === 'agent' ? e.agentId : e.queueId, bucket, e.score.total, e.score.fatalFailed.length > 0);
    }
  }

  const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
  return [...groups.values()]
    .sort((a, b) => cmp(a.bucket, b.bucket) || cmp(a.key, b.key))
    .map((g) => ({ key: g.key, bucket: g.bucket, count: g.count, average: roundHalfUp(g.sum / g.count, SCORE_DECIMALS), fatalCount: g.fatalCount }));
}
