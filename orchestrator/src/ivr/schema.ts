import { z } from 'zod';
import { calendarSchema, type Calendar } from '../acd/calendar.ts';
import { skillRequirement } from '../acd/config.ts';
import { SAY_KINDS } from './say.ts';
import { templateProblems, templateVariables, VAR_NAME } from './template.ts';

/**
 * IVR flows: a graph of nodes an admin draws in the visual editor, stored as
 * JSON (versioned in Postgres) and run by ./engine.ts, live and in the
 * browser's dry run.
 *
 * A flow file is
 *   { id?, name, description?, version?, language, start, variables?, nodes, ui? }
 * `language` is the default prompt language (callers can switch with a
 * `language` node); `variables` are initial values; `ui` (on the flow and on
 * every node) belongs to the editor (layout) and is ignored here. Objects are
 * strict: an unknown field (a typo such as `nxet`) is an error.
 *
 * parseFlow checks the shape and then the graph. Errors name the node and the
 * field ("node main_menu: choices.3 points to missing node 'billng'").
 * Problems that do not stop a flow from running are warnings, returned beside
 * the flow: unreachable nodes (drafts in the editor often have some),
 * variables nobody sets (the runtime may provide them when the call starts),
 * prompts without text in a language callers can choose (the flow language is
 * spoken instead). A loop that no caller input interrupts is an error.
 */

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const NODE_ID = /^[a-z][a-z0-9_]{0,39}$/;
export { VAR_NAME };
/** Set by the engine: the caller's number (read-only) and the current prompt language (assigning 'zh-CN' or 'en' switches it). */
export const BUILTIN_VARIABLES = ['caller_number', 'language'] as const;
export const MAX_NODES = 500;
/** Nodes that wait for the caller to press keys: every loop must go through one. */
export const INPUT_NODE_TYPES = ['menu', 'collect', 'language', 'survey'] as const;

