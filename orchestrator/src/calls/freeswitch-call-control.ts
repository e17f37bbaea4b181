import type { Logger } from 'pino';
import type { EslClient } from '../esl/client.ts';
import { originateToAgent, uuidBridge, uuidKill, uuidTransfer } from '../esl/commands.ts';
import type { AgentOffer, CallControl, OfferOutcome, OverflowTarget } from '../acd/call-control.ts';

export class CallControlError extends Error {
  override readonly name = 'CallControlError';
}

/** Dialplan extensions (context `cc_announcements` in dialplans/) that play an announcement and hang up. */
const ANNOUNCEMENT_EXTENSION: Record<OverflowTarget, string> = {
  queue_overflow: 'cc_queue_overflow',
  not_in_service: 'cc_not_in_service',
};

/** The ACD's CallControl port implemented with FreeSWITCH API commands over the Event Socket. */
export class FreeswitchCallControl implements CallControl {
  constructor(
    private readonly esl: EslClient,
    private readonly sipDomain: string,
    private readonly logger: Logger,
  ) {}

  async offer(offer: AgentOffer): Promise<OfferOutcome> {
    const command = originateToAgent({ ...offer, sipDomain: this.sipDomain });
    const reply = await this.esl.bgapi(command, (offer.ringTimeoutSec + 15) * 1000);
    if (reply.ok) return { kind: 'answered' };
    const cause = reply.body.replace(/^-ERR\s*/, '').split(/\s/)[0] || 'UNKNOWN';
    return { kind: 'failed', cause };
  }

  async bridge(callerUuid: string, agentLegUuid: string): Promise<void> {
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

  async overflow(callerUuid: string, target: OverflowTarget): Promise<void> {
    const reply = await this.esl.api(uuidTransfer(callerUuid, ANNOUNCEMENT_EXTENSION[target], 'cc_announcements'));
    if (!reply.ok) throw new CallControlError(`uuid_transfer failed: ${reply.body}`);
  }
}
