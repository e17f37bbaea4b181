import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRun } from '../../../src/ivr/dry-run.ts';
import type { LogEffect } from '../../../src/ivr/engine.ts';
import { edges, parseFlow } from '../../../src/ivr/schema.ts';
import { nodeStatistics } from '../../../src/ivr/statistics.ts';
import {
  autoLayout,
  branches,
  COLUMN_WIDTH,
  exitCount,
  exportFileName,
  flowEdges,
  newNode,
  newNodeId,
  NODE_TYPES,
  pathEdgeIds,
  readFlowFile,
  removeNode,
  renameNode,
  setBranch,
  sortIssues,
  toHttpMocks,
  toScript,
  transcript,
  validation,
  type DraftFlow,
  type DraftNode,
} from '../../../../softphone/src/lib/ivr/flow-model.ts';
import { fieldIssues, localizeIssue } from '../../../../softphone/src/lib/ivr/issue-text.ts';
import { FIXTURES } from './helpers.ts';

/**
 * The web editor's model (softphone/src/lib/ivr): the canvas reads and
 * changes a draft flow with these pure helpers, and must agree with the
 * core's schema about a node's outputs, messages and dry runs.
 */

const goodFixtures = fs.readdirSync(path.join(FIXTURES, 'good')).filter((f) => f.endsWith('.json'));
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, 'good', name), 'utf8')) as DraftFlow;

/** menu → play → hangup, as the e2e test builds it in the editor. */
function smallFlow(): DraftFlow {
  return {
    name: 'Small',
    language: 'zh-CN',
    start: 'menu_1',
    nodes: {
      menu_1: { type: 'menu', prompt: { tts: { 'zh-CN': '查询请按1' } }, choices: { '1': 'play_1' }, onFail: 'hangup_1', ui: { x: 0, y: 0 } },
      play_1: { type: 'play', prompt: { tts: { 'zh-CN': '您的余额为一百元' } }, next: 'hangup_1', ui: { x: 300, y: 0 } },
      hangup_1: { type: 'hangup', ui: { x: 600, y: 0 } },
    },
  };
}