const nodeId = z.string().regex(NODE_ID, 'must be a node id (a-z first, then a-z 0-9 _, at most 40)');
const varName = z.string().regex(VAR_NAME, 'must be a variable name (a-z or _ first, then a-z 0-9 _, at most 40)');
const digitKey = z.string().regex(/^[0-9*#]$/, 'must be one key: 0-9, * or #');

/** Text with `${var}` references. */
const template = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((s, ctx) => {
      for (const message of templateProblems(s)) ctx.addIssue({ code: 'custom', message });
    });

function compiles(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
const regexString = z
  .string()
  .min(1)
  .max(200)
  .superRefine((s, ctx) => {
    const problem = compiles(s);
    if (problem) ctx.addIssue({ code: 'custom', message: `is not a valid regular expression (${problem})` });
  });

/**
 * A union told apart by which key is present ({ tts } | { file } | { tone }),
 * so an error points into the branch the author meant instead of listing why
 * every branch failed.
 */
function keyed<S extends Record<string, z.ZodType>>(what: string, branches: S): z.ZodType<z.output<S[keyof S]>, unknown> {
  const keys = Object.keys(branches);
  return z.unknown().transform((value, ctx) => {
    const key = typeof value === 'object' && value !== null && !Array.isArray(value) ? keys.find((k) => k in value) : undefined;
    const branch = key === undefined ? undefined : branches[key];
    if (!branch) {
      ctx.addIssue({ code: 'custom', message: `must be ${what}: an object with one of ${keys.map((k) => `'${k}'`).join(', ')}` });
      return z.NEVER;
    }
    const r = branch.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return r.data as z.output<S[keyof S]>;
  });
}

// ---------------------------------------------------------------- prompts

const ttsText = template(500).refine((s) => s.trim().length > 0, 'must not be empty');
/** Text to speak, per language; the engine picks the caller's language, else the flow language. */
const ttsPrompt = z.strictObject({
  tts: z
    .strictObject({ 'zh-CN': ttsText.optional(), en: ttsText.optional() })
    .refine((t) => t['zh-CN'] !== undefined || t.en !== undefined, 'needs text in at least one language (zh-CN or en)'),
});
const filePrompt = z.strictObject({
  file: z.string().regex(/^\/(?!.*\.\.)[A-Za-z0-9_./-]{1,250}\.wav$/, 'must be an absolute .wav path (letters, digits, _ . / -)'),
});
const tonePrompt = z.strictObject({ tone: z.string().regex(/^tone_stream:\/\/[0-9A-Za-z(),.;=%@+-]{1,250}$/, 'must be tone_stream://…') });
export const promptSchema = keyed('a prompt', { tts: ttsPrompt, file: filePrompt, tone: tonePrompt });
export type Prompt = z.output<typeof promptSchema>;

// ---------------------------------------------------------------- conditions

export const COMPARE_OPS = ['eq', 'ne', 'gt', 'lt', 'matches', 'starts_with', 'empty', 'not_empty'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];
export interface Comparison {
  op: CompareOp;
  /** A template; a regular expression for `matches`; a number for `gt`/`lt`; absent for `empty`/`not_empty`. */
  value?: string;
}
export type Condition =
  | ({ var: string } & Comparison)
  | { callerNumber: Comparison }
  | { open: Calendar }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

const comparisonFields = {
  op: z.enum(COMPARE_OPS),
  value: z.union([z.number().transform(String), template(200)]).optional(),
};
function checkComparison(c: Comparison, ctx: z.RefinementCtx): void {
  const unary = c.op === 'empty' || c.op === 'not_empty';
  if (unary && c.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `is not used with op '${c.op}'` });
  if (unary || c.value === undefined) {
    if (!unary) ctx.addIssue({ code: 'custom', path: ['value'], message: `is required with op '${c.op}'` });
    return;
  }
  if (c.op === 'matches') {
    const problem = compiles(c.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: `is not a valid regular expression (${problem})` });
  }
  if ((c.op === 'gt' || c.op === 'lt') && templateVariables(c.value).length === 0 && !Number.isFinite(Number(c.value.trim() || 'x')))
    ctx.addIssue({ code: 'custom', path: ['value'], message: `must be a number with op '${c.op}'` });
}
const varComparison = z.strictObject({ var: varName, ...comparisonFields }).superRefine(checkComparison);
const callerComparison = z.strictObject({ callerNumber: z.strictObject(comparisonFields).superRefine(checkComparison) });

export const conditionSchema: z.ZodType<Condition, unknown> = z.lazy(() =>
  keyed('a condition', {
    var: varComparison,
    callerNumber: callerComparison,
    open: z.strictObject({ open: calendarSchema }),
    all: z.strictObject({ all: z.array(conditionSchema).min(1).max(20) }),
    any: z.strictObject({ any: z.array(conditionSchema).min(1).max(20) }),
    not: z.strictObject({ not: conditionSchema }),
  }),
);

// ---------------------------------------------------------------- nodes

const common = {
  /** A name for the editor and the statistics. */
  label: z.string().max(100).optional(),
  /** The editor's own data (position, colour): ignored by the engine. */
  ui: z.record(z.string(), z.unknown()).optional(),
};
const timeoutSec = z.number().int().min(1).max(60).default(5);
const maxRetries = (d: number) => z.number().int().min(0).max(9).default(d);
const nonEmpty = (o: object) => Object.keys(o).length > 0;

const playNode = z.strictObject({ type: z.literal('play'), ...common, prompt: promptSchema, bargeIn: z.boolean().default(false), next: nodeId });

const menuNode = z.strictObject({
  type: z.literal('menu'),
  ...common,
  prompt: promptSchema,
  choices: z.record(digitKey, nodeId).refine(nonEmpty, 'needs at least one choice'),
  timeoutSec,
  maxRetries: maxRetries(2),
  invalidPrompt: promptSchema.optional(),
  timeoutPrompt: promptSchema.optional(),
  bargeIn: z.boolean().default(true),
  onFail: nodeId,
});

const collectNode = z
  .strictObject({
    type: z.literal('collect'),
    ...common,
    prompt: promptSchema,
    variable: varName,
    minLength: z.number().int().min(1).max(32).default(1),
    maxLength: z.number().int().min(1).max(32).default(20),
    /** '' = no terminator (collection ends at maxLength or on timeout). */
    terminator: z.enum(['#', '*', '']).default('#'),
    timeoutSec,
    /** Anchored: the whole entry must match. */
    pattern: regexString.optional(),
    maxRetries: maxRetries(2),
    invalidPrompt: promptSchema.optional(),
    timeoutPrompt: promptSchema.optional(),
    /** Masked as *** in logs, traces and the screen-pop variables. */
    sensitive: z.boolean().default(false),
    bargeIn: z.boolean().default(true),
    next: nodeId,
    onFail: nodeId,
  })
  .superRefine((n, ctx) => {
    if (n.minLength > n.maxLength) ctx.addIssue({ code: 'custom', path: ['minLength'], message: `(${n.minLength}) must not exceed maxLength (${n.maxLength})` });
  });

const sayNode = z.strictObject({ type: z.literal('say'), ...common, what: z.enum(SAY_KINDS), value: template(200), next: nodeId });

const setNode = z.strictObject({
  type: z.literal('set'),
  ...common,
  assignments: z.record(varName, template(1000)).refine(nonEmpty, 'needs at least one assignment'),
  next: nodeId,
});

const branchNode = z.strictObject({
  type: z.literal('branch'),
  ...common,
  conditions: z.array(z.strictObject({ when: conditionSchema, next: nodeId })).min(1).max(20),
  otherwise: nodeId,
});

/** 'data.balance', 'items.0.name': object keys and array indexes separated by dots. */
const jsonPath = z.string().regex(/^[A-Za-z0-9_$-]{1,64}(\.[A-Za-z0-9_$-]{1,64}){0,9}$/, "must be a path such as 'data.balance'");
const httpNode = z
  .strictObject({
    type: z.literal('http'),
    ...common,
    method: z.enum(['GET', 'POST']).default('GET'),
    /** Values filled into the URL are percent-encoded; scheme and host must be literal. */
    url: template(2000),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name'), template(1000)).optional(),
    /** POST only: sent as a JSON object of strings. */
    body: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a field name'), template(1000)).optional(),
    timeoutMs: z.number().int().min(100).max(10000).default(3000),
    /** Extra attempts after a failed one. */
    retries: z.number().int().min(0).max(3).default(1),
    responseMap: z.record(varName, jsonPath).default({}),
    next: nodeId,
    onError: nodeId,
  })
  .superRefine((n, ctx) => {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?([/?#]|$)/.test(n.url))
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'must start with http:// or https:// and a literal host (no ${…} in the host)' });
    if (n.method === 'GET' && n.body) ctx.addIssue({ code: 'custom', path: ['body'], message: 'a GET request has no body: put the parameters in the url' });
    for (const h of Object.keys(n.headers ?? {}))
      if (['host', 'content-length', 'transfer-encoding', 'connection'].includes(h.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['headers', h], message: 'is set by the runtime' });
  });

const languageNode = z.strictObject({
  type: z.literal('language'),
  ...common,
  /** A tts prompt is spoken in every language it has text for (current language first): "普通话请按1, for English press 2". */
  prompt: promptSchema,
  choices: z.record(digitKey, z.enum(LANGUAGES)).refine(nonEmpty, 'needs at least one choice'),
  timeoutSec,
  maxRetries: maxRetries(2),
  invalidPrompt: promptSchema.optional(),
  timeoutPrompt: promptSchema.optional(),
  bargeIn: z.boolean().default(true),
  next: nodeId,
  onFail: nodeId,
});

const queueNode = z
  .strictObject({
    type: z.literal('queue'),
    ...common,
    queueId: z.uuid().optional(),
    /** A variable holding the queue id (from an http lookup, say). */
    queueVar: varName.optional(),
    /** 0-100, higher is served first; a template is rendered and clamped (not a number: 0). */
    priority: z.union([z.number().int().min(0).max(100), template(100)]).optional(),
    skills: z.array(skillRequirement).max(20).optional(),
    /** A variable holding 'skill:minLevel' items separated by commas ("billing:5,english"; no level = 1). */
    skillsVar: varName.optional(),
    /** Where the caller continues when the agent hangs up first (a survey); absent: the run ends at the queue. */
    afterCall: nodeId.optional(),
    /** Where to go if queueVar/skillsVar hold no usable value; absent: hang up. */
    onError: nodeId.optional(),
  })
  .superRefine((n, ctx) => {
    if ((n.queueId === undefined) === (n.queueVar === undefined)) ctx.addIssue({ code: 'custom', path: ['queueId'], message: 'give exactly one of queueId and queueVar' });
    if (n.skills !== undefined && n.skillsVar !== undefined) ctx.addIssue({ code: 'custom', path: ['skills'], message: 'give at most one of skills and skillsVar' });
  });

export const EXTERNAL_NUMBER = /^\+?[0-9]{3,20}$/;
const transferNode = z
  .strictObject({
    type: z.literal('transfer'),
    ...common,
    to: keyed('a transfer target', {
      extension: z.strictObject({ extension: z.string().regex(/^[0-9]{2,10}$/, 'must be 2-10 digits') }),
      external: z.strictObject({ external: template(60) }),
    }),
    afterCall: nodeId.optional(),
    /** Where to go if the external number renders to something that is not a number; absent: hang up. */
    onError: nodeId.optional(),
  })
  .superRefine((n, ctx) => {
    if ('external' in n.to && templateVariables(n.to.external).length === 0 && !EXTERNAL_NUMBER.test(n.to.external))
      ctx.addIssue({ code: 'custom', path: ['to', 'external'], message: 'must be a phone number (3-20 digits, optional leading +) or a ${variable}' });
  });

const voicemailNode = z.strictObject({
  type: z.literal('voicemail'),
  ...common,
  // The same rule as voicemail boxes and their folders (voicemail/, db/migrations/00006): a flow cannot name a box no call could record into.
  mailbox: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a mailbox id (1-64 letters, digits, _ or -)'),
  maxSeconds: z.number().int().min(5).max(600).default(120),
  /** Greeting played before the beep. */
  prompt: promptSchema.optional(),
  /** Where to continue after the recording; absent: the run ends with the voicemail. */
  next: nodeId.optional(),
});

const noticeNode = z
  .strictObject({
    type: z.literal('notice'),
    ...common,
    enabled: z.boolean().optional(),
    /** A variable the runtime fills from the admin's switch: '1', 'true', 'yes', 'on' = on. */
    enabledVar: varName.optional(),
    prompt: promptSchema,
    bargeIn: z.boolean().default(false),
    next: nodeId,
  })
  .superRefine((n, ctx) => {
    if ((n.enabled === undefined) === (n.enabledVar === undefined)) ctx.addIssue({ code: 'custom', path: ['enabled'], message: 'give exactly one of enabled and enabledVar' });
  });

const surveyNode = z
  .strictObject({
    type: z.literal('survey'),
    ...common,
    prompt: promptSchema,
    variable: varName,
    min: z.number().int().min(0).max(9).default(1),
    max: z.number().int().min(1).max(9).default(5),
    timeoutSec,
    maxRetries: maxRetries(1),
    invalidPrompt: promptSchema.optional(),
    /** Taken after an answer and after the retries (the variable then stays unset). */
    next: nodeId,
  })
  .superRefine((n, ctx) => {
    if (n.min >= n.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `(${n.min}) must be below max (${n.max})` });
  });

