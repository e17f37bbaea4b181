import type { Logger } from 'pino';
import type { CdrRow } from './cdr.ts';

export interface CdrStore {
  /** Inserts the row, or updates it unless the stored row is already final. */
  save(row: CdrRow): Promise<void>;
}

/**
 * Writes CDR rows in order per call and retries failed writes with backoff,
 * so that a database hiccup delays a CDR but never loses it.
 */
export class CdrWriter {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly store: CdrStore,
    private readonly logger: Logger,
    private readonly retryDelayMs = (attempt: number) => Math.min(30_000, 200 * 2 ** attempt),
  ) {}

  write(row: CdrRow): Promise<void> {
    const previous = this.chains.get(row.callId) ?? Promise.resolve();
    const next = previous.then(() => this.saveWithRetry(row));
    this.chains.set(row.callId, next);
    void next.then(() => {
      if (this.chains.get(row.callId) === next) this.chains.delete(row.callId);
    });
    return next;
  }

  /** Resolves when every write queued so far has reached the database. */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  get pendingCalls(): number {
    return this.chains.size;
  }

  private async saveWithRetry(row: CdrRow): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.store.save(row);
        return;
      } catch (err) {
        this.logger.error({ err, callId: row.callId, attempt }, 'CDR write failed; retrying');
        await new Promise((r) => setTimeout(r, this.retryDelayMs(attempt)));
      }
    }
  }
}
