import { describe, expect, it } from 'vitest';
import { parseScoringForm } from '../../../src/qa/forms.ts';

const valid = {
  id: 'service-2025',
  name: '客服质检表',
  sections: [
    { id: 'greeting', title: '开场', weight: 20, items: [{ id: 'g1', label: '问候语', maxPoints: 5 }] },
    { id: 'compliance', title: '合规', weight: 30, items: [{ id: 'c1', label: '核实身份', maxPoints: 1, fatal: true }] },
  ],
};
const clone = (): typeof valid => structuredClone(valid);

describe('scoring form validation', () => {
  it('accepts a valid form and fills in defaults', () => {
    const r = parseScoringForm(valid);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.form.sections[0]!.items[0]).toEqual({ id: 'g1', label: '问候语', description: '', maxPoints: 5, weight: 1, fatal: false, allowNa: false });
    expect(r.form.sections[1]!.items[0]!.fatal).toBe(true);
  });

  it('names the section and item of a bad field', () => {
    const f = clone();
    (f.sections[1]!.items[0] as { maxPoints: number }).maxPoints = 0;
    const r = parseScoringForm(f);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ sectionId: 'compliance', itemId: 'c1', path: 'sections.1.items.0.maxPoints' });
    expect(r.issues[0]!.message).toMatch(/^section "compliance", item "c1": maxPoints: /);
  });

  it('names a section for section-level problems', () => {
    const f = clone();
    (f.sections[0] as { weight: number }).weight = -5;
    (f.sections[1] as { items: unknown[] }).items = [];
    const r = parseScoringForm(f);
    if (r.ok) throw new Error('expected issues');
    expect(r.issues.map((i) => [i.sectionId, i.itemId, i.path])).toEqual([
      ['greeting', null, 'sections.0.weight'],
      ['compliance', null, 'sections.1.items'],
    ]);
    expect(r.issues[1]!.message).toBe('section "compliance": items: a section needs at least one item');
  });

  it('reports every problem at once, by position when the id itself is bad', () => {
    const r = parseScoringForm({
      id: 'f', name: '',
      sections: [{ id: 'bad id!', title: 'x', items: [{ id: 'i1', label: 'x', maxPoints: 1, weight: 0 }, { label: 'y', maxPoints: Infinity }] }],
    });
    if (r.ok) throw new Error('expected issues');
    expect(r.issues.map((i) => [i.sectionId, i.itemId, i.path])).toEqual([
      [null, null, 'name'],
      ['bad id!', null, 'sections.0.id'],
      ['bad id!', 'i1', 'sections.0.items.0.weight'],
      ['bad id!', '#2', 'sections.0.items.1.id'],
      ['bad id!', '#2', 'sections.0.items.1.maxPoints'],
    ]);
    expect(r.issues[0]!.message).toMatch(/^form: name: /);
  });

  it('rejects duplicate section ids and item ids anywhere in the form', () => {
    const f = clone();
    f.sections.push({ id: 'greeting', title: 'again', weight: 1, items: [{ id: 'c1', label: 'dup', maxPoints: 1 }] });
    const r = parseScoringForm(f);
    if (r.ok) throw new Error('expected issues');
    expect(r.issues.map((i) => i.message)).toEqual([
      'section "greeting": id: duplicate section id "greeting"',
      'section "greeting", item "c1": id: duplicate item id "c1" (item ids are unique across the form)',
    ]);
  });

  it('rejects a form without sections, and non-objects', () => {
    expect(parseScoringForm({ ...valid, sections: [] })).toMatchObject({ ok: false, issues: [{ path: 'sections', sectionId: null }] });
    expect(parseScoringForm(null)).toMatchObject({ ok: false });
    expect(parseScoringForm('form')).toMatchObject({ ok: false });
  });
});
