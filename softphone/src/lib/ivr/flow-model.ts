import {
  INPUT_NODE_TYPES,
  LANGUAGES,
  NODE_ID,
  type DryRunResult,
  type Effect,
  type Language,
  type NodeType,
  type ParseResult,
} from '../../../../orchestrator/src/ivr/index.ts';

/**
 * The IVR editor's model: a flow definition as the admin is drawing it. It is
 * the flow file itself (what is saved, exported and imported), held loosely
 * typed because a draft on the canvas is often invalid (a node without its
 * `next` yet). The core's parseFlow says what is wrong; these pure helpers
 * read and change the draft without ever throwing on a malformed node.
 *
 * Canvas positions live in each node's `ui: { x, y }` (the schema lets the
 * editor keep its data there; the engine ignores it).
 */

export type DraftNode = { type: NodeType; label?: string; ui?: Record<string, unknown> } & Record<string, unknown>;
export interface DraftFlow {
  id?: string;
  name: string;
  description?: string;
  version?: number;
  language: Language;
  start: string;
  variables?: Record<string, string>;
  nodes: Record<string, DraftNode>;
  ui?: Record<string, unknown>;
}

/** Palette order. */
export const NODE_TYPES: readonly NodeType[] = [
  'play', 'menu', 'collect', 'say', 'set', 'branch', 'http', 'language', 'queue', 'transfer', 'voicemail', 'notice', 'survey', 'hangup',
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const KEY_ORDER = '1234567890*#';
const keyRank = (k: string) => (KEY_ORDER.includes(k) && k.length === 1 ? KEY_ORDER.indexOf(k) : 99);

/** One output of a node: a handle on the canvas and a field of the node ('next', 'onFail', 'choices.1', 'conditions.0.next'). */
export interface Branch {
  handle: string;
  kind: 'next' | 'onFail' | 'onError' | 'otherwise' | 'afterCall' | 'choice' | 'condition';
  /** The key of a menu choice, the index of a branch condition. */
  key?: string;
  index?: number;
  /** The node it leads to; undefined (or '') while unconnected. */
  target: string | undefined;
  /** The schema allows it to stay unconnected. */
  optional: boolean;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The outputs of a node, in display order; tolerant of any malformed field. */
export function branches(node: DraftNode): Branch[] {
  const out: Branch[] = [];
  const field = (kind: Branch['kind'], optional = false) => out.push({ handle: kind, kind, target: text(node[kind]), optional });
  switch (node.type) {
    case 'menu': {
      const choices = isObject(node.choices) ? node.choices : {};
      for (const key of Object.keys(choices).sort((a, b) => keyRank(a) - keyRank(b) || a.localeCompare(b)))
        out.push({ handle: `choices.${key}`, kind: 'choice', key, target: text(choices[key]), optional: false });
      field('onFail');
      break;
    }
    case 'collect':
    case 'language':
      field('next');
      field('onFail');
      break;
    case 'http':
      field('next');
      field('onError');
      break;
    case 'branch': {
      const conditions = Array.isArray(node.conditions) ? node.conditions : [];
      conditions.forEach((c, i) => out.push({ handle: `conditions.${i}.next`, kind: 'condition', index: i, target: isObject(c) ? text(c.next) : undefined, optional: false }));
      field('otherwise');
      break;
    }
    case 'queue':
    case 'transfer':
      field('afterCall', true);
      field('onError', true);
      break;
    case 'voicemail':
      field('next', true);
      break;
    case 'hangup':
      break;
    default:
      field('next');
  }
  return out;
}

/**
 * Points a node's output at another node (undefined: disconnects it). A menu
 * choice or a branch condition keeps its key / condition with an empty target,
 * so its handle stays on the canvas; other outputs lose their field.
 */
export function setBranch(node: DraftNode, handle: string, target: string | undefined): void {
  const choice = /^choices\.(.+)$/.exec(handle);
  if (choice) {
    if (!isObject(node.choices)) node.choices = {};
    (node.choices as Record<string, unknown>)[choice[1]!] = target ?? '';
    return;
  }
  const condition = /^conditions\.(\d+)\.next$/.exec(handle);
  if (condition) {
    const list = Array.isArray(node.conditions) ? node.conditions : [];
    const c = list[Number(condition[1])];
    if (isObject(c)) c.next = target ?? '';
    return;
  }
  if (target === undefined) delete node[handle];
  else node[handle] = target;
}

/** Every connection on the canvas: one per connected output whose target exists. */
export interface FlowEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
}
export function flowEdges(flow: DraftFlow): FlowEdge[] {
  const out: FlowEdge[] = [];
  for (const [id, node] of Object.entries(flow.nodes))
    for (const b of branches(node)) if (b.target && flow.nodes[b.target]) out.push({ id: `${id}:${b.handle}`, source: id, sourceHandle: b.handle, target: b.target });
  return out;
}

// ---------------------------------------------------------------- nodes

const tts = (language: Language, value = '') => ({ tts: { [language]: value } });

/** A new node of a type, with the fields the admin fills in (the schema's defaults apply to the rest). */
export function newNode(type: NodeType, language: Language): DraftNode {
  switch (type) {
    case 'play':
      return { type, prompt: tts(language) };
    case 'menu':
      return { type, prompt: tts(language), choices: { '1': '' } };
    case 'collect':
      return { type, prompt: tts(language), variable: '' };
    case 'say':
      return { type, what: 'digits', value: '' };
    case 'set':
      return { type, assignments: { '': '' } };
    case 'branch':
      return { type, conditions: [{ when: { var: '', op: 'eq', value: '' }, next: '' }] };
    case 'http':
      return { type, method: 'GET', url: 'https://', responseMap: {} };
    case 'language':
      return { type, prompt: { tts: { 'zh-CN': '普通话请按1。', en: 'For English, press 2.' } }, choices: { '1': 'zh-CN', '2': 'en' } };
    case 'queue':
      return { type, queueId: '' };
    case 'transfer':
      return { type, to: { extension: '' } };
    case 'voicemail':
      return { type, mailbox: '' };
    case 'notice':
      return { type, enabled: true, prompt: tts(language) };
    case 'survey':
      return { type, prompt: tts(language), variable: 'survey_score' };
    case 'hangup':
      return { type };
  }
}

/** `menu_1`, `menu_2`…: the first free id for a node of that type. */
export function newNodeId(type: NodeType, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) if (!used.has(`${type}_${n}`)) return `${type}_${n}`;
}

