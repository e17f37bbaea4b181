import { describe, expect, it } from 'vitest';
import { calendarSchema, isOpen, localTime } from '../../src/acd/calendar.ts';

const office = calendarSchema.parse({
  name: '客服中心',
  timezone: 'Asia/Shanghai',
  weekly: { mon: [['08:30', '12:00'], ['13:00', '18:00']], tue: [['08:30', '18:00']], sat: [['09:00', '12:00']] },
  exceptions: [{ date: '2026-10-01', name: '国庆节' }, { date: '2026-10-11', name: '调休上班', open: [['09:00', '17:00']] }],
});
const at = (iso: string) => Date.parse(iso);

describe('opening-hours calendar', () => {
  it('converts to local time in the calendar time zone', () => {
    expect(localTime(at('2026-11-23T00:30:00Z'), 'Asia/Shanghai')).toEqual({ date: '2026-11-23', day: 'mon', minutes: 8 * 60 + 30 });
  });
  it('is open inside the weekly spans and closed outside (lunch, evening, Sunday)', () => {
    expect(isOpen(office, at('2026-11-23T00:30:00Z'))).toBe(true); // Mon 08:30 Beijing
    expect(isOpen(office, at('2026-11-23T04:30:00Z'))).toBe(false); // Mon 12:30 lunch
    expect(isOpen(office, at('2026-11-23T09:59:00Z'))).toBe(true); // Mon 17:59
    expect(isOpen(office, at('2026-11-23T10:00:00Z'))).toBe(false); // Mon 18:00
    expect(isOpen(office, at('2026-11-22T03:00:00Z'))).toBe(false); // Sunday
  });
  it('applies holidays and extra working days', () => {
    expect(isOpen(office, at('2026-10-01T02:00:00Z'))).toBe(false); // Thursday 10:00, National Day
    expect(isOpen(office, at('2026-10-11T02:00:00Z'))).toBe(true); // Sunday 10:00, 调休 working day
  });
  it('rejects bad calendars with a message per field', () => {
    const r = calendarSchema.safeParse({ name: '', timezone: 'Mars/Base', weekly: { mon: [['18:00', '08:00']] }, exceptions: [{ date: '1.10.' }] });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name', 'timezone', 'weekly.mon.0', 'exceptions.0.date']));
  });
});
