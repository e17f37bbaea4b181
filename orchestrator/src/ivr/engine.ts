import { isOpen } from '../acd/calendar.ts';
import { normaliseSayValue, spokenText, type SayKind } from './say.ts';
import { EXTERNAL_NUMBER, LANGUAGES, type Comparison, type Condition, type Flow, type FlowNode, type Language, type NodeOf, type Prompt } from './schema.ts';
import { renderTemplate, templateVariables, VAR_NAME } from './template.ts';

/**
 * The IVR interpreter: a pure state machine, the same code for live calls and
 * for the editor's dry run. It does no I/O and reads no clock: `start` and
 * `resume` return the new state and the effects the runtime must carry out.
 *
 * Runtime contract:
 *  - Carry out a step's effects in order. `play` effects directly before a
 *    `collect` belong to it (FreeSWITCH play_and_get_digits): a key pressed
 *    during a barge-in prompt stops it and counts as the first digit.
 *  - Then report what happened with `resume`, according to `state.awaiting`:
 *      'prompt_done'  → { kind: 'prompt_done' } when the prompts / say / voicemail recording are over
 *                       ({ kind: 'digits' } is accepted too: the caller barged in)
 *      'digits'       → { kind: 'digits', digits } (terminator excluded) | { kind: 'timeout' } | { kind: 'invalid' }
 *      'http'         → { kind: 'http', status, body } | { kind: 'http_error', error } for the last `http` effect
 *      'bridge_ended' → { kind: 'bridge_ended' } when the agent or the transfer target hung up first
 *  - { kind: 'hangup' } is accepted at any time and ends the run.
 *  - Any input may carry `now` (ms epoch) for opening-hours conditions.
 *  - An input that does not fit what the run awaits changes nothing and
 *    yields one `input_ignored` log effect. Inputs after the end yield nothing.
 *  - `log` effects feed per-node statistics (./statistics.ts). Effects built
 *    from sensitive variables carry a `redacted` copy: log `loggable(effect)`.
 */

export type Outcome = 'caller_hangup' | 'hangup' | 'voicemail' | 'queue' | 'transfer' | 'error' | 'loop_guard';
export type Awaiting = 'prompt_done' | 'digits' | 'http' | 'bridge_ended';

export interface RunState {
  /** Format of this object (it is stored between steps). */
  v: 1;
  flow: { id: string | null; version: number | null };
  /** The node being run; once finished, the last node. */
  node: string;
  awaiting: Awaiting | null;
  variables: Record<string, string>;
  /** Names of variables holding sensitive values (collected with `sensitive`, or computed from one). */
  sensitive: string[];
  language: Language;
  callerNumber: string;
  /** ms epoch of the last input that carried a time. */
  now: number;
  /** Failed attempts at the current menu/collect/language/survey node. */
  retries: number;
  /** Attempt number of the current http request (1 = first). */
  attempt: number;
  /** Every node entered, in order (node ids only: inputs never appear here). */
  path: string[];
  maxNodeEntries: number;
  /** Set once the caller went to a queue or a transfer. */
  handedOff: 'queue' | 'transfer' | null;
  finished: null | { outcome: Outcome; detail?: string };
}

export type Input = (
  | { kind: 'prompt_done' }
  | { kind: 'digits'; digits: string }
  | { kind: 'timeout' }
  | { kind: 'invalid' }
  | { kind: 'http'; status: number; body: string }
  | { kind: 'http_error'; error: string }
  | { kind: 'bridge_ended' }
  | { kind: 'hangup' }
) & { now?: number };

export type ResolvedPrompt = { type: 'tts'; text: string; language: Language } | { type: 'file'; path: string } | { type: 'tone'; tone: string };
export interface SkillRequirement {
  skill: string;
  minLevel: number;
}
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  /** POST: a JSON object to send; GET: null. */
  body: Record<string, string> | null;
  timeoutMs: number;
}
export type TransferTarget = { type: 'extension'; extension: string } | { type: 'external'; number: string };