export type RenameProblem = 'invalid' | 'taken';
/** Renames a node and every reference to it (outputs and the start). */
export function renameNode(flow: DraftFlow, from: string, to: string): RenameProblem | null {
  if (from === to) return null;
  if (!NODE_ID.test(to)) return 'invalid';
  if (flow.nodes[to]) return 'taken';
  const node = flow.nodes[from];
  if (!node) return null;
  const nodes: Record<string, DraftNode> = {};
  for (const [id, n] of Object.entries(flow.nodes)) nodes[id === from ? to : id] = n;
  for (const n of Object.values(nodes)) for (const b of branches(n)) if (b.target === from) setBranch(n, b.handle, to);
  flow.nodes = nodes;
  if (flow.start === from) flow.start = to;
  return null;
}

/** Removes a node and disconnects the outputs that led to it. */
export function removeNode(flow: DraftFlow, id: string): void {
  delete flow.nodes[id];
  for (const n of Object.values(flow.nodes)) for (const b of branches(n)) if (b.target === id) setBranch(n, b.handle, undefined);
}

export interface Position {
  x: number;
  y: number;
}
export function positionOf(node: DraftNode): Position | null {
  const ui = node.ui;
  return isObject(ui) && typeof ui.x === 'number' && typeof ui.y === 'number' && Number.isFinite(ui.x) && Number.isFinite(ui.y) ? { x: ui.x, y: ui.y } : null;
}
export function setPosition(node: DraftNode, p: Position): void {
  node.ui = { ...(isObject(node.ui) ? node.ui : {}), x: Math.round(p.x), y: Math.round(p.y) };
}

