import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalisePauses, PauseSpanError, type PauseEvent } from '../../../src/recording/pauses.ts';

const P = (at: number): PauseEvent => ({ kind: 'pause', at });
const R = (at: number): PauseEvent => ({ kind: 'resume', at });
const rec = { startedAt: 1000, endedAt: 2000 };

describe('pause spans', () => {
  it('no events: all audible', () => {
    expect(normalisePauses(rec, [])).toEqual({ spans: [], durationMs: 1000, pausedMs: 0, audibleMs: 1000, pausedSeconds: 0, audibleSeconds: 1 });
  });

  it('one pause and resume', () => {
    expect(normalisePauses(rec, [P(1200), R(1500)])).toMatchObject({ spans: [{ from: 1200, to: 1500 }], pausedMs: 300, audibleMs: 700, pausedSeconds: 0.3, audibleSeconds: 0.7 });
  });

  it.each<[string, PauseEvent[], [number, number][]]>([
    ['out of order', [R(1500), P(1200), R(1900), P(1700)], [[1200, 1500], [1700, 1900]]],
    ['duplicated events', [P(1200), P(1200), R(1500), R(1500), P(1200)], [[1200, 1500]]],
    ['a second pause while paused is a repeat', [P(1200), P(1300), R(1500)], [[1200, 1500]]],
    ['a resume while playing is a repeat', [R(1100), P(1200), R(1500), R(1600)], [[1200, 1500]]],
    ['a pause never resumed lasts to the end', [P(1800)], [[1800, 2000]]],
    ['paused before the recording started: starts paused', [P(500), R(1300)], [[1000, 1300]]],
    ['paused and resumed before the start: nothing', [P(500), R(900)], []],
    ['resumed after the end: clipped', [P(1900), R(2500)], [[1900, 2000]]],
    ['paused at the very end: nothing', [P(2000)], []],
    ['paused at the very start', [P(1000), R(1100)], [[1000, 1100]]],
    ['events after the end are moot', [P(2100), R(2200)], []],
    ['pause and resume at the same instant while playing: a blip', [P(1200), R(1200)], []],
    ['resume and re-pause at the same instant while paused: still paused', [P(1200), R(1500), P(1500), R(1800)], [[1200, 1800]]],
    ['the same tie in the other order', [R(1800), P(1500), R(1500), P(1200)], [[1200, 1800]]],
    ['paused the whole time', [P(0)], [[1000, 2000]]],
  ])('%s', (_name, events, expected) => {
    const s = normalisePauses(rec, events);
    expect(s.spans.map((x) => [x.from, x.to])).toEqual(expected);
    expect(s.pausedMs).toBe(expected.reduce((sum, [a, b]) => sum + b - a, 0));
    expect(s.audibleMs).toBe(1000 - s.pausedMs);
  });

  it('a zero-length recording has nothing paused', () => {
    expect(normalisePauses({ startedAt: 5, endedAt: 5 }, [P(0)])).toMatchObject({ spans: [], durationMs: 0, pausedMs: 0, audibleMs: 0 });
  });

  it('rejects what cannot be a recording or an event', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof PauseSpanError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => normalisePauses({ startedAt: 2000, endedAt: 1000 }, []))).toBe('invalid_recording');
    expect(code(() => normalisePauses({ startedAt: Number.NaN, endedAt: 1000 }, []))).toBe('invalid_recording');
    expect(code(() => normalisePauses({ startedAt: 0, endedAt: Infinity }, []))).toBe('invalid_recording');
    expect(code(() => normalisePauses(rec, [P(Number.NaN)]))).toBe('invalid_event');
    expect(code(() => normalisePauses(rec, [{ kind: 'stop' as never, at: 1200 }]))).toBe('invalid_event');
    expect(code(() => normalisePauses(rec, [P(1200)]))).toBe('none');
  });
});

describe('pause span properties', () => {
  const time = fc.integer({ min: 0, max: 60 });
  const event = fc.record({ kind: fc.constantFrom('pause' as const, 'resume' as const), at: time });
  const recording = fc.tuple(time, time).map(([a, b]) => ({ startedAt: Math.min(a, b) + 5, endedAt: Math.max(a, b) + 5 }));
  const events = fc.array(event, { maxLength: 20 });

  /**
   * An independent oracle: the state on (t, t+1) is the kind of the latest
   * instant <= t that has events of one kind only (mixed instants are blips),
   * paused if that is a pause.
   */
  function pausedAt(evs: readonly PauseEvent[], t: number): boolean {
    for (let u = t; u >= 0; u--) {
      const kinds = new Set(evs.filter((e) => e.at === u).map((e) => e.kind));
      if (kinds.size === 1) return kinds.has('pause');
    }
    return false;
  }

  it('paused time never exceeds the duration, and audible + paused = duration', () => {
    fc.assert(
      fc.property(recording, events, (r, evs) => {
        const s = normalisePauses(r, evs);
        expect(s.pausedMs).toBeGreaterThanOrEqual(0);
        expect(s.pausedMs).toBeLessThanOrEqual(s.durationMs);
        expect(s.audibleMs + s.pausedMs).toBe(r.endedAt - r.startedAt);
      }),
    );
  });

  it('spans are non-empty, inside the recording, sorted, and never overlap or touch', () => {
    fc.assert(
      fc.property(recording, events, (r, evs) => {
        const { spans } = normalisePauses(r, evs);
        spans.forEach((s, i) => {
          expect(s.from).toBeLessThan(s.to);
          expect(s.from).toBeGreaterThanOrEqual(r.startedAt);
          expect(s.to).toBeLessThanOrEqual(r.endedAt);
          const next = spans[i + 1];
          if (next) expect(s.to).toBeLessThan(next.from);
        });
      }),
    );
  });

  it('does not depend on the order of the events', () => {
    fc.assert(
      fc.property(recording, events.chain((evs) => fc.tuple(fc.constant(evs), fc.shuffledSubarray(evs, { minLength: evs.length, maxLength: evs.length }))), (r, [evs, shuffled]) => {
        expect(normalisePauses(r, shuffled)).toEqual(normalisePauses(r, evs));
      }),
    );
  });

  it('is not changed by duplicated events', () => {
    fc.assert(
      fc.property(recording, events, fc.array(fc.nat(), { maxLength: 10 }), (r, evs, picks) => {
        const dups = evs.length ? picks.map((p) => evs[p % evs.length]!) : [];
        expect(normalisePauses(r, [...evs, ...dups])).toEqual(normalisePauses(r, evs));
      }),
    );
  });

  it('agrees with a millisecond-by-millisecond oracle', () => {
    fc.assert(
      fc.property(recording, events, (r, evs) => {
        const { spans, pausedMs } = normalisePauses(r, evs);
        let expected = 0;
        for (let t = r.startedAt; t < r.endedAt; t++) {
          const paused = pausedAt(evs, t);
          if (paused) expected += 1;
          expect(spans.some((s) => s.from <= t && t < s.to), `t=${t}`).toBe(paused);
        }
        expect(pausedMs).toBe(expected);
      }),
    );
  });
});