/** A copy with sensitive values replaced by *** (only present when the effect used one). */
type Redactable<T> = T & { redacted?: T };
export type PlayEffect = Redactable<{ kind: 'play'; prompt: ResolvedPrompt; bargeIn: boolean }>;
export type CollectEffect = { kind: 'collect'; minLength: number; maxLength: number; terminator: '#' | '*' | ''; timeoutSec: number; sensitive: boolean };
export type SayEffect = Redactable<{ kind: 'say'; what: SayKind; value: string; language: Language; text: string }>;
export type HttpEffect = Redactable<{ kind: 'http'; request: HttpRequest; attempt: number }>;
export type EnqueueEffect = Redactable<{ kind: 'enqueue'; queueId: string; priority: number; skills: SkillRequirement[]; variables: Record<string, string> }>;
export type TransferEffect = Redactable<{ kind: 'transfer'; target: TransferTarget; variables: Record<string, string> }>;
export type VoicemailEffect = { kind: 'voicemail'; mailbox: string; maxSeconds: number; variables: Record<string, string> };
export type HangupEffect = { kind: 'hangup'; cause: string };
export type LogEffect =
  | { kind: 'log'; event: 'node_entered'; node: string }
  | { kind: 'log'; event: 'node_exited'; node: string; branch: string; detail?: string }
  | { kind: 'log'; event: 'run_ended'; node: string; outcome: Outcome; handedOff: boolean; detail?: string }
  | { kind: 'log'; event: 'input_ignored'; node: string; detail: string };
export type Effect = PlayEffect | CollectEffect | SayEffect | HttpEffect | EnqueueEffect | TransferEffect | VoicemailEffect | HangupEffect | LogEffect;

export interface Step {
  state: RunState;
  effects: Effect[];
}

export interface StartOptions {
  callerNumber: string;
  now: number;
  /** Values from the runtime (called number, the admin's notice switch, CRM data); they override the flow's. */
  variables?: Record<string, string>;
  /** Initial language (the customer's known preference); default: the flow language. */
  language?: Language;
  /** Hang up after this many node entries (a guard against a caller stuck in a menu loop); default 1000. */
  maxNodeEntries?: number;
}

/** Node entries without waiting for input within one start/resume before the engine gives up. */
export const MAX_HOPS = 1000;
export const DEFAULT_MAX_NODE_ENTRIES = 1000;
const MAX_VALUE = 1000;
const MASK = '***';
const FAILURE_CAUSE = 'NORMAL_TEMPORARY_FAILURE';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a log line or a trace may show of an effect. */
export function loggable(effect: Effect): Effect {
  return 'redacted' in effect && effect.redacted ? effect.redacted : effect;
}

/** The state with sensitive variable values masked (for logs and the dry run). */
export function redactState(state: RunState): RunState {
  const variables = { ...state.variables };
  for (const name of state.sensitive) if (name in variables) variables[name] = MASK;
  return { ...state, variables };
}

const regexCache = new Map<string, RegExp | null>();
function regex(source: string, anchored: boolean): RegExp | null {
  const key = `${anchored ? 'a' : 'u'}:${source}`;
  let r = regexCache.get(key);
  if (r === undefined) {
    try {
      r = new RegExp(anchored ? `^(?:${source})$` : source, 'u');
    } catch {
      r = null;
    }
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(key, r);
  }
  return r;
}

const truthy = (v: string | undefined) => ['1', 'true', 'yes', 'on'].includes((v ?? '').trim().toLowerCase());

/** Reads 'data.items.0.name' in parsed JSON: a string, number or boolean, else undefined. */
function pick(data: unknown, path: string): string | undefined {
  let cur: unknown = data;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'string' || typeof cur === 'number' || typeof cur === 'boolean' ? String(cur) : undefined;
}

/** 'billing:5, english' → [{ billing, 5 }, { english, 1 }]; null if an item is malformed. */
export function parseSkills(text: string): SkillRequirement[] | null {
  const out: SkillRequirement[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9_-]{1,40})(?::(\d{1,2}))?$/.exec(item);
    const level = Number(m?.[2] ?? '1');
    if (!m || level < 1 || level > 10) return null;
    out.push({ skill: m[1] ?? '', minLevel: level });
  }
  return out;
}

class Run {
  readonly effects: Effect[] = [];
  private pending: string | null = null;
  private hops = 0;