const hangupNode = z.strictObject({
  type: z.literal('hangup'),
  ...common,
  cause: z.string().regex(/^[A-Z][A-Z_]{2,49}$/, 'must be a hangup cause such as NORMAL_CLEARING').default('NORMAL_CLEARING'),
});

export const nodeSchema = z.discriminatedUnion('type', [
  playNode, menuNode, collectNode, sayNode, setNode, branchNode, httpNode, languageNode, queueNode, transferNode, voicemailNode, noticeNode, surveyNode, hangupNode,
]);
export type FlowNode = z.output<typeof nodeSchema>;
export type NodeType = FlowNode['type'];
export type NodeOf<T extends NodeType> = Extract<FlowNode, { type: T }>;

export const flowSchema = z.strictObject({
  id: z.string().min(1).max(64).optional(),
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000).optional(),
  version: z.number().int().min(1).optional(),
  language: z.enum(LANGUAGES),
  start: nodeId,
  variables: z.record(varName, z.string().max(1000)).default({}),
  nodes: z
    .record(nodeId, nodeSchema)
    .refine(nonEmpty, 'needs at least one node')
    .refine((n) => Object.keys(n).length <= MAX_NODES, `at most ${MAX_NODES} nodes`),
  ui: z.record(z.string(), z.unknown()).optional(),
});
export type Flow = z.output<typeof flowSchema>;

