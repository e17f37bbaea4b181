import { z } from 'zod';

/**
 * Quality-scoring forms (质检评分表): sections with weights, items with
 * maximum points and weights. A fatal item (致命项) that is failed zeroes the
 * whole evaluation; an item that allows N/A can be left out of the score.
 * How answers turn into a score is in scoring.ts.
 *
 * Weights are relative, not percentages: they need not add up to 100, and
 * sections/items that are N/A drop out of the denominator.
 */

const formId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'id: 1-64 of A-Z a-z 0-9 _ -');
const weight = z.number().positive().max(1000);

export const scoringItemSchema = z.object({
  id: formId,
  label: z.string().trim().min(1).max(500),
  description: z.string().max(2000).default(''),
  /** Points for a fully met item; answers score 0..maxPoints. */
  maxPoints: z.number().positive().max(1000),
  /** The item's weight within its section. */
  weight: weight.default(1),
  /** Failing it (scoring less than maxPoints) zeroes the whole evaluation. */
  fatal: z.boolean().default(false),
  /** Whether the evaluator may mark it N/A (excluded from the score). */
  allowNa: z.boolean().default(false),
});

export const scoringSectionSchema = z.object({
  id: formId,
  title: z.string().trim().min(1).max(200),
  /** The section's weight within the form. */
  weight: weight.default(1),
  items: z.array(scoringItemSchema).min(1, 'a section needs at least one item').max(100),
});

export const scoringFormSchema = z
  .object({
    id: formId,
    name: z.string().trim().min(1).max(200),
    sections: z.array(scoringSectionSchema).min(1, 'a form needs at least one section').max(50),
  })
  .superRefine((form, ctx) => {
    const sections = new Set<string>();
    const items = new Set<string>();
    form.sections.forEach((s, i) => {
      if (sections.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sections', i, 'id'], message: `duplicate section id "${s.id}"` });
      sections.add(s.id);
      s.items.forEach((it, j) => {
        if (items.has(it.id)) ctx.addIssue({ code: 'custom', path: ['sections', i, 'items', j, 'id'], message: `duplicate item id "${it.id}" (item ids are unique across the form)` });
        items.add(it.id);
      });
    });
  });

export type ScoringForm = z.infer<typeof scoringFormSchema>;
export type ScoringSection = ScoringForm['sections'][number];
export type ScoringItem = ScoringSection['items'][number];

/** A validation problem, named by the section and item it is in (ids, or #n when the id itself is unusable). */
export interface FormIssue {
  readonly sectionId: string | null;
  readonly itemId: string | null;
  /** The field path, e.g. `sections.1.items.0.maxPoints`. */
  readonly path: string;
  /** Human-readable, starting with the section/item: `section "greeting", item "g2": maxPoints: …`. */
  readonly message: string;
}

export type FormParseResult = { readonly ok: true; readonly form: ScoringForm } | { readonly ok: false; readonly issues: FormIssue[] };

const asRecord = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);
const nameOf = (v: unknown, index: number): string => {
  const id = asRecord(v)?.id;
  return typeof id === 'string' && id !== '' ? id : `#${index + 1}`;
};

/** Validates a scoring form; every problem is reported with the section and item it belongs to. */
export function parseScoringForm(input: unknown): FormParseResult {
  const parsed = scoringFormSchema.safeParse(input);
  if (parsed.success) return { ok: true, form: parsed.data };
  const rawSections = asRecord(input)?.sections;
  const issues = parsed.error.issues.map((issue): FormIssue => {
    const p = issue.path;
    let sectionId: string | null = null;
    let itemId: string | null = null;
    let rest = p;
    if (p[0] === 'sections' && typeof p[1] === 'number') {
      const rawSection = Array.isArray(rawSections) ? rawSections[p[1]] : undefined;
      sectionId = nameOf(rawSection, p[1]);
      rest = p.slice(2);
      if (p[2] === 'items' && typeof p[3] === 'number') {
        const rawItems = asRecord(rawSection)?.items;
        itemId = nameOf(Array.isArray(rawItems) ? rawItems[p[3]] : undefined, p[3]);
        rest = p.slice(4);
      }
    }
    const where = [sectionId !== null ? `section "${sectionId}"` : 'form', ...(itemId !== null ? [`item "${itemId}"`] : [])].join(', ');
    const field = rest.length ? `${rest.map(String).join('.')}: ` : '';
    return { sectionId, itemId, path: p.map(String).join('.'), message: `${where}: ${field}${issue.message}` };
  });
  return { ok: false, issues };
}
