import type { Logger } from 'pino';
import type { Acd } from './acd.ts';
import type { CallControl } from './call-control.ts';
import { dueAnnouncements, positionAnnouncement } from './announcements.ts';
import type { Language, TtsEngine } from '../tts/tts.ts';

/**
 * Tells waiting callers, every `announceEverySec` of their queue, their place in
 * the queue and the estimated wait (from the live answer rate), in their language.
 */
export class QueueAnnouncer {
  private readonly last = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly acd: Acd,
    private readonly control: Pick<CallControl, 'announce'>,
    private readonly tts: TtsEngine,
    private readonly estimatedWaitSec: (queueId: string, position: number) => number | null,
    private readonly languageOf: (callId: string) => Language,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(Date.now()), 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async tick(now: number): Promise<void> {
    const waiting = this.acd.waitingPositions();
    const live = new Set(waiting.map((w) => w.callId));
    for (const id of this.last.keys()) if (!live.has(id)) this.last.delete(id);
    const due = dueAnnouncements(waiting, (q) => this.acd.queue(q)?.announceEverySec ?? 0, this.last, now);
    for (const w of due) {
      this.last.set(w.callId, now);
      const text = positionAnnouncement(this.languageOf(w.callId), w.position, this.estimatedWaitSec(w.queueId, w.position));
      try {
        const file = await this.tts.synthesize(text, this.languageOf(w.callId));
        await this.control.announce(w.callerUuid, file);
      } catch (err) {
        this.logger.warn({ err, callId: w.callId }, 'queue announcement not played');
      }
    }
  }
}