export type ParseResult = { ok: true; flow: Flow; warnings: string[] } | { ok: false; errors: string[] };

// ---------------------------------------------------------------- graph

/** Every edge leaving a node: [field path, target]. */
export function edges(node: FlowNode): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (field: string, target: string | undefined) => {
    if (target !== undefined) out.push([field, target]);
  };
  switch (node.type) {
    case 'menu':
      for (const [d, t] of Object.entries(node.choices)) add(`choices.${d}`, t);
      add('onFail', node.onFail);
      break;
    case 'collect':
    case 'language':
      add('next', node.next);
      add('onFail', node.onFail);
      break;
    case 'http':
      add('next', node.next);
      add('onError', node.onError);
      break;
    case 'branch':
      node.conditions.forEach((c, i) => add(`conditions.${i}.next`, c.next));
      add('otherwise', node.otherwise);
      break;
    case 'queue':
    case 'transfer':
      add('afterCall', node.afterCall);
      add('onError', node.onError);
      break;
    case 'hangup':
      break;
    default: // play, say, set, notice, survey, voicemail (optional next)
      add('next', node.next);
  }
  return out;
}

const isInputNode = (n: FlowNode) => (INPUT_NODE_TYPES as readonly string[]).includes(n.type);

/** A loop made only of nodes that never wait for the caller's keys, as a list of ids (first = last), or null. */
function loopWithoutInput(nodes: Record<string, FlowNode>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    const node = nodes[id];
    if (!node || isInputNode(node) || state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const [, target] of edges(node)) {
      const loop = visit(target);
      if (loop) return loop;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of Object.keys(nodes)) {
    const loop = visit(id);
    if (loop) return loop;
  }
  return null;
}

