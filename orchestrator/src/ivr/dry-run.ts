import { loggable, redactState, resume, start, type Effect, type HttpEffect, type Input, type RunState, type Step } from './engine.ts';
import type { Flow, Language } from './schema.ts';

/**
 * The editor's dry run: a scripted call through the same start/resume the
 * live runtime uses. Prompts, say and recordings finish at once; after a queue
 * or transfer with `afterCall` the agent hangs up at once; HTTP requests get
 * the mocked answers. The script is consumed where the flow waits for keys:
 * a string is the keys typed ('1', '1234#'), or an Input ({ kind: 'timeout' },
 * { kind: 'invalid' }). A { kind: 'hangup' } item is taken at the next wait of
 * any kind (so "hangs up during the balance announcement" can be scripted).
 * The run stops when it ends, when the script runs out at a wait for keys, or
 * after maxSteps inputs. Sensitive values are masked in everything returned.
 */

export type ScriptedInput = string | Input;
/** An answer for an http request: a status with a body (a string is sent as is, anything else as JSON), or a network error. */
export type HttpMock = { status: number; body?: unknown } | { error: string };

export interface DryRunOptions {
  callerNumber?: string;
  /** ms epoch for opening-hours conditions (the editor passes the current time or one the admin picks); default 0. */
  now?: number;
  variables?: Record<string, string>;
  language?: Language;
  /**
   * Answers by the request URL (exact, then without the query string), then by
   * node id. An array gives one answer per attempt (the last one repeats).
   * A request without an answer fails with a network error.
   */
  http?: Record<string, HttpMock | HttpMock[]>;
  maxSteps?: number;
  maxNodeEntries?: number;
}

export interface TraceEntry {
  node: string;
  awaiting: string;
  /** What was fed in: the keys ('***' at a sensitive collect), 'timeout', 'http 200', 'prompt_done', 'hangup'… */
  input: string;
}

export interface DryRunResult {
  /** Nodes entered, in order. */
  path: string[];
  /** Every effect of the run, in order, with sensitive values masked. */
  effects: Effect[];
  trace: TraceEntry[];
  finished: RunState['finished'];
  /** Where the run waits for more script, if it did not finish. */
  waitingAt: { node: string; awaiting: string } | null;
  /** Script items not used when the run stopped. */
  unusedInputs: number;
  state: RunState;
}

function mockFor(options: DryRunOptions, node: string, effect: HttpEffect | undefined): Input {
  if (!effect) return { kind: 'http_error', error: 'no request' };
  const url = effect.request.url;
  const mocks = options.http ?? {};
  const entry = mocks[url] ?? mocks[url.split('?')[0] ?? url] ?? mocks[node];
  const list = entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
  const mock = list[Math.min(effect.attempt, list.length) - 1];
  if (!mock) return { kind: 'http_error', error: `no mocked answer for ${(loggable(effect) as HttpEffect).request.url}` };
  if ('error' in mock) return { kind: 'http_error', error: mock.error };
  return { kind: 'http', status: mock.status, body: typeof mock.body === 'string' ? mock.body : mock.body === undefined ? '' : JSON.stringify(mock.body) };
}

function describeInput(input: Input, state: RunState, flow: Flow): string {
  switch (input.kind) {
    case 'digits': {
      const node = flow.nodes[state.node];
      return node?.type === 'collect' && node.sensitive ? '***' : input.digits;
    }
    case 'http':
      return `http ${input.status}`;
    case 'http_error':
      return `http error: ${input.error}`;
    default:
      return input.kind;
  }
}

export function dryRun(flow: Flow, script: readonly ScriptedInput[], options: DryRunOptions = {}): DryRunResult {
  let step: Step = start(flow, {
    callerNumber: options.callerNumber ?? '13800138000',
    now: options.now ?? 0,
    ...(options.variables ? { variables: options.variables } : {}),
    ...(options.language ? { language: options.language } : {}),
    ...(options.maxNodeEntries ? { maxNodeEntries: options.maxNodeEntries } : {}),
  });
  const effects: Effect[] = [...step.effects];
  const trace: TraceEntry[] = [];
  const maxSteps = options.maxSteps ?? 10_000;
  let next = 0;
  let lastHttp = step.effects.findLast((e): e is HttpEffect => e.kind === 'http');
  for (let i = 0; i < maxSteps && !step.state.finished; i++) {
    const { awaiting, node } = step.state;
    const item = script[next];
    const scripted: Input | undefined = item === undefined ? undefined : typeof item === 'string' ? { kind: 'digits', digits: item } : item;
    let input: Input;
    if (scripted?.kind === 'hangup' || awaiting === 'digits') {
      if (!scripted) break;
      input = scripted;
      next += 1;
    } else if (awaiting === 'http') input = mockFor(options, node, lastHttp);
    else if (awaiting === 'bridge_ended') input = { kind: 'bridge_ended' };
    else input = { kind: 'prompt_done' };
    trace.push({ node, awaiting: awaiting ?? 'nothing', input: describeInput(input, step.state, flow) });
    step = resume(flow, step.state, input);
    effects.push(...step.effects);
    lastHttp = step.effects.findLast((e): e is HttpEffect => e.kind === 'http') ?? lastHttp;
  }
  const state = step.state;
  return {
    path: [...state.path],
    effects: effects.map(loggable),
    trace,
    finished: state.finished,
    waitingAt: state.finished || !state.awaiting ? null : { node: state.node, awaiting: state.awaiting },
    unusedInputs: script.length - next,
    state: redactState(state),
  };
}
