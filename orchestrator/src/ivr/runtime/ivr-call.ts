import type { Logger } from 'pino';
import {
  loggable,
  resume,
  start,
  type CollectEffect,
  type Effect,
  type EnqueueEffect,
  type Flow,
  type HttpRequest,
  type Input,
  type LogEffect,
  type RunState,
  type Step,
  type TransferEffect,
  type VoicemailEffect,
} from '../index.ts';
import { CallGoneError, type AppResult, type IvrSwitch } from './ivr-switch.ts';
import type { PromptSource } from './prompt-source.ts';
import type { RunMeta } from '../store/run-store.ts';
import { BEEP_TONE, bargeInPlayArgs, collectArgs, joinPlayables, recordArgs } from './switch-args.ts';

/** What the run reports for storage (statistics, the run row, the survey score, voicemail). */
export interface RunListener {
  effects(call: IvrCallInfo, logs: readonly LogEffect[], state: RunState): void;
  ended(call: IvrCallInfo, state: RunState): void;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface IvrCallDeps {
  sw: IvrSwitch;
  prompts: PromptSource;
  /** Carries out an http node's request; rejects on network errors and its timeout. */
  http(request: HttpRequest): Promise<HttpAnswer>;
  listener: RunListener;
  /** Where a voicemail of this mailbox and call is recorded (a path FreeSWITCH writes). */
  voicemailFile(mailbox: string, callUuid: string): string;
  clock(): number;
  logger: Logger;
}

/** What identifies one call's run (the same facts the run store keeps). */
export type IvrCallInfo = RunMeta;

/** Longest a prompt may play before the runtime interrupts it. */
const PROMPT_LIMIT_MS = 180_000;
/** The dialplan context callers wait for agents in (dialplans/cc_inbound.xml). */
const QUEUE_CONTEXT = 'cc_inbound';
const DIVERSIONS_CONTEXT = 'cc_diversions';
const AGENTS_CONTEXT = 'default';

interface Play {
  playable: string;
  bargeIn: boolean;
}

/**
 * One caller's run through a flow: feeds the interpreter (../engine.ts) with
 * what happened on the channel and carries out its effects on the switch. It
 * knows one call only; a failure here ends this call's run and nothing else.
 */
export class IvrCall {
  private state: RunState | null = null;
  private gone = false;
  private bridgeEnded: (() => void) | null = null;

  constructor(
    readonly info: IvrCallInfo,
    private readonly flow: Flow,
    private readonly deps: IvrCallDeps,
    private readonly startVariables: Record<string, string>,
  ) {}

  get finished(): boolean {
    return this.gone || this.state?.finished != null;
  }

  /** Runs the flow until it ends, hands the caller off for good, or the caller hangs up. */
  async run(): Promise<void> {
    let step: Step = start(this.flow, { callerNumber: this.info.callerNumber, now: this.deps.clock(), variables: this.startVariables });
    for (;;) {
      this.accept(step);
      if (this.gone) return;
      let input: Input | null;
      try {
        input = await this.perform(step);
      } catch (err) {
        if (err instanceof CallGoneError || this.gone) return;
        this.deps.logger.error({ err, uuid: this.info.uuid, node: this.state?.node }, 'IVR step failed; ending this call');
        await this.deps.sw.hangup(this.info.uuid, 'NORMAL_TEMPORARY_FAILURE').catch(() => undefined);
        return;
      }
      if (input === null || this.gone || !this.state) return;
      step = resume(this.flow, this.state, { ...input, now: this.deps.clock() });
    }
  }

  /** The caller hung up: the run ends at once (statistics count a hang-up at the current node). */
  hungUp(): void {
    if (this.gone) return;
    this.gone = true;
    if (this.state && !this.state.finished) this.accept(resume(this.flow, this.state, { kind: 'hangup', now: this.deps.clock() }), true);
    this.bridgeEnded?.();
  }

  /**
   * The orchestrator stops: the run ends here without an outcome (the caller stays
   * parked in FreeSWITCH and starts the flow again with the next orchestrator).
   */
  detach(): void {
    this.gone = true;
    this.bridgeEnded?.();
  }

  /** The agent (or transfer target) hung up and the caller stayed: the flow goes on (afterCall). */
  agentLeft(): void {
    this.bridgeEnded?.();
  }

  private accept(step: Step, final = false): void {
    this.state = step.state;
    const logs = step.effects.filter((e): e is LogEffect => e.kind === 'log');
    if (logs.length > 0) this.deps.listener.effects(this.info, logs, step.state);
    for (const e of step.effects) if (e.kind !== 'log') this.deps.logger.debug({ uuid: this.info.uuid, effect: loggable(e) }, 'ivr effect');
    if (step.state.finished && (final || !this.gone)) this.deps.listener.ended(this.info, step.state);
  }

