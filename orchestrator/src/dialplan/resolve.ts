import {
  inEvaluationOrder,
  type Announcement,
  type BlacklistEntry,
  type Dialplan,
  type DialplanKind,
  type Extension,
  type InboundNumber,
  type OutboundRoute,
} from './model.ts';
import { example, matches, parsePattern, type NumberPattern } from './pattern.ts';

/** The FreeSWITCH contexts the dialplan tables answer for. */
export const SERVED_CONTEXTS = ['public', 'default', 'cc_outbound'] as const;
export type DialplanContext = (typeof SERVED_CONTEXTS)[number];

export function isServedContext(context: string): context is DialplanContext {
  return (SERVED_CONTEXTS as readonly string[]).includes(context);
}

/** A number FreeSWITCH asks about: digits with an optional leading +. */
export const ROUTABLE_NUMBER = /^\+?[0-9]{1,32}$/;

export interface RouteRequest {
  context: DialplanContext;
  /** The dialed number. */
  destination: string;
  /** The caller's number, when it is a number (blacklist). */
  caller: string | null;
  now: Date;
}

/** What the routes refer to, as of this call. */
export interface RouteRefs {
  queues: readonly { id: string; name: string; inboundNumber: string | null; holdMusic: string | null }[];
  agents: readonly { id: string; extension: string; name: string }[];
  /** The SIP domain agents register in (user/<extension>@<domain>). */
  sipDomain: string;
}

/** One step of how a decision was reached (shown by the "test a number" tool and logged). */
export interface RouteStep {
  kind: DialplanKind | 'queue' | 'agent';
  id: string;
  label: string;
}

export type RouteDecision = (
  | { kind: 'reject'; code: number }
  | { kind: 'announcement'; announcement: Announcement }
  | { kind: 'queue'; queueId: string; holdMusic: string | null }
  | { kind: 'ivr'; flowId: string }
  /** Continue in the default context with this extension. */
  | { kind: 'extension'; extension: string }
  | { kind: 'agent'; agentId: string; extension: string; domain: string }
  | { kind: 'outbound'; routeId: string; gateway: string; number: string; callerId: string | null }
  /** An outside number no outbound route matches: handed to cc_outbound (its static fallback dials it). */
  | { kind: 'external'; number: string }
  | { kind: 'echo' }
  | { kind: 'none'; reason: string }
) & { via: RouteStep[] };

interface Compiled<T> {
  item: T;
  pattern: NumberPattern;
}

/** The enabled, parseable items in evaluation order, with their patterns and exact-number indexes. */
export interface CompiledDialplan {
  didExact: Map<string, InboundNumber>;
  didPatterns: Compiled<InboundNumber>[];
  extensions: Map<string, Extension>;
  routes: Compiled<OutboundRoute>[];
  blacklistExact: Map<string, BlacklistEntry[]>;
  blacklistPatterns: Compiled<BlacklistEntry>[];
}

function compiled<T extends { enabled: boolean; position: number }>(items: readonly T[], source: (i: T) => string): Compiled<T>[] {
  const out: Compiled<T>[] = [];
  for (const item of inEvaluationOrder(items)) {
    if (!item.enabled) continue;
    const parsed = parsePattern(source(item));
    if (parsed.ok) out.push({ item, pattern: parsed.pattern });
  }
  return out;
}

/** Prepares a dialplan for fast lookups (done once per change, not per call). */
export function compileDialplan(d: Dialplan): CompiledDialplan {
  const dids = compiled(d.inboundNumbers, (i) => i.number);
  const blacklist = compiled(d.blacklist, (b) => b.number);
  const didExact = new Map<string, InboundNumber>();
  for (const c of dids) if (c.pattern.exact && !didExact.has(example(c.pattern))) didExact.set(example(c.pattern), c.item);
  const blacklistExact = new Map<string, BlacklistEntry[]>();
  for (const c of blacklist) {
    if (!c.pattern.exact) continue;
    const key = example(c.pattern);
    blacklistExact.set(key, [...(blacklistExact.get(key) ?? []), c.item]);
  }
  const extensions = new Map<string, Extension>();
  for (const e of d.extensions) if (e.enabled && !extensions.has(e.extension)) extensions.set(e.extension, e);
  return {
    didExact,
    didPatterns: dids.filter((c) => !c.pattern.exact),
    extensions,
    routes: compiled(d.outboundRoutes, (r) => r.pattern),
    blacklistExact,
    blacklistPatterns: blacklist.filter((c) => !c.pattern.exact),
  };
}

/** FNV-1a: the same called number always gets the same pool number. */
function stableIndex(text: string, size: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % size;
}

function outbound(route: OutboundRoute, destination: string, via: RouteStep[]): RouteDecision {
  const number = route.prepend + destination.slice(route.stripDigits);
  const rule = route.callerId;
  const callerId = rule.mode === 'fixed' ? rule.number : rule.mode === 'pool' ? rule.numbers[stableIndex(destination, rule.numbers.length)]! : null;
  return { kind: 'outbound', routeId: route.id, gateway: route.gateway, number, callerId, via: [...via, { kind: 'outboundRoutes', id: route.id, label: route.pattern }] };
}

