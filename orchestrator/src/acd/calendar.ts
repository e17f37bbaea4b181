import { z } from 'zod';

/**
 * Opening hours: a weekly schedule in a time zone, with exceptions (holidays
 * closed all day; extra working days such as 调休 open with given hours).
 */

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM');
const span = z.tuple([hhmm, hhmm]).refine(([a, b]) => a < b, 'a span must end after it starts');
export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export const calendarSchema = z.object({
  name: z.string().trim().min(1).max(100),
  timezone: z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'unknown IANA time zone'),
  weekly: z.partialRecord(z.enum(DAYS), z.array(span).max(6)),
  exceptions: z
    .array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'), name: z.string().max(100).default(''), open: z.array(span).max(6).default([]) }))
    .max(400),
});

export type Calendar = z.infer<typeof calendarSchema>;

/** Local date (YYYY-MM-DD), weekday and minutes since midnight of `at` in `timezone`. */
export function localTime(at: number, timezone: string): { date: string; day: (typeof DAYS)[number]; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as (typeof DAYS)[number];
  return { date: `${get('year')}-${get('month')}-${get('day')}`, day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

const toMinutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** Whether the calendar is open at `at`. An exception for the local date replaces the weekly hours. */
export function isOpen(calendar: Pick<Calendar, 'timezone' | 'weekly' | 'exceptions'>, at: number): boolean {
  const t = localTime(at, calendar.timezone);
  const exception = calendar.exceptions.find((e) => e.date === t.date);
  const spans = exception ? exception.open : (calendar.weekly[t.day] ?? []);
  return spans.some(([from, to]) => t.minutes >= toMinutes(from) && t.minutes < toMinutes(to));
}