function prompts(node: FlowNode): Array<[string, Prompt]> {
  const out: Array<[string, Prompt]> = [];
  for (const field of ['prompt', 'invalidPrompt', 'timeoutPrompt'] as const) {
    const p = (node as Partial<Record<typeof field, Prompt>>)[field];
    if (p) out.push([field, p]);
  }
  return out;
}

/** Every template of a node with its field path (for the variable check). */
function templates(node: FlowNode): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [field, p] of prompts(node)) if ('tts' in p) for (const [lang, text] of Object.entries(p.tts)) if (text !== undefined) out.push([`${field}.tts.${lang}`, text]);
  const conds = (c: Condition, path: string) => {
    if ('var' in c) {
      out.push([`${path}.var`, `\${${c.var}}`]);
      if (c.value !== undefined && c.op !== 'matches') out.push([`${path}.value`, c.value]);
    } else if ('callerNumber' in c) {
      if (c.callerNumber.value !== undefined && c.callerNumber.op !== 'matches') out.push([`${path}.callerNumber.value`, c.callerNumber.value]);
    } else if ('all' in c) c.all.forEach((x, i) => conds(x, `${path}.all.${i}`));
    else if ('any' in c) c.any.forEach((x, i) => conds(x, `${path}.any.${i}`));
    else if ('not' in c) conds(c.not, `${path}.not`);
  };
  switch (node.type) {
    case 'say':
      out.push(['value', node.value]);
      break;
    case 'set':
      for (const [k, v] of Object.entries(node.assignments)) out.push([`assignments.${k}`, v]);
      break;
    case 'branch':
      node.conditions.forEach((c, i) => conds(c.when, `conditions.${i}.when`));
      break;
    case 'http':
      out.push(['url', node.url]);
      for (const [k, v] of Object.entries(node.headers ?? {})) out.push([`headers.${k}`, v]);
      for (const [k, v] of Object.entries(node.body ?? {})) out.push([`body.${k}`, v]);
      break;
    case 'queue':
      if (node.queueVar) out.push(['queueVar', `\${${node.queueVar}}`]);
      if (node.skillsVar) out.push(['skillsVar', `\${${node.skillsVar}}`]);
      if (typeof node.priority === 'string') out.push(['priority', node.priority]);
      break;
    case 'transfer':
      if ('external' in node.to) out.push(['to.external', node.to.external]);
      break;
    case 'notice':
      if (node.enabledVar) out.push(['enabledVar', `\${${node.enabledVar}}`]);
      break;
  }
  return out;
}

