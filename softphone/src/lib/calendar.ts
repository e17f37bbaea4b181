import { WEEKDAYS, type CalendarException, type CalendarInput, type CalendarView, type TimeSpan, type Weekday } from './types';

/**
 * The calendar form as text: weekly hours per weekday as "08:30-12:00, 13:30-18:00",
 * holidays as lines "YYYY-MM-DD name", extra working days as lines "YYYY-MM-DD HH:MM-HH:MM[, …] name".
 */
export interface CalendarText {
  name: string;
  timezone: string;
  weekly: Record<Weekday, string>;
  holidays: string;
  workdays: string;
}

/** The field of the form a problem is shown under. */
export type CalendarField = 'name' | 'timezone' | `weekly.${Weekday}` | 'holidays' | 'workdays';

export type CalendarProblemCode =
  | 'required'
  | 'timezone'
  | 'span' // not HH:MM-HH:MM
  | 'spanOrder' // ends before it starts
  | 'spanOverlap'
  | 'tooManySpans'
  | 'line' // a line that is not "date …"
  | 'date' // not a real date
  | 'duplicateDate'
  | 'noHours' // an extra working day without hours
  | 'nameTooLong';

export interface CalendarProblem {
  field: CalendarField;
  code: CalendarProblemCode;
  /** 1-based line of the holidays / working days text. */
  line?: number;
  /** The offending text. */
  text?: string;
}

/** Where each exception came from: exceptions[k] is line `line` of `field`. */
export type ExceptionSource = { field: 'holidays' | 'workdays'; line: number }[];

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
const MAX_SPANS = 6;
const MAX_NAME = 100;

const SPAN = /^(\d{1,2}):(\d{2})\s*[-–~～至]\s*(\d{1,2}):(\d{2})$/;
const SPAN_LIST = String.raw`\d{1,2}:\d{2}\s*[-–~～至]\s*\d{1,2}:\d{2}(?:\s*[,，;；]\s*\d{1,2}:\d{2}\s*[-–~～至]\s*\d{1,2}:\d{2})*`;
const WORKDAY_LINE = new RegExp(String.raw`^(\S+)\s+(${SPAN_LIST})(?:\s+(.*))?$`);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function emptyCalendarText(): CalendarText {
  const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, ''])) as Record<Weekday, string>;
  for (const day of ['mon', 'tue', 'wed', 'thu', 'fri'] as const) weekly[day] = '09:00-18:00';
  return { name: '', timezone: DEFAULT_TIMEZONE, weekly, holidays: '', workdays: '' };
}

export const formatSpans = (spans: readonly TimeSpan[] | undefined): string =>
  (spans ?? []).map(([from, to]) => `${from}-${to}`).join(', ');

export function calendarToText(calendar: CalendarView): CalendarText {
  const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, formatSpans(calendar.weekly[d])])) as Record<Weekday, string>;
  const sorted = [...calendar.exceptions].sort((a, b) => a.date.localeCompare(b.date));
  const line = (...parts: string[]) => parts.filter(Boolean).join(' ');
  return {
    name: calendar.name,
    timezone: calendar.timezone,
    weekly,
    holidays: sorted
      .filter((e) => e.open.length === 0)
      .map((e) => line(e.date, e.name))
      .join('\n'),
    workdays: sorted
      .filter((e) => e.open.length > 0)
      .map((e) => line(e.date, formatSpans(e.open).replace(/, /g, ','), e.name))
      .join('\n'),
  };
}

const pad = (n: string) => n.padStart(2, '0');

/** "8:30-12:00" -> ["08:30", "12:00"], or the problem. */
function parseSpan(text: string): TimeSpan | CalendarProblemCode {
  const m = SPAN.exec(text.trim());
  if (!m) return 'span';
  const [, h1 = '', m1 = '', h2 = '', m2 = ''] = m;
  const valid = (h: string, min: string, end: boolean) =>
    (Number(h) <= 23 && Number(min) <= 59) || (end && Number(h) === 24 && Number(min) === 0);
  if (!valid(h1, m1, false) || !valid(h2, m2, true)) return 'span';
  const from = `${pad(h1)}:${m1}`;
  const to = `${pad(h2)}:${m2}`;
  return from < to ? [from, to] : 'spanOrder';
}

