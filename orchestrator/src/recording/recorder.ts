import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiReply } from '../esl/client.ts';
import { uuidRecord, uuidSetVarMulti } from '../esl/commands.ts';
import { EslDisconnectedError, EslTimeoutError } from '../esl/errors.ts';
import type { RecordingActor } from './actor.ts';
import {
  canControlRecording,
  decideRecording,
  nextRecordingState,
  type CallPhase,
  type ControlDenial,
  type RecordingControlAction,
  type RecordingMode,
  type RecordingRunState,
} from './policy.ts';
import type { RecordSignal } from './events.ts';
import type { PauseEventRecord, RecordingRepository } from './repository.ts';
import type { RecordingFinaliser } from './finaliser.ts';

/**
 * The recorder: follows the decisions of policy.ts on live calls and drives
 * FreeSWITCH's `uuid_record` on the caller's channel.
 *
 * One recording per call (per start: an on-demand recording stopped and started
 * again makes a second file), always on the caller channel, in stereo
 * (RECORD_STEREO: left = what the caller says, right = what the caller hears,
 * i.e. the agent(s)). Because the media bug sits on the caller's channel it
 * follows the caller through holds, transfers and conferences: no gap, no
 * second copy. Pause/resume mask the span (FreeSWITCH writes silence) and are
 * kept as events; the file is finalised when FreeSWITCH reports RECORD_STOP.
 */

/** The part of the ESL client the recorder uses. */
export interface RecordingSwitch {
  api(command: string): Promise<ApiReply>;
}

export class RecordingControlDeniedError extends Error {
  override readonly name = 'RecordingControlDeniedError';
  constructor(readonly reason: ControlDenial) {
    super(`recording control denied: ${reason}`);
  }
}

export class LiveCallNotFoundError extends Error {
  override readonly name = 'LiveCallNotFoundError';
  constructor(readonly callId: string) {
    super(`no live call ${callId}`);
  }
}

/** FreeSWITCH refused a recording command (channel gone, disk full...). */
export class RecordingSwitchError extends Error {
  override readonly name = 'RecordingSwitchError';
}

export interface CallAnswered {
  callId: string;
  /** The caller's channel: the recording is made on it. */
  callerUuid: string;
  /** The call's organization; when omitted, `organizationOf(callId)` (the call tracker) tells it. */
  organizationId?: string;
  queueId: string | null;
  /** The outbound route, for outbound calls. */
  routeId?: string | null;
  callerNumber?: string | null;
  calledNumber?: string | null;
  direction?: 'inbound' | 'outbound';
  /** A legal constraint or the caller's opt-out: nothing is recorded. */
  doNotRecord?: boolean;
  /**
   * The recorded channel is the agent's (a callback, where no caller channel
   * exists): swap the stereo channels so the customer stays on the left.
   */
  swapChannels?: boolean;
}

export interface AgentAnswered extends CallAnswered {
  agentId: string;
}

interface ActiveRecording {
  id: string;
  capturePath: string;
  /** The queue the row is credited to (follows the call when it moves to another queue). */
  queueId: string | null;
  /** When the capture started (RECORD_START when seen, else when start was sent). */
  startedAt: number;
  pauseEvents: PauseEventRecord[];
  stoppedBy: string | null;
}

interface LiveCall {
  callId: string;
  organizationId: string;
  callerUuid: string;
  queueId: string | null;
  routeId: string | null;
  direction: 'inbound' | 'outbound';
  callerNumber: string | null;
  calledNumber: string | null;
  agentIds: string[];
  mode: RecordingMode;
  doNotRecord: boolean;
  swapChannels: boolean;
  state: RecordingRunState;
  recording: ActiveRecording | null;
  ended: boolean;
  chain: Promise<unknown>;
}

export interface LiveRecordingStatus {
  callId: string;
  mode: RecordingMode;
  state: RecordingRunState;
  recordingId: string | null;
  /** ISO time the current pause began, when paused. */
  pausedSince: string | null;
}

export interface RecorderOptions {
  switch: RecordingSwitch;
  repo: RecordingRepository;
  finaliser: RecordingFinaliser;
  /** CC_RECORDINGS_DIR; FreeSWITCH writes into <dir>/capture. */
  recordingsDir: string;
  storage: 'local' | 's3';
  logger: Logger;
  /** How long after a call ends to wait for RECORD_STOP before finalising anyway. */
  stopGraceMs?: number;
  now?: () => number;
}

const STRENGTH: Record<RecordingMode, number> = { none: 0, on_demand: 1, all: 2 };