describe('IVR editor model', () => {
  it.each(goodFixtures)('lists exactly the outputs the core follows (%s)', (file) => {
    const draft = load(file);
    const parsed = parseFlow(draft);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    for (const [id, node] of Object.entries(parsed.flow.nodes)) {
      const ours = branches(draft.nodes[id]!).filter((b) => b.target !== undefined).map((b) => [b.handle, b.target]);
      expect(new Set(ours.map(String)), id).toEqual(new Set(edges(node).map(String)));
    }
    expect(flowEdges(draft).length).toBe(Object.values(parsed.flow.nodes).reduce((n, node) => n + edges(node).length, 0));
  });

  it('keeps keys in keypad order and never throws on a malformed node', () => {
    const menu: DraftNode = { type: 'menu', choices: { '#': 'a', '0': 'b', '2': 'c', '1': 'd' }, onFail: 'e' };
    expect(branches(menu).map((b) => b.handle)).toEqual(['choices.1', 'choices.2', 'choices.0', 'choices.#', 'onFail']);
    expect(branches({ type: 'menu', choices: 'oops' } as unknown as DraftNode)).toEqual([{ handle: 'onFail', kind: 'onFail', target: undefined, optional: false }]);
    expect(branches({ type: 'branch', conditions: [null, { next: 'x' }] } as unknown as DraftNode).map((b) => [b.handle, b.target])).toEqual([
      ['conditions.0.next', undefined],
      ['conditions.1.next', 'x'],
      ['otherwise', undefined],
    ]);
    expect(branches({ type: 'queue' }).map((b) => [b.handle, b.optional])).toEqual([['afterCall', true], ['onError', true]]);
    expect(branches({ type: 'hangup' })).toEqual([]);
  });

  it('connects and disconnects outputs; a menu key keeps its handle when cut', () => {
    const menu: DraftNode = { type: 'menu', choices: { '1': '' } };
    setBranch(menu, 'choices.1', 'play_1');
    setBranch(menu, 'onFail', 'bye');
    expect(menu).toMatchObject({ choices: { '1': 'play_1' }, onFail: 'bye' });
    setBranch(menu, 'choices.1', undefined);
    setBranch(menu, 'onFail', undefined);
    expect(menu).toEqual({ type: 'menu', choices: { '1': '' } });
    const branch: DraftNode = { type: 'branch', conditions: [{ when: { var: 'x', op: 'empty' }, next: '' }] };
    setBranch(branch, 'conditions.0.next', 'a');
    expect(branch.conditions).toEqual([{ when: { var: 'x', op: 'empty' }, next: 'a' }]);
  });

  it('renames a node everywhere it is referenced, and refuses bad or taken ids', () => {
    const flow = smallFlow();
    expect(renameNode(flow, 'play_1', 'Bad Id')).toBe('invalid');
    expect(renameNode(flow, 'play_1', 'hangup_1')).toBe('taken');
    expect(renameNode(flow, 'play_1', 'balance')).toBeNull();
    expect(renameNode(flow, 'menu_1', 'main_menu')).toBeNull();
    expect(Object.keys(flow.nodes)).toEqual(['main_menu', 'balance', 'hangup_1']);
    expect(flow.start).toBe('main_menu');
    expect(flow.nodes.main_menu!.choices).toEqual({ '1': 'balance' });
    expect(parseFlow(flow).ok).toBe(true);
  });

  it('removes a node and disconnects what led to it; the core then names the missing output', () => {
    const flow = smallFlow();
    removeNode(flow, 'hangup_1');
    expect(flow.nodes.menu_1).not.toHaveProperty('onFail');
    expect(flow.nodes.play_1).not.toHaveProperty('next');
    const r = parseFlow(flow);
    expect(r.ok).toBe(false);
    expect(sortIssues(r.ok ? [] : r.errors).nodes).toEqual({ menu_1: ['onFail is required'], play_1: ['next is required'] });
  });

  it('creates every node type with errors on that node only, and a valid flow once filled and connected', () => {
    for (const type of NODE_TYPES) {
      const id = newNodeId(type, [`${type}_1`]);
      expect(id).toBe(`${type}_2`);
      const flow: DraftFlow = { name: 'n', language: 'en', start: id, nodes: { [id]: newNode(type, 'en') } };
      const v = validation(parseFlow(flow));
      if (type === 'hangup') expect(v.ok).toBe(true);
      else {
        expect(v.ok, type).toBe(false);
        expect(v.errors.flow, type).toEqual([]);
        expect(Object.keys(v.errors.nodes), type).toEqual([id]);
      }
    }
    const flow = smallFlow();
    const v = validation(parseFlow(flow));
    expect(v).toMatchObject({ ok: true, errorCount: 0, warningCount: 0 });
  });

  it('sorts the core messages by node, the rest to the flow', () => {
    const r = parseFlow({ ...smallFlow(), start: 'nowhere' });
    expect(r.ok).toBe(false);
    const issues = sortIssues(r.ok ? [] : r.errors);
    expect(issues.flow).toEqual(["start points to missing node 'nowhere'"]);
    const w = parseFlow({ ...smallFlow(), nodes: { ...smallFlow().nodes, orphan: { type: 'hangup' } } });
    expect(validation(w).warnings.nodes).toEqual({ orphan: ["unreachable from start 'menu_1'"] });
  });

  it('lays out nodes without positions by distance from the start; placed nodes stay', () => {
    const flow = smallFlow();
    for (const n of Object.values(flow.nodes)) delete n.ui;
    flow.nodes.orphan = { type: 'hangup' };
    flow.nodes.menu_1!.ui = { x: 7, y: 9 };
    const layout = autoLayout(flow);
    expect(layout.menu_1).toEqual({ x: 7, y: 9 });
    expect(layout.play_1).toEqual({ x: COLUMN_WIDTH, y: 0 });
    // hangup_1 is both the menu's onFail (depth 1) and after play_1: the shorter distance wins.
    expect(layout.hangup_1!.x).toBe(COLUMN_WIDTH);
    expect(layout.hangup_1!.y).toBeGreaterThan(0);
    expect(layout.orphan).toEqual({ x: 2 * COLUMN_WIDTH, y: 0 });
  });

  it('reads flow files and exports of a version, and refuses what is not a flow', () => {
    expect(readFlowFile('{nope')).toMatchObject({ ok: false, problem: { kind: 'json' } });
    expect(readFlowFile('[1,2]')).toEqual({ ok: false, problem: { kind: 'shape' } });
    expect(readFlowFile('{"nodes":{"a":{"type":"dance"}}}')).toEqual({ ok: false, problem: { kind: 'shape' } });
    const wrapped = readFlowFile(JSON.stringify({ version: 3, definition: smallFlow() }));
    expect(wrapped.ok && wrapped.flow).toEqual(smallFlow());
    const partial = readFlowFile('{"nodes":{"x":{"type":"hangup"}}}');
    expect(partial).toEqual({ ok: true, flow: { name: '', language: 'zh-CN', start: 'x', nodes: { x: { type: 'hangup' } } } });
    expect(exportFileName('客服 主菜单/v', 3)).toBe('客服-主菜单-v-v3.json');
  });

  it('turns a dry run into the transcript, the path on the canvas and per-output counts', () => {
    const draft = smallFlow();
    const parsed = parseFlow(draft);
    if (!parsed.ok) throw new Error(parsed.errors.join());
    const r = dryRun(parsed.flow, toScript([{ kind: 'keys', keys: '1' }]));
    expect(r.path).toEqual(['menu_1', 'play_1', 'hangup_1']);
    const lines = transcript(r.effects);
    expect(lines.filter((l) => l.kind === 'tts').map((l) => (l.kind === 'tts' ? l.text : ''))).toEqual(['查询请按1', '您的余额为一百元']);
    expect(lines).toContainEqual({ kind: 'exit', node: 'menu_1', branch: 'choice:1' });
    expect(lines.at(-1)).toEqual({ kind: 'end', node: 'hangup_1', outcome: 'hangup' });
    expect([...pathEdgeIds(draft, r)]).toEqual(['menu_1:choices.1', 'play_1:next']);

    const timeouts = dryRun(parsed.flow, toScript([{ kind: 'timeout' }, { kind: 'timeout' }, { kind: 'timeout' }]));
    expect(timeouts.path).toEqual(['menu_1', 'hangup_1']);
    const stats = nodeStatistics(
      [...r.effects, ...timeouts.effects]
        .filter((e): e is LogEffect => e.kind === 'log')
        .map((e, i) => ({ ...e, runId: i < r.effects.filter((x) => x.kind === 'log').length ? 'a' : 'b' })),
    );
    const menuStats = stats.nodes.menu_1!;
    const outputs = branches(draft.nodes.menu_1!);
    expect(outputs.map((b) => exitCount('menu', b, menuStats.exits))).toEqual([1, 1]);
    expect(exitCount('play', branches(draft.nodes.play_1!)[0]!, stats.nodes.play_1!.exits)).toBe(1);
  });

  it('passes mocked HTTP answers per node, or a network error', () => {
    expect(toHttpMocks({ a: { status: 200, body: '{"x":1}', networkError: false }, b: { status: 200, body: '', networkError: true } })).toEqual({
      a: { status: 200, body: '{"x":1}' },
      b: { error: 'network error (mocked)' },
    });
    expect(toScript([{ kind: 'keys', keys: '12#' }, { kind: 'hangup' }])).toEqual(['12#', { kind: 'hangup' }]);
  });

  it("shows the core's usual messages in the admin's language, and finds a field's messages", () => {
    const t = (key: string, o: { values: Record<string, string> }) => `${key}|${JSON.stringify(o.values)}`;
    const flow = smallFlow();
    delete flow.nodes.play_1!.next;
    (flow.nodes.menu_1!.prompt as { tts: Record<string, string> }).tts['zh-CN'] = ' ';
    const r = parseFlow(flow);
    const messages = sortIssues(r.ok ? [] : r.errors).nodes;
    expect(messages.play_1!.map((m) => localizeIssue(m, t))).toEqual(['ivr.issue.required|{"field":"next"}']);
    expect(messages.menu_1!.map((m) => localizeIssue(m, t))).toEqual(['ivr.issue.empty|{"field":"prompt.tts.zh-CN"}']);
    expect(fieldIssues(messages.menu_1!, 'prompt')).toHaveLength(1);
    expect(fieldIssues(messages.menu_1!, 'prompt.tts.en')).toHaveLength(0);

    const graph = parseFlow({ ...smallFlow(), nodes: { ...smallFlow().nodes, play_1: { type: 'play', prompt: { tts: { 'zh-CN': 'x' } }, next: 'gone' }, stray: { type: 'hangup' } } });
    const missing = sortIssues(graph.ok ? [] : graph.errors).nodes.play_1!;
    expect(missing.map((m) => localizeIssue(m, t))).toEqual(['ivr.issue.missingNode|{"field":"next","target":"gone"}']);
    const stray = validation(parseFlow({ ...smallFlow(), nodes: { ...smallFlow().nodes, stray: { type: 'hangup' } } })).warnings.nodes.stray!;
    expect(stray.map((m) => localizeIssue(m, t))).toEqual(['ivr.issue.unreachable|{"start":"menu_1"}']);
    expect(localizeIssue('something new', t)).toBe('something new');
  });
});
