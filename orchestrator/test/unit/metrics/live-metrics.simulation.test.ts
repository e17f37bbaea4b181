import { describe, expect, it } from 'vitest';
import {
  agentSnapshot,
  applyMetricsEvent,
  emptyBook,
  queueIds,
  queueSnapshot,
  startNewDay,
  type MetricsBook,
  type QueueMetricsConfig,
} from '../../../src/metrics/live-metrics.ts';
import { naiveAgent, naiveQueue, simulate } from './simulation.ts';

/** Numbers equal to 1e-9 relative; everything else exactly. */
function expectSame(actual: object, expected: object, where: string): void {
  for (const [k, v] of Object.entries(expected)) {
    const a = (actual as Record<string, unknown>)[k];
    if (typeof v === 'number' && typeof a === 'number') {
      expect(Math.abs(a - v), `${where} ${k}: ${a} vs ${v}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
    } else {
      expect(a, `${where} ${k}`).toEqual(v);
    }
  }
  expect(Object.keys(actual).sort(), where).toEqual(Object.keys(expected).sort());
}

describe('10,000 simulated calls over 10 queues, checked against naive figures', () => {
  const sim = simulate({ seed: 20240304, callsPerQueue: 1000, queueCount: 10, agentsPerQueue: 6, windowMs: 10 * 3_600_000, duplicates: true });
  const configs: QueueMetricsConfig[] = [
    { serviceLevelSec: 20, shortAbandonSec: 10 },
    { serviceLevelSec: 45.5, shortAbandonSec: 5 },
  ];
  const H = 3_600_000;
  const checkpoints = [sim.day1 - 4 * H, sim.day1 - 2 * H + 123, sim.day1 - 1, sim.day1 + 60_000, sim.day1 + 2 * H + 777, sim.day1 + 4.9 * H, sim.day1 + 12 * H];

  it('generates a varied day', () => {
    const segs = sim.calls.flatMap((c) => c.segments);
    expect(sim.calls).toHaveLength(10_000);
    const count = (o: string): number => segs.filter((s) => s.outcome === o).length;
    expect(count('answered')).toBeGreaterThan(5000);
    expect(count('abandoned')).toBeGreaterThan(300);
    expect(count('left')).toBeGreaterThan(100);
    expect(segs.filter((s) => s.outcome === 'abandoned' && s.endAt - s.enteredAt < 10_000).length).toBeGreaterThan(100);
    expect(sim.calls.filter((c) => c.holds.length > 0).length).toBeGreaterThan(1000);
    expect(sim.feed.length).toBeGreaterThan(sim.eventCount); // duplicates were injected
  });

  it('matches every snapshot field at every checkpoint, across midnight', () => {
    let book: MetricsBook = emptyBook(sim.day0);
    let i = 0;
    let compared = 0;
    const busy = { waiting: 0, carried: 0, sl: new Set<number>() };
    for (const t of checkpoints) {
      for (; i < sim.feed.length && sim.feed[i]!.at <= t; i++) {
        if (sim.feed[i]!.at >= sim.day1) book = startNewDay(book, sim.day1);
        book = applyMetricsEvent(book, sim.feed[i]!.event);
      }
      if (t >= sim.day1) book = startNewDay(book, sim.day1);
      expect(queueIds(book)).toEqual(sim.queues);
      for (const q of sim.queues) {
        for (const config of configs) {
          const got = queueSnapshot(book, q, config, t);
          expectSame(got, naiveQueue(sim, q, config, t), `${q}@${t - sim.day1}`);
          busy.waiting += got.waiting;
          busy.carried += got.carriedOver;
          if (got.serviceLevelPct !== null) busy.sl.add(Math.round(got.serviceLevelPct));
          compared++;
        }
      }
      for (const a of sim.agents) {
        expectSame(agentSnapshot(book, a, t), naiveAgent(sim, a, t), `${a}@${t - sim.day1}`);
        compared++;
      }
    }
    expect(i).toBe(sim.feed.length);
    expect(compared).toBe(checkpoints.length * (sim.queues.length * configs.length + sim.agents.length));
    // The checkpoints saw queues with calls waiting and calls carried over midnight, and varied service levels.
    expect(busy.waiting).toBeGreaterThan(0);
    expect(busy.carried).toBeGreaterThan(0);
    expect(busy.sl.size).toBeGreaterThan(5);
  });
});