  /** Carries out a step's effects; returns what to resume with, or null when the run is over. */
  private async perform(step: Step): Promise<Input | null> {
    const plays: Play[] = [];
    for (const effect of step.effects) {
      switch (effect.kind) {
        case 'log':
          break;
        case 'play':
          plays.push({ playable: await this.deps.prompts.playable(effect.prompt), bargeIn: effect.bargeIn });
          break;
        case 'say':
          plays.push({ playable: await this.deps.prompts.playable({ type: 'tts', text: effect.text, language: effect.language }), bargeIn: true });
          break;
        case 'collect':
          return this.collect(plays.splice(0), effect);
        case 'http':
          await this.play(plays.splice(0));
          return this.request(effect.request);
        case 'enqueue':
          await this.play(plays.splice(0));
          await this.enqueue(effect, step.state);
          break;
        case 'transfer':
          await this.play(plays.splice(0));
          await this.transfer(effect);
          break;
        case 'voicemail':
          await this.play(plays.splice(0));
          await this.voicemail(effect);
          break;
        case 'hangup':
          await this.play(plays.splice(0));
          await this.deps.sw.hangup(this.info.uuid, effect.cause);
          break;
        default:
          assertNever(effect);
      }
    }
    const awaiting = step.state.finished ? null : step.state.awaiting;
    if (awaiting === 'prompt_done') {
      const keys = await this.play(plays.splice(0));
      return keys ? { kind: 'digits', digits: keys } : { kind: 'prompt_done' };
    }
    if (awaiting === 'bridge_ended') {
      await new Promise<void>((resolve) => (this.bridgeEnded = resolve));
      this.bridgeEnded = null;
      if (this.gone) return null;
      // The queue's key binding (the callback key, dialplans/cc_inbound.xml) would swallow the caller's keys.
      await this.deps.sw.run(this.info.uuid, 'clear_digit_action', 'all', 5000);
      return { kind: 'bridge_ended' };
    }
    if (awaiting !== null) throw new Error(`step awaits ${awaiting} without asking for it`);
    await this.play(plays);
    // A voicemail that ends the flow: the message is recorded, the call is over.
    if (step.state.finished?.outcome === 'voicemail') await this.deps.sw.hangup(this.info.uuid, 'NORMAL_CLEARING');
    return null;
  }

  /** Plays prompts in order; barge-in ones stop at a key. Returns the key that stopped them, if any. */
  private async play(plays: Play[]): Promise<string> {
    let i = 0;
    while (i < plays.length) {
      const bargeIn = plays[i]!.bargeIn;
      const group: string[] = [];
      while (i < plays.length && plays[i]!.bargeIn === bargeIn) group.push(plays[i++]!.playable);
      if (!bargeIn) {
        await this.deps.sw.run(this.info.uuid, 'playback', joinPlayables(group), PROMPT_LIMIT_MS);
        continue;
      }
      const r = await this.deps.sw.run(this.info.uuid, 'play_and_get_digits', bargeInPlayArgs(group), PROMPT_LIMIT_MS);
      if (r.digits) return r.digits;
    }
    return '';
  }

  private async collect(plays: Play[], c: CollectEffect): Promise<Input> {
    // Prompts a key may not interrupt play first; the rest belong to play_and_get_digits.
    const firstBargeIn = plays.findIndex((p) => p.bargeIn);
    const leading = firstBargeIn === -1 ? plays : plays.slice(0, firstBargeIn);
    const rest = firstBargeIn === -1 ? [] : plays.slice(firstBargeIn);
    await this.play(leading.map((p) => ({ ...p, bargeIn: false })));
    const limit = PROMPT_LIMIT_MS + c.timeoutSec * 1000 * (c.maxLength + 1);
    const r: AppResult = await this.deps.sw.run(this.info.uuid, 'play_and_get_digits', collectArgs(c, rest.map((p) => p.playable)), limit);
    if (r.timedOut || r.digits === '') return { kind: 'timeout' };
    return { kind: 'digits', digits: r.digits };
  }

  private async request(request: HttpRequest): Promise<Input> {
    try {
      const answer = await this.deps.http(request);
      return { kind: 'http', status: answer.status, body: answer.body };
    } catch (err) {
      return { kind: 'http_error', error: err instanceof Error ? err.message : String(err) };
    }
  }

  private async enqueue(e: EnqueueEffect, state: RunState): Promise<void> {
    const afterCall = !state.finished && state.awaiting === 'bridge_ended';
    await this.deps.sw.setVariables(this.info.uuid, {
      cc_queue_id: e.queueId,
      cc_priority: String(e.priority),
      cc_skills: e.skills.map((s) => `${s.skill}:${s.minLevel}`).join(','),
      cc_language: state.language,
      cc_ivr_data: JSON.stringify(this.screenPopData(e.variables)),
      cc_after_call: afterCall ? 'true' : 'false',
    });
    await this.deps.sw.transfer(this.info.uuid, /^\+?[0-9]{2,20}$/.test(this.info.did) ? this.info.did : '00', QUEUE_CONTEXT);
  }

  /**
   * What the agent's screen pop shows of the run: what the caller entered and the
   * flow computed, not what the runtime handed in unchanged (switches, the caller's
   * name) nor what the call card already shows (number, language).
   */
  private screenPopData(variables: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(variables)) {
      if (k === 'caller_number' || k === 'language' || this.startVariables[k] === v) continue;
      out[k] = v;
    }
    return out;
  }

  private async transfer(e: TransferEffect): Promise<void> {
    if (e.target.type === 'extension') return this.deps.sw.transfer(this.info.uuid, e.target.extension, AGENTS_CONTEXT);
    await this.deps.sw.setVariables(this.info.uuid, { cc_external_number: e.target.number, cc_ivr_data: JSON.stringify(e.variables) });
    await this.deps.sw.transfer(this.info.uuid, 'cc_external', DIVERSIONS_CONTEXT);
  }

  private async voicemail(e: VoicemailEffect): Promise<void> {
    const file = this.deps.voicemailFile(e.mailbox, this.info.uuid);
    // The message is registered when the channel ends (the hangup event carries these variables: ../../voicemail/).
    await this.deps.sw.setVariables(this.info.uuid, {
      cc_voicemail_box: e.mailbox,
      cc_voicemail_file: file,
      cc_organization_id: this.info.organizationId,
      cc_ivr_data: JSON.stringify(e.variables),
    });
    await this.deps.sw.run(this.info.uuid, 'playback', BEEP_TONE, PROMPT_LIMIT_MS);
    await this.deps.sw.run(this.info.uuid, 'record', recordArgs(file, e.maxSeconds), e.maxSeconds * 1000 + 10_000);
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled effect ${JSON.stringify(x as Effect)}`);
}