export const COLUMN_WIDTH = 300;
export const ROW_HEIGHT = 190;
/**
 * Positions for nodes that have none (an imported file written by hand):
 * columns by distance from the start, rows in order; nodes the start does not
 * reach go in a last column. Placed nodes stay where they are.
 */
export function autoLayout(flow: DraftFlow): Record<string, Position> {
  const depth = new Map<string, number>();
  const queue: string[] = flow.nodes[flow.start] ? [flow.start] : [];
  if (queue.length) depth.set(flow.start, 0);
  while (queue.length) {
    const id = queue.shift()!;
    for (const b of branches(flow.nodes[id]!))
      if (b.target && flow.nodes[b.target] && !depth.has(b.target)) {
        depth.set(b.target, depth.get(id)! + 1);
        queue.push(b.target);
      }
  }
  const last = Math.max(-1, ...depth.values()) + 1;
  const rows = new Map<number, number>();
  const out: Record<string, Position> = {};
  for (const [id, node] of Object.entries(flow.nodes)) {
    const placed = positionOf(node);
    if (placed) {
      out[id] = placed;
      continue;
    }
    const col = depth.get(id) ?? last;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    out[id] = { x: col * COLUMN_WIDTH, y: row * ROW_HEIGHT };
  }
  return out;
}

// ---------------------------------------------------------------- validation

export interface FlowIssues {
  /** Messages about a node, by node id ("next is required"). */
  nodes: Record<string, string[]>;
  /** Messages about the flow as a whole ("start points to missing node 'x'"). */
  flow: string[];
}

const NODE_MESSAGE = /^node ([a-z][a-z0-9_]*): (.*)$/s;
/** Sorts the core's messages ("node main_menu: onFail is required") by node. */
export function sortIssues(messages: readonly string[]): FlowIssues {
  const out: FlowIssues = { nodes: {}, flow: [] };
  for (const m of messages) {
    const match = NODE_MESSAGE.exec(m);
    if (match) (out.nodes[match[1]!] ??= []).push(match[2]!);
    else out.flow.push(m.replace(/^flow: /, ''));
  }
  return out;
}

export interface Validation {
  ok: boolean;
  errors: FlowIssues;
  warnings: FlowIssues;
  errorCount: number;
  warningCount: number;
}
export function validation(result: ParseResult): Validation {
  const errors = sortIssues(result.ok ? [] : result.errors);
  const warnings = sortIssues(result.ok ? result.warnings : []);
  return {
    ok: result.ok,
    errors,
    warnings,
    errorCount: result.ok ? 0 : result.errors.length,
    warningCount: result.ok ? result.warnings.length : 0,
  };
}

// ---------------------------------------------------------------- files

export type FileProblem = { kind: 'json'; detail: string } | { kind: 'shape' };
/**
 * Reads a flow file (JSON) for the canvas. It need not be a valid flow (the
 * editor shows what is wrong), but it must have nodes the canvas can draw.
 */
export function readFlowFile(textContent: string): { ok: true; flow: DraftFlow } | { ok: false; problem: FileProblem } {
  let data: unknown;
  try {
    data = JSON.parse(textContent);
  } catch (e) {
    return { ok: false, problem: { kind: 'json', detail: (e as Error).message } };
  }
  // An export of GET …/versions/:v ({ version, definition }) is accepted too.
  if (isObject(data) && isObject(data.definition) && !('nodes' in data)) data = data.definition;
  if (!isObject(data) || !isObject(data.nodes)) return { ok: false, problem: { kind: 'shape' } };
  const nodes = data.nodes;
  for (const n of Object.values(nodes)) if (!isObject(n) || typeof n.type !== 'string' || !(NODE_TYPES as readonly string[]).includes(n.type)) return { ok: false, problem: { kind: 'shape' } };
  return {
    ok: true,
    flow: {
      ...(data as Record<string, unknown>),
      name: typeof data.name === 'string' ? data.name : '',
      language: (LANGUAGES as readonly unknown[]).includes(data.language) ? (data.language as Language) : 'zh-CN',
      start: typeof data.start === 'string' ? data.start : (Object.keys(nodes)[0] ?? ''),
      nodes: nodes as Record<string, DraftNode>,
    },
  };
}

