import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pino from 'pino';
import { Acd, type OfferEvent, type QueuedCallInfo } from '../../src/acd/acd.ts';
import { AgentStateError } from '../../src/acd/agent-state.ts';
import { QUEUE_DEFAULTS, type AgentConfig, type QueueConfig } from '../../src/acd/config.ts';
import type { AgentOffer, CallControl, OfferOutcome } from '../../src/acd/call-control.ts';
import { compareCalls } from '../../src/acd/routing/index.ts';

/**
 * Property test of the ACD runtime over random event sequences: calls arrive and
 * hang up, agents log in and out, go ready and not ready, answer, don't answer
 * or can't be reached, bridges fail, and the orchestrator restarts. After every
 * step: no call is lost or served twice, no agent is offered two calls, no agent
 * stays reserved for a call that is gone, and calls are served by priority then
 * arrival.
 */
const AGENTS = ['a1', 'a2', 'a3', 'a4'];
const QUEUES = ['q1', 'q2'];
const logger = pino({ level: 'silent' });

type Action =
  | { t: 'call'; queue: number; priority: number }
  | { t: 'hangup'; pick: number }
  | { t: 'agent'; agent: number; cmd: 'login' | 'ready' | 'not_ready' | 'logout' }
  | { t: 'resolve'; pick: number; outcome: 'answer' | 'no_answer' | 'unreachable' | 'answer_bridge_fails' }
  | { t: 'tick'; ms: number }
  | { t: 'restart' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('call' as const), queue: fc.nat(QUEUES.length - 1), priority: fc.constantFrom(0, 0, 0, 5) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('hangup' as const), pick: fc.nat(20) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('agent' as const), agent: fc.nat(AGENTS.length - 1), cmd: fc.constantFrom('login', 'ready', 'ready', 'not_ready', 'logout') }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('resolve' as const), pick: fc.nat(20), outcome: fc.constantFrom('answer', 'answer', 'no_answer', 'unreachable', 'answer_bridge_fails') }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 5000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restart' as const) }) },
);

const flush = () => new Promise((r) => setImmediate(r));

class Switch implements CallControl {
  pending = new Map<string, { offer: AgentOffer; resolve: (o: OfferOutcome) => void }>();
  failNextBridge = false;
  hungUp = new Set<string>();
  offer(offer: AgentOffer): Promise<OfferOutcome> {
    return new Promise((resolve) => this.pending.set(offer.agentLegUuid, { offer, resolve }));
  }
  async bridge(): Promise<void> {
    if (this.failNextBridge) {
      this.failNextBridge = false;
      throw new Error('bridge failed');
    }
  }
  async hangup(uuid: string): Promise<void> {
    this.hungUp.add(uuid);
    const p = this.pending.get(uuid);
    if (p) {
      this.pending.delete(uuid);
      p.resolve({ kind: 'failed', cause: 'ORIGINATOR_CANCEL' });
    }
  }
  async divert(): Promise<void> {}
  async announce(): Promise<void> {}
  async dialOut(): Promise<void> {}
}