export class Recorder {
  private readonly calls = new Map<string, LiveCall>();
  private readonly byCapture = new Map<string, { call: LiveCall; recording: ActiveRecording }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly captureDir: string;
  private readonly now: () => number;
  private readonly stopGraceMs: number;
  private captureDirReady = false;
  /** The organization of a tracked call, for callers of callAnswered that do not pass it (wired to the call tracker). */
  organizationOf: (callId: string) => string | undefined = () => undefined;

  constructor(private readonly o: RecorderOptions) {
    this.captureDir = path.join(o.recordingsDir, 'capture');
    this.now = o.now ?? Date.now;
    this.stopGraceMs = o.stopGraceMs ?? 15_000;
  }

  /** The ids of recordings being captured now (the finaliser leaves them alone). */
  activeRecordingIds(): string[] {
    return [...this.byCapture.values()].map((x) => x.recording.id);
  }

  /**
   * The platform answered a call (IVR or queue): applies the policies with a
   * start point of `system_answer`. The IVR runtime calls this when it answers; wireRecording
   * when a caller enters a queue (cc_inbound answers and plays music) or moves to another one.
   */
  callAnswered(c: CallAnswered): Promise<void> {
    const call = this.track(c);
    if (!call) return Promise.resolve();
    return this.serial(call, () => this.apply(call, 'system_answer', null));
  }

  /** An agent answered the call (the ACD connected them): applies the policies including the agent's. */
  agentAnswered(c: AgentAnswered): Promise<void> {
    const call = this.track(c);
    if (!call) return Promise.resolve();
    if (!call.agentIds.includes(c.agentId)) call.agentIds.push(c.agentId);
    return this.serial(call, () => this.apply(call, 'agent_answer', c.agentId));
  }

