import { getContext, setContext } from 'svelte';
import { parseFlow, type DryRunResult, type NodeType } from '../../../../orchestrator/src/ivr/index.ts';
import {
  branches,
  flowEdges,
  newNode,
  newNodeId,
  pathEdgeIds,
  removeNode,
  renameNode,
  setBranch,
  setPosition,
  validation,
  type DraftFlow,
  type DraftNode,
  type Position,
  type RenameProblem,
} from './flow-model';
import type { FlowStatistics } from './ivr-api';

/**
 * The editor's state shared by the canvas, its nodes and the side panels
 * (through Svelte context): the draft flow, the selection, the live
 * validation (the core's parseFlow on every change), the dry run shown on
 * the canvas and the statistics overlay.
 */
export class FlowEditor {
  flow = $state<DraftFlow>({ name: '', language: 'zh-CN', start: '', nodes: {} });
  selected = $state<string | null>(null);
  /** The last dry run, highlighted on the canvas while the dry-run panel is open. */
  dry = $state<DryRunResult | null>(null);
  statistics = $state<FlowStatistics | null>(null);
  showStatistics = $state(true);
  /** Queue names by id (GET /api/queues), for queue nodes. */
  queueNames = $state<Record<string, string>>({});
  readonly = $state(false);
  /** Uploaded prompt files (GET /api/ivr/prompts), offered in file prompts. */
  promptFiles = $state<Array<{ name: string; filePath: string }>>([]);
  /** The IVR switches as run variables (GET /api/ivr/switches), offered to notices and to the dry run. */
  switches = $state<Record<string, string>>({});
  /** Set by the canvas: writes the positions dragged on it into the nodes' `ui`. */
  captureLayout: () => void = () => {};
  /** Bumped when nodes are added, removed or renamed: the canvas rebuilds its node list. */
  structure = $state(0);
  /** Bumped when a whole flow is loaded or imported: the canvas fits it in view. */
  loads = $state(0);
  /** The JSON last saved or loaded, to tell unsaved changes. */
  private savedJson = $state('');

  readonly snapshot = $derived($state.snapshot(this.flow) as DraftFlow);
  readonly parsed = $derived(parseFlow(this.snapshot));
  readonly check = $derived(validation(this.parsed));
  readonly edges = $derived(flowEdges(this.snapshot));
  readonly dryEdges = $derived(this.dry ? pathEdgeIds(this.snapshot, this.dry) : new Set<string>());
  readonly dirty = $derived(JSON.stringify(this.snapshot) !== this.savedJson);

  load(flow: DraftFlow): void {
    this.flow = flow;
    this.selected = null;
    this.dry = null;
    this.markSaved();
    this.structure += 1;
    this.loads += 1;
  }

  /** Replaces the draft (an imported file) without marking it saved. */
  replace(flow: DraftFlow): void {
    this.flow = flow;
    this.selected = null;
    this.dry = null;
    this.structure += 1;
    this.loads += 1;
  }

  markSaved(): void {
    this.savedJson = JSON.stringify($state.snapshot(this.flow));
  }

  /** The definition to save or export (with the canvas positions). */
  definition(): DraftFlow {
    this.captureLayout();
    return $state.snapshot(this.flow) as DraftFlow;
  }

  add(type: NodeType, at: Position): string {
    const id = newNodeId(type, Object.keys(this.flow.nodes));
    const node = newNode(type, this.flow.language);
    setPosition(node, at);
    this.flow.nodes[id] = node;
    if (!this.flow.nodes[this.flow.start]) this.flow.start = id;
    this.selected = id;
    this.structure += 1;
    return id;
  }

  remove(id: string): void {
    removeNode(this.flow, id);
    if (this.selected === id) this.selected = null;
    this.structure += 1;
  }

  rename(from: string, to: string): RenameProblem | null {
    // The renamed node is a new node for the canvas: it must find its position in the flow.
    this.captureLayout();
    const problem = renameNode(this.flow, from, to);
    if (!problem && from !== to) {
      if (this.selected === from) this.selected = to;
      this.structure += 1;
    }
    return problem;
  }

  connect(source: string, handle: string, target: string | undefined): void {
    const node = this.flow.nodes[source];
    if (node) setBranch(node, handle, target);
  }

  move(id: string, p: Position): void {
    const node = this.flow.nodes[id];
    if (node) setPosition(node, p);
  }

  node(id: string): DraftNode | undefined {
    return this.flow.nodes[id];
  }

  branchesOf(id: string) {
    const node = this.flow.nodes[id];
    return node ? branches(node) : [];
  }

  errorsOf(id: string): string[] {
    return this.check.errors.nodes[id] ?? [];
  }

  warningsOf(id: string): string[] {
    return this.check.warnings.nodes[id] ?? [];
  }
}

const KEY = Symbol('ivr-editor');
export const provideEditor = (editor: FlowEditor) => setContext(KEY, editor);
export const useEditor = () => getContext<FlowEditor>(KEY);
