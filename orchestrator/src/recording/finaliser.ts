import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { nextBackoff, type BackoffPolicy } from '../esl/backoff.ts';
import { normalisePauses } from './pauses.ts';
import type { PauseEventRecord, PauseSpanRecord, RecordingRepository, RecordingRow } from './repository.ts';
import { recordingKey, StoredRecordingMissingError, type RecordingStorage } from './storage.ts';
import { readWavInfo } from '../media/wav.ts';

/**
 * Turns a finished capture into a stored recording: reads the WAV header
 * (duration, channels), computes the SHA-256, moves the file into the local
 * store or uploads it, and writes the metadata. A failure is written on the
 * row (status `failed`, attempts, last error, next attempt) and logged, then
 * retried with backoff by the sweep; after `maxAttempts` the row stays
 * `failed` with no next attempt, visible in the API and the nightly check —
 * never silently dropped.
 */

export interface FinaliserOptions {
  repo: RecordingRepository;
  storage: RecordingStorage;
  logger: Logger;
  retry?: BackoffPolicy & { maxAttempts: number };
  /** How often due retries and orphaned captures are looked at. */
  sweepEveryMs?: number;
  /** Captures whose call ended this long ago without a RECORD_STOP are finalised by the sweep. */
  orphanGraceMs?: number;
  /** Recordings being captured right now (not orphans). */
  active?: () => string[];
  now?: () => number;
}

export interface FinaliseInput {
  /** ms since the epoch. */
  startedAt: number;
  endedAt: number;
  pauseEvents: readonly PauseEventRecord[];
  stoppedBy: string | null;
}

export type AttemptResult = { ok: true } | { ok: false; error: string; willRetry: boolean };

export class RecordingFinaliser {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private readonly inFlight = new Map<string, Promise<AttemptResult>>();
  private readonly retry: BackoffPolicy & { maxAttempts: number };
  private readonly now: () => number;
  active: () => string[];

  constructor(private readonly o: FinaliserOptions) {
    this.retry = o.retry ?? { initialMs: 10_000, maxMs: 3_600_000, maxAttempts: 12 };
    this.now = o.now ?? Date.now;
    this.active = o.active ?? (() => []);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep(), this.o.sweepEveryMs ?? 15_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** The capture ended: records when and the pauses, then stores the file. */
  async finalise(recordingId: string, f: FinaliseInput): Promise<AttemptResult> {
    const endedAt = Math.max(f.endedAt, f.startedAt);
    const summary = normalisePauses(
      { startedAt: f.startedAt, endedAt },
      f.pauseEvents.map((e) => ({ kind: e.kind, at: Date.parse(e.at) })).filter((e) => Number.isFinite(e.at)),
    );
    const pauses: PauseSpanRecord[] = summary.spans.map((s) => ({ fromMs: Math.round(s.from - f.startedAt), toMs: Math.round(s.to - f.startedAt) }));
    await this.o.repo.markEnded(recordingId, { endedAt: new Date(endedAt), pauses, pausedMs: summary.pausedMs, stoppedBy: f.stoppedBy });
    return this.attempt(recordingId);
  }

  /** RECORD_STOP for a capture the recorder does not know (started before a restart). */
  async finaliseByCapturePath(capturePath: string, endedAt: Date): Promise<AttemptResult | null> {
    const row = await this.o.repo.byCapturePath(capturePath);
    if (!row || row.status !== 'recording') return null;
    return this.finalise(row.id, { startedAt: row.startedAt.getTime(), endedAt: endedAt.getTime(), pauseEvents: row.pauseEvents, stoppedBy: null });
  }

  /** One storage attempt (concurrent calls for the same recording share it). */
  attempt(recordingId: string): Promise<AttemptResult> {
    const running = this.inFlight.get(recordingId);
    if (running) return running;
    const p = this.tryStore(recordingId).finally(() => this.inFlight.delete(recordingId));
    this.inFlight.set(recordingId, p);
    return p;
  }

  /** Due retries and orphaned captures; runs on a timer, callable from tests and the API. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let n = 0;
    try {
      const now = new Date(this.now());
      for (const row of await this.o.repo.dueRetries(now)) {
        await this.attempt(row.id);
        n++;
      }
      for (const row of await this.o.repo.orphaned(now, this.o.orphanGraceMs ?? 60_000, this.active())) {
        this.o.logger.warn({ recordingId: row.id, callId: row.callId }, 'recording without RECORD_STOP after its call ended: finalising');
        await this.finalise(row.id, { startedAt: row.startedAt.getTime(), endedAt: row.endedAt?.getTime() ?? now.getTime(), pauseEvents: row.pauseEvents, stoppedBy: null });
        n++;
      }
    } catch (err) {
      this.o.logger.error({ err }, 'recording sweep failed');
    } finally {
      this.sweeping = false;
    }
    return n;
  }

  private async tryStore(recordingId: string): Promise<AttemptResult> {
    const row = await this.o.repo.get(recordingId);
    if (!row || row.status === 'stored' || row.status === 'purged') return { ok: true };
    const attempts = row.attempts + 1;
    try {
      await this.store(row);
      await this.o.repo.markStored(row.id, attempts);
      this.o.logger.info({ recordingId: row.id, callId: row.callId, attempts }, 'recording stored');
      return { ok: true };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const willRetry = attempts < this.retry.maxAttempts;
      const nextAttemptAt = willRetry ? new Date(this.now() + nextBackoff(this.retry, attempts - 1)) : null;
      await this.o.repo.markFailed(row.id, { attempts, error, nextAttemptAt });
      this.o.logger.error(
        { err, recordingId: row.id, callId: row.callId, attempts, nextAttemptAt },
        willRetry ? 'storing a recording failed; it will be retried' : 'storing a recording failed for good; it needs attention',
      );
      return { ok: false, error, willRetry };
    }
  }

  private async store(row: RecordingRow): Promise<void> {
    const storage = this.o.storage;
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(row.capturePath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // Moved or uploaded by an earlier attempt whose bookkeeping failed?
      if (row.storageKey && row.sizeBytes !== null && row.storage === storage.kind) {
        try {
          if ((await storage.size(row.storageKey)) === row.sizeBytes) return;
        } catch (e) {
          if (!(e instanceof StoredRecordingMissingError)) throw e;
        }
      }
      throw new Error(`FreeSWITCH left no file at ${row.capturePath}`);
    }
    const wav = await readWavInfo(row.capturePath, stat.size);
    const hash = createHash('sha256');
    await pipeline(fs.createReadStream(row.capturePath), hash);
    const sha256 = hash.digest('hex');
    const key = recordingKey(row.id, row.startedAt);
    await this.o.repo.setFileFacts(row.id, {
      durationMs: wav.durationMs,
      channels: wav.channels,
      sampleRate: wav.sampleRate,
      sizeBytes: stat.size,
      sha256,
      storage: storage.kind,
      storageKey: key,
    });
    await storage.store(row.capturePath, key, { sha256, sizeBytes: stat.size });
  }
}