/** `客服主菜单-v3.json`: a file name from the flow name (characters file systems refuse replaced). */
export function exportFileName(name: string, version: number): string {
  const safe = name.replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^-+|-+$/g, '') || 'ivr-flow';
  return `${safe}-v${version}.json`;
}

// ---------------------------------------------------------------- dry run

export type ScriptItem = { kind: 'keys'; keys: string } | { kind: 'timeout' } | { kind: 'invalid' } | { kind: 'hangup' };
export function toScript(items: readonly ScriptItem[]): Array<string | { kind: 'timeout' | 'invalid' | 'hangup' }> {
  return items.map((i) => (i.kind === 'keys' ? i.keys : { kind: i.kind }));
}

/** A mocked answer for one http node, as the admin types it. */
export interface HttpMockInput {
  status: number;
  /** Sent as is (JSON text, or anything else to try a broken answer). */
  body: string;
  networkError: boolean;
}
export function toHttpMocks(inputs: Record<string, HttpMockInput>): Record<string, { status: number; body: string } | { error: string }> {
  const out: Record<string, { status: number; body: string } | { error: string }> = {};
  for (const [node, m] of Object.entries(inputs)) out[node] = m.networkError ? { error: 'network error (mocked)' } : { status: m.status, body: m.body };
  return out;
}

/** One line of what happened in a dry run, for the transcript. */
export type TranscriptLine =
  | { kind: 'enter'; node: string }
  | { kind: 'tts'; node: string; text: string; language: Language }
  | { kind: 'file'; node: string; path: string }
  | { kind: 'tone'; node: string; tone: string }
  | { kind: 'say'; node: string; text: string; language: Language }
  | { kind: 'collect'; node: string; sensitive: boolean }
  | { kind: 'http'; node: string; method: string; url: string; attempt: number }
  | { kind: 'queue'; node: string; queueId: string; priority: number; skills: string }
  | { kind: 'transfer'; node: string; target: string }
  | { kind: 'voicemail'; node: string; mailbox: string }
  | { kind: 'hangup'; node: string; cause: string }
  | { kind: 'exit'; node: string; branch: string; detail?: string }
  | { kind: 'end'; node: string; outcome: string; detail?: string };

/** What the caller hears and what the flow does, in order (effects are already masked by dryRun). */
export function transcript(effects: readonly Effect[]): TranscriptLine[] {
  const out: TranscriptLine[] = [];
  let node = '';
  for (const e of effects) {
    switch (e.kind) {
      case 'log':
        if (e.event === 'node_entered') {
          node = e.node;
          out.push({ kind: 'enter', node });
        } else if (e.event === 'node_exited') out.push({ kind: 'exit', node: e.node, branch: e.branch, ...(e.detail === undefined ? {} : { detail: e.detail }) });
        else if (e.event === 'run_ended') out.push({ kind: 'end', node: e.node, outcome: e.outcome, ...(e.detail === undefined ? {} : { detail: e.detail }) });
        break;
      case 'play': {
        const p = e.prompt;
        out.push(p.type === 'tts' ? { kind: 'tts', node, text: p.text, language: p.language } : p.type === 'file' ? { kind: 'file', node, path: p.path } : { kind: 'tone', node, tone: p.tone });
        break;
      }
      case 'say':
        out.push({ kind: 'say', node, text: e.text, language: e.language });
        break;
      case 'collect':
        out.push({ kind: 'collect', node, sensitive: e.sensitive });
        break;
      case 'http':
        out.push({ kind: 'http', node, method: e.request.method, url: e.request.url, attempt: e.attempt });
        break;
      case 'enqueue':
        out.push({ kind: 'queue', node, queueId: e.queueId, priority: e.priority, skills: e.skills.map((s) => `${s.skill}:${s.minLevel}`).join(', ') });
        break;
      case 'transfer':
        out.push({ kind: 'transfer', node, target: e.target.type === 'extension' ? e.target.extension : e.target.number });
        break;
      case 'voicemail':
        out.push({ kind: 'voicemail', node, mailbox: e.mailbox });
        break;
      case 'hangup':
        out.push({ kind: 'hangup', node, cause: e.cause });
        break;
    }
  }
  return out;
}

