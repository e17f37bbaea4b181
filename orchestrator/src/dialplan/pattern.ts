/**
 * Number patterns of the dialplan (inbound numbers, outbound routes, blacklist).
 *
 * A pattern is read left to right, one position per token:
 *
 *   +        only as the first character: a literal plus sign (E.164 numbers)
 *   0-9      that digit
 *   X        any digit 0-9
 *   Z        a digit 1-9
 *   N        a digit 2-9
 *   [..]     one digit of a set: digits and ranges, e.g. [1-35] = 1, 2, 3 or 5
 *
 * and may end with one tail token:
 *
 *   .        one or more further digits
 *   !        zero or more further digits
 *
 * A pattern without any of X Z N [ ] . ! is an exact number. Examples: `4008001234`
 * (exact), `400XXXXXXX` (ten digits starting with 400), `1[3-9]X.` (a 1, a digit
 * 3-9, then at least two digits), `+86!` (+86 and anything after).
 *
 * Patterns are compiled to anchored regular expressions of digit classes only
 * (linear-time, nothing a caller can exploit), and compared exactly: `covers(a, b)`
 * says whether every number `b` matches is matched by `a` (how shadowed routes are found).
 */

const ALL_DIGITS = 0b11_1111_1111;
const MAX_POSITIONS = 24;

export type PatternTail = 'none' | 'one_or_more' | 'zero_or_more';

export interface NumberPattern {
  /** The pattern as written. */
  source: string;
  plus: boolean;
  /** One bit set per allowed digit (bit d = digit d), one entry per position after the optional '+'. */
  positions: number[];
  tail: PatternTail;
  /** True when the pattern matches exactly one number. */
  exact: boolean;
}

export type PatternParse = { ok: true; pattern: NumberPattern } | { ok: false; error: string };

function bit(d: number): number {
  return 1 << d;
}

function digitSet(body: string): number | string {
  if (body.length === 0) return 'empty [] set';
  let mask = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (!/[0-9]/.test(c)) return `'${c}' in a [] set (only digits and ranges like 1-5)`;
    if (body[i + 1] === '-') {
      const end = body[i + 2];
      if (end === undefined || !/[0-9]/.test(end)) return `unfinished range '${c}-' in a [] set`;
      if (Number(end) < Number(c)) return `range ${c}-${end} runs backwards`;
      for (let d = Number(c); d <= Number(end); d++) mask |= bit(d);
      i += 2;
    } else {
      mask |= bit(Number(c));
    }
  }
  return mask;
}

/** Parses a pattern; the error says what is wrong and where. */
export function parsePattern(source: string): PatternParse {
  if (typeof source !== 'string' || source.length === 0) return { ok: false, error: 'empty pattern' };
  if (source.length > 64) return { ok: false, error: 'longer than 64 characters' };
  let i = 0;
  const plus = source.startsWith('+');
  if (plus) i = 1;
  const positions: number[] = [];
  let tail: PatternTail = 'none';
  let exact = true;
  while (i < source.length) {
    const c = source[i]!;
    if (tail !== 'none') return { ok: false, error: `'${c}' after the tail '${tail === 'one_or_more' ? '.' : '!'}' (the tail must be last)` };
    if (/[0-9]/.test(c)) {
      positions.push(bit(Number(c)));
      i++;
    } else if (c === 'X') {
      positions.push(ALL_DIGITS);
      exact = false;
      i++;
    } else if (c === 'Z') {
      positions.push(ALL_DIGITS & ~bit(0));
      exact = false;
      i++;
    } else if (c === 'N') {
      positions.push(ALL_DIGITS & ~bit(0) & ~bit(1));
      exact = false;
      i++;
    } else if (c === '[') {
      const close = source.indexOf(']', i);
      if (close < 0) return { ok: false, error: `unclosed '[' at position ${i + 1}` };
      const set = digitSet(source.slice(i + 1, close));
      if (typeof set === 'string') return { ok: false, error: set };
      positions.push(set);
      if ((set & (set - 1)) !== 0) exact = false;
      i = close + 1;
    } else if (c === '.' || c === '!') {
      tail = c === '.' ? 'one_or_more' : 'zero_or_more';
      exact = false;
      i++;
    } else if (c === '+') {
      return { ok: false, error: "'+' is only allowed as the first character" };
    } else if (/[xzn]/.test(c)) {
      return { ok: false, error: `'${c}' must be written in capitals (${c.toUpperCase()})` };
    } else {
      return { ok: false, error: `'${c}' at position ${i + 1} is not a digit or pattern character (X Z N [ ] . !)` };
    }
    if (positions.length > MAX_POSITIONS) return { ok: false, error: `more than ${MAX_POSITIONS} digit positions` };
  }
  if (positions.length === 0 && tail !== 'one_or_more') return { ok: false, error: 'no digits' };
  return { ok: true, pattern: { source, plus, positions, tail, exact } };
}

