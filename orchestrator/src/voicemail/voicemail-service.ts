import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import nodemailer, { type Transporter } from 'nodemailer';
import type { VoicemailLeft } from '../calls/signals.ts';
import { readWavInfo } from '../media/wav.ts';
import type { Voicemail, VoicemailBox, VoicemailStore } from './voicemail-store.ts';

export interface VoicemailNotifierOptions {
  /** smtp://user:pass@host:port — email notifications are off without it. */
  smtpUrl?: string | undefined;
  mailFrom: string;
  /** Attempts per notification (webhook and email each), with 1 s, 4 s, 16 s … between them. */
  attempts?: number;
  retryBaseMs?: number;
}

/** What a box's webhook receives (JSON POST) for a new message. */
export interface VoicemailWebhookPayload {
  event: 'voicemail.new';
  id: string;
  mailbox: string;
  callerNumber: string;
  durationMs: number | null;
  createdAt: string;
  variables: Record<string, string>;
}

/**
 * Registers the voicemail a channel left when it ends (IVR voicemail node or the
 * ACD's voicemail diversion: both set cc_voicemail_box/_file), and notifies the
 * box's webhook and email. A failed notification is retried, then stored on
 * the message (notify_error) and logged: the message itself is never lost.
 */
export class VoicemailService {
  private readonly mail: Transporter | null;
  private readonly attempts: number;
  private readonly retryBaseMs: number;

  constructor(
    private readonly store: VoicemailStore,
    private readonly defaultOrganizationId: string,
    private readonly options: VoicemailNotifierOptions,
    private readonly logger: Logger,
    /** Where the orchestrator sees FreeSWITCH's voicemail folder (the path in the event may be the container's). */
    private readonly localPath: (file: string) => string = (f) => f,
  ) {
    this.mail = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : null;
    this.attempts = options.attempts ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
  }

  async channelEnded(callUuid: string, left: VoicemailLeft): Promise<Voicemail | null> {
    const file = this.localPath(left.file);
    if (!fs.existsSync(file)) {
      // The caller hung up before the beep: nothing was recorded.
      this.logger.info({ callUuid, mailbox: left.mailbox }, 'no voicemail recorded');
      return null;
    }
    const organizationId = left.organizationId ?? this.defaultOrganizationId;
    const message = await this.store.add({
      organizationId,
      mailbox: left.mailbox,
      callUuid,
      callerNumber: left.callerNumber,
      filePath: file,
      durationMs: left.recordMs ?? (await wavDurationMs(file)),
      variables: left.data,
    });
    if (!message) return null;
    this.logger.info({ id: message.id, mailbox: message.mailbox, durationMs: message.durationMs }, 'voicemail stored');
    const box = await this.store.box(organizationId, left.mailbox);
    if (box && (box.webhookUrl || (box.email && this.mail))) void this.notify(message, box);
    return message;
  }

  /** Sends the notifications of one message; records the outcome on it. */
  async notify(message: Voicemail, box: VoicemailBox): Promise<void> {
    const errors: string[] = [];
    if (box.webhookUrl) {
      const payload: VoicemailWebhookPayload = {
        event: 'voicemail.new', id: message.id, mailbox: message.mailbox, callerNumber: message.callerNumber,
        durationMs: message.durationMs, createdAt: message.createdAt, variables: message.variables,
      };
      const url = box.webhookUrl;
      await this.retry(`webhook ${url}`, async () => {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), signal: AbortSignal.timeout(5000) });
        if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      }).catch((err: Error) => errors.push(err.message));
    }
    if (box.email && this.mail) {
      const mail = this.mail;
      const to = box.email;
      await this.retry(`email ${to}`, async () => {
        await mail.sendMail({
          from: this.options.mailFrom,
          to,
          subject: `New voicemail in ${message.mailbox} from ${message.callerNumber || 'unknown'} / 新语音留言`,
          text: `Mailbox: ${message.mailbox}\nCaller: ${message.callerNumber}\nDuration: ${message.durationMs === null ? '?' : Math.round(message.durationMs / 1000)} s\nReceived: ${message.createdAt}\n`,
        });
      }).catch((err: Error) => errors.push(err.message));
    }
    const error = errors.length > 0 ? errors.join('; ').slice(0, 500) : null;
    if (error) this.logger.error({ id: message.id, error }, 'voicemail notification failed');
    await this.store.notified(message.id, error).catch((err: unknown) => this.logger.error({ err }, 'voicemail notification outcome not stored'));
  }

  private async retry(what: string, attempt: () => Promise<void>): Promise<void> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (i >= this.attempts) throw new Error(`${what}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, this.retryBaseMs * 4 ** (i - 1)));
      }
    }
  }
}

/** Duration of a WAV file from its header, or null when it is not a readable WAV. */
export async function wavDurationMs(file: string): Promise<number | null> {
  try {
    return (await readWavInfo(file)).durationMs;
  } catch {
    return null;
  }
}

/**
 * FreeSWITCH's `record` does not create folders: a mailbox's folder must exist
 * before a message is recorded into it (the folder is shared with FreeSWITCH).
 */
export function ensureMailboxFolder(voicemailDir: string, mailbox: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(mailbox)) throw new Error(`bad mailbox ${mailbox}`);
  const folder = path.join(voicemailDir, mailbox);
  fs.mkdirSync(folder, { recursive: true });
  return folder;
}

/** The file a call's message is recorded into (its folder created). */
export function mailboxFile(voicemailDir: string, mailbox: string, callUuid: string): string {
  return path.join(ensureMailboxFolder(voicemailDir, mailbox), `${callUuid}.wav`);
}