  /** The call ended (its CDR is final). FreeSWITCH stops the capture with the channel; finalise then. */
  callEnded(callId: string): void {
    const call = this.calls.get(callId);
    if (!call || call.ended) return;
    call.ended = true;
    const rec = call.recording;
    if (!rec || call.state === 'stopped') {
      this.calls.delete(callId);
      return;
    }
    // RECORD_STOP normally arrives around the hangup; if it never does, finalise from what we know.
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.byCapture.has(rec.capturePath)) void this.finish(call, rec, this.now(), 'no RECORD_STOP after hangup');
    }, this.stopGraceMs);
    this.timers.add(timer);
  }

  /** A channel hung up: the calls recorded on it have ended (also for calls the tracker never saw). */
  channelEnded(uuid: string): void {
    for (const call of [...this.calls.values()]) if (call.callerUuid === uuid && !call.ended) this.callEnded(call.callId);
  }

  /** RECORD_START / RECORD_STOP from FreeSWITCH. */
  handleSignal(s: RecordSignal): void {
    const entry = this.byCapture.get(s.path);
    if (s.kind === 'record_start') {
      if (entry) entry.recording.startedAt = s.at;
      return;
    }
    if (entry) {
      void this.finish(entry.call, entry.recording, s.at, null);
    } else {
      // Not ours in memory (e.g. started before an orchestrator restart): finalise from the database row.
      void this.o.finaliser.finaliseByCapturePath(s.path, new Date(s.at)).catch((err: unknown) =>
        this.o.logger.error({ err, path: s.path }, 'finalising a recording after RECORD_STOP failed'),
      );
    }
  }

  /** The recording state of a live call, for the agent's call card and supervisors. */
  status(callId: string): LiveRecordingStatus | null {
    const call = this.calls.get(callId);
    if (!call || call.ended) return null;
    const last = call.recording?.pauseEvents.at(-1);
    return {
      callId,
      mode: call.mode,
      state: call.state,
      recordingId: call.recording?.id ?? null,
      pausedSince: call.state === 'paused' && last?.kind === 'pause' ? last.at : null,
    };
  }

  /** Who took part in a live call (for access checks on it). */
  liveCall(callId: string): { organizationId: string; agentIds: readonly string[]; mode: RecordingMode } | null {
    const call = this.calls.get(callId);
    return call && !call.ended ? { organizationId: call.organizationId, agentIds: call.agentIds, mode: call.mode } : null;
  }

  /**
   * Start/stop/pause/resume on demand (agent on their own call, supervisor,
   * admin: canControlRecording). Repeating the current state is a no-op.
   * Throws LiveCallNotFoundError, RecordingControlDeniedError,
   * RecordingControlError (policy.ts: not possible in this state) or
   * RecordingSwitchError.
   */
  control(actor: RecordingActor, callId: string, action: RecordingControlAction): Promise<LiveRecordingStatus> {
    const call = this.calls.get(callId);
    if (!call || call.ended) return Promise.reject(new LiveCallNotFoundError(callId));
    return this.serial(call, async () => {
      const decision = canControlRecording(actor, action, { organizationId: call.organizationId, agentIds: call.agentIds, mode: call.mode });
      if (!decision.allowed) throw new RecordingControlDeniedError(decision.reason);
      const next = nextRecordingState(call.state, action);
      if (next !== call.state) {
        if (action === 'start') await this.start(call, 'on_demand', actor.userId);
        else if (action === 'stop') await this.stop(call, actor.userId);
        else await this.mask(call, action, actor.userId);
      }
      return this.status(callId)!;
    });
  }

  /** Stops the fallback timers (shutdown). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // ---------------------------------------------------------------- internals

  private track(c: CallAnswered): LiveCall | null {
    let call = this.calls.get(c.callId);
    if (!call) {
      const organizationId = c.organizationId ?? this.organizationOf(c.callId);
      if (!organizationId) {
        this.o.logger.warn({ callId: c.callId }, 'recording: call of unknown organization, policies not applied');
        return null;
      }
      call = {
        callId: c.callId,
        organizationId,
        callerUuid: c.callerUuid,
        queueId: c.queueId,
        routeId: c.routeId ?? null,
        direction: c.direction ?? 'inbound',
        callerNumber: c.callerNumber ?? null,
        calledNumber: c.calledNumber ?? null,
        agentIds: [],
        mode: 'none',
        doNotRecord: false,
        swapChannels: c.swapChannels === true,
        state: 'idle',
        recording: null,
        ended: false,
        chain: Promise.resolve(),
      };
      this.calls.set(c.callId, call);
    }
    if (c.queueId) call.queueId = c.queueId;
    if (c.routeId) call.routeId = c.routeId;
    if (c.doNotRecord) call.doNotRecord = true;
    return call;
  }

  /** Runs `fn` after everything already queued for this call (start before pause, etc.). */
  private serial<T>(call: LiveCall, fn: () => Promise<T>): Promise<T> {
    const run = call.chain.then(fn, fn);
    call.chain = run.catch(() => undefined);
    return run;
  }

  private async apply(call: LiveCall, phase: CallPhase, agentId: string | null): Promise<void> {
    if (call.ended) return;
    const p = await this.o.repo.policiesForCall(call.organizationId, { queueId: call.queueId, routeId: call.routeId, agentId });
    const d = decideRecording({ ...p, doNotRecord: call.doNotRecord, phase });
    if (d.decidedBy === 'flag') {
      call.mode = 'none';
      void this.o.repo.markDoNotRecord(call.callId).catch((err: unknown) => this.o.logger.warn({ err, callId: call.callId }, 'could not flag the CDR do-not-record'));
      if (call.state === 'recording' || call.state === 'paused') await this.stop(call, null);
      return;
    }
    // A later phase or another agent never weakens what an earlier one required.
    if (STRENGTH[d.mode] > STRENGTH[call.mode]) call.mode = d.mode;
    // The call moved on (IVR → queue, overflow to another queue): the recording is credited to the queue that has it now, like the CDR.
    if (call.recording && call.queueId && call.recording.queueId !== call.queueId) {
      call.recording.queueId = call.queueId;
      await this.o.repo.setQueue(call.recording.id, call.queueId);
    }
    if (agentId && call.recording) await this.o.repo.addAgent(call.recording.id, agentId);
    if (d.record && (call.state === 'idle' || call.state === 'stopped')) {
      try {
        await this.start(call, 'policy', null);
      } catch (err) {
        this.o.logger.error({ err, callId: call.callId }, 'the recording this call requires did not start');
      }
    }
  }

  private async start(call: LiveCall, reason: 'policy' | 'on_demand', by: string | null): Promise<void> {
    const id = randomUUID();
    const capturePath = path.join(this.captureDir, `${id}.wav`);
    const startedAt = this.now();
    if (!this.captureDirReady) {
      await fs.promises.mkdir(this.captureDir, { recursive: true });
      this.captureDirReady = true;
    }
    // Stereo (left: what the caller says; right: what they hear); FreeSWITCH deletes recordings
    // shorter than RECORD_MIN_SEC (3 s by default): every call keeps its file. Sent while the row is written.
    const vars = this.command(
      uuidSetVarMulti(call.callerUuid, { RECORD_STEREO: 'true', RECORD_MIN_SEC: '0', ...(call.swapChannels ? { RECORD_STEREO_SWAP: 'true' } : {}) }),
    );
    vars.catch(() => undefined); // awaited below
    await this.o.repo.insert({
      id,
      organizationId: call.organizationId,
      callId: call.callId,
      agentId: call.agentIds[0] ?? null,
      agentIds: call.agentIds,
      queueId: call.queueId,
      routeId: call.routeId,
      direction: call.direction,
      callerNumber: call.callerNumber,
      calledNumber: call.calledNumber,
      startedAt: new Date(startedAt),
      storage: this.o.storage,
      capturePath,
      startReason: reason,
      startedBy: by,
    });
    const recording: ActiveRecording = { id, capturePath, queueId: call.queueId, startedAt, pauseEvents: [], stoppedBy: null };
    // Known before the command: FreeSWITCH may report RECORD_START before its reply reaches us.
    this.byCapture.set(capturePath, { call, recording });
    const failed = async (err: unknown): Promise<never> => {
      this.byCapture.delete(capturePath);
      const message = err instanceof Error ? err.message : String(err);
      await this.o.repo.markFailed(id, { attempts: 0, error: `recording did not start: ${message}`, nextAttemptAt: null });
      this.o.logger.error({ err, callId: call.callId, recordingId: id }, 'recording did not start');
      throw err;
    };
    await vars.catch(failed);
    try {
      await this.command(uuidRecord(call.callerUuid, 'start', capturePath));
    } catch (err) {
      if (err instanceof EslDisconnectedError || err instanceof EslTimeoutError) {
        // The command may have reached FreeSWITCH: the capture may be running. Keep the row as
        // recording; RECORD_STOP (to this or the next process) or the orphan sweep finalises it,
        // and a capture that never happened ends as failed ("no file"), listed by the nightly check.
        this.o.logger.warn({ err, callId: call.callId, recordingId: id }, 'no answer to uuid_record start: the recording may be running');
        call.recording = recording;
        call.state = 'recording';
        return;
      }
      await failed(err);
    }
    call.recording = recording;
    call.state = 'recording';
    this.o.logger.info({ callId: call.callId, recordingId: id, reason, by }, 'recording started');
  }

  private async stop(call: LiveCall, by: string | null): Promise<void> {
    const rec = call.recording;
    if (!rec) return;
    rec.stoppedBy = by;
    await this.command(uuidRecord(call.callerUuid, 'stop', rec.capturePath));
    call.state = 'stopped';
    // RECORD_STOP finalises it (with a fallback if it never comes).
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.byCapture.has(rec.capturePath)) void this.finish(call, rec, this.now(), 'no RECORD_STOP after stop');
    }, this.stopGraceMs);
    this.timers.add(timer);
  }

  private async mask(call: LiveCall, action: 'pause' | 'resume', by: string): Promise<void> {
    const rec = call.recording;
    if (!rec) return;
    const sent = this.now();
    await this.command(uuidRecord(call.callerUuid, action === 'pause' ? 'mask' : 'unmask', rec.capturePath));
    // FreeSWITCH switched somewhere between sending and its reply: the middle is the best estimate.
    const at = Math.round((sent + this.now()) / 2);
    rec.pauseEvents.push({ kind: action, at: new Date(at).toISOString(), by });
    call.state = action === 'pause' ? 'paused' : 'recording';
    await this.o.repo.setPauseEvents(rec.id, rec.pauseEvents);
  }

  private async command(cmd: string): Promise<void> {
    const reply = await this.o.switch.api(cmd);
    if (!reply.ok) throw new RecordingSwitchError(`${cmd.split(' ').slice(0, 3).join(' ')}: ${reply.body}`);
  }

  private async finish(call: LiveCall, rec: ActiveRecording, endedAt: number, note: string | null): Promise<void> {
    if (!this.byCapture.delete(rec.capturePath)) return;
    if (call.recording === rec) {
      call.recording = null;
      if (call.state !== 'stopped') call.state = 'stopped';
    }
    if (call.ended && call.recording === null) this.calls.delete(call.callId);
    if (note) this.o.logger.warn({ callId: call.callId, recordingId: rec.id }, note);
    try {
      await this.o.finaliser.finalise(rec.id, { startedAt: rec.startedAt, endedAt, pauseEvents: rec.pauseEvents, stoppedBy: rec.stoppedBy });
    } catch (err) {
      this.o.logger.error({ err, recordingId: rec.id }, 'finalising a recording failed; the retry job will take it up');
    }
  }
}
