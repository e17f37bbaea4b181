export interface EstimatedWaitInput {
  /** 1 = next to be served. */
  position: number;
  /** ms epoch of answers in this queue, any order. */
  answeredTimestamps: readonly number[];
  now: number;
  windowSec: number;
  readyOrBusyAgents: number;
  fallbackHandleSec: number;
}

/** Fewer answers than this in the window and the observed rate is not trusted. */
export const MIN_ANSWERS_FOR_RATE = 3;

/**
 * Expected wait in whole seconds: position / service rate. The rate is the answers in
 * [now - windowSec, now] per second; with fewer than 3 such answers it is
 * readyOrBusyAgents / fallbackHandleSec instead. Null when that rate is 0 (nobody to serve).
 */
export function estimatedWaitSec(input: EstimatedWaitInput): number | null {
  const { position, answeredTimestamps, now, windowSec, readyOrBusyAgents, fallbackHandleSec } = input;
  let rate = 0;
  if (windowSec > 0) {
    const from = now - windowSec * 1000;
    let answers = 0;
    for (const t of answeredTimestamps) if (t >= from && t <= now) answers++;
    if (answers >= MIN_ANSWERS_FOR_RATE) rate = answers / windowSec;
  }
  if (rate === 0 && readyOrBusyAgents > 0 && fallbackHandleSec > 0) rate = readyOrBusyAgents / fallbackHandleSec;
  if (!(rate > 0) || !Number.isFinite(rate)) return null;
  return Math.round(Math.max(0, position) / rate);
}
