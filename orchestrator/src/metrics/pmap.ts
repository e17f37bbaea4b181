/**
 * A persistent (immutable, structurally shared) map from strings to values: a hash array mapped trie.
 *
 * `pmapSet` returns a new map and leaves the old one untouched; it copies only the O(log32 n) nodes on the
 * path to the key, so keeping every intermediate version costs little. Plain data and functions only.
 */

const BITS = 5;
const MASK = 31;

interface Leaf<V> {
  readonly t: 0;
  readonly hash: number;
  readonly key: string;
  readonly value: V;
}
interface Branch<V> {
  readonly t: 1;
  readonly bitmap: number;
  readonly children: readonly PNode<V>[];
}
/** Keys whose 32-bit hashes are all equal. */
interface Collision<V> {
  readonly t: 2;
  readonly hash: number;
  readonly leaves: readonly Leaf<V>[];
}
type PNode<V> = Leaf<V> | Branch<V> | Collision<V>;

export interface PMap<V> {
  readonly size: number;
  readonly root: PNode<V> | null;
}

const EMPTY: PMap<never> = { size: 0, root: null };

export function emptyPMap<V>(): PMap<V> {
  return EMPTY;
}

/** FNV-1a over the UTF-16 code units, as an unsigned 32-bit number. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function pmapGet<V>(m: PMap<V>, key: string): V | undefined {
  let node: PNode<V> | undefined | null = m.root;
  if (!node) return undefined;
  const hash = hashString(key);
  let shift = 0;
  while (node) {
    if (node.t === 0) return node.key === key ? node.value : undefined;
    if (node.t === 2) {
      if (node.hash !== hash) return undefined;
      for (const l of node.leaves) if (l.key === key) return l.value;
      return undefined;
    }
    const bit = 1 << ((hash >>> shift) & MASK);
    if ((node.bitmap & bit) === 0) return undefined;
    node = node.children[popcount(node.bitmap & (bit - 1))];
    shift += BITS;
  }
  return undefined;
}

export function pmapHas<V>(m: PMap<V>, key: string): boolean {
  return pmapGet(m, key) !== undefined;
}

/** A new map with `key` set to `value`; the same map when the key already holds exactly this value. */
export function pmapSet<V>(m: PMap<V>, key: string, value: V): PMap<V> {
  const added = { v: false };
  const root = setNode(m.root, 0, hashString(key), key, value, added);
  if (root === m.root) return m;
  return { size: added.v ? m.size + 1 : m.size, root };
}

function nodeHash<V>(n: Leaf<V> | Collision<V>): number {
  return n.hash;
}

/** A branch (chain) that holds two nodes with different hashes, starting at `shift`. */
function mergeTwo<V>(a: Leaf<V> | Collision<V>, b: Leaf<V>, shift: number): Branch<V> {
  const fa = (nodeHash(a) >>> shift) & MASK;
  const fb = (b.hash >>> shift) & MASK;
  if (fa === fb) return { t: 1, bitmap: 1 << fa, children: [mergeTwo(a, b, shift + BITS)] };
  return { t: 1, bitmap: (1 << fa) | (1 << fb), children: fa < fb ? [a, b] : [b, a] };
}

function setNode<V>(node: PNode<V> | null, shift: number, hash: number, key: string, value: V, added: { v: boolean }): PNode<V> {
  if (!node) {
    added.v = true;
    return { t: 0, hash, key, value };
  }
  if (node.t === 0) {
    if (node.key === key) return node.value === value ? node : { t: 0, hash, key, value };
    added.v = true;
    const leaf: Leaf<V> = { t: 0, hash, key, value };
    if (node.hash === hash) return { t: 2, hash, leaves: [node, leaf] };
    return mergeTwo(node, leaf, shift);
  }
  if (node.t === 2) {
    const leaf: Leaf<V> = { t: 0, hash, key, value };
    if (node.hash !== hash) {
      added.v = true;
      return mergeTwo(node, leaf, shift);
    }
    const i = node.leaves.findIndex((l) => l.key === key);
    if (i < 0) {
      added.v = true;
      return { t: 2, hash, leaves: [...node.leaves, leaf] };
    }
    if (node.leaves[i]!.value === value) return node;
    const leaves = node.leaves.slice();
    leaves[i] = leaf;
    return { t: 2, hash, leaves };
  }
  const bit = 1 << ((hash >>> shift) & MASK);
  const idx = popcount(node.bitmap & (bit - 1));
  if ((node.bitmap & bit) === 0) {
    added.v = true;
    const children = node.children.slice();
    children.splice(idx, 0, { t: 0, hash, key, value });
    return { t: 1, bitmap: node.bitmap | bit, children };
  }
  const child = node.children[idx]!;
  const next = setNode(child, shift + BITS, hash, key, value, added);
  if (next === child) return node;
  const children = node.children.slice();
  children[idx] = next;
  return { t: 1, bitmap: node.bitmap, children };
}

/** All entries, in an unspecified but stable order. */
export function* pmapEntries<V>(m: PMap<V>): Generator<[string, V]> {
  if (m.root) yield* nodeEntries(m.root);
}

/** All values, in an unspecified but stable order. */
export function* pmapValues<V>(m: PMap<V>): Generator<V> {
  for (const [, v] of pmapEntries(m)) yield v;
}

function* nodeEntries<V>(n: PNode<V>): Generator<[string, V]> {
  if (n.t === 0) yield [n.key, n.value];
  else if (n.t === 2) for (const l of n.leaves) yield [l.key, l.value];
  else for (const c of n.children) yield* nodeEntries(c);
}

/** A map with only the entries that pass `keep` (O(n); meant for rare housekeeping); the same map when all pass. */
export function pmapFilter<V>(m: PMap<V>, keep: (v: V, key: string) => boolean): PMap<V> {
  let out = emptyPMap<V>();
  let dropped = false;
  for (const [k, v] of pmapEntries(m)) {
    if (keep(v, k)) out = pmapSet(out, k, v);
    else dropped = true;
  }
  return dropped ? out : m;
}
