import {
  KIND_INFO,
  inEvaluationOrder,
  itemLabel,
  type BlacklistEntry,
  type Dialplan,
  type DialplanItem,
  type DialplanKind,
  type Extension,
} from './model.ts';
import { covers, example, matches, parsePattern, type NumberPattern } from './pattern.ts';

/** What the dialplan refers to outside itself. */
export interface DialplanRefs {
  queues: readonly { id: string; name: string; inboundNumber: string | null }[];
  flows: readonly { id: string; name: string; published: boolean }[];
  agents: readonly { id: string; extension: string; name: string }[];
  /** Outbound gateways FreeSWITCH has (freeswitch/conf/gateways). */
  gateways: readonly string[];
  now: Date;
}

export type IssueCode =
  | 'pattern'
  | 'duplicate'
  | 'conflict'
  | 'shadowed'
  | 'redundant'
  | 'loop'
  | 'unknown_reference'
  | 'disabled_reference'
  | 'unpublished_flow'
  | 'no_outbound_route'
  | 'strip_too_long'
  | 'expired';

export interface DialplanIssue {
  severity: 'error' | 'warning';
  code: IssueCode;
  kind: DialplanKind;
  itemId: string;
  /** The item's number or pattern. */
  label: string;
  /** The field of the item, e.g. `number`, `target.queueId`. */
  field: string;
  /** Names the item and the field: `inbound number 4000: target.queueId: unknown queue …`. */
  message: string;
  /** Other items the problem involves (the route that shadows this one, the rest of a loop). */
  related: string[];
}

const MAX_EXTENSION_HOPS = 16;

/**
 * Checks a whole dialplan: number patterns, duplicates and conflicts (with queues'
 * inbound numbers and agents' extensions), loops between extensions, unreachable
 * items (shadowed by an earlier, broader one), and references to unknown queues,
 * IVR flows, agents, extensions and gateways. Pure; every issue names its item and field.
 */
