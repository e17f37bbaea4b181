import type { Logger } from 'pino';
import type { EslClient } from '../esl/client.ts';
import { parseChannelList, type ChannelRow } from '../esl/channels.ts';
import { uuidGetVar } from '../esl/commands.ts';
import type { CallTracker } from './call-tracker.ts';
import { parseIvrData, parseLanguage, parsePriority, parseSkills } from './signals.ts';

/** The static dialplan context that holds callers waiting for the orchestrator (dialplans/cc_inbound.xml). */
export const INBOUND_CONTEXT = 'cc_inbound';

/** A channel variable (`uuid_getvar`), or null when the channel or the variable does not exist. */
export async function channelVariable(esl: EslClient, uuid: string, name: string): Promise<string | null> {
  const reply = await esl.api(uuidGetVar(uuid, name));
  return reply.ok && reply.body !== '_undef_' ? reply.body : null;
}

/**
 * After every (re)connection: asks FreeSWITCH which channels exist, ends the
 * tracked calls whose caller channel is gone (their CDR is finalised as lost
 * or ended), and adopts callers that entered while the orchestrator was away.
 */
export async function resyncWithSwitch(esl: EslClient, tracker: CallTracker, logger: Logger): Promise<{ channels: ChannelRow[]; adopted: number; ended: number }> {
  const known = new Set(tracker.liveCalls.map((c) => c.callId));
  const reply = await esl.api('show channels as json');
  const channels = parseChannelList(reply.body);
  const alive = new Set(channels.map((c) => c.uuid));
  const before = tracker.liveCalls.length;
  tracker.reconcile(alive, known, Date.now());
  const ended = before - tracker.liveCalls.length;
  let adopted = 0;
  for (const ch of channels) {
    // Callers still waiting in cc_inbound have cc_entered=true (bridged or diverted ones have false).
    if (tracker.call(ch.uuid) || ch.direction !== 'inbound') continue;
    const entered = await channelVariable(esl, ch.uuid, 'cc_entered');
    if (entered !== 'true') continue;
    const queueId = await channelVariable(esl, ch.uuid, 'cc_queue_id');
    const did = (await channelVariable(esl, ch.uuid, 'cc_did')) ?? ch.destination;
    const priority = parsePriority((await channelVariable(esl, ch.uuid, 'cc_priority')) ?? undefined);
    const requiredSkills = parseSkills((await channelVariable(esl, ch.uuid, 'cc_skills')) ?? undefined);
    const language = parseLanguage((await channelVariable(esl, ch.uuid, 'cc_language')) ?? undefined);
    const ivrData = parseIvrData((await channelVariable(esl, ch.uuid, 'cc_ivr_data')) ?? undefined);
    const afterCall = (await channelVariable(esl, ch.uuid, 'cc_after_call')) === 'true';
    tracker.handle({
      kind: 'caller_entered',
      uuid: ch.uuid,
      dialedNumber: did,
      queueId,
      callerNumber: ch.callerNumber,
      callerName: '',
      priority,
      requiredSkills,
      language,
      ivrData,
      afterCall,
      at: ch.createdEpoch > 0 ? ch.createdEpoch * 1000 : Date.now(),
    });
    adopted++;
  }
  logger.info({ channels: channels.length, adopted, ended }, 'resynchronised calls with FreeSWITCH');
  return { channels, adopted, ended };
}
