import { canonicalJson, DIALPLAN_KINDS, type Dialplan, type DialplanItem, type DialplanKind } from './model.ts';

/** A recorded change: the item (or, for kind 'dialplan', the whole dialplan) before and after; null = absent. */
export interface Revision {
  id: number;
  kind: DialplanKind | 'dialplan';
  itemId: string | null;
  action: 'create' | 'update' | 'delete' | 'import' | 'revert';
  before: unknown;
  after: unknown;
}

/** The dialplan with one item put (created or replaced, by id) or, with `item` null, removed. Pure. */
export function withItem(d: Dialplan, kind: DialplanKind, id: string, item: DialplanItem | null): Dialplan {
  const list = d[kind] as DialplanItem[];
  const at = list.findIndex((i) => i.id === id);
  const next = [...list];
  if (item === null) {
    if (at >= 0) next.splice(at, 1);
  } else if (at >= 0) {
    next[at] = item;
  } else {
    next.push(item);
  }
  return { ...d, [kind]: next };
}

export function findItem(d: Dialplan, kind: DialplanKind, id: string): DialplanItem | null {
  return (d[kind] as DialplanItem[]).find((i) => i.id === id) ?? null;
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/** Every item id of the dialplan (the set of "changed" ids of a whole-dialplan change). */
export function allIds(d: Dialplan): Set<string> {
  return new Set(DIALPLAN_KINDS.flatMap((k) => (d[k] as DialplanItem[]).map((i) => i.id)));
}

export type RevertPlan =
  | { ok: true; next: Dialplan; changed: Set<string>; before: unknown; after: unknown }
  | { ok: false; reason: string };

/**
 * What reverting a revision does to the current dialplan: the item (or the whole
 * dialplan) goes back to its state before that revision, provided it is still in the
 * state the revision left it in. If it changed since, the later change must be
 * reverted first (nothing is silently overwritten). Pure.
 */
export function planRevert(current: Dialplan, revision: Revision, parseItem: (kind: DialplanKind, value: unknown) => DialplanItem): RevertPlan {
  if (revision.kind === 'dialplan') {
    if (!same(strip(current), strip(revision.after as Dialplan))) {
      return { ok: false, reason: `the dialplan changed after revision ${revision.id}: revert the later revisions first` };
    }
    const stored = revision.before as Partial<Dialplan> | null;
    const next = Object.fromEntries(
      DIALPLAN_KINDS.map((k) => [k, ((stored?.[k] ?? []) as unknown[]).map((i) => parseItem(k, i))]),
    ) as unknown as Dialplan;
    return { ok: true, next, changed: new Set([...allIds(current), ...allIds(next)]), before: current, after: next };
  }
  if (!revision.itemId) return { ok: false, reason: `revision ${revision.id} names no item` };
  const now = findItem(current, revision.kind, revision.itemId);
  if (!same(now, revision.after)) {
    return { ok: false, reason: `this item changed after revision ${revision.id}: revert the later revisions first` };
  }
  const restored = revision.before === null ? null : parseItem(revision.kind, revision.before);
  return {
    ok: true,
    next: withItem(current, revision.kind, revision.itemId, restored),
    changed: new Set([revision.itemId]),
    before: now,
    after: restored,
  };
}

/** The four lists only, each sorted by id: compares dialplans whatever order they were listed in. */
function strip(d: Dialplan): Dialplan {
  const byId = <T extends { id: string }>(items: readonly T[] | undefined) => [...(items ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { inboundNumbers: byId(d.inboundNumbers), extensions: byId(d.extensions), outboundRoutes: byId(d.outboundRoutes), blacklist: byId(d.blacklist) };
}
