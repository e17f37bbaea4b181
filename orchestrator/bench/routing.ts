/**
 * Routing engine benchmark: one planOffers decision over a contact center of 1,000 agents,
 * 100 queues, 20 skills and 300 waiting calls (~30% of agents ready).
 *
 *   node --import tsx bench/routing.ts [iterations]
 */
import { pathToFileURL } from 'node:url';
import type { AgentStatus } from '../src/acd/agent-state.ts';
import { prng } from '../test/support/prng.ts';
import {
  STRATEGIES,
  planOffers,
  type QueueMember,
  type RoutingAgent,
  type RoutingCall,
  type RoutingQueue,
  type RoutingState,
  type SkillRule,
} from '../src/acd/routing/index.ts';

const AGENTS = 1000;
const QUEUES = 100;
const SKILLS = 20;
const CALLS = 300;
const QUEUES_PER_AGENT = 5;
const SKILLS_PER_AGENT = 3;
const READY_SHARE = 0.3;
const STATES = 64;
const BASE_NOW = 1_800_000_000_000;


const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n);
const skillName = (i: number): string => `skill${i}`;
const agentName = (i: number): string => `agent${String(i).padStart(4, '0')}`;

interface World {
  readonly queues: ReadonlyMap<string, RoutingQueue>;
  readonly agentSkills: readonly ReadonlyMap<string, number>[];
}

function buildWorld(rnd: () => number): World {
  const agentSkills = Array.from({ length: AGENTS }, () => {
    const skills = new Map<string, number>();
    while (skills.size < SKILLS_PER_AGENT) skills.set(skillName(int(rnd, SKILLS)), 1 + int(rnd, 10));
    return skills;
  });
  const members: QueueMember[][] = Array.from({ length: QUEUES }, () => []);
  for (let a = 0; a < AGENTS; a++) {
    const joined = new Set<number>();
    while (joined.size < QUEUES_PER_AGENT) joined.add(int(rnd, QUEUES));
    for (const q of joined) {
      const list = members[q]!;
      list.push({ agentId: agentName(a), tier: rnd() < 0.7 ? 1 : 2, position: list.length + 1 });
    }
  }
  const queues = new Map<string, RoutingQueue>();
  for (let q = 0; q < QUEUES; q++) {
    const skill = skillName(q % SKILLS);
    const skillRules: SkillRule[] =
      q % 3 === 0
        ? [
            { afterWaitSec: 0, requirements: [{ skill, minLevel: 5 }] },
            { afterWaitSec: 60, requirements: [{ skill, minLevel: 2 }] },
          ]
        : [];
    const id = `queue${q}`;
    queues.set(id, { id, strategy: STRATEGIES[q % STRATEGIES.length]!, members: members[q]!, skillRules, ringProgressivelyStepSec: 15, stickyAgentSec: 20 });
  }
  return { queues, agentSkills };
}

const NOT_READY: readonly AgentStatus[] = ['on_call', 'on_call', 'on_call', 'wrap_up', 'not_ready', 'reserved', 'logged_out'];