/** "08:30-12:00, 13:30-18:00" -> spans (sorted), or the problem. Empty text: no spans (closed). */
function parseSpanList(text: string): { spans: TimeSpan[] } | { code: CalendarProblemCode; text?: string } {
  const parts = text
    .split(/[,，;；]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const spans: TimeSpan[] = [];
  for (const part of parts) {
    const span = parseSpan(part);
    if (typeof span === 'string') return { code: span, text: part };
    spans.push(span);
  }
  if (spans.length > MAX_SPANS) return { code: 'tooManySpans' };
  spans.sort((a, b) => a[0].localeCompare(b[0]));
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) return { code: 'spanOverlap', text: `${formatSpans([spans[i - 1]!])}, ${formatSpans([spans[i]!])}` };
  }
  return { spans };
}

function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parses the form; every problem found is returned (the calendar only when there is none). */
export function parseCalendarText(
  text: CalendarText,
): { calendar: CalendarInput; sources: ExceptionSource; problems: [] } | { calendar: null; sources: ExceptionSource; problems: CalendarProblem[] } {
  const problems: CalendarProblem[] = [];
  const name = text.name.trim();
  const timezone = text.timezone.trim() || DEFAULT_TIMEZONE;
  if (!name) problems.push({ field: 'name', code: 'required' });
  else if (name.length > MAX_NAME) problems.push({ field: 'name', code: 'nameTooLong' });
  if (!isValidTimezone(timezone)) problems.push({ field: 'timezone', code: 'timezone', text: timezone });

  const weekly: CalendarInput['weekly'] = {};
  for (const day of WEEKDAYS) {
    const parsed = parseSpanList(text.weekly[day] ?? '');
    if ('spans' in parsed) weekly[day] = parsed.spans;
    else problems.push({ field: `weekly.${day}`, code: parsed.code, text: parsed.text });
  }

  const exceptions: CalendarException[] = [];
  const sources: ExceptionSource = [];
  const seen = new Map<string, string>();
  const lines = (value: string) =>
    value
      .split(/\r?\n/)
      .map((content, i) => ({ content: content.trim(), line: i + 1 }))
      .filter((l) => l.content !== '');

  const addDate = (field: 'holidays' | 'workdays', line: number, date: string, rest: { name: string; open: TimeSpan[] }) => {
    if (!isRealDate(date)) {
      problems.push({ field, line, code: 'date', text: date });
      return;
    }
    if (seen.has(date)) {
      problems.push({ field, line, code: 'duplicateDate', text: date });
      return;
    }
    if (rest.name.length > MAX_NAME) {
      problems.push({ field, line, code: 'nameTooLong' });
      return;
    }
    seen.set(date, field);
    exceptions.push({ date, ...rest });
    sources.push({ field, line });
  };

  for (const { content, line } of lines(text.holidays)) {
    const [date = '', ...name] = content.split(/\s+/);
    if (!DATE.test(date)) problems.push({ field: 'holidays', line, code: 'line', text: content });
    else addDate('holidays', line, date, { name: name.join(' '), open: [] });
  }

  for (const { content, line } of lines(text.workdays)) {
    const m = WORKDAY_LINE.exec(content);
    const date = content.split(/\s+/)[0] ?? '';
    if (!m || !DATE.test(m[1] ?? '')) {
      problems.push({ field: 'workdays', line, code: DATE.test(date) ? 'noHours' : 'line', text: content });
      continue;
    }
    const parsed = parseSpanList(m[2] ?? '');
    if (!('spans' in parsed)) problems.push({ field: 'workdays', line, code: parsed.code, text: parsed.text });
    else addDate('workdays', line, m[1]!, { name: (m[3] ?? '').trim(), open: parsed.spans });
  }

  if (problems.length > 0) return { calendar: null, sources, problems };
  return { calendar: { name, timezone, weekly, exceptions }, sources, problems: [] };
}

/**
 * Weekly hours in short: consecutive days with the same hours grouped, closed days left out.
 * `dayName` gives the short name of a day.
 */
export function summarizeWeekly(weekly: CalendarView['weekly'], dayName: (day: Weekday) => string): string[] {
  const groups: { from: Weekday; to: Weekday; hours: string }[] = [];
  for (const day of WEEKDAYS) {
    const hours = formatSpans(weekly[day]);
    const last = groups.at(-1);
    if (last && last.hours === hours && WEEKDAYS.indexOf(last.to) === WEEKDAYS.indexOf(day) - 1) last.to = day;
    else groups.push({ from: day, to: day, hours });
  }
  return groups
    .filter((g) => g.hours !== '')
    .map((g) => `${g.from === g.to ? dayName(g.from) : `${dayName(g.from)}–${dayName(g.to)}`} ${g.hours}`);
}
