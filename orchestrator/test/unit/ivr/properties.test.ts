import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dryRun } from '../../../src/ivr/dry-run.ts';
import { resume, start, type Input, type RunState, type Step } from '../../../src/ivr/engine.ts';
import { INPUT_NODE_TYPES, parseFlow, type Flow } from '../../../src/ivr/schema.ts';

/**
 * Random small flows that are valid by construction: a node that never waits
 * for keys only points forward (to a later node, an input node or an end
 * node), so every loop passes through a menu, collect, language or survey.
 */

const TYPES = ['play', 'menu', 'collect', 'say', 'set', 'branch', 'http', 'language', 'notice', 'survey', 'queue', 'transfer', 'voicemail'] as const;
const ENDS = ['end_hangup', 'end_queue', 'end_voicemail'];
const isInput = (t: string) => (INPUT_NODE_TYPES as readonly string[]).includes(t);
const prompt = (text: string) => ({ tts: { 'zh-CN': `${text}\${v0}`, en: `${text} en` } });
const calendar = {
  name: 'c',
  timezone: 'Asia/Shanghai',
  weekly: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], sat: [['10:00', '12:00']] },
  exceptions: [{ date: '2026-10-01', name: '国庆节' }],
};
const CONDITIONS = [
  { var: 'v0', op: 'eq', value: '1' },
  { var: 'v1', op: 'gt', value: '${v0}' },
  { var: 'v2', op: 'matches', value: '^[0-9]+$' },
  { callerNumber: { op: 'starts_with', value: '138' } },
  { open: calendar },
  { any: [{ var: 'v0', op: 'empty' }, { not: { open: calendar } }] },
  { all: [{ var: 'language', op: 'eq', value: 'en' }, { callerNumber: { op: 'not_empty' } }] },
];

const rawNode: fc.Arbitrary<RawNode> = fc.record({
  type: fc.constantFrom(...TYPES),
  picks: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
  flags: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  n: fc.nat({ max: 3 }),
});
const rawFlow = fc.array(rawNode, { minLength: 1, maxLength: 8 });

interface RawNode {
  type: (typeof TYPES)[number];
  picks: number[];
  flags: boolean[];
  n: number;
}

function build(raw: RawNode[]): unknown {
  const ids = raw.map((_, i) => `n${i}`);
  const nodes: Record<string, unknown> = {};
  raw.forEach((r, i) => {
    const allowed = [...ids.filter((_, j) => isInput(raw[j]!.type) || j > i || isInput(r.type)), ...ENDS];
    const to = (k: number) => allowed[(r.picks[k] ?? 0) % allowed.length]!;
    const [f0, f1, f2, f3] = r.flags;
    switch (r.type) {
      case 'play':
        nodes[ids[i]!] = { type: 'play', prompt: prompt('播放'), bargeIn: f0, next: to(0) };
        break;
      case 'menu':
        nodes[ids[i]!] = { type: 'menu', prompt: prompt('菜单'), choices: Object.fromEntries(['1', '2', '#'].slice(0, r.n + 1).map((d, k) => [d, to(k)])), maxRetries: r.n % 3, invalidPrompt: prompt('错'), onFail: to(4) };
        break;
      case 'collect':
        nodes[ids[i]!] = {
          type: 'collect', prompt: prompt('输入'), variable: `v${r.n}`, minLength: 1, maxLength: 1 + r.n, terminator: f0 ? '#' : '',
          ...(f1 ? { pattern: '[1-9][0-9]*' } : {}), maxRetries: r.n % 2, sensitive: f2, next: to(0), onFail: to(1),
        };
        break;
      case 'say':
        nodes[ids[i]!] = { type: 'say', what: (['number', 'digits', 'currency', 'date', 'time'] as const)[r.n]!, value: f0 ? `\${v${r.n}}` : '12.5', next: to(0) };
        break;
      case 'set':
        nodes[ids[i]!] = { type: 'set', assignments: { [`v${r.n}`]: f0 ? '${v1}1' : '2', ...(f1 ? { language: f2 ? 'en' : '${v0}' } : {}) }, next: to(0) };
        break;
      case 'branch':
        nodes[ids[i]!] = {
          type: 'branch',
          conditions: [{ when: CONDITIONS[(r.picks[3] ?? 0) % CONDITIONS.length], next: to(0) }, ...(f0 ? [{ when: CONDITIONS[(r.picks[4] ?? 0) % CONDITIONS.length], next: to(1) }] : [])],
          otherwise: to(2),
        };
        break;
      case 'http':
        nodes[ids[i]!] = {
          type: 'http', method: f0 ? 'POST' : 'GET', url: 'https://api.example.com/x?v=${v0}', ...(f0 ? { body: { v: '${v1}' } } : {}),
          retries: r.n % 3, responseMap: f1 ? { v1: 'data.v' } : {}, next: to(0), onError: to(1),
        };
        break;
      case 'language':
        nodes[ids[i]!] = { type: 'language', prompt: prompt('语言'), choices: { 1: 'zh-CN', 2: 'en' }, maxRetries: r.n % 2, next: to(0), onFail: to(1) };
        break;
      case 'notice':
        nodes[ids[i]!] = { type: 'notice', ...(f0 ? { enabled: f1 } : { enabledVar: 'v2' }), prompt: prompt('公告'), next: to(0) };
        break;
      case 'survey':
        nodes[ids[i]!] = { type: 'survey', prompt: prompt('评价'), variable: 'score', next: to(0) };
        break;
      case 'queue':
        nodes[ids[i]!] = {
          type: 'queue', ...(f0 ? { queueId: '3f1d2c4b-5a6e-4f70-8a91-b2c3d4e5f600' } : { queueVar: 'v1' }), priority: f1 ? '${v0}' : r.n * 30,
          ...(f2 ? { skillsVar: 'v2' } : { skills: [{ skill: 'billing', minLevel: 2 }] }), ...(f3 ? { afterCall: to(0) } : {}), ...(r.n > 1 ? { onError: to(1) } : {}),
        };
        break;
      case 'transfer':
        nodes[ids[i]!] = { type: 'transfer', to: f0 ? { extension: '8001' } : { external: '${v1}' }, ...(f1 ? { afterCall: to(0) } : {}), ...(f2 ? { onError: to(1) } : {}) };
        break;
      case 'voicemail':
        nodes[ids[i]!] = { type: 'voicemail', mailbox: 'box', ...(f0 ? { prompt: prompt('留言') } : {}), ...(f1 ? { next: to(0) } : {}) };
        break;
    }
  });
  nodes.end_hangup = { type: 'hangup' };
  nodes.end_queue = { type: 'queue', queueId: '3f1d2c4b-5a6e-4f70-8a91-b2c3d4e5f601' };
  nodes.end_voicemail = { type: 'voicemail', mailbox: 'box' };
  return { name: 'random', language: 'zh-CN', start: 'n0', variables: { v0: '', v1: '', v2: '', v3: '' }, nodes };
}