function lengthAccepted(p: NumberPattern, length: number): boolean {
  const n = p.positions.length;
  if (p.tail === 'none') return length === n;
  if (p.tail === 'one_or_more') return length >= n + 1;
  return length >= n;
}

function maskAt(p: NumberPattern, index: number): number {
  return index < p.positions.length ? p.positions[index]! : ALL_DIGITS;
}

/** Does the pattern match this number (as FreeSWITCH sees it)? */
export function matches(p: NumberPattern, number: string): boolean {
  const plus = number.startsWith('+');
  if (plus !== p.plus) return false;
  const digits = plus ? number.slice(1) : number;
  if (!/^[0-9]*$/.test(digits) || !lengthAccepted(p, digits.length)) return false;
  for (let i = 0; i < digits.length; i++) {
    if ((maskAt(p, i) & bit(Number(digits[i]))) === 0) return false;
  }
  return true;
}

/** The lengths worth checking when comparing two patterns: beyond them both only have "any digit". */
function lengthsToCheck(a: NumberPattern, b: NumberPattern): number[] {
  const top = Math.max(a.positions.length, b.positions.length) + 1;
  const out: number[] = [];
  for (let l = 0; l <= top; l++) out.push(l);
  return out;
}

/** True when every number `b` matches is also matched by `a` (so `a`, tried first, leaves `b` unreachable). */
export function covers(a: NumberPattern, b: NumberPattern): boolean {
  if (a.plus !== b.plus) return false;
  if (b.tail !== 'none' && a.tail === 'none') return false;
  for (const l of lengthsToCheck(a, b)) {
    if (!lengthAccepted(b, l)) continue;
    if (!lengthAccepted(a, l)) return false;
    for (let i = 0; i < l; i++) {
      const mb = maskAt(b, i);
      if ((mb & maskAt(a, i)) !== mb) return false;
    }
  }
  return true;
}

/** True when some number matches both patterns. */
export function overlaps(a: NumberPattern, b: NumberPattern): boolean {
  if (a.plus !== b.plus) return false;
  for (const l of lengthsToCheck(a, b)) {
    if (!lengthAccepted(a, l) || !lengthAccepted(b, l)) continue;
    let ok = true;
    for (let i = 0; i < l && ok; i++) ok = (maskAt(a, i) & maskAt(b, i)) !== 0;
    if (ok) return true;
  }
  return false;
}

function classOf(mask: number): string {
  if (mask === ALL_DIGITS) return '[0-9]';
  const digits = [...Array(10).keys()].filter((d) => mask & bit(d));
  return digits.length === 1 ? String(digits[0]) : `[${digits.join('')}]`;
}

/** An anchored regular expression (digit classes only) equivalent to the pattern, for FreeSWITCH conditions. */
export function toRegex(p: NumberPattern): string {
  const tail = p.tail === 'one_or_more' ? '[0-9]+' : p.tail === 'zero_or_more' ? '[0-9]*' : '';
  return `^${p.plus ? '\\+' : ''}${p.positions.map(classOf).join('')}${tail}$`;
}

/** A number that the pattern matches (the shortest, lowest digits): used in messages and tests. */
export function example(p: NumberPattern): string {
  const digits = p.positions.map((m) => String([...Array(10).keys()].find((d) => m & bit(d))));
  if (p.tail === 'one_or_more') digits.push('0');
  return (p.plus ? '+' : '') + digits.join('');
}