  constructor(
    private readonly flow: Flow,
    readonly s: RunState,
  ) {}

  // ------------------------------------------------------------ helpers

  private get node(): FlowNode | undefined {
    return this.flow.nodes[this.s.node];
  }

  private emit(effect: Effect): void {
    this.effects.push(effect);
  }

  /** Builds an effect from the variables, and again with sensitive ones masked if that differs. */
  private redactable<T extends object>(build: (lookup: (name: string) => string) => T): Redactable<T> {
    const real = build((name) => this.s.variables[name] ?? '');
    if (this.s.sensitive.length === 0) return real;
    const masked = build((name) => (this.s.sensitive.includes(name) ? MASK : (this.s.variables[name] ?? '')));
    return JSON.stringify(masked) === JSON.stringify(real) ? real : { ...real, redacted: masked };
  }

  private assign(name: string, value: string, sensitive: boolean): void {
    if (name === 'caller_number') return;
    const v = value.slice(0, MAX_VALUE);
    if (name === 'language') {
      if (!(LANGUAGES as readonly string[]).includes(v)) return;
      this.s.language = v as Language;
    }
    this.s.variables[name] = v;
    this.s.sensitive = this.s.sensitive.filter((n) => n !== name);
    if (sensitive) this.s.sensitive.push(name);
  }

  private usesSensitive(template: string): boolean {
    return templateVariables(template).some((v) => this.s.sensitive.includes(v));
  }

  /** Text from outside (an error message that may quote the URL) with sensitive values masked. */
  private scrub(text: string): string {
    const values = this.s.sensitive.map((n) => this.s.variables[n] ?? '').filter(Boolean).sort((a, b) => b.length - a.length);
    let out = text;
    for (const v of values) out = out.split(v).join(MASK).split(encodeURIComponent(v)).join(MASK);
    return out;
  }

