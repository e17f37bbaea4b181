import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { Acd } from '../../src/acd/acd.ts';
import { QUEUE_DEFAULTS, type AgentConfig, type QueueConfig } from '../../src/acd/config.ts';
import type { AgentOffer, CallControl, OfferOutcome } from '../../src/acd/call-control.ts';
import { MetricsService } from '../../src/metrics/metrics-service.ts';
import { feedMetricsFromAcd } from '../../src/metrics/wiring.ts';
import { prng } from '../support/prng.ts';

/**
 * A day in virtual time: 200 agents in 5 queues take 10,000 calls through the
 * real ACD and metrics code; a simulated switch rings, answers and hangs up;
 * callers abandon when their patience runs out. The metrics the supervisors
 * would see are compared with values computed by hand from the simulation log.
 */

const AGENTS = 200;
const QUEUES = 5;
const CALLS = 10_000;
const WRAP_UP_SEC = 10;
const SL_SEC = 20;
const SHORT_SEC = 5;

afterEach(() => {
  vi.useRealTimers();
});

describe('simulation: 200 agents, 10,000 calls in virtual time', () => {
  it('metrics match the hand-computed values', async () => {
    const start = Date.UTC(2026, 10, 23, 1, 0, 0); // 09:00 in Shanghai
    vi.useFakeTimers({ now: start, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'setImmediate', 'queueMicrotask'] });
    const rnd = prng(42);
    const log = new Map<string, { queueId: string; enteredAt: number; answeredAt?: number; endedAt?: number; abandonedAt?: number; agentId?: string }>();

    const sw = new (class implements CallControl {
      async offer(o: AgentOffer): Promise<OfferOutcome> {
        const ring = 500 + Math.floor(rnd() * 2500);
        await new Promise((r) => setTimeout(r, ring));
        return rnd() < 0.03 ? { kind: 'failed', cause: 'NO_ANSWER' } : { kind: 'answered' };
      }
      async bridge(): Promise<void> {}
      async hangup(): Promise<void> {}
      async divert(): Promise<void> {}
      async announce(): Promise<void> {}
  async dialOut(): Promise<void> {}
    })();
    const acd = new Acd(sw, pino({ level: 'silent' }), Date.now, rnd);
    const metrics = new MetricsService('Asia/Shanghai');
    feedMetricsFromAcd(acd, metrics);
    const queues: QueueConfig[] = Array.from({ length: QUEUES }, (_, i) => ({
      ...QUEUE_DEFAULTS, id: `q${i}`, organizationId: 'o', name: `Queue ${i}`, maxWaitSec: 0, wrapUpSec: WRAP_UP_SEC,
      serviceLevelSec: SL_SEC, shortAbandonSec: SHORT_SEC, maxNoAnswer: 3,
      members: Array.from({ length: AGENTS }, (_, a) => a).filter((a) => a % QUEUES === i || (a * 7) % QUEUES === i).map((a, position) => ({ agentId: `a${a}`, tier: 1, position })),
    }));
    const agents: AgentConfig[] = Array.from({ length: AGENTS }, (_, a) => ({ id: `a${a}`, organizationId: 'o', name: `A${a}`, extension: String(1000 + a), skills: new Map() }));
    acd.configure(queues, agents);
    metrics.configure(queues, agents);
    acd.setSwitchAvailable(true);
    acd.start();
    for (const a of agents) {
      acd.command(a.id, { kind: 'login' });
      acd.command(a.id, { kind: 'ready' });
    }
    // Agents who missed calls come back after a short break, as real ones would.
    acd.on('agent', (s) => {
      if (s.status === 'not_ready' && s.reason === 'no_answer') setTimeout(() => acd.command(s.agentId, { kind: 'ready' }), 30_000);
    });
    acd.on('connected', (c) => {
      const call = log.get(c.callId)!;
      call.answeredAt = c.at;
      call.agentId = c.agentId;
      const talk = 60_000 + Math.floor(rnd() * 240_000);
      setTimeout(() => {
        call.endedAt = Date.now();
        metrics.apply({ kind: 'talk_ended', callId: c.callId, at: call.endedAt });
        acd.callEnded(c.callId);
      }, talk);
    });

    // Arrivals: 10,000 calls at ~1.1/s (about 190 Erlangs offered to 200 agents), patience 2-120 s.
    // Each arrival schedules the next one, so only a few timers are pending at any time.
    let t = start;
    let arrived = 0;
    let lastArrival = start;
    const arrive = () => {
      const i = arrived++;
      const at = Date.now();
      lastArrival = at;
      const callId = `c${i}`;
      const queueId = `q${Math.floor(rnd() * QUEUES)}`;
      const patience = 2000 + Math.floor(rnd() * 118_000);
      log.set(callId, { queueId, enteredAt: at });
      metrics.apply({ kind: 'call_entered', callId, queueId, at });
      acd.enqueue({ callId, callerUuid: callId, queueId, callerNumber: '1', callerName: '', enqueuedAt: at, priority: 0, requiredSkills: [], preferredAgentId: null });
      setTimeout(() => {
        const call = log.get(callId)!;
        if (call.answeredAt !== undefined) return;
        call.abandonedAt = Date.now();
        metrics.apply({ kind: 'call_abandoned', callId, queueId, at: call.abandonedAt });
        acd.callEnded(callId);
      }, patience);
      if (arrived < CALLS) setTimeout(arrive, Math.floor(-Math.log(1 - rnd()) * 900));
    };
    setTimeout(arrive, 0);
    while (arrived < CALLS) await vi.advanceTimersByTimeAsync(60_000);
    t = lastArrival;
    await vi.advanceTimersByTimeAsync(t + 600_000 - Date.now()); // everybody finished talking and wrapping up

    const view = metrics.view(new Map(acd.allAgentStates().map((a) => [a.agentId, a])));
    acd.stop();
    let totalAnswered = 0;
    let totalAbandoned = 0;
    for (const q of queues) {
      const calls = [...log.values()].filter((c) => c.queueId === q.id);
      const answered = calls.filter((c) => c.answeredAt !== undefined);
      const abandoned = calls.filter((c) => c.abandonedAt !== undefined);
      const short = abandoned.filter((c) => c.abandonedAt! - c.enteredAt < SHORT_SEC * 1000);
      const withinSl = answered.filter((c) => c.answeredAt! - c.enteredAt <= SL_SEC * 1000);
      const asa = answered.reduce((s, c) => s + (c.answeredAt! - c.enteredAt), 0) / answered.length / 1000;
      const aht = answered.reduce((s, c) => s + (c.endedAt! - c.answeredAt!) + WRAP_UP_SEC * 1000, 0) / answered.length / 1000;
      const got = view.queues.find((x) => x.queueId === q.id)!;
      expect(got.offered).toBe(calls.length);
      expect(got.answered).toBe(answered.length);
      expect(got.abandoned).toBe(abandoned.length);
      expect(got.shortAbandoned).toBe(short.length);
      expect(got.waiting).toBe(0);
      expect(got.serviceLevelPct).toBeCloseTo((100 * withinSl.length) / (answered.length + abandoned.length - short.length), 6);
      expect(got.abandonRatePct).toBeCloseTo((100 * (abandoned.length - short.length)) / (calls.length - short.length), 6);
      expect(got.asaSec).toBeCloseTo(asa, 3);
      expect(got.ahtSec).toBeCloseTo(aht, 3);
      totalAnswered += answered.length;
      totalAbandoned += abandoned.length;
    }
    expect(log.size).toBe(CALLS);
    expect(totalAnswered + totalAbandoned).toBe(CALLS);
    // The load was real: some callers waited and some gave up, most were served.
    expect(totalAbandoned).toBeGreaterThan(50);
    expect(totalAnswered).toBeGreaterThan(CALLS * 0.7);
    const perAgent = view.agents.reduce((s, a) => s + a.callsAnswered, 0);
    expect(perAgent).toBe(totalAnswered);
    console.log(`simulation: ${totalAnswered} answered, ${totalAbandoned} abandoned; SL ${view.queues.map((q) => q.serviceLevelPct?.toFixed(1)).join('/')} %`);
  }, 240_000);
});