function buildState(world: World, rnd: () => number): Omit<RoutingState, 'now' | 'random'> {
  const agents = new Map<string, RoutingAgent>();
  const reserved: string[] = [];
  for (let a = 0; a < AGENTS; a++) {
    const id = agentName(a);
    const status = rnd() < READY_SHARE ? 'ready' : NOT_READY[int(rnd, NOT_READY.length)]!;
    if (status === 'reserved') reserved.push(id);
    agents.set(id, {
      id,
      status,
      idleSince: BASE_NOW - int(rnd, 600_000),
      skills: world.agentSkills[a]!,
      callsToday: int(rnd, 40),
      talkSecondsToday: int(rnd, 14_400),
      lastOfferedAt: rnd() < 0.1 ? 0 : BASE_NOW - int(rnd, 3_600_000),
    });
  }
  const queueIds = [...world.queues.keys()];
  const calls: RoutingCall[] = [];
  const busy = new Set<string>();
  for (let c = 0; c < CALLS; c++) {
    const queueId = queueIds[int(rnd, queueIds.length)]!;
    const queue = world.queues.get(queueId)!;
    const memberId = (): string | null => queue.members[int(rnd, queue.members.length)]?.agentId ?? null;
    const ringing: string[] = [];
    if (rnd() < 0.1 && reserved.length > 0) {
      const r = reserved.pop()!;
      ringing.push(r);
      busy.add(r);
    }
    const missed = rnd() < 0.1 ? memberId() : null;
    calls.push({
      id: `call${c}`,
      queueId,
      priority: rnd() < 0.1 ? 1 + int(rnd, 2) : 0,
      enqueuedAt: BASE_NOW - int(rnd, 180_000),
      requiredSkills: rnd() < 0.1 ? [{ skill: skillName(int(rnd, SKILLS)), minLevel: 1 + int(rnd, 5) }] : [],
      preferredAgentId: rnd() < 0.1 ? memberId() : null,
      ringing,
      missedBy: missed === null ? [] : [missed],
    });
  }
  return { queues: world.queues, agents, calls, busyAgents: busy };
}

export interface RoutingBenchmarkResult {
  p50Us: number;
  p99Us: number;
  maxUs: number;
  perSecond: number;
  /** Mean offers and offered agents per decision, to show the work is real. */
  offersPerDecision: number;
  agentsPerDecision: number;
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * The benchmark's inputs: STATES generated contact-center states (same queues, different
 * agent statuses and calls); state i is state i % STATES at a varied `now`.
 */
export function routingBenchmarkStates(seed = 20_240_601): (i: number) => RoutingState {
  const rnd = prng(seed);
  const world = buildWorld(rnd);
  const states = Array.from({ length: STATES }, () => buildState(world, rnd));
  return (i) => ({ ...states[i % STATES]!, now: BASE_NOW + int(rnd, 90_000), random: prng(i) });
}

/** Times `iterations` planOffers decisions over varied states (after a warm-up). */
export function runRoutingBenchmark(iterations = 2000): RoutingBenchmarkResult {
  const stateAt = routingBenchmarkStates();

  let sink = 0;
  for (let i = 0; i < Math.max(200, iterations / 4); i++) sink += planOffers(stateAt(i)).length;

  const durations = new Float64Array(iterations);
  let offers = 0;
  let agents = 0;
  for (let i = 0; i < iterations; i++) {
    const state = stateAt(i);
    const start = process.hrtime.bigint();
    const plan = planOffers(state);
    const end = process.hrtime.bigint();
    durations[i] = Number(end - start) / 1000;
    offers += plan.length;
    for (const o of plan) agents += o.agentIds.length;
  }
  if (sink < 0) console.log(sink); // keep the warm-up observable
  const sorted = [...durations].sort((a, b) => a - b);
  const totalUs = sorted.reduce((s, d) => s + d, 0);
  return {
    p50Us: round(percentile(sorted, 0.5)),
    p99Us: round(percentile(sorted, 0.99)),
    maxUs: round(sorted[sorted.length - 1] ?? 0),
    perSecond: Math.round(iterations / (totalUs / 1e6)),
    offersPerDecision: round(offers / iterations),
    agentsPerDecision: round(agents / iterations),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const iterations = Number(process.argv[2] ?? 5000);
  const r = runRoutingBenchmark(Number.isFinite(iterations) && iterations > 0 ? iterations : 5000);
  console.log(`routing state ${AGENTS} agents, ${QUEUES} queues, ${SKILLS} skills, ${CALLS} calls, ~${READY_SHARE * 100}% ready`);
  console.log(`routing iterations ${iterations}`);
  console.log(`routing offers/decision ${r.offersPerDecision} (${r.agentsPerDecision} agents)`);
  console.log(`routing p50 ${r.p50Us} µs`);
  console.log(`routing p99 ${r.p99Us} µs`);
  console.log(`routing max ${r.maxUs} µs`);
  console.log(`routing decisions/s ${r.perSecond}`);
}
