import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { covers, example, matches, overlaps, parsePattern, toRegex, type NumberPattern } from '../../../src/dialplan/pattern.ts';

const p = (source: string): NumberPattern => {
  const r = parsePattern(source);
  if (!r.ok) throw new Error(`${source}: ${r.error}`);
  return r.pattern;
};

describe('number patterns: syntax', () => {
  it('reads exact numbers, digit classes, sets and tails', () => {
    expect(p('4008001234')).toMatchObject({ exact: true, plus: false, tail: 'none' });
    expect(p('+8610').exact).toBe(true);
    expect(p('[4]00').exact).toBe(true);
    expect(p('400XXXX').exact).toBe(false);
    expect(toRegex(p('1[3-9]X.'))).toBe('^1[3456789][0-9][0-9]+$');
    expect(toRegex(p('+86!'))).toBe('^\\+86[0-9]*$');
    expect(toRegex(p('NZ'))).toBe('^[23456789][123456789]$');
    expect(example(p('1[3-9]X.'))).toBe('1300');
  });

  it('says what is wrong', () => {
    const error = (s: string) => {
      const r = parsePattern(s);
      return r.ok ? null : r.error;
    };
    expect(error('')).toMatch(/empty/);
    expect(error('12a4')).toMatch(/'a' at position 3/);
    expect(error('40x')).toMatch(/capitals \(X\)/);
    expect(error('4+0')).toMatch(/first character/);
    expect(error('4.0')).toMatch(/tail must be last/);
    expect(error('[5-1]')).toMatch(/backwards/);
    expect(error('[12')).toMatch(/unclosed/);
    expect(error('[]')).toMatch(/empty \[\] set/);
    expect(error('!')).toMatch(/no digits/);
    expect(error('X'.repeat(30))).toMatch(/more than 24/);
    expect(parsePattern('.').ok).toBe(true);
  });

  it('matches numbers as FreeSWITCH sees them (the + is part of the number)', () => {
    expect(matches(p('400XXXXXXX'), '4008001234')).toBe(true);
    expect(matches(p('400XXXXXXX'), '40080012345')).toBe(false);
    expect(matches(p('+86!'), '+86')).toBe(true);
    expect(matches(p('+86.'), '+86')).toBe(false);
    expect(matches(p('86.'), '+8610')).toBe(false);
    expect(matches(p('1[3-9]X.'), '13800138000')).toBe(true);
    expect(matches(p('1[3-9]X.'), '12800138000')).toBe(false);
  });

  it('compares patterns: covers and overlaps', () => {
    expect(covers(p('X.'), p('400X'))).toBe(true);
    expect(covers(p('400X'), p('X.'))).toBe(false);
    expect(covers(p('4!'), p('4'))).toBe(true);
    expect(covers(p('4.'), p('4'))).toBe(false);
    expect(covers(p('1[3-9]X.'), p('138XXXXXXXX'))).toBe(true);
    expect(covers(p('1[3-9]X.'), p('12XXXXXXXXX'))).toBe(false);
    expect(covers(p('+X.'), p('X.'))).toBe(false);
    expect(overlaps(p('1[3-5]X'), p('1[5-7]X'))).toBe(true);
    expect(overlaps(p('1[3-4]X'), p('1[5-7]X'))).toBe(false);
    expect(overlaps(p('XX'), p('XXX.'))).toBe(false);
  });
});

// Patterns over digits 0-2 and X: every other digit behaves like 5, so numbers over {0,1,2,5}
// up to two digits longer than the patterns decide every question exactly.
const token = fc.constantFrom('0', '1', '2', 'X', '[01]', '[12]', '[0-2]');
const patternArb = fc
  .tuple(fc.boolean(), fc.array(token, { minLength: 0, maxLength: 4 }), fc.constantFrom('', '.', '!'))
  .map(([plus, tokens, tail]) => (plus ? '+' : '') + tokens.join('') + tail)
  .filter((s) => parsePattern(s).ok);

function numbers(maxLength: number): string[] {
  const out: string[] = [''];
  let layer = [''];
  for (let l = 1; l <= maxLength; l++) {
    layer = layer.flatMap((n) => ['0', '1', '2', '5'].map((d) => n + d));
    out.push(...layer);
  }
  return out.flatMap((n) => [n, `+${n}`]);
}
const UNIVERSE = numbers(6);

describe('number patterns: properties', () => {
  it('matches() agrees with the regular expression given to FreeSWITCH', () => {
    fc.assert(
      fc.property(patternArb, fc.constantFrom(...UNIVERSE), (src, n) => {
        const pattern = p(src);
        expect(matches(pattern, n)).toBe(new RegExp(toRegex(pattern)).test(n));
      }),
    );
  });

  it('covers(a, b) holds exactly when every number b matches is matched by a', () => {
    fc.assert(
      fc.property(patternArb, patternArb, (sa, sb) => {
        const a = p(sa);
        const b = p(sb);
        const brute = UNIVERSE.every((n) => !matches(b, n) || matches(a, n));
        expect(covers(a, b)).toBe(brute);
      }),
      { numRuns: 400 },
    );
  });

  it('overlaps(a, b) holds exactly when some number matches both', () => {
    fc.assert(
      fc.property(patternArb, patternArb, (sa, sb) => {
        const a = p(sa);
        const b = p(sb);
        expect(overlaps(a, b)).toBe(UNIVERSE.some((n) => matches(a, n) && matches(b, n)));
      }),
      { numRuns: 400 },
    );
  });

  it('example() is matched by its pattern', () => {
    fc.assert(fc.property(patternArb, (s) => {
      expect(matches(p(s), example(p(s)))).toBe(true);
    }));
  });
});
