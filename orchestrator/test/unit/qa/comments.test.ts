import { describe, expect, it } from 'vitest';
import { commentSchema, RecordingDurationError, validateComment } from '../../../src/qa/comments.ts';
import { normalisePauses } from '../../../src/recording/pauses.ts';

describe('comments pinned to a recording time', () => {
  const DURATION = 90_000;

  it('accepts offsets from the start to the very end, inclusive', () => {
    expect(validateComment({ offsetMs: 0, text: '开场白不完整' }, DURATION)).toEqual({ ok: true, comment: { offsetMs: 0, endOffsetMs: null, itemId: null, text: '开场白不完整' } });
    expect(validateComment({ offsetMs: DURATION, text: 'end' }, DURATION)).toMatchObject({ ok: true });
    expect(validateComment({ offsetMs: 10_000, endOffsetMs: 20_000, itemId: 'b1', text: '  trimmed  ' }, DURATION)).toEqual({
      ok: true, comment: { offsetMs: 10_000, endOffsetMs: 20_000, itemId: 'b1', text: 'trimmed' },
    });
  });

  it.each<[string, unknown, string]>([
    ['after the end', { offsetMs: DURATION + 1, text: 'x' }, 'offsetMs'],
    ['before the start', { offsetMs: -1, text: 'x' }, 'offsetMs'],
    ['fractional', { offsetMs: 1.5, text: 'x' }, 'offsetMs'],
    ['not a number', { offsetMs: '10', text: 'x' }, 'offsetMs'],
    ['stretch past the end', { offsetMs: 10, endOffsetMs: DURATION + 1, text: 'x' }, 'endOffsetMs'],
    ['stretch ending before it starts', { offsetMs: 10, endOffsetMs: 10, text: 'x' }, 'endOffsetMs'],
    ['empty text', { offsetMs: 10, text: '   ' }, 'text'],
    ['text too long', { offsetMs: 10, text: 'x'.repeat(2001) }, 'text'],
  ])('rejects an offset %s', (_name, input, path) => {
    const r = validateComment(input, DURATION);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual([path]);
  });

  it('says what is wrong with the offset', () => {
    expect(validateComment({ offsetMs: DURATION + 1, text: 'x' }, DURATION)).toEqual({ ok: false, issues: [{ path: 'offsetMs', message: 'offset: beyond the end of the recording (90000 ms)' }] });
  });

  it('validates against the audible duration of a paused recording', () => {
    const audible = normalisePauses({ startedAt: 0, endedAt: 60_000 }, [{ kind: 'pause', at: 20_000 }, { kind: 'resume', at: 30_000 }]).audibleMs;
    expect(audible).toBe(50_000);
    expect(validateComment({ offsetMs: 50_000, text: 'x' }, audible).ok).toBe(true);
    expect(validateComment({ offsetMs: 55_000, text: 'x' }, audible).ok).toBe(false);
  });

  it('needs a sane duration', () => {
    expect(() => commentSchema(-1)).toThrow(RecordingDurationError);
    expect(() => commentSchema(1.5)).toThrow(RecordingDurationError);
    expect(() => commentSchema(Number.NaN)).toThrow(RecordingDurationError);
    expect(validateComment({ offsetMs: 0, text: 'x' }, 0).ok).toBe(true);
  });
});
