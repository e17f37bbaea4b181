import { describe, expect, it } from 'vitest';
import { estimatedWaitSec } from '../../../src/acd/routing/index.ts';

const NOW = 1_800_000_000_000;
const base = { now: NOW, windowSec: 600, readyOrBusyAgents: 4, fallbackHandleSec: 200 };

describe('estimatedWaitSec', () => {
  it('uses the observed answer rate in the window when there are at least 3 answers', () => {
    // 6 answers in 600 s (plus ones outside the window and in the future) = 0.01 /s.
    const answered = [NOW - 1_000, NOW - 100_000, NOW - 200_000, NOW - 300_000, NOW - 400_000, NOW - 600_000, NOW - 600_001, NOW - 5_000_000, NOW + 1_000];
    expect(estimatedWaitSec({ ...base, position: 1, answeredTimestamps: answered })).toBe(100);
    expect(estimatedWaitSec({ ...base, position: 3, answeredTimestamps: answered })).toBe(300);
    // 7 answers / 600 s: 2 / (7/600) = 171.43 -> 171
    expect(estimatedWaitSec({ ...base, position: 2, answeredTimestamps: [...answered, NOW] })).toBe(171);
  });

  it('falls back to agents / handle time with fewer than 3 answers', () => {
    const answered = [NOW - 1_000, NOW - 2_000, NOW - 700_000];
    // rate = 4 / 200 = 0.02 /s
    expect(estimatedWaitSec({ ...base, position: 2, answeredTimestamps: answered })).toBe(100);
    expect(estimatedWaitSec({ ...base, position: 1, answeredTimestamps: [], readyOrBusyAgents: 3, fallbackHandleSec: 100 })).toBe(33);
  });

  it('is null when nobody can serve', () => {
    expect(estimatedWaitSec({ ...base, position: 1, answeredTimestamps: [], readyOrBusyAgents: 0 })).toBeNull();
    expect(estimatedWaitSec({ ...base, position: 1, answeredTimestamps: [NOW], fallbackHandleSec: 0 })).toBeNull();
  });
});
