import { randomUUID } from 'node:crypto';
import type { EslClient } from '../../esl/client.ts';
import { uuidBreak, uuidKill, uuidSetVar, uuidTransfer } from '../../esl/commands.ts';
import type { CallSignal } from '../../calls/signals.ts';

/** What an application run on a channel ended with. */
export interface AppResult {
  response: string;
  digits: string;
  recordMs: number | null;
  /** The node's time limit passed first: the application was interrupted (uuid_break). */
  timedOut: boolean;
}

/** The channel is gone (hung up, or FreeSWITCH no longer knows it). */
export class CallGoneError extends Error {
  override readonly name = 'CallGoneError';
}

/** FreeSWITCH refused a command for a live call. */
export class IvrSwitchError extends Error {
  override readonly name = 'IvrSwitchError';
}

/** What one IVR call needs from the switch; the FreeSWITCH adapter is below, tests may use others. */
export interface IvrSwitch {
  /** Runs a dialplan application on the channel and resolves when it ends (or its time limit passes). */
  run(uuid: string, application: string, argument: string, limitMs: number): Promise<AppResult>;
  setVariables(uuid: string, vars: Record<string, string>): Promise<void>;
  transfer(uuid: string, extension: string, context: string): Promise<void>;
  hangup(uuid: string, cause: string): Promise<void>;
}

interface Waiting {
  channel: string;
  resolve: (r: AppResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Runs applications on parked channels over the inbound Event Socket:
 * `sendmsg <uuid>` with an Event-UUID, then the matching CHANNEL_EXECUTE_COMPLETE
 * (Application-UUID) ends the wait. Each wait has a time limit (the node's
 * timeout); a channel's hangup ends its waits with CallGoneError.
 */
export class FreeswitchIvrSwitch implements IvrSwitch {
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly esl: EslClient) {}

  /** Feed every call signal: completions end waits, hangups cancel them. */
  handle(signal: CallSignal): void {
    if (signal.kind === 'app_completed') {
      const w = this.waiting.get(signal.applicationUuid);
      if (!w || w.channel !== signal.uuid) return;
      this.finish(signal.applicationUuid, w);
      w.resolve({ response: signal.response, digits: signal.digits, recordMs: signal.recordMs, timedOut: false });
    } else if (signal.kind === 'channel_hangup') {
      this.cancelChannel(signal.uuid);
    }
  }

  /** Ends every wait of a channel (it hung up) or of all channels (the switch link is lost). */
  cancelChannel(uuid: string | null): void {
    for (const [id, w] of [...this.waiting]) {
      if (uuid !== null && w.channel !== uuid) continue;
      this.finish(id, w);
      w.reject(new CallGoneError(`channel ${w.channel} is gone`));
    }
  }

  get pending(): number {
    return this.waiting.size;
  }

  async run(uuid: string, application: string, argument: string, limitMs: number): Promise<AppResult> {
    const id = randomUUID();
    const done = new Promise<AppResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        const w = this.waiting.get(id);
        if (!w) return;
        this.finish(id, w);
        // Stop what the channel is playing or recording; the flow goes on as after a timeout.
        void this.esl.api(uuidBreak(uuid)).catch(() => undefined);
        resolve({ response: '', digits: '', recordMs: null, timedOut: true });
      }, limitMs);
      this.waiting.set(id, { channel: uuid, resolve, reject, timer });
    });
    let reply;
    try {
      reply = await this.esl.execute(uuid, application, argument, id);
    } catch (err) {
      this.drop(id);
      throw err;
    }
    if (!reply.ok) {
      this.drop(id);
      if (/invalid session|no such channel/i.test(reply.body)) throw new CallGoneError(reply.body);
      throw new IvrSwitchError(`${application}: ${reply.body}`);
    }
    return done;
  }

  async setVariables(uuid: string, vars: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(vars)) await this.api(uuidSetVar(uuid, name, value));
  }

  async transfer(uuid: string, extension: string, context: string): Promise<void> {
    await this.api(uuidTransfer(uuid, extension, context));
  }

  async hangup(uuid: string, cause: string): Promise<void> {
    await this.api(uuidKill(uuid, cause)).catch((err: unknown) => {
      if (!(err instanceof CallGoneError)) throw err;
    });
  }

  private async api(command: string): Promise<void> {
    const reply = await this.esl.api(command);
    if (reply.ok) return;
    if (/no such channel|invalid/i.test(reply.body)) throw new CallGoneError(reply.body);
    throw new IvrSwitchError(`${command.split(' ')[0]}: ${reply.body}`);
  }

  private drop(id: string): void {
    const w = this.waiting.get(id);
    if (w) this.finish(id, w);
  }

  private finish(id: string, w: Waiting): void {
    clearTimeout(w.timer);
    this.waiting.delete(id);
  }
}
