/**
 * Pause/resume spans of a recording, from the pause and resume events that
 * reached us. Events come from an at-least-once bus and several clients
 * (agent, supervisor), so they may be duplicated, out of order, or a pause may
 * never be resumed. The result depends only on the set of (kind, time) pairs:
 *
 * - events are taken in time order; a pause while paused and a resume while
 *   not paused are repeats and change nothing;
 * - a pause and a resume at the same instant are a zero-length blip that
 *   leaves the state as it was (resume-and-re-pause while paused, or
 *   pause-and-resume while recording) — so the result never depends on how
 *   such a tie happened to be ordered;
 * - a pause never resumed lasts until the recording ends;
 * - spans are clipped to [startedAt, endedAt]; a pause before the recording
 *   started means the recording starts paused; events after the end are moot.
 *
 * Times are milliseconds since the epoch. Out-of-order or repeated events are
 * not errors; only data that cannot be a time is (PauseSpanError).
 */

export type PauseEventKind = 'pause' | 'resume';

export interface PauseEvent {
  readonly kind: PauseEventKind;
  /** When the event took effect (ms since epoch). */
  readonly at: number;
}

/** A paused stretch [from, to) of a recording, ms since epoch, from < to. */
export interface PausedSpan {
  readonly from: number;
  readonly to: number;
}

export interface PauseSummary {
  /** Disjoint, non-adjacent, sorted, within the recording, never empty spans. */
  readonly spans: PausedSpan[];
  readonly durationMs: number;
  readonly pausedMs: number;
  /** What a listener hears: the duration minus the paused time. */
  readonly audibleMs: number;
  readonly pausedSeconds: number;
  readonly audibleSeconds: number;
}

export type PauseSpanErrorCode = 'invalid_recording' | 'invalid_event';

export class PauseSpanError extends Error {
  override readonly name = 'PauseSpanError';
  constructor(
    readonly code: PauseSpanErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const isTime = (t: unknown): t is number => typeof t === 'number' && Number.isFinite(t);

/**
 * The normalised paused spans of a recording from `startedAt` to `endedAt`
 * (pass "now" as `endedAt` for a recording still running), with the total
 * paused and audible time. Throws PauseSpanError for a recording that ends
 * before it starts or an event that is not a pause/resume at a finite time.
 */
export function normalisePauses(recording: { startedAt: number; endedAt: number }, events: readonly PauseEvent[]): PauseSummary {
  const { startedAt, endedAt } = recording;
  if (!isTime(startedAt) || !isTime(endedAt)) throw new PauseSpanError('invalid_recording', 'recording start and end must be finite times');
  if (endedAt < startedAt) throw new PauseSpanError('invalid_recording', `recording ends (${endedAt}) before it starts (${startedAt})`);

  const byTime = new Map<number, { pause: boolean; resume: boolean }>();
  events.forEach((e, i) => {
    if (e.kind !== 'pause' && e.kind !== 'resume') throw new PauseSpanError('invalid_event', `event ${i}: unknown kind ${String(e.kind)}`);
    if (!isTime(e.at)) throw new PauseSpanError('invalid_event', `event ${i}: time must be a finite number`);
    const g = byTime.get(e.at) ?? { pause: false, resume: false }; // a Map treats -0 and 0 as one key
    g[e.kind] = true;
    byTime.set(e.at, g);
  });

  const raw: PausedSpan[] = [];
  let pausedSince: number | null = null;
  for (const at of [...byTime.keys()].sort((a, b) => a - b)) {
    const g = byTime.get(at)!;
    if (g.pause && g.resume) continue; // a zero-length blip: no change
    if (g.pause && pausedSince === null) pausedSince = at;
    else if (g.resume && pausedSince !== null) {
      raw.push({ from: pausedSince, to: at });
      pausedSince = null;
    }
  }
  if (pausedSince !== null) raw.push({ from: pausedSince, to: Infinity });

  const spans: PausedSpan[] = [];
  for (const s of raw) {
    const from = Math.max(s.from, startedAt);
    const to = Math.min(s.to, endedAt);
    if (to > from) spans.push({ from, to });
  }
  const durationMs = endedAt - startedAt;
  // min(): with fractional milliseconds, float sums could overshoot by an ulp.
  const pausedMs = Math.min(durationMs, spans.reduce((sum, s) => sum + (s.to - s.from), 0));
  const audibleMs = durationMs - pausedMs;
  return { spans, durationMs, pausedMs, audibleMs, pausedSeconds: pausedMs / 1000, audibleSeconds: audibleMs / 1000 };
}