const withNow = (input: Input, now: number | null): Input => (now === null ? input : { ...input, now });
const inputArb: fc.Arbitrary<Input> = fc
  .tuple(
    fc.oneof(
      fc.array(fc.constantFrom(...'0123456789*#'), { maxLength: 5 }).map((k): Input => ({ kind: 'digits', digits: k.join('') })),
      fc.constantFrom<Input>({ kind: 'timeout' }, { kind: 'invalid' }, { kind: 'prompt_done' }, { kind: 'bridge_ended' }, { kind: 'http_error', error: 'timeout' }),
      fc.record({ status: fc.constantFrom(200, 204, 404, 500), body: fc.constantFrom('{"data":{"v":"13800138000"}}', '{"data":{"v":7}}', '{}', 'oops', '') }).map((h): Input => ({ kind: 'http', ...h })),
      fc.constant<Input>({ kind: 'hangup' }),
    ),
    fc.option(fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') })),
  )
  .map(([input, now]) => withNow(input, now));

/** What an unresponsive caller and a dead network produce for each wait. */
const silence: Record<NonNullable<RunState['awaiting']>, Input> = {
  prompt_done: { kind: 'prompt_done' },
  digits: { kind: 'timeout' },
  http: { kind: 'http_error', error: 'down' },
  bridge_ended: { kind: 'bridge_ended' },
};

const MAX_ENTRIES = 40;
/** Per node entry at most 1 + 9 retries (menus) or 1 + 3 attempts (http), so a bound on inputs follows from the entry guard. */
const MAX_INPUTS_AFTER_SCRIPT = MAX_ENTRIES * 11;

function checkStep(flow: Flow, step: Step): void {
  for (const id of step.state.path) expect(flow.nodes[id], `path node ${id}`).toBeDefined();
  expect(flow.nodes[step.state.node]).toBeDefined();
  expect(step.state.finished === null).toBe(step.state.awaiting !== null);
  for (const e of step.effects) if (e.kind === 'log' && e.event === 'run_ended') expect(e.detail ?? '').not.toMatch(/internal error/);
  expect(JSON.parse(JSON.stringify(step.state))).toEqual(step.state);
}

describe('engine properties', () => {
  it('for random valid flows and inputs: never throws, path only has existing nodes, and an unresponsive caller always reaches an end', () => {
    fc.assert(
      fc.property(rawFlow, fc.array(inputArb, { maxLength: 30 }), fc.constantFrom('13800138000', '02150501234', ''), (raw, script, caller) => {
        const parsed = parseFlow(build(raw));
        if (!parsed.ok) throw new Error(`generated flow is invalid: ${parsed.errors.join('; ')}`);
        const flow = parsed.flow;
        let step = start(flow, { callerNumber: caller, now: Date.parse('2026-11-23T02:00:00Z'), maxNodeEntries: MAX_ENTRIES });
        checkStep(flow, step);
        for (const input of script) {
          step = resume(flow, step.state, input);
          checkStep(flow, step);
        }
        let inputs = 0;
        while (!step.state.finished) {
          expect(inputs++).toBeLessThan(MAX_INPUTS_AFTER_SCRIPT);
          step = resume(flow, step.state, silence[step.state.awaiting!]);
          checkStep(flow, step);
        }
        expect(step.state.path.length).toBeLessThanOrEqual(MAX_ENTRIES);

        const dry = dryRun(flow, script.filter((i) => i.kind === 'digits' || i.kind === 'timeout' || i.kind === 'hangup'), { callerNumber: caller, maxNodeEntries: MAX_ENTRIES });
        for (const id of dry.path) expect(flow.nodes[id]).toBeDefined();
        expect(dry.finished !== null || dry.waitingAt !== null).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
