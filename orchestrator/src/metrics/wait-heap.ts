/**
 * A persistent leftist min-heap of queue entries ordered by entry time (then by a sequence number), so the
 * oldest waiting call is always at the top. Insert and pop are O(log n) and copy only one path; old versions
 * stay valid. Calls that stop waiting are removed lazily: the owner pops stale tops (see `dropStaleTops`)
 * and rebuilds the heap when stale entries pile up below a long-waiting top.
 */

export interface WaitEntry {
  readonly at: number;
  readonly seq: number;
  readonly callId: string;
}

export interface WaitHeap {
  readonly entry: WaitEntry;
  readonly rank: number;
  readonly left: WaitHeap | null;
  readonly right: WaitHeap | null;
}

function before(a: WaitEntry, b: WaitEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function rank(h: WaitHeap | null): number {
  return h ? h.rank : 0;
}

export function heapMerge(a: WaitHeap | null, b: WaitHeap | null): WaitHeap | null {
  if (!a) return b;
  if (!b) return a;
  if (before(b.entry, a.entry)) [a, b] = [b, a];
  const merged = heapMerge(a.right, b);
  const l = a.left;
  return rank(l) >= rank(merged)
    ? { entry: a.entry, rank: rank(merged) + 1, left: l, right: merged }
    : { entry: a.entry, rank: rank(l) + 1, left: merged, right: l };
}

export function heapInsert(h: WaitHeap | null, entry: WaitEntry): WaitHeap {
  return heapMerge(h, { entry, rank: 1, left: null, right: null })!;
}

export function heapPop(h: WaitHeap): WaitHeap | null {
  return heapMerge(h.left, h.right);
}

/** Every entry, in no particular order (O(n)). */
export function heapEntries(h: WaitHeap | null): WaitEntry[] {
  const out: WaitEntry[] = [];
  const stack: WaitHeap[] = h ? [h] : [];
  for (let n = stack.pop(); n; n = stack.pop()) {
    out.push(n.entry);
    if (n.left) stack.push(n.left);
    if (n.right) stack.push(n.right);
  }
  return out;
}

/** A heap of the given entries, built in O(n) by merging pairwise. */
export function heapFrom(entries: readonly WaitEntry[]): WaitHeap | null {
  let level: (WaitHeap | null)[] = entries.map((entry) => ({ entry, rank: 1, left: null, right: null }));
  if (level.length === 0) return null;
  while (level.length > 1) {
    const next: (WaitHeap | null)[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(heapMerge(level[i] ?? null, level[i + 1] ?? null));
    level = next;
  }
  return level[0] ?? null;
}