function matchRoute(c: CompiledDialplan, destination: string): OutboundRoute | null {
  return c.routes.find((r) => matches(r.pattern, destination))?.item ?? null;
}

const MAX_HOPS = 16;

/**
 * Where a call goes. public (trunk calls): the blacklist (caller), then exact
 * inbound numbers and queues' own inbound numbers, then inbound-number patterns in
 * order. default (agents dialing): extensions, agents' own extensions, then outbound
 * routes. cc_outbound (diversions and callbacks): outbound routes. `none` means the
 * static dialplan decides. Pure.
 */
export function resolveRoute(c: CompiledDialplan, refs: RouteRefs, req: RouteRequest): RouteDecision {
  if (!ROUTABLE_NUMBER.test(req.destination)) return { kind: 'none', reason: 'not a number', via: [] };
  const queues = new Map(refs.queues.map((q) => [q.id, q]));
  const agentsByExtension = new Map(refs.agents.map((a) => [a.extension, a]));
  const agentsById = new Map(refs.agents.map((a) => [a.id, a]));

  const queueDecision = (queueId: string, via: RouteStep[]): RouteDecision => {
    const q = queues.get(queueId);
    return q
      ? { kind: 'queue', queueId: q.id, holdMusic: q.holdMusic, via: [...via, { kind: 'queue', id: q.id, label: q.name }] }
      : { kind: 'none', reason: `queue ${queueId} no longer exists`, via };
  };
  const agentDecision = (agent: { id: string; extension: string; name: string }, via: RouteStep[]): RouteDecision => ({
    kind: 'agent', agentId: agent.id, extension: agent.extension, domain: refs.sipDomain, via: [...via, { kind: 'agent', id: agent.id, label: agent.name }],
  });

  if (req.context === 'public') {
    if (req.caller && ROUTABLE_NUMBER.test(req.caller)) {
      const live = (b: BlacklistEntry) => b.expiresAt === null || Date.parse(b.expiresAt) > req.now.getTime();
      const caller = req.caller;
      const hit = c.blacklistExact.get(caller)?.find(live) ?? c.blacklistPatterns.find((b) => live(b.item) && matches(b.pattern, caller))?.item;
      if (hit) {
        const via: RouteStep[] = [{ kind: 'blacklist', id: hit.id, label: hit.number }];
        return hit.action === 'reject' ? { kind: 'reject', code: 403, via } : { kind: 'announcement', announcement: 'blacklisted', via };
      }
    }
    let did = c.didExact.get(req.destination);
    if (!did) {
      const queue = refs.queues.find((q) => q.inboundNumber === req.destination);
      if (queue) return queueDecision(queue.id, []);
      did = c.didPatterns.find((p) => matches(p.pattern, req.destination))?.item;
    }
    if (!did) return { kind: 'none', reason: 'no inbound number matches', via: [] };
    const via: RouteStep[] = [{ kind: 'inboundNumbers', id: did.id, label: did.number }];
    const t = did.target;
    switch (t.kind) {
      case 'queue':
        return queueDecision(t.queueId, via);
      case 'ivr':
        return { kind: 'ivr', flowId: t.flowId, via };
      case 'extension':
        return { kind: 'extension', extension: t.extension, via };
      case 'announcement':
        return { kind: 'announcement', announcement: t.announcement, via };
      case 'reject':
        return { kind: 'reject', code: t.code, via };
    }
  }

  if (req.context === 'default') {
    const via: RouteStep[] = [];
    let number = req.destination;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const ext = c.extensions.get(number);
      if (!ext) {
        const agent = agentsByExtension.get(number);
        if (agent) return agentDecision(agent, via);
        if (hop > 0) return { kind: 'none', reason: `extension ${number} does not exist`, via };
        break;
      }
      via.push({ kind: 'extensions', id: ext.id, label: ext.extension });
      const t = ext.target;
      switch (t.kind) {
        case 'agent': {
          const agent = agentsById.get(t.agentId);
          return agent ? agentDecision(agent, via) : { kind: 'none', reason: `agent ${t.agentId} no longer exists`, via };
        }
        case 'queue':
          return queueDecision(t.queueId, via);
        case 'ivr':
          return { kind: 'ivr', flowId: t.flowId, via };
        case 'echo':
          return { kind: 'echo', via };
        case 'external': {
          const route = matchRoute(c, t.number);
          return route ? outbound(route, t.number, via) : { kind: 'external', number: t.number, via };
        }
        case 'extension':
          if (via.some((s) => s.label === t.extension)) return { kind: 'none', reason: `extension loop at ${t.extension}`, via };
          number = t.extension;
      }
    }
    if (via.length > 0) return { kind: 'none', reason: 'too many extension hops', via };
  }

  // default (nothing else matched) and cc_outbound: the outbound routes.
  const route = matchRoute(c, req.destination);
  return route ? outbound(route, req.destination, []) : { kind: 'none', reason: 'no outbound route matches', via: [] };
}
