import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COUNT_TRIE_MAX, countTrieAdd, countTrieAtMost, countTrieBelow, EMPTY_COUNT_TRIE, type CountTrie } from '../../../src/metrics/count-trie.ts';
import { emptyPMap, hashString, pmapEntries, pmapFilter, pmapGet, pmapSet, type PMap } from '../../../src/metrics/pmap.ts';
import { heapEntries, heapFrom, heapInsert, heapPop, type WaitEntry, type WaitHeap } from '../../../src/metrics/wait-heap.ts';

describe('persistent hash map', () => {
  it('behaves like a Map, and old versions stay as they were (property)', () => {
    const key = fc.oneof(fc.constantFrom('a', 'b', 'c', ''), fc.string({ maxLength: 6 }), fc.uuid());
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer()), { maxLength: 300 }), (ops) => {
        let m: PMap<number> = emptyPMap();
        const ref = new Map<string, number>();
        const versions: [PMap<number>, Map<string, number>][] = [];
        for (const [k, v] of ops) {
          m = pmapSet(m, k, v);
          ref.set(k, v);
          if (versions.length < 5) versions.push([m, new Map(ref)]);
        }
        for (const [pm, r] of [[m, ref] as const, ...versions]) {
          expect(pm.size).toBe(r.size);
          for (const [k, v] of r) expect(pmapGet(pm, k)).toBe(v);
          expect(new Map(pmapEntries(pm))).toEqual(r);
        }
        expect(pmapGet(m, 'not a key \u0000')).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('keeps keys whose hashes collide apart', () => {
    const pair: [string, string] = ['key-901258', 'key-1540052']; // found by a birthday search over `key-${i}`
    expect(hashString(pair[0])).toBe(hashString(pair[1]));
    const [x, y] = pair;
    let m = pmapSet(pmapSet(emptyPMap<string>(), x, 'x'), y, 'y');
    m = pmapSet(m, 'z', 'z');
    expect([pmapGet(m, x), pmapGet(m, y), pmapGet(m, 'z'), m.size]).toEqual(['x', 'y', 'z', 3]);
    const m2 = pmapSet(m, y, 'y2');
    expect([pmapGet(m2, x), pmapGet(m2, y), pmapGet(m, y), m2.size]).toEqual(['x', 'y2', 'y', 3]);
    expect(pmapSet(m2, y, 'y2')).toBe(m2);
    const onlyX = pmapFilter(m2, (_v, k) => k !== y);
    expect([pmapGet(onlyX, x), pmapGet(onlyX, y), onlyX.size]).toEqual(['x', undefined, 2]);
    expect(pmapFilter(m2, () => true)).toBe(m2);
  });

  it('scales to many keys', () => {
    let m: PMap<number> = emptyPMap();
    for (let i = 0; i < 50_000; i++) m = pmapSet(m, `call-${i}`, i);
    expect(m.size).toBe(50_000);
    for (let i = 0; i < 50_000; i += 997) expect(pmapGet(m, `call-${i}`)).toBe(i);
  });
});

describe('count trie', () => {
  it('counts values at most / below any threshold (property)', () => {
    const value = fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.constantFrom(0, 1, 15, 16, 255, 256, COUNT_TRIE_MAX - 1, COUNT_TRIE_MAX), fc.nat());
    const query = fc.oneof(value, fc.double({ min: -10, max: 200_000, noNaN: true }), fc.constantFrom(-1, COUNT_TRIE_MAX + 5, Infinity, -Infinity, NaN));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 200 }), fc.array(query, { maxLength: 30 }), (values, queries) => {
        let t: CountTrie = EMPTY_COUNT_TRIE;
        for (const v of values) t = countTrieAdd(t, v);
        expect(t.count).toBe(values.length);
        for (const x of queries) {
          expect(countTrieAtMost(t, x)).toBe(values.filter((v) => v <= x).length);
          expect(countTrieBelow(t, x)).toBe(values.filter((v) => v < x).length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rounds and clamps what it stores, and leaves old versions alone', () => {
    const t1 = countTrieAdd(EMPTY_COUNT_TRIE, 5);
    const t2 = [-3, 2.4, 2.6, 1e12, NaN].reduce(countTrieAdd, t1);
    expect([countTrieAtMost(t2, 0), countTrieAtMost(t2, 2), countTrieAtMost(t2, 3), countTrieAtMost(t2, COUNT_TRIE_MAX - 1), t2.count]).toEqual([2, 3, 4, 5, 6]);
    expect(t1.count).toBe(1);
    expect(countTrieAtMost(t1, 10)).toBe(1);
  });
});

describe('wait heap', () => {
  const popAll = (h: WaitHeap | null): WaitEntry[] => {
    const out: WaitEntry[] = [];
    for (; h; h = heapPop(h)) out.push(h.entry);
    return out;
  };
  const sorted = (es: WaitEntry[]): WaitEntry[] => [...es].sort((a, b) => a.at - b.at || a.seq - b.seq);

  it('pops in entry order, whether built by inserts or at once, and old versions stay (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (ats) => {
        const entries = ats.map((at, seq) => ({ at, seq, callId: `c${seq}` }));
        let h: WaitHeap | null = null;
        const snapshots: WaitHeap[] = [];
        for (const e of entries) {
          h = heapInsert(h, e);
          snapshots.push(h);
        }
        expect(popAll(h)).toEqual(sorted(entries));
        expect(popAll(heapFrom(entries))).toEqual(sorted(entries));
        expect(sorted(heapEntries(h))).toEqual(sorted(entries));
        snapshots.forEach((s, i) => expect(popAll(s)).toEqual(sorted(entries.slice(0, i + 1))));
      }),
      { numRuns: 200 },
    );
  });
});