  private publicVariables(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.s.variables)) if (!this.s.sensitive.includes(k)) out[k] = v;
    return out;
  }

  private resolve(prompt: Prompt, lookup: (name: string) => string, language: Language = this.s.language): ResolvedPrompt {
    if ('file' in prompt) return { type: 'file', path: prompt.file };
    if ('tone' in prompt) return { type: 'tone', tone: prompt.tone };
    const lang = prompt.tts[language] !== undefined ? language : prompt.tts[this.flow.language] !== undefined ? this.flow.language : (LANGUAGES.find((l) => prompt.tts[l] !== undefined) ?? language);
    return { type: 'tts', text: renderTemplate(prompt.tts[lang] ?? '', lookup), language: lang };
  }

  private play(prompt: Prompt, bargeIn: boolean, language?: Language): void {
    this.emit(this.redactable((lookup) => ({ kind: 'play' as const, prompt: this.resolve(prompt, lookup, language), bargeIn })));
  }

  // ------------------------------------------------------------ transitions

  private exit(branch: string, target: string, detail?: string): void {
    this.emit({ kind: 'log', event: 'node_exited', node: this.s.node, branch, ...(detail === undefined ? {} : { detail }) });
    this.pending = target;
  }

  private wait(awaiting: Awaiting): void {
    this.s.awaiting = awaiting;
  }

  end(outcome: Outcome, detail?: string): void {
    this.s.awaiting = null;
    this.s.finished = detail === undefined ? { outcome } : { outcome, detail };
    this.pending = null;
    this.emit({ kind: 'log', event: 'run_ended', node: this.s.node, outcome, handedOff: this.s.handedOff !== null, ...(detail === undefined ? {} : { detail }) });
  }

  private hangUp(outcome: Outcome, cause: string, detail?: string): void {
    this.emit({ kind: 'hangup', cause });
    this.end(outcome, detail);
  }

  goto(id: string): void {
    this.pending = id;
    this.drain();
  }

  /** Enters nodes until the run waits or ends. */
  drain(): void {
    while (this.pending !== null && !this.s.finished) {
      const next = this.pending;
      this.pending = null;
      this.enter(next);
    }
  }

  private enter(id: string): void {
    this.hops += 1;
    if (this.hops > MAX_HOPS || this.s.path.length >= this.s.maxNodeEntries) return this.hangUp('loop_guard', FAILURE_CAUSE, `stopped before entering '${id}'`);
    const node = this.flow.nodes[id];
    if (!node) return this.hangUp('error', FAILURE_CAUSE, `missing node '${id}'`);
    Object.assign(this.s, { node: id, awaiting: null, retries: 0, attempt: 0 });
    this.s.path.push(id);
    this.emit({ kind: 'log', event: 'node_entered', node: id });
    switch (node.type) {
      case 'play':
        this.play(node.prompt, node.bargeIn);
        return this.wait('prompt_done');
      case 'notice':
        if (!(node.enabled ?? truthy(this.s.variables[node.enabledVar ?? '']))) return this.exit('skipped', node.next);
        this.play(node.prompt, node.bargeIn);
        return this.wait('prompt_done');
      case 'menu':
      case 'collect':
      case 'language':
      case 'survey':
        return this.ask(node, null);
      case 'say':
        return this.say(node);
      case 'set': {
        const values = Object.entries(node.assignments).map(([k, t]) => [k, renderTemplate(t, (n) => this.s.variables[n] ?? ''), this.usesSensitive(t)] as const);
        for (const [k, v, sensitive] of values) this.assign(k, v, sensitive);
        return this.exit('next', node.next);
      }
      case 'branch': {
        const i = node.conditions.findIndex((c) => this.holds(c.when));
        const chosen = node.conditions[i];
        return chosen ? this.exit(`when:${i}`, chosen.next) : this.exit('otherwise', node.otherwise);
      }
      case 'http':
        this.s.attempt = 1;
        return this.request(node);
      case 'queue':
        return this.enqueue(node);
      case 'transfer':
        return this.transfer(node);
      case 'voicemail':
        if (node.prompt) this.play(node.prompt, false);
        this.emit({ kind: 'voicemail', mailbox: node.mailbox, maxSeconds: node.maxSeconds, variables: this.publicVariables() });
        if (node.next !== undefined) return this.wait('prompt_done');
        this.emit({ kind: 'log', event: 'node_exited', node: id, branch: 'voicemail' });
        return this.end('voicemail');
      case 'hangup':
        this.emit({ kind: 'log', event: 'node_exited', node: id, branch: 'hangup' });
        return this.hangUp('hangup', node.cause);
    }
  }

  // ------------------------------------------------------------ input nodes

  /** Plays the node's prompt (after a retry prompt, if any) and collects keys. */
  private ask(node: NodeOf<'menu' | 'collect' | 'language' | 'survey'>, retry: 'timeout' | 'invalid' | null): void {
    const extra = retry === 'invalid' ? node.invalidPrompt : retry === 'timeout' && 'timeoutPrompt' in node ? node.timeoutPrompt : undefined;
    const bargeIn = 'bargeIn' in node ? node.bargeIn : true;
    if (extra) this.play(extra, bargeIn);
    if (node.type === 'language' && 'tts' in node.prompt) {
      const tts = node.prompt.tts;
      for (const l of [this.s.language, ...LANGUAGES.filter((x) => x !== this.s.language)]) if (tts[l] !== undefined) this.play(node.prompt, bargeIn, l);
    } else this.play(node.prompt, bargeIn);
    this.emit(
      node.type === 'collect'
        ? { kind: 'collect', minLength: node.minLength, maxLength: node.maxLength, terminator: node.terminator, timeoutSec: node.timeoutSec, sensitive: node.sensitive }
        : { kind: 'collect', minLength: 1, maxLength: 1, terminator: '', timeoutSec: node.timeoutSec, sensitive: false },
    );
    this.wait('digits');
  }

  keys(input: Extract<Input, { kind: 'digits' | 'timeout' | 'invalid' }>): void {
    const node = this.node;
    if (!node || (node.type !== 'menu' && node.type !== 'collect' && node.type !== 'language' && node.type !== 'survey')) return this.hangUp('error', FAILURE_CAUSE, 'not at an input node');
    const digits = input.kind === 'digits' ? input.digits : '';
    if (input.kind === 'timeout' || (input.kind === 'digits' && digits === '')) return this.failedAttempt(node, 'timeout');
    // { kind: 'invalid' } falls through with no digits: an invalid attempt at every input node.
    switch (node.type) {
      case 'menu': {
        const target = digits.length === 1 ? node.choices[digits] : undefined;
        return target === undefined ? this.failedAttempt(node, 'invalid') : this.exit(`choice:${digits}`, target);
      }
      case 'language': {
        const language = digits.length === 1 ? node.choices[digits] : undefined;
        if (language === undefined) return this.failedAttempt(node, 'invalid');
        this.assign('language', language, false);
        return this.exit(`choice:${digits}`, node.next);
      }
      case 'survey': {
        const score = Number(digits);
        if (!/^\d$/.test(digits) || score < node.min || score > node.max) return this.failedAttempt(node, 'invalid');
        this.assign(node.variable, digits, false);
        return this.exit('answered', node.next);
      }
      case 'collect': {
        const value = node.terminator && digits.endsWith(node.terminator) ? digits.slice(0, -1) : digits;
        const keys = node.terminator === '#' ? /^[0-9*]+$/ : node.terminator === '*' ? /^[0-9#]+$/ : /^[0-9*#]+$/;
        const valid =
          value.length >= node.minLength &&
          value.length <= node.maxLength &&
          keys.test(value) &&
          (node.pattern === undefined || regex(node.pattern, true)?.test(value) === true);
        if (!valid) return this.failedAttempt(node, 'invalid');
        this.assign(node.variable, value, node.sensitive);
        return this.exit('next', node.next);
      }
    }
  }

  private failedAttempt(node: NodeOf<'menu' | 'collect' | 'language' | 'survey'>, why: 'timeout' | 'invalid'): void {
    this.s.retries += 1;
    if (this.s.retries <= node.maxRetries) return this.ask(node, why);
    if (node.type === 'survey') return this.exit('no_answer', node.next, why);
    this.exit('fail', node.onFail, why);
  }

  // ------------------------------------------------------------ other nodes

  private say(node: NodeOf<'say'>): void {
    const raw = renderTemplate(node.value, (n) => this.s.variables[n] ?? '');
    const value = normaliseSayValue(node.what, raw);
    if (value === null) return this.exit('skipped', node.next, `not a ${node.what}: '${this.usesSensitive(node.value) ? MASK : raw.slice(0, 40)}'`);
    const language = this.s.language;
    const sensitive = this.usesSensitive(node.value);
    const effect: SayEffect = { kind: 'say', what: node.what, value, language, text: spokenText(node.what, value, language) };
    this.emit(sensitive ? { ...effect, redacted: { ...effect, value: MASK, text: MASK } } : effect);
    this.wait('prompt_done');
  }

  promptDone(): void {
    const node = this.node;
    switch (node?.type) {
      case 'play':
      case 'say':
        return this.exit('next', node.next);
      case 'notice':
        return this.exit('played', node.next);
      case 'voicemail':
        return node.next === undefined ? this.end('voicemail') : this.exit('recorded', node.next);
      default:
        return this.hangUp('error', FAILURE_CAUSE, 'not at a prompt');
    }
  }

  private request(node: NodeOf<'http'>): void {
    this.emit(
      this.redactable((lookup) => {
        const body: Record<string, string> = {};
        for (const [k, t] of Object.entries(node.body ?? {})) body[k] = renderTemplate(t, lookup);
        const headers: Record<string, string> = {};
        for (const [k, t] of Object.entries(node.headers ?? {})) headers[k] = renderTemplate(t, lookup);
        const url = renderTemplate(node.url, (n) => encodeURIComponent(lookup(n)));
        return { kind: 'http' as const, request: { method: node.method, url, headers, body: node.method === 'POST' ? body : null, timeoutMs: node.timeoutMs }, attempt: this.s.attempt };
      }),
    );
    this.wait('http');
  }

  answer(input: Extract<Input, { kind: 'http' | 'http_error' }>): void {
    const node = this.node;
    if (node?.type !== 'http') return this.hangUp('error', FAILURE_CAUSE, 'not at an http node');
    let problem: string | null = null;
    const values: Array<[string, string]> = [];
    if (input.kind === 'http_error') problem = `error: ${this.scrub(String(input.error)).slice(0, 200)}`;
    else if (!(input.status >= 200 && input.status < 300)) problem = `status ${input.status}`;
    else if (Object.keys(node.responseMap).length > 0) {
      let data: unknown;
      try {
        data = JSON.parse(input.body);
      } catch {
        problem = 'response is not JSON';
      }
      if (problem === null)
        for (const [variable, path] of Object.entries(node.responseMap)) {
          const v = pick(data, path);
          if (v === undefined) {
            problem = `response has no field '${path}'`;
            break;
          }
          values.push([variable, v]);
        }
    }
    if (problem === null) {
      for (const [k, v] of values) this.assign(k, v, false);
      return this.exit('ok', node.next);
    }
    if (this.s.attempt <= node.retries) {
      this.s.attempt += 1;
      return this.request(node);
    }
    this.exit('error', node.onError, problem);
  }

  private failHandOff(node: NodeOf<'queue' | 'transfer'>, detail: string): void {
    if (node.onError !== undefined) return this.exit('error', node.onError, detail);
    this.emit({ kind: 'log', event: 'node_exited', node: this.s.node, branch: 'error', detail });
    this.hangUp('error', FAILURE_CAUSE, detail);
  }

  private handedOff(node: NodeOf<'queue' | 'transfer'>, kind: 'queue' | 'transfer'): void {
    this.s.handedOff = kind;
    this.emit({ kind: 'log', event: 'node_exited', node: this.s.node, branch: kind === 'queue' ? 'queued' : 'transferred' });
    if (node.afterCall !== undefined) return this.wait('bridge_ended');
    this.end(kind);
  }

  private enqueue(node: NodeOf<'queue'>): void {
    const queueId = node.queueId ?? (this.s.variables[node.queueVar ?? ''] ?? '').trim();
    if (!UUID.test(queueId)) return this.failHandOff(node, `no queue id in '${node.queueVar}'`);
    const skills = node.skills ?? parseSkills(this.s.variables[node.skillsVar ?? ''] ?? '');
    if (!skills) return this.failHandOff(node, `bad skills in '${node.skillsVar}'`);
    this.emit(
      this.redactable((lookup) => {
        const raw = typeof node.priority === 'string' ? Number(renderTemplate(node.priority, lookup).trim() || 'x') : (node.priority ?? 0);
        const priority = Number.isFinite(raw) ? Math.min(100, Math.max(0, Math.round(raw))) : 0;
        return { kind: 'enqueue' as const, queueId, priority, skills: skills.map((s) => ({ ...s })), variables: this.publicVariables() };
      }),
    );
    this.handedOff(node, 'queue');
  }

  private transfer(node: NodeOf<'transfer'>): void {
    let target: TransferTarget;
    if ('extension' in node.to) target = { type: 'extension', extension: node.to.extension };
    else {
      const number = renderTemplate(node.to.external, (n) => this.s.variables[n] ?? '').replace(/[\s-]/g, '');
      if (!EXTERNAL_NUMBER.test(number)) return this.failHandOff(node, 'not a phone number');
      target = { type: 'external', number };
    }
    const sensitive = 'external' in node.to && this.usesSensitive(node.to.external);
    const effect: TransferEffect = { kind: 'transfer', target, variables: this.publicVariables() };
    this.emit(sensitive ? { ...effect, redacted: { ...effect, target: { type: 'external', number: MASK } } } : effect);
    this.handedOff(node, 'transfer');
  }

  bridgeEnded(): void {
    const node = this.node;
    if ((node?.type === 'queue' || node?.type === 'transfer') && node.afterCall !== undefined) return this.goto(node.afterCall);
    this.hangUp('error', FAILURE_CAUSE, 'not after a queue or transfer');
  }

  // ------------------------------------------------------------ conditions

  private holds(c: Condition): boolean {
    if ('var' in c) return this.compare(this.s.variables[c.var] ?? '', c);
    if ('callerNumber' in c) return this.compare(this.s.callerNumber, c.callerNumber);
    if ('open' in c) return isOpen(c.open, this.s.now);
    if ('all' in c) return c.all.every((x) => this.holds(x));
    if ('any' in c) return c.any.some((x) => this.holds(x));
    return !this.holds(c.not);
  }

  /** `matches` searches (anchor with ^…$ to match the whole value); gt/lt compare numbers (false if either side is not one: NaN compares false). */
  private compare(actual: string, c: Comparison): boolean {
    if (c.op === 'empty') return actual === '';
    if (c.op === 'not_empty') return actual !== '';
    const raw = c.value ?? '';
    if (c.op === 'matches') return regex(raw, false)?.test(actual) === true;
    const expected = renderTemplate(raw, (n) => this.s.variables[n] ?? '');
    switch (c.op) {
      case 'eq':
        return actual === expected;
      case 'ne':
        return actual !== expected;
      case 'starts_with':
        return actual.startsWith(expected);
      case 'gt':
      case 'lt': {
        const [a, b] = [Number(actual.trim() || 'x'), Number(expected.trim() || 'x')];
        return c.op === 'gt' ? a > b : a < b;
      }
    }
  }
}