export function validateDialplan(d: Dialplan, refs: DialplanRefs): DialplanIssue[] {
  const issues: DialplanIssue[] = [];
  const add = (severity: DialplanIssue['severity'], code: IssueCode, kind: DialplanKind, item: DialplanItem, field: string, text: string, related: string[] = []) => {
    const label = itemLabel(kind, item);
    issues.push({ severity, code, kind, itemId: item.id, label, field, message: `${KIND_INFO[kind].noun} ${label}: ${field}: ${text}`, related });
  };

  const queues = new Map(refs.queues.map((q) => [q.id, q]));
  const queueByNumber = new Map(refs.queues.filter((q) => q.inboundNumber).map((q) => [q.inboundNumber!, q]));
  const flows = new Map(refs.flows.map((f) => [f.id, f]));
  const agents = new Map(refs.agents.map((a) => [a.id, a]));
  const agentByExtension = new Map(refs.agents.map((a) => [a.extension, a]));
  const gateways = new Set(refs.gateways);
  const extensions = new Map<string, Extension>();

  const checkQueue = (kind: DialplanKind, item: DialplanItem, queueId: string) => {
    if (!queues.has(queueId)) add('error', 'unknown_reference', kind, item, 'target.queueId', `unknown queue ${queueId}`);
  };
  const checkFlow = (kind: DialplanKind, item: DialplanItem, flowId: string) => {
    const flow = flows.get(flowId);
    if (!flow) add('error', 'unknown_reference', kind, item, 'target.flowId', `unknown IVR flow ${flowId}`);
    else if (!flow.published) add('warning', 'unpublished_flow', kind, item, 'target.flowId', `IVR flow ${flow.name} has no published version yet: calls cannot run it`);
  };

  // ---- inbound numbers (DIDs): exact numbers first, then patterns in order ----
  const didPatterns = parseAll('inboundNumbers', d.inboundNumbers, (i) => i.number, 'number', add);
  checkOrdered('inboundNumbers', inEvaluationOrder(d.inboundNumbers), didPatterns, 'number', { exactFirst: true, active: (i) => i.enabled }, add);
  for (const did of d.inboundNumbers) {
    const p = didPatterns.get(did.id);
    if (p?.exact) {
      const queue = queueByNumber.get(example(p));
      if (queue) add('error', 'conflict', 'inboundNumbers', did, 'number', `${example(p)} is already the inbound number of queue ${queue.name}`);
    }
  }

  // ---- extensions ----
  for (const ext of d.extensions) {
    const dup = extensions.get(ext.extension);
    if (dup) add('error', 'duplicate', 'extensions', ext, 'extension', `extension ${ext.extension} is defined twice`, [dup.id]);
    else extensions.set(ext.extension, ext);
    const agent = agentByExtension.get(ext.extension);
    if (agent) add('error', 'conflict', 'extensions', ext, 'extension', `${ext.extension} is the extension of agent ${agent.name}`);
  }

  const checkExtensionRef = (kind: DialplanKind, item: DialplanItem, extension: string) => {
    const target = extensions.get(extension);
    if (target) {
      if (!target.enabled && !agentByExtension.has(extension)) add('warning', 'disabled_reference', kind, item, 'target.extension', `extension ${extension} is disabled`, [target.id]);
    } else if (!agentByExtension.has(extension)) {
      add('error', 'unknown_reference', kind, item, 'target.extension', `no extension or agent ${extension}`);
    }
  };

  for (const did of d.inboundNumbers) {
    const t = did.target;
    if (t.kind === 'queue') checkQueue('inboundNumbers', did, t.queueId);
    else if (t.kind === 'ivr') checkFlow('inboundNumbers', did, t.flowId);
    else if (t.kind === 'extension') checkExtensionRef('inboundNumbers', did, t.extension);
  }

  // ---- outbound routes: strictly in order ----
  const routePatterns = parseAll('outboundRoutes', d.outboundRoutes, (r) => r.pattern, 'pattern', add);
  const orderedRoutes = inEvaluationOrder(d.outboundRoutes);
  checkOrdered('outboundRoutes', orderedRoutes, routePatterns, 'pattern', { exactFirst: false, active: (r) => r.enabled }, add);
  for (const route of d.outboundRoutes) {
    if (!gateways.has(route.gateway)) {
      add('error', 'unknown_reference', 'outboundRoutes', route, 'gateway', `unknown gateway ${route.gateway} (known: ${[...gateways].sort().join(', ') || 'none'})`);
    }
    const p = routePatterns.get(route.id);
    const shortest = p ? (p.plus ? 1 : 0) + p.positions.length + (p.tail === 'one_or_more' ? 1 : 0) : 0;
    if (p && route.stripDigits >= shortest) {
      add('error', 'strip_too_long', 'outboundRoutes', route, 'stripDigits', `strips ${route.stripDigits} characters but the shortest number it matches has ${shortest}`);
    }
    if (route.callerId.mode === 'pool') {
      const seen = new Set<string>();
      for (const n of route.callerId.numbers) {
        if (seen.has(n)) add('error', 'duplicate', 'outboundRoutes', route, 'callerId.numbers', `${n} is listed twice`);
        seen.add(n);
      }
    }
  }

  // Extension targets, now that every extension and route is known.
  const activeRoutes = orderedRoutes.filter((r) => r.enabled && routePatterns.has(r.id));
  for (const ext of d.extensions) {
    const t = ext.target;
    if (t.kind === 'queue') checkQueue('extensions', ext, t.queueId);
    else if (t.kind === 'ivr') checkFlow('extensions', ext, t.flowId);
    else if (t.kind === 'agent') {
      if (!agents.has(t.agentId)) add('error', 'unknown_reference', 'extensions', ext, 'target.agentId', `unknown agent ${t.agentId}`);
    } else if (t.kind === 'extension') {
      if (t.extension !== ext.extension) checkExtensionRef('extensions', ext, t.extension);
    } else if (t.kind === 'external') {
      if (!activeRoutes.some((r) => matches(routePatterns.get(r.id)!, t.number))) {
        add('warning', 'no_outbound_route', 'extensions', ext, 'target.number', `no outbound route matches ${t.number}: the default dial prefix is used`);
      }
    }
  }
  for (const loop of extensionLoops(d.extensions)) {
    loop.forEach((ext, at) => {
      // Told from each extension's own point of view: 8002 → 8001 → 8002.
      const path = [...loop.slice(at), ...loop.slice(0, at), ext].map((e) => e.extension).join(' → ');
      add('error', 'loop', 'extensions', ext, 'target.extension', `loop ${path}`, loop.filter((e) => e !== ext).map((e) => e.id));
    });
  }

  // ---- blacklist: exact numbers first, then patterns in order; expired entries no longer apply ----
  const expired = (b: BlacklistEntry) => b.expiresAt !== null && Date.parse(b.expiresAt) <= refs.now.getTime();
  const blPatterns = parseAll('blacklist', d.blacklist, (b) => b.number, 'number', add);
  checkOrdered('blacklist', inEvaluationOrder(d.blacklist), blPatterns, 'number', {
    exactFirst: true,
    active: (b) => b.enabled && !expired(b),
    shadowSeverity: (earlier, later) => (earlier.action === later.action ? 'warning' : 'error'),
  }, add);
  for (const b of d.blacklist) {
    if (b.enabled && expired(b)) add('warning', 'expired', 'blacklist', b, 'expiresAt', `expired at ${b.expiresAt}: no longer applied`);
  }
  return issues;
}