describe('ACD invariants over random event sequences', () => {
  it('holds for every sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 10, maxLength: 80 }), fc.constantFrom(...(['longest_idle', 'ring_all', 'round_robin'] as const)), async (actions, strategy) => {
        let now = 1_000_000;
        const sw = new Switch();
        const queues: QueueConfig[] = QUEUES.map((id, i) => ({
          ...QUEUE_DEFAULTS, id, name: id, organizationId: 'o', strategy, maxWaitSec: 0, maxNoAnswer: 2,
          members: AGENTS.filter((_, j) => j % 2 === i || j === 0).map((agentId, position) => ({ agentId, tier: 1, position })),
        }));
        const agents: AgentConfig[] = AGENTS.map((id) => ({ id, organizationId: 'o', name: id, extension: `10${id.slice(1)}`, skills: new Map() }));
        const build = () => {
          const acd = new Acd(sw, logger, () => now, () => 0.5);
          acd.configure(queues, agents);
          acd.setSwitchAvailable(true);
          return acd;
        };
        let acd = build();

        // The model: what the test knows about every call.
        const calls = new Map<string, { info: QueuedCallInfo; state: 'waiting' | 'connected' | 'ended'; connectedTo?: string; missedBy: Set<string> }>();
        const connectedCount = new Map<string, number>();
        let seq = 0;
        const offersByAgent = new Map<string, OfferEvent>();
        const wire = (a: Acd) => {
          a.on('offering', (o) => {
            expect(offersByAgent.has(o.agentId), `agent ${o.agentId} offered a second call`).toBe(false);
            offersByAgent.set(o.agentId, o);
            const offered = calls.get(o.callId)!;
            expect(offered.state).toBe('waiting');
            // Queue order: no better-placed waiting call in the same queue that this agent could take is left unoffered.
            for (const other of calls.values()) {
              if (other.state !== 'waiting' || other.info.callId === o.callId || other.info.queueId !== offered.info.queueId) continue;
              const ringingOther = [...offersByAgent.values()].some((x) => x.callId === other.info.callId);
              if (ringingOther || other.missedBy.has(o.agentId)) continue;
              const a1 = { id: other.info.callId, priority: other.info.priority, enqueuedAt: other.info.enqueuedAt } as never;
              const b1 = { id: offered.info.callId, priority: offered.info.priority, enqueuedAt: offered.info.enqueuedAt } as never;
              if (strategy !== 'ring_all') expect(compareCalls(a1, b1), 'a better-placed call was skipped').toBeGreaterThan(0);
            }
          });
          a.on('offer_failed', (o) => {
            if (offersByAgent.get(o.agentId)?.agentLegUuid === o.agentLegUuid) offersByAgent.delete(o.agentId);
            if (['NO_ANSWER', 'USER_NOT_REGISTERED'].includes(o.cause)) calls.get(o.callId)?.missedBy.add(o.agentId);
          });
          a.on('connected', (c) => {
            offersByAgent.delete(c.agentId);
            const call = calls.get(c.callId)!;
            expect(call.state, `call ${c.callId} connected while ${call.state}`).toBe('waiting');
            call.state = 'connected';
            call.connectedTo = c.agentId;
            connectedCount.set(c.callId, (connectedCount.get(c.callId) ?? 0) + 1);
          });
        };
        wire(acd);

        for (const step of actions) {
          switch (step.t) {
            case 'call': {
              const info: QueuedCallInfo = {
                callId: `c${++seq}`, callerUuid: `c${seq}`, queueId: QUEUES[step.queue]!, callerNumber: '1', callerName: '',
                enqueuedAt: now + seq, priority: step.priority, requiredSkills: [], preferredAgentId: null,
              };
              calls.set(info.callId, { info, state: 'waiting', missedBy: new Set() });
              acd.enqueue(info);
              break;
            }
            case 'hangup': {
              const live = [...calls.values()].filter((c) => c.state !== 'ended');
              const c = live[step.pick % Math.max(1, live.length)];
              if (!c) break;
              c.state = 'ended';
              acd.callEnded(c.info.callId);
              break;
            }
            case 'agent':
              try {
                acd.command(AGENTS[step.agent]!, step.cmd === 'not_ready' ? { kind: 'not_ready', reason: 'break' } : { kind: step.cmd });
              } catch (err) {
                expect(err).toBeInstanceOf(AgentStateError);
              }
              break;
            case 'resolve': {
              const pending = [...sw.pending.values()];
              const p = pending[step.pick % Math.max(1, pending.length)];
              if (!p) break;
              sw.pending.delete(p.offer.agentLegUuid);
              if (step.outcome === 'answer_bridge_fails') sw.failNextBridge = true;
              p.resolve(step.outcome.startsWith('answer') ? { kind: 'answered' } : { kind: 'failed', cause: step.outcome === 'no_answer' ? 'NO_ANSWER' : 'USER_NOT_REGISTERED' });
              break;
            }
            case 'tick':
              now += step.ms;
              break;
            case 'restart': {
              // A new process: pending offers are lost (their legs time out), states and calls come back from storage.
              const states = acd.allAgentStates();
              acd.removeAllListeners();
              acd.setSwitchAvailable(false); // the old process is gone: it routes nothing more
              acd.stop();
              for (const p of sw.pending.values()) p.resolve({ kind: 'failed', cause: 'SWITCH_UNAVAILABLE' });
              sw.pending.clear();
              offersByAgent.clear();
              acd = build();
              wire(acd);
              for (const s of states) acd.restoreAgent(s);
              for (const c of calls.values()) if (c.state === 'connected') acd.restoreConnected(c.info.callId, c.connectedTo!, c.info.queueId, now);
              acd.settleRestoredAgents();
              for (const c of calls.values()) if (c.state === 'waiting') acd.enqueue(c.info);
              break;
            }
          }
          await flush();
          await flush();

          // Invariants after every step.
          const waitingIds = new Set(acd.waitingCalls().map((c) => c.callId));
          for (const c of calls.values()) {
            expect(connectedCount.get(c.info.callId) ?? 0, `call ${c.info.callId} served twice`).toBeLessThanOrEqual(1);
            if (c.state === 'waiting') expect(waitingIds.has(c.info.callId), `waiting call ${c.info.callId} lost`).toBe(true);
            else expect(waitingIds.has(c.info.callId), `${c.state} call ${c.info.callId} still queued`).toBe(false);
          }
          const ringingAgents = new Map<string, number>();
          for (const p of sw.pending.values()) {
            const agentId = agents.find((a) => a.extension === p.offer.extension)!.id;
            ringingAgents.set(agentId, (ringingAgents.get(agentId) ?? 0) + 1);
          }
          for (const [agentId, n] of ringingAgents) expect(n, `agent ${agentId} rung for ${n} calls`).toBe(1);
          for (const s of acd.allAgentStates()) {
            if (s.status === 'reserved') {
              expect(waitingIds.has(s.callId!), `agent ${s.agentId} reserved for ended call ${s.callId}`).toBe(true);
              expect(ringingAgents.get(s.agentId), `agent ${s.agentId} reserved without a ringing offer`).toBe(1);
            }
            if (s.status === 'on_call') expect(calls.get(s.callId!)?.state).toBe('connected');
          }
        }
        acd.stop();
      }),
      { numRuns: 150 },
    );
  });
});
