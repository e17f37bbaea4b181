/**
 * 智能报读: values a `say` node reads out (amounts, numbers, digit strings,
 * dates, times), checked and normalised, with the text a TTS engine speaks in
 * each language. The runtime may hand the normalised value to FreeSWITCH's
 * `say` or the text to TTS; the editor's dry run shows the text. Pure.
 */

export const SAY_KINDS = ['number', 'digits', 'currency', 'date', 'time'] as const;
export type SayKind = (typeof SAY_KINDS)[number];
type Lang = 'zh-CN' | 'en';

const FORMATS: Record<SayKind, RegExp> = {
  number: /^-?\d{1,15}(\.\d{1,6})?$/,
  digits: /^\d{1,40}$/,
  currency: /^-?\d{1,13}(\.\d{1,2})?$/,
  date: /^(\d{4})-(\d{2})-(\d{2})$/,
  time: /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/,
};

/**
 * The canonical form of `raw` for `kind`, or null when it is not one (empty,
 * letters, an impossible date). Spaces, thousands separators and a leading ¥
 * are dropped; leading zeros of numbers go; currency gets two decimals.
 */
export function normaliseSayValue(kind: SayKind, raw: string): string | null {
  let v = raw.trim();
  if (kind === 'number' || kind === 'currency') v = v.replace(/[,\s]/g, '').replace(/^[¥￥]/, '').replace(/^(-?)[¥￥]/, '$1');
  if (kind === 'digits') v = v.replace(/[\s-]/g, '');
  const m = FORMATS[kind].exec(v);
  if (!m) return null;
  switch (kind) {
    case 'number': {
      const [int = '0', frac] = stripSign(v).body.split('.');
      const sign = v.startsWith('-') && /[1-9]/.test(v) ? '-' : '';
      return `${sign}${trimZeros(int)}${frac ? `.${frac}` : ''}`;
    }
    case 'currency': {
      const [int = '0', frac = ''] = stripSign(v).body.split('.');
      const sign = v.startsWith('-') && /[1-9]/.test(v) ? '-' : '';
      return `${sign}${trimZeros(int)}.${frac.padEnd(2, '0')}`;
    }
    case 'digits':
      return v;
    case 'date': {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const dt = new Date(Date.UTC(y, mo - 1, d));
      return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d ? v : null;
    }
    case 'time':
      return `${(m[1] ?? '').padStart(2, '0')}:${m[2]}${m[3] ? `:${m[3]}` : ''}`;
  }
}

/** The words to speak for a normalised value (from normaliseSayValue). */
export function spokenText(kind: SayKind, value: string, language: Lang): string {
  return language === 'zh-CN' ? zhText(kind, value) : enText(kind, value);
}

const stripSign = (v: string) => (v.startsWith('-') ? { neg: true, body: v.slice(1) } : { neg: false, body: v });
const trimZeros = (int: string) => int.replace(/^0+(?=\d)/, '');

// ---------------------------------------------------------------- Chinese

const ZH_DIGITS = '零一二三四五六七八九';
/** Digit strings (account and phone numbers) read 1 as 幺, as Chinese telecom IVRs do. */
const ZH_DIGIT_STRING = '零幺二三四五六七八九';
const ZH_UNITS = ['', '十', '百', '千'];
const ZH_SECTIONS = ['', '万', '亿', '万亿'];

function zhSection(n: number): string {
  let out = '';
  let zero = false;
  for (let i = 3; i >= 0; i--) {
    const d = Math.floor(n / 10 ** i) % 10;
    if (d === 0) {
      if (out) zero = true;
      continue;
    }
    if (zero) out += '零';
    zero = false;
    out += (ZH_DIGITS[d] ?? '') + (ZH_UNITS[i] ?? '');
  }
  return out;
}

/** A non-negative integer (as a digit string, up to 16 digits) in Chinese: 100010 → 十万零一十. */
export function zhInteger(digits: string): string {
  const s = trimZeros(digits);
  if (/^0*$/.test(s)) return '零';
  const groups: number[] = [];
  for (let end = s.length; end > 0; end -= 4) groups.unshift(Number(s.slice(Math.max(0, end - 4), end)));
  let out = '';
  let zeroPending = false;
  groups.forEach((g, i) => {
    const section = ZH_SECTIONS[groups.length - 1 - i] ?? '';
    if (g === 0) {
      if (out) zeroPending = true;
      return;
    }
    if (out && (zeroPending || g < 1000)) out += '零';
    zeroPending = false;
    out += zhSection(g) + section;
  });
  return out.startsWith('一十') ? out.slice(1) : out;
}

