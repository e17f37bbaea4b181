import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Sql } from '../db/client.ts';
import type { EslClient } from '../esl/client.ts';
import type { Acd } from '../acd/acd.ts';
import type { CallTracker } from '../calls/call-tracker.ts';
import { Recorder } from './recorder.ts';
import { RecordingFinaliser } from './finaliser.ts';
import { RecordingJobs } from './jobs.ts';
import { RecordingRepository } from './repository.ts';
import { LocalRecordingStorage, S3RecordingStorage, type RecordingStorage } from './storage.ts';
import { interpretRecordEvent } from './events.ts';

/**
 * The recording parts, built from the configuration: storage (local disk or
 * S3), the recorder that drives FreeSWITCH, the finaliser that stores files
 * with retries, the nightly jobs, and the secret that signs playback URLs.
 */
export interface RecordingService {
  repo: RecordingRepository;
  storage: RecordingStorage;
  recorder: Recorder;
  finaliser: RecordingFinaliser;
  jobs: RecordingJobs;
  /** Signs playback/download URLs (never logged). */
  urlSecret: string;
  recordingsDir: string;
  stop(): Promise<void>;
}

export const URL_SECRET_FILE = 'recording-url-secret';

/** CC_RECORDING_URL_SECRET, else the secret kept in the data dir (created once, readable by the owner only). */
export function recordingUrlSecret(config: Pick<Config, 'CC_RECORDING_URL_SECRET' | 'CC_DATA_DIR'>): string {
  if (config.CC_RECORDING_URL_SECRET) return config.CC_RECORDING_URL_SECRET;
  const file = path.join(config.CC_DATA_DIR, URL_SECRET_FILE);
  fs.mkdirSync(config.CC_DATA_DIR, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds a recording URL secret shorter than 32 characters; delete it to have a new one generated`);
  return secret;
}

export function recordingsDirOf(config: Pick<Config, 'CC_RECORDINGS_DIR' | 'CC_DATA_DIR'>): string {
  return config.CC_RECORDINGS_DIR ?? path.join(config.CC_DATA_DIR, 'recordings');
}

export function storageFor(config: Config, recordingsDir: string): RecordingStorage {
  if (config.CC_RECORDING_STORAGE === 's3') {
    return new S3RecordingStorage({
      endpoint: config.CC_RECORDING_S3_ENDPOINT,
      bucket: config.CC_RECORDING_S3_BUCKET!,
      region: config.CC_RECORDING_S3_REGION,
      accessKeyId: config.CC_RECORDING_S3_ACCESS_KEY_ID,
      secretAccessKey: config.CC_RECORDING_S3_SECRET_ACCESS_KEY,
      forcePathStyle: config.CC_RECORDING_S3_FORCE_PATH_STYLE,
    });
  }
  return new LocalRecordingStorage(recordingsDir);
}

export function createRecordingService(o: {
  config: Config;
  sql: Sql;
  esl: EslClient;
  logger: Logger;
  /** For tests: a storage other than the configured one, faster retries. */
  storage?: RecordingStorage;
  retry?: { initialMs: number; maxMs: number; maxAttempts: number };
  sweepEveryMs?: number;
}): RecordingService {
  const logger = o.logger.child({ component: 'recording' });
  const recordingsDir = recordingsDirOf(o.config);
  fs.mkdirSync(path.join(recordingsDir, 'capture'), { recursive: true });
  const repo = new RecordingRepository(o.sql);
  const storage = o.storage ?? storageFor(o.config, recordingsDir);
  const finaliser = new RecordingFinaliser({ repo, storage, logger, retry: o.retry, sweepEveryMs: o.sweepEveryMs });
  const recorder = new Recorder({ switch: o.esl, repo, finaliser, recordingsDir, storage: storage.kind, logger });
  finaliser.active = () => recorder.activeRecordingIds();
  const jobs = new RecordingJobs({ sql: o.sql, repo, storage, logger, timeZone: o.config.CC_TIMEZONE });
  const urlSecret = recordingUrlSecret(o.config);
  finaliser.start();
  jobs.schedule();
  logger.info({ storage: storage.kind, recordingsDir }, 'call recording ready');
  return {
    repo, storage, recorder, finaliser, jobs, urlSecret, recordingsDir,
    async stop() {
      jobs.stop();
      recorder.close();
      await finaliser.stop();
      if (storage instanceof S3RecordingStorage) storage.destroy();
    },
  };
}

/**
 * Connects the recorder to the calls: FreeSWITCH's RECORD_START/STOP events,
 * the system answering a caller who enters a queue (cc_inbound answers and
 * plays music) or moves to another queue (the system-answer start point, with
 * that queue's policy), the agent answering (the ACD connected them: the
 * agent-answer start point), and the end of the call. The IVR runtime calls
 * `recorder.callAnswered` itself when it answers.
 */
export function wireRecording({ esl, acd, tracker, recorder, logger }: { esl: EslClient; acd: Acd; tracker: CallTracker; recorder: Recorder; logger: Logger }): void {
  recorder.organizationOf = (callId) => tracker.call(callId)?.organizationId;
  esl.on('event', (event) => {
    const signal = interpretRecordEvent(event);
    if (signal) recorder.handleSignal(signal);
    else if (event.name === 'CHANNEL_HANGUP_COMPLETE' && event.uuid) recorder.channelEnded(event.uuid);
  });
  const queueAnswered = (callId: string, queueId: string) => {
    const call = tracker.call(callId);
    // Calls connected before an orchestrator restart come back answered: their recording is already decided.
    if (!call || call.answeredAt !== null) return;
    void recorder
      .callAnswered({
        callId, callerUuid: call.callerUuid, organizationId: call.organizationId, queueId,
        callerNumber: call.callerNumber, calledNumber: call.calledNumber, direction: 'inbound',
      })
      .catch((err: unknown) => logger.error({ err, callId }, 'recording policy at queue entry failed'));
  };
  tracker.on('entered', (call) => {
    if (call.queueId) queueAnswered(call.callId, call.queueId);
  });
  acd.on('left_queue', (l) => {
    if (l.diversion.kind === 'queue') queueAnswered(l.callId, l.diversion.queueId);
  });
  acd.on('connected', (c) => {
    const call = tracker.call(c.callId);
    const organizationId = call?.organizationId ?? acd.queue(c.queueId)?.organizationId;
    if (!organizationId) return;
    const callback = Boolean(c.call.callbackNumber);
    void recorder
      .agentAnswered({
        callId: c.callId,
        // A callback has no caller channel: the agent's leg carries the call (channels swapped so the customer stays left).
        callerUuid: callback ? c.agentLegUuid : c.call.callerUuid,
        swapChannels: callback,
        organizationId,
        queueId: c.queueId,
        agentId: c.agentId,
        callerNumber: callback ? (c.call.callbackNumber ?? null) : c.call.callerNumber,
        calledNumber: call?.calledNumber ?? null,
      })
      .catch((err: unknown) => logger.error({ err, callId: c.callId }, 'recording policy on agent answer failed'));
  });
  tracker.on('ended', (call) => recorder.callEnded(call.callId));
}