/** Variables a node assigns, with the field that names them. */
function assigned(node: FlowNode): Array<[string, string]> {
  switch (node.type) {
    case 'collect':
    case 'survey':
      return [['variable', node.variable]];
    case 'set':
      return Object.keys(node.assignments).map((k) => [`assignments.${k}`, k]);
    case 'http':
      return Object.keys(node.responseMap).map((k) => [`responseMap.${k}`, k]);
    default:
      return [];
  }
}

/** Checks beyond the shape: references, reachability, loops, languages, variables. */
function checkGraph(flow: Flow): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const ids = Object.keys(flow.nodes);
  if (!flow.nodes[flow.start]) errors.push(`start points to missing node '${flow.start}'`);
  for (const [id, node] of Object.entries(flow.nodes))
    for (const [field, target] of edges(node)) if (!flow.nodes[target]) errors.push(`node ${id}: ${field} points to missing node '${target}'`);

  for (const v of Object.keys(flow.variables))
    if ((BUILTIN_VARIABLES as readonly string[]).includes(v)) errors.push(`variables.${v}: '${v}' is set by the engine`);
  for (const [id, node] of Object.entries(flow.nodes))
    for (const [field, v] of assigned(node)) if (v === 'caller_number') errors.push(`node ${id}: ${field}: 'caller_number' is read-only`);

  const loop = loopWithoutInput(flow.nodes);
  if (loop)
    errors.push(`node ${loop[0]}: loop without caller input: ${loop.join(' → ')} (a loop must pass through a menu, collect, language or survey node)`);

  const offered = new Set<Language>([flow.language]);
  for (const node of Object.values(flow.nodes)) if (node.type === 'language') for (const l of Object.values(node.choices)) offered.add(l);
  for (const [id, node] of Object.entries(flow.nodes))
    for (const [field, p] of prompts(node)) {
      if (!('tts' in p)) continue;
      if (p.tts[flow.language] === undefined) errors.push(`node ${id}: ${field}.tts has no ${flow.language} text (the flow language)`);
      for (const l of offered)
        if (l !== flow.language && p.tts[l] === undefined) warnings.push(`node ${id}: ${field}.tts has no ${l} text: callers who chose ${l} hear ${flow.language}`);
    }

  const reached = new Set<string>();
  const todo = flow.nodes[flow.start] ? [flow.start] : [];
  while (todo.length) {
    const id = todo.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    const node = flow.nodes[id];
    if (node) for (const [, t] of edges(node)) if (flow.nodes[t] && !reached.has(t)) todo.push(t);
  }
  if (flow.nodes[flow.start]) for (const id of ids) if (!reached.has(id)) warnings.push(`node ${id}: unreachable from start '${flow.start}'`);

  const known = new Set<string>([...BUILTIN_VARIABLES, ...Object.keys(flow.variables)]);
  for (const node of Object.values(flow.nodes)) for (const [, v] of assigned(node)) known.add(v);
  for (const [id, node] of Object.entries(flow.nodes))
    for (const [field, t] of templates(node))
      for (const v of templateVariables(t))
        if (!known.has(v)) warnings.push(`node ${id}: ${field} uses variable '${v}' that no node sets and the flow does not declare`);
  for (const [id, node] of Object.entries(flow.nodes))
    if (node.type === 'transfer' && node.afterCall !== undefined)
      warnings.push(`node ${id}: afterCall: on live calls the caller is released when a transfer ends (only a queue node keeps the caller for afterCall)`);
  return { errors, warnings };
}