function zhText(kind: SayKind, value: string): string {
  const { neg, body } = stripSign(value);
  const sign = neg ? '负' : '';
  switch (kind) {
    case 'number': {
      const [int = '0', frac] = body.split('.');
      return sign + zhInteger(int) + (frac ? `点${[...frac].map((c) => ZH_DIGITS[Number(c)]).join('')}` : '');
    }
    case 'digits':
      return [...value].map((c) => ZH_DIGIT_STRING[Number(c)]).join('');
    case 'currency': {
      const [int = '0', frac = '00'] = body.split('.');
      const jiao = Number(frac[0] ?? '0');
      const fen = Number(frac[1] ?? '0');
      const yuan = Number(int) > 0 ? `${zhInteger(int)}元` : '';
      if (!yuan && !jiao && !fen) return '零元';
      let out = yuan;
      if (jiao) out += `${ZH_DIGITS[jiao]}角`;
      else if (yuan && fen) out += '零';
      if (fen) out += `${ZH_DIGITS[fen]}分`;
      return sign + out;
    }
    case 'date': {
      const [y = '', m = '', d = ''] = value.split('-');
      return `${[...y].map((c) => ZH_DIGITS[Number(c)]).join('')}年${zhInteger(m)}月${zhInteger(d)}日`;
    }
    case 'time': {
      const [h = '0', m = '0', s] = value.split(':');
      const hour = `${zhInteger(h)}点`;
      const sec = s && Number(s) ? `${zhInteger(s)}秒` : '';
      const min = Number(m);
      if (min === 0 && !sec) return `${hour}整`;
      return `${hour}${min === 0 ? '零' : `${min < 10 ? '零' : ''}${zhInteger(m)}`}分${sec}`;
    }
  }
}

// ---------------------------------------------------------------- English

const EN_SMALL = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen',
];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const EN_SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];
const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function enHundreds(n: number): string {
  const words: string[] = [];
  if (n >= 100) words.push(`${EN_SMALL[Math.floor(n / 100)]} hundred`);
  const rest = n % 100;
  if (rest >= 20) words.push(EN_TENS[Math.floor(rest / 10)]! + (rest % 10 ? `-${EN_SMALL[rest % 10]}` : ''));
  else if (rest > 0) words.push(EN_SMALL[rest]!);
  return words.join(' ');
}

/** A non-negative integer (digit string, up to 15 digits) in English words. */
export function enInteger(digits: string): string {
  const s = trimZeros(digits);
  if (/^0*$/.test(s)) return 'zero';
  const words: string[] = [];
  const groups: number[] = [];
  for (let end = s.length; end > 0; end -= 3) groups.unshift(Number(s.slice(Math.max(0, end - 3), end)));
  groups.forEach((g, i) => {
    if (g) words.push(enHundreds(g) + (EN_SCALES[groups.length - 1 - i] ? ` ${EN_SCALES[groups.length - 1 - i]}` : ''));
  });
  return words.join(' ');
}

function enText(kind: SayKind, value: string): string {
  const { neg, body } = stripSign(value);
  const sign = neg ? 'minus ' : '';
  switch (kind) {
    case 'number': {
      const [int = '0', frac] = body.split('.');
      return sign + enInteger(int) + (frac ? ` point ${[...frac].map((c) => EN_SMALL[Number(c)]).join(' ')}` : '');
    }
    case 'digits':
      return [...value].map((c) => EN_SMALL[Number(c)]).join(' ');
    case 'currency': {
      const [int = '0', frac = '00'] = body.split('.');
      const fen = Number(frac);
      const parts = [];
      if (Number(int) > 0 || fen === 0) parts.push(`${enInteger(int)} yuan`);
      if (fen) parts.push(`${enInteger(String(fen))} fen`);
      return sign + parts.join(' and ');
    }
    case 'date': {
      const [y = '', m = '1', d = '1'] = value.split('-');
      return `${EN_MONTHS[Number(m) - 1]} ${Number(d)}, ${y}`;
    }
    case 'time': {
      const [h = '0', m = '00'] = value.split(':');
      const hour = Number(h);
      const h12 = hour % 12 === 0 ? 12 : hour % 12;
      return `${h12}:${m} ${hour < 12 ? 'AM' : 'PM'}`;
    }
  }
}