type Add = (severity: DialplanIssue['severity'], code: IssueCode, kind: DialplanKind, item: DialplanItem, field: string, text: string, related?: string[]) => void;

function parseAll<T extends DialplanItem>(kind: DialplanKind, items: readonly T[], source: (i: T) => string, field: string, add: Add): Map<string, NumberPattern> {
  const out = new Map<string, NumberPattern>();
  for (const item of items) {
    const parsed = parsePattern(source(item));
    if (parsed.ok) out.set(item.id, parsed.pattern);
    else add('error', 'pattern', kind, item, field, parsed.error);
  }
  return out;
}

/**
 * Duplicates (two items matching exactly the same numbers) and unreachable items
 * (every number an item matches is taken by an earlier active one).
 */
function checkOrdered<T extends DialplanItem & { position: number; enabled: boolean }>(
  kind: DialplanKind,
  ordered: readonly T[],
  patterns: Map<string, NumberPattern>,
  field: string,
  o: { exactFirst: boolean; active: (i: T) => boolean; shadowSeverity?: (earlier: T, later: T) => DialplanIssue['severity'] },
  add: Add,
): void {
  const where = (i: T) => `${KIND_INFO[kind].noun} ${itemLabel(kind, i)} (position ${i.position})`;
  // Exact numbers by value: linear, so long blacklists stay cheap.
  const exactSeen = new Map<string, T>();
  const wild: T[] = [];
  for (const item of ordered) {
    const p = patterns.get(item.id);
    if (!p) continue;
    if (p.exact) {
      const first = exactSeen.get(example(p));
      if (first) add('error', 'duplicate', kind, item, field, `same number as ${where(first)}`, [first.id]);
      else exactSeen.set(example(p), item);
    }
  }
  for (const item of ordered) {
    const p = patterns.get(item.id);
    if (!p) continue;
    if (!p.exact) {
      const dup = wild.find((w) => covers(patterns.get(w.id)!, p) && covers(p, patterns.get(w.id)!));
      if (dup) add('error', 'duplicate', kind, item, field, `matches exactly the same numbers as ${where(dup)}`, [dup.id]);
    }
    if (o.active(item) && !(o.exactFirst && p.exact)) {
      // Strictly broader earlier items; an identical one is reported as a duplicate.
      const earlier = wild.find((w) => o.active(w) && covers(patterns.get(w.id)!, p) && !covers(p, patterns.get(w.id)!));
      if (earlier) {
        const severity = o.shadowSeverity?.(earlier, item) ?? 'error';
        add(severity, severity === 'error' ? 'shadowed' : 'redundant', kind, item, field,
          `unreachable: every number it matches is taken first by ${where(earlier)}`, [earlier.id]);
      }
    }
    if (!p.exact || !o.exactFirst) wild.push(item);
  }
}

/** Each cycle of extensions pointing at extensions (enabled ones only), once. */
export function extensionLoops(extensions: readonly Extension[]): Extension[][] {
  const byNumber = new Map(extensions.filter((e) => e.enabled).map((e) => [e.extension, e]));
  const loops: Extension[][] = [];
  const inLoop = new Set<string>();
  for (const start of byNumber.values()) {
    if (inLoop.has(start.id)) continue;
    const path: Extension[] = [];
    let current: Extension | undefined = start;
    for (let hop = 0; current && hop <= MAX_EXTENSION_HOPS; hop++) {
      const at = path.indexOf(current);
      if (at >= 0) {
        const loop = path.slice(at);
        if (loop.every((e) => !inLoop.has(e.id))) {
          loops.push(loop);
          for (const e of loop) inLoop.add(e.id);
        }
        break;
      }
      path.push(current);
      current = current.target.kind === 'extension' ? byNumber.get(current.target.extension) : undefined;
    }
  }
  return loops;
}

function issueKey(i: DialplanIssue): string {
  return [i.code, i.kind, i.itemId, i.field, [...i.related].sort().join(',')].join('|');
}

/**
 * The errors that stop a change: errors the change introduced, and any error on
 * (or involving) an item it touched. Older problems elsewhere don't block
 * unrelated edits (they stay listed on GET /api/dialplan).
 */
export function blockingIssues(before: readonly DialplanIssue[], after: readonly DialplanIssue[], changed: ReadonlySet<string> | 'all'): DialplanIssue[] {
  const known = new Set(before.filter((i) => i.severity === 'error').map(issueKey));
  return after.filter(
    (i) => i.severity === 'error' && (changed === 'all' || changed.has(i.itemId) || i.related.some((r) => changed.has(r)) || !known.has(issueKey(i))),
  );
}
