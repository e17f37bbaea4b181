import type { Logger } from 'pino';
import type { EslClient } from '../esl/client.ts';
import { originateToAgent, uuidBridge, uuidBroadcast, uuidKill, uuidSetVar, uuidTransfer } from '../esl/commands.ts';
import type { AgentOffer, CallControl, OfferOutcome, SwitchDiversion } from '../acd/call-control.ts';

export class CallControlError extends Error {
  override readonly name = 'CallControlError';
}

/** The dialplan context (dialplans/cc_diversions.xml) whose extensions end a diverted call. */
export const DIVERSIONS_CONTEXT = 'cc_diversions';

/** The ACD's CallControl port implemented with FreeSWITCH API commands over the Event Socket. */
export class FreeswitchCallControl implements CallControl {
  constructor(
    private readonly esl: EslClient,
    private readonly sipDomain: string,
    private readonly logger: Logger,
    /** Makes sure a mailbox's folder exists before the dialplan records into it. */
    private readonly prepareMailbox: (mailbox: string) => void = () => undefined,
  ) {}

  async offer(offer: AgentOffer): Promise<OfferOutcome> {
    const command = originateToAgent({ ...offer, sipDomain: this.sipDomain });
    const reply = await this.esl.bgapi(command, (offer.ringTimeoutSec + 15) * 1000);
    if (reply.ok) return { kind: 'answered' };
    const cause = reply.body.replace(/^-ERR\s*/, '').split(/\s/)[0] || 'UNKNOWN';
    return { kind: 'failed', cause };
  }

  async bridge(callerUuid: string, agentLegUuid: string): Promise<void> {
    await this.setVar(callerUuid, 'cc_entered', 'false');
    const reply = await this.esl.api(uuidBridge(callerUuid, agentLegUuid));
    if (!reply.ok) throw new CallControlError(`uuid_bridge failed: ${reply.body}`);
  }

  async hangup(uuid: string, cause: string): Promise<void> {
    try {
      await this.esl.api(uuidKill(uuid, cause));
    } catch (err) {
      this.logger.debug({ err, uuid }, 'hangup not sent');
    }
  }

  async divert(callerUuid: string, d: SwitchDiversion): Promise<void> {
    if (d.kind === 'voicemail' && !/^[A-Za-z0-9_-]{1,64}$/.test(d.mailbox)) throw new CallControlError(`bad mailbox ${d.mailbox}`);
    if (d.kind === 'external' && !/^\+?[0-9]{3,20}$/.test(d.number)) throw new CallControlError(`bad external number ${d.number}`);
    if (d.kind === 'voicemail') {
      this.prepareMailbox(d.mailbox);
      await this.setVar(callerUuid, 'cc_voicemail_box', d.mailbox);
    }
    if (d.kind === 'external') await this.setVar(callerUuid, 'cc_external_number', d.number);
    const extension = d.kind === 'announcement' ? `cc_${d.name}` : d.kind === 'voicemail' ? 'cc_voicemail' : 'cc_external';
    const reply = await this.esl.api(uuidTransfer(callerUuid, extension, DIVERSIONS_CONTEXT));
    if (!reply.ok) throw new CallControlError(`uuid_transfer failed: ${reply.body}`);
  }

  async dialOut(agentLegUuid: string, number: string): Promise<void> {
    if (!/^\+?[0-9]{3,20}$/.test(number)) throw new CallControlError(`bad number ${number}`);
    await this.setVar(agentLegUuid, 'cc_external_number', number);
    const reply = await this.esl.api(uuidTransfer(agentLegUuid, 'cc_callback', DIVERSIONS_CONTEXT));
    if (!reply.ok) throw new CallControlError(`uuid_transfer failed: ${reply.body}`);
  }

  async announce(callerUuid: string, file: string): Promise<void> {
    const reply = await this.esl.api(uuidBroadcast(callerUuid, file));
    if (!reply.ok) throw new CallControlError(`uuid_broadcast failed: ${reply.body}`);
  }

  private async setVar(uuid: string, name: string, value: string): Promise<void> {
    const reply = await this.esl.api(uuidSetVar(uuid, name, value));
    if (!reply.ok) throw new CallControlError(`uuid_setvar failed: ${reply.body}`);
  }
}