/** The connections a dry run went along (consecutive nodes of its path), for highlighting. */
export function pathEdgeIds(flow: DraftFlow, result: Pick<DryRunResult, 'path'>): Set<string> {
  const out = new Set<string>();
  for (let i = 1; i < result.path.length; i++) {
    const from = result.path[i - 1]!;
    const to = result.path[i]!;
    const node = flow.nodes[from];
    if (node) for (const b of branches(node)) if (b.target === to) out.add(`${from}:${b.handle}`);
  }
  return out;
}

/** Nodes that wait for the caller's keys (the dry run asks for input there). */
export const isInputNode = (type: NodeType) => (INPUT_NODE_TYPES as readonly string[]).includes(type);

// ---------------------------------------------------------------- statistics

/** How many runs left a node by one of its outputs, from the statistics' exits by log branch. */
export function exitCount(type: NodeType, b: Pick<Branch, 'kind' | 'key' | 'index'>, exits: Record<string, number>): number | null {
  const sum = (names: string[]) => names.reduce((n, name) => n + (exits[name] ?? 0), 0);
  switch (b.kind) {
    case 'choice':
      return exits[`choice:${b.key}`] ?? 0;
    case 'condition':
      return exits[`when:${b.index}`] ?? 0;
    case 'onFail':
      return exits.fail ?? 0;
    case 'onError':
      return exits.error ?? 0;
    case 'otherwise':
      return exits.otherwise ?? 0;
    case 'afterCall':
      return null;
    case 'next':
      switch (type) {
        case 'http':
          return exits.ok ?? 0;
        case 'language':
          return sum(Object.keys(exits).filter((k) => k.startsWith('choice:')));
        case 'notice':
          return sum(['played', 'skipped']);
        case 'survey':
          return sum(['answered', 'no_answer']);
        case 'voicemail':
          return exits.recorded ?? 0;
        case 'say':
          return sum(['next', 'skipped']);
        default:
          return exits.next ?? 0;
      }
  }
}

/** A short line for the node on the canvas: the prompt text, the URL, the target… */
export function nodeSummary(node: DraftNode, language: Language): string {
  const prompt = (p: unknown): string => {
    if (!isObject(p)) return '';
    if (isObject(p.tts)) return String(p.tts[language] ?? Object.values(p.tts)[0] ?? '');
    if (typeof p.file === 'string') return `♪ ${p.file}`;
    if (typeof p.tone === 'string') return `♫ ${p.tone}`;
    return '';
  };
  switch (node.type) {
    case 'play':
    case 'menu':
    case 'collect':
    case 'language':
    case 'notice':
    case 'survey':
      return prompt(node.prompt);
    case 'say':
      return `${String(node.what ?? '')} ${String(node.value ?? '')}`.trim();
    case 'set':
      return isObject(node.assignments) ? Object.keys(node.assignments).join(', ') : '';
    case 'http':
      return `${String(node.method ?? 'GET')} ${String(node.url ?? '')}`;
    case 'transfer':
      return isObject(node.to) ? String(Object.values(node.to)[0] ?? '') : '';
    case 'voicemail':
      return String(node.mailbox ?? '');
    case 'hangup':
      return String(node.cause ?? 'NORMAL_CLEARING');
    case 'queue':
      return typeof node.queueVar === 'string' ? `\${${node.queueVar}}` : String(node.queueId ?? '');
    case 'branch':
      return '';
  }
}