// ---------------------------------------------------------------- messages

const MAX_DEPTH = 40;
function tooDeep(value: unknown): boolean {
  const todo: Array<[unknown, number]> = [[value, 0]];
  while (todo.length) {
    const [v, d] = todo.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > MAX_DEPTH) return true;
    for (const x of Object.values(v)) todo.push([x, d + 1]);
  }
  return false;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') return `'${String(issue.path.at(-1))}' is not allowed as a key: ${issue.issues.map((i) => i.message).join('; ')}`;
  if (issue.code === 'invalid_union') {
    const options = (issue as { options?: unknown[] }).options;
    if (Array.isArray(options)) return `must be one of ${options.join(', ')}`;
  }
  // Recognised by their message, because issues re-raised from inside a keyed union arrive as custom issues.
  const m = issue.message;
  if (/^Invalid input: expected \w+, received undefined$/.test(m)) return 'is required';
  const unknown = /^Unrecognized keys?: (.*)$/.exec(m);
  if (unknown) return `unknown field${m.startsWith('Unrecognized keys') ? 's' : ''} ${(unknown[1] ?? '').replaceAll('"', "'")}`;
  return m.replace(/^Invalid input: /, '');
}

/** "node main_menu: timeoutSec: Too big…", "flow: name is required". */
function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.code === 'invalid_key' ? issue.path.slice(0, -1) : issue.path;
  const message = describe(issue);
  const join = (where: string, field: string) => (field ? `${where}: ${field}${/^(is |\()/.test(message) ? ' ' : ': '}${message}` : `${where}: ${message}`);
  if (path[0] === 'nodes' && path.length >= 2) return join(`node ${String(path[1])}`, path.slice(2).map(String).join('.'));
  if (issue.code === 'invalid_key' && path.length === 1 && path[0] === 'nodes') return `node ${String(issue.path[1])}: invalid node id (a-z first, then a-z 0-9 _, at most 40)`;
  return join('flow', path.map(String).join('.'));
}

/** Checks a flow document (parsed JSON) and returns the typed flow with defaults filled in, or every error found. */
export function parseFlow(json: unknown): ParseResult {
  if (tooDeep(json)) return { ok: false, errors: [`flow: nested more than ${MAX_DEPTH} levels deep`] };
  const shape = flowSchema.safeParse(json);
  if (!shape.success) return { ok: false, errors: [...new Set(shape.error.issues.map(formatIssue))] };
  const { errors, warnings } = checkGraph(shape.data);
  if (errors.length) return { ok: false, errors };
  return { ok: true, flow: shape.data, warnings };
}