function copy(state: RunState): RunState {
  return {
    ...state,
    flow: { ...state.flow },
    variables: { ...state.variables },
    sensitive: [...state.sensitive],
    path: [...state.path],
    finished: state.finished && { ...state.finished },
  };
}

/** Runs `body`; an unexpected exception ends the call (hang up) instead of escaping into the runtime. */
function guarded(run: Run, body: () => void): Step {
  try {
    body();
    run.drain();
  } catch (e) {
    if (!run.s.finished) {
      run.effects.push({ kind: 'hangup', cause: FAILURE_CAUSE });
      run.end('error', `internal error: ${(e as Error)?.message ?? String(e)}`);
    }
  }
  return { state: run.s, effects: run.effects };
}

/** Starts a run at the flow's start node: effects up to the first wait. */
export function start(flow: Flow, options: StartOptions): Step {
  const language = options.language ?? flow.language;
  const state: RunState = {
    v: 1,
    flow: { id: flow.id ?? null, version: flow.version ?? null },
    node: flow.start,
    awaiting: null,
    variables: { ...flow.variables },
    sensitive: [],
    language,
    callerNumber: options.callerNumber,
    now: options.now,
    retries: 0,
    attempt: 0,
    path: [],
    maxNodeEntries: options.maxNodeEntries ?? DEFAULT_MAX_NODE_ENTRIES,
    handedOff: null,
    finished: null,
  };
  for (const [k, v] of Object.entries(options.variables ?? {}))
    if (VAR_NAME.test(k) && k !== 'caller_number' && k !== 'language') state.variables[k] = String(v).slice(0, MAX_VALUE);
  state.variables.caller_number = options.callerNumber;
  state.variables.language = language;
  const run = new Run(flow, state);
  return guarded(run, () => run.goto(flow.start));
}

