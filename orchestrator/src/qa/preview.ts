import { roundHalfUp, SCORE_DECIMALS } from './scoring.ts';
import type { ScoringForm } from './forms.ts';

/**
 * What a form is worth, for the form designer: every total is out of 100, and
 * each section and item contributes its weighted share of it when nothing is
 * N/A (an N/A item's share goes to the others of its section, an all-N/A
 * section's to the other sections — see scoring.ts).
 */

export const MAX_TOTAL = 100;

export interface ItemPreview {
  readonly itemId: string;
  readonly label: string;
  readonly maxPoints: number;
  readonly fatal: boolean;
  readonly allowNa: boolean;
  /** Its share of the total, 0..1 (unrounded). */
  readonly share: number;
  /** Its share of 100, 1 decimal. */
  readonly maxContribution: number;
}

export interface SectionPreview {
  readonly sectionId: string;
  readonly title: string;
  readonly share: number;
  readonly maxContribution: number;
  readonly items: ItemPreview[];
}

export interface FormPreview {
  readonly maxTotal: typeof MAX_TOTAL;
  readonly itemCount: number;
  /** Ids of the fatal items: failing any of them zeroes the evaluation. */
  readonly fatalItems: string[];
  readonly sections: SectionPreview[];
}

const contribution = (share: number) => roundHalfUp(MAX_TOTAL * share, SCORE_DECIMALS);

/** The maximum total and each section's and item's share of it. */
export function previewForm(form: ScoringForm): FormPreview {
  const sectionWeights = form.sections.reduce((sum, s) => sum + s.weight, 0);
  const sections = form.sections.map((s): SectionPreview => {
    const share = s.weight / sectionWeights;
    const itemWeights = s.items.reduce((sum, it) => sum + it.weight, 0);
    return {
      sectionId: s.id,
      title: s.title,
      share,
      maxContribution: contribution(share),
      items: s.items.map((it) => {
        const itemShare = (share * it.weight) / itemWeights;
        return { itemId: it.id, label: it.label, maxPoints: it.maxPoints, fatal: it.fatal, allowNa: it.allowNa, share: itemShare, maxContribution: contribution(itemShare) };
      }),
    };
  });
  return {
    maxTotal: MAX_TOTAL,
    itemCount: sections.reduce((n, s) => n + s.items.length, 0),
    fatalItems: form.sections.flatMap((s) => s.items.filter((it) => it.fatal).map((it) => it.id)),
    sections,
  };
}
