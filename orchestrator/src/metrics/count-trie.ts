/**
 * A persistent multiset of whole numbers in [0, 2^32 − 1] that answers "how many are ≤ x" in O(1)
 * (8 levels × 16 slots), whatever x is. It is a radix-16 trie with a count in every node; adding a value
 * copies the 8 nodes on its path and leaves the old version untouched.
 *
 * Used for waits in ms, so that thresholds (service level, short abandon) can come with the snapshot
 * request instead of being fixed when the event arrives.
 */

const LEVELS = 8;
const FANOUT = 16;
export const COUNT_TRIE_MAX = 0xffffffff;

export interface CountTrie {
  readonly count: number;
  /** FANOUT slots below the last level; empty at the leaves. */
  readonly children: readonly (CountTrie | null)[];
}

export const EMPTY_COUNT_TRIE: CountTrie = { count: 0, children: [] };

function clampValue(x: number): number {
  if (!(x > 0)) return 0; // also NaN
  return x >= COUNT_TRIE_MAX ? COUNT_TRIE_MAX : Math.round(x);
}

/** Adds one occurrence of `x`, rounded to a whole number and clamped into [0, 2^32 − 1]. */
export function countTrieAdd(t: CountTrie, x: number): CountTrie {
  return addAt(t, clampValue(x), 0);
}

function addAt(t: CountTrie, v: number, level: number): CountTrie {
  if (level === LEVELS) return { count: t.count + 1, children: t.children };
  const digit = (v >>> (28 - 4 * level)) & 15;
  const children = t.children.length === 0 ? new Array<CountTrie | null>(FANOUT).fill(null) : t.children.slice();
  children[digit] = addAt(children[digit] ?? EMPTY_COUNT_TRIE, v, level + 1);
  return { count: t.count + 1, children };
}

/** How many stored values are ≤ x (x need not be whole). */
export function countTrieAtMost(t: CountTrie, x: number): number {
  if (Number.isNaN(x) || x < 0) return 0;
  if (x >= COUNT_TRIE_MAX) return t.count;
  const v = Math.floor(x);
  let node: CountTrie | null | undefined = t;
  let below = 0;
  for (let level = 0; level < LEVELS; level++) {
    if (!node || node.children.length === 0) return below;
    const digit = (v >>> (28 - 4 * level)) & 15;
    for (let i = 0; i < digit; i++) below += node.children[i]?.count ?? 0;
    node = node.children[digit];
  }
  return below + (node?.count ?? 0);
}

/** How many stored values are < x (x need not be whole). */
export function countTrieBelow(t: CountTrie, x: number): number {
  if (Number.isNaN(x) || x <= 0) return 0;
  if (x > COUNT_TRIE_MAX) return t.count;
  return countTrieAtMost(t, Math.ceil(x) - 1);
}
