import type { Diversion } from './overflow.ts';

/** What the ACD needs from the switch. The FreeSWITCH adapter lives in calls/freeswitch-call-control.ts. */
export interface AgentOffer {
  callId: string;
  callerUuid: string;
  agentLegUuid: string;
  extension: string;
  callerNumber: string;
  callerName: string;
  queueName: string;
  ringTimeoutSec: number;
}

export type OfferOutcome = { kind: 'answered' } | { kind: 'failed'; cause: string };

/** A diversion the switch carries out (moving to another queue stays inside the ACD). */
export type SwitchDiversion = Exclude<Diversion, { kind: 'queue' }>;

export interface CallControl {
  /** Rings the agent; resolves when the agent answers or the offer fails (no answer, not registered, ...). */
  offer(offer: AgentOffer): Promise<OfferOutcome>;
  /** Connects the waiting caller to the answered agent leg. */
  bridge(callerUuid: string, agentLegUuid: string): Promise<void>;
  /** Hangs a channel up; a channel that no longer exists is not an error. */
  hangup(uuid: string, cause: string): Promise<void>;
  /** Sends a caller to an announcement, voicemail or an external number. */
  divert(callerUuid: string, diversion: SwitchDiversion): Promise<void>;
  /** Connects an answered agent leg to an outside number (a callback), through the outbound gateway. */
  dialOut(agentLegUuid: string, number: string): Promise<void>;
  /** Plays a prompt file to a waiting caller; the hold music continues afterwards. */
  announce(callerUuid: string, file: string): Promise<void>;
}
