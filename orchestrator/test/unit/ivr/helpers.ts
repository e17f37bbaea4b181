import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resume, start, type Effect, type Input, type LogEffect, type RunState, type StartOptions, type Step } from '../../../src/ivr/engine.ts';
import { parseFlow, type Flow } from '../../../src/ivr/schema.ts';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/ivr');

/** Monday 2026-11-23 10:00 in Beijing. */
export const NOW = Date.parse('2026-11-23T02:00:00Z');

export const tts = (zh: string, en?: string) => ({ tts: en === undefined ? { 'zh-CN': zh } : { 'zh-CN': zh, en } });

/** A parsed flow from nodes (the first node is the start); throws with the errors if it does not parse. */
export function flowOf(nodes: Record<string, unknown>, extra: Record<string, unknown> = {}): Flow {
  const r = parseFlow({ name: 'test', language: 'zh-CN', start: Object.keys(nodes)[0], nodes, ...extra });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.flow;
}

export function fixture(name: string): Flow {
  const r = parseFlow(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'good', `${name}.json`), 'utf8')));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.flow;
}

export interface Driven {
  steps: Step[];
  state: RunState;
  /** Every effect, in order. */
  effects: Effect[];
  last: Effect[];
}

/** Starts the flow and feeds the inputs one by one. */
export function drive(flow: Flow, inputs: Input[], options: Partial<StartOptions> = {}): Driven {
  const steps = [start(flow, { callerNumber: '13800138000', now: NOW, ...options })];
  for (const input of inputs) steps.push(resume(flow, steps.at(-1)!.state, input));
  const final = steps.at(-1)!;
  return { steps, state: final.state, effects: steps.flatMap((s) => s.effects), last: final.effects };
}

export const media = (effects: Effect[]) => effects.filter((e) => e.kind !== 'log');
export const logs = (effects: Effect[]) => effects.filter((e): e is LogEffect => e.kind === 'log');
export const exits = (effects: Effect[]) =>
  logs(effects).flatMap((e) => (e.event === 'node_exited' ? [`${e.node}:${e.branch}`] : []));
export const spoken = (effects: Effect[]) =>
  effects.flatMap((e) => (e.kind === 'play' && e.prompt.type === 'tts' ? [e.prompt.text] : e.kind === 'say' ? [e.text] : []));

export const DIGITS = (digits: string): Input => ({ kind: 'digits', digits });
export const TIMEOUT: Input = { kind: 'timeout' };
export const DONE: Input = { kind: 'prompt_done' };
export const HANGUP: Input = { kind: 'hangup' };
export const ok = (body: unknown, status = 200): Input => ({ kind: 'http', status, body: typeof body === 'string' ? body : JSON.stringify(body) });
