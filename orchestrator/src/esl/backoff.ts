export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** Exponential backoff with full jitter: attempt 0 waits up to initialMs, doubling up to maxMs. */
export function nextBackoff(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 20));
  return Math.max(policy.initialMs / 2, Math.round(ceiling * random()));
}
