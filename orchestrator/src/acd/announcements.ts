import type { Language } from '../tts/tts.ts';

/** What a waiting caller is told: their place in the queue and the estimated wait. */
export function positionAnnouncement(language: Language, position: number, estimatedWaitSec: number | null): string {
  const minutes = estimatedWaitSec === null ? null : Math.max(1, Math.round(estimatedWaitSec / 60));
  if (language === 'zh-CN') {
    const place = position <= 1 ? '您是下一位。' : `您前面还有${position - 1}位客户在等待。`;
    const wait = minutes === null ? '' : `预计等待时间约${minutes}分钟。`;
    return `${place}${wait}请不要挂机。`;
  }
  const place = position <= 1 ? 'You are next in line.' : `There are ${position - 1} callers ahead of you.`;
  const wait = minutes === null ? '' : ` The estimated wait is about ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  return `${place}${wait} Please stay on the line.`;
}

export interface WaitingPosition {
  callId: string;
  callerUuid: string;
  queueId: string;
  /** 1 = next to be served. */
  position: number;
  ringing: boolean;
  enqueuedAt: number;
}

/**
 * Which waiting callers are due an announcement now: every `everySec` seconds of
 * waiting (the first after `everySec`), never while their call rings an agent.
 */
export function dueAnnouncements(
  waiting: readonly WaitingPosition[],
  everySecOf: (queueId: string) => number,
  lastAnnouncedAt: ReadonlyMap<string, number>,
  now: number,
): WaitingPosition[] {
  return waiting.filter((w) => {
    const every = everySecOf(w.queueId);
    if (every <= 0 || w.ringing) return false;
    const since = lastAnnouncedAt.get(w.callId) ?? w.enqueuedAt;
    return now - since >= every * 1000;
  });
}