/** Feeds what happened to a waiting run. Never changes `state`: the new state is in the step. */
export function resume(flow: Flow, state: RunState, input: Input): Step {
  const s = copy(state);
  if (s.finished) return { state: s, effects: [] };
  if (typeof input.now === 'number' && Number.isFinite(input.now)) s.now = input.now;
  const run = new Run(flow, s);
  return guarded(run, () => {
    if (input.kind === 'hangup') {
      if (s.awaiting !== 'bridge_ended') run.effects.push({ kind: 'log', event: 'node_exited', node: s.node, branch: 'caller_hangup' });
      return run.end('caller_hangup');
    }
    switch (s.awaiting) {
      case 'prompt_done':
        if (input.kind === 'prompt_done' || input.kind === 'digits') return run.promptDone();
        break;
      case 'digits':
        if (input.kind === 'digits' || input.kind === 'timeout' || input.kind === 'invalid') return run.keys(input);
        break;
      case 'http':
        if (input.kind === 'http' || input.kind === 'http_error') return run.answer(input);
        break;
      case 'bridge_ended':
        if (input.kind === 'bridge_ended') return run.bridgeEnded();
        break;
    }
    run.effects.push({ kind: 'log', event: 'input_ignored', node: s.node, detail: `${input.kind} while awaiting ${s.awaiting ?? 'nothing'}` });
  });
}
