import type { Logger } from 'pino';
import type { EslClient } from '../esl/client.ts';
import { uuidBridge, uuidKill } from '../esl/commands.ts';
import { originateMonitor, originateTakeover, uuidRecvDtmf, type SupervisorLegCommand } from './commands.ts';
import { MODE_DIGIT } from './modes.ts';
import type { MonitorMode } from './protocol.ts';

export class SupervisionSwitchError extends Error {
  override readonly name = 'SupervisionSwitchError';
  constructor(
    message: string,
    /** FreeSWITCH's cause or reply (e.g. USER_NOT_REGISTERED, NO_ANSWER). */
    readonly switchCause: string,
  ) {
    super(message);
  }
}

/** The switch operations supervision needs (a port: tests and other switches may implement it). */
export interface SupervisionSwitch {
  /** Rings the supervisor and, once answered, eavesdrops on the agent leg in `mode`. */
  monitor(o: SupervisorLegCommand & { agentLegUuid: string; mode: MonitorMode }): Promise<void>;
  /** Switches a running eavesdrop to another mode on the same leg. */
  switchMode(legUuid: string, mode: MonitorMode): Promise<void>;
  /** Rings the supervisor for a takeover; resolves once the leg is answered and parked. */
  takeoverLeg(o: SupervisorLegCommand): Promise<void>;
  /** Bridges the customer to the supervisor's leg (which leaves its eavesdrop, if any). */
  bridge(customerUuid: string, supervisorLegUuid: string): Promise<void>;
  hangup(uuid: string, cause: string): Promise<void>;
}

function causeOf(body: string): string {
  return body.replace(/^-ERR\s*/, '').split(/\s/)[0] || 'UNKNOWN';
}

/** SupervisionSwitch over the Event Socket (thin: the commands are built in commands.ts). */
export class FreeswitchSupervision implements SupervisionSwitch {
  constructor(
    private readonly esl: EslClient,
    private readonly logger: Logger,
  ) {}

  async monitor(o: SupervisorLegCommand & { agentLegUuid: string; mode: MonitorMode }): Promise<void> {
    const reply = await this.esl.bgapi(originateMonitor(o), (o.ringTimeoutSec + 15) * 1000);
    if (!reply.ok) throw new SupervisionSwitchError(`the supervisor's leg was not connected: ${reply.body}`, causeOf(reply.body));
  }

  async switchMode(legUuid: string, mode: MonitorMode): Promise<void> {
    const reply = await this.esl.api(uuidRecvDtmf(legUuid, MODE_DIGIT[mode]));
    if (!reply.ok) throw new SupervisionSwitchError(`mode not switched: ${reply.body}`, causeOf(reply.body));
  }

  async takeoverLeg(o: SupervisorLegCommand): Promise<void> {
    const reply = await this.esl.bgapi(originateTakeover(o), (o.ringTimeoutSec + 15) * 1000);
    if (!reply.ok) throw new SupervisionSwitchError(`the supervisor's leg was not connected: ${reply.body}`, causeOf(reply.body));
  }

  async bridge(customerUuid: string, supervisorLegUuid: string): Promise<void> {
    const reply = await this.esl.api(uuidBridge(customerUuid, supervisorLegUuid));
    if (!reply.ok) throw new SupervisionSwitchError(`uuid_bridge failed: ${reply.body}`, causeOf(reply.body));
  }

  async hangup(uuid: string, cause: string): Promise<void> {
    const reply = await this.esl.api(uuidKill(uuid, cause));
    if (!reply.ok) {
      this.logger.debug({ uuid, reply: reply.body }, 'hangup: channel already gone');
      throw new SupervisionSwitchError(`uuid_kill failed: ${reply.body}`, causeOf(reply.body));
    }
  }
}
