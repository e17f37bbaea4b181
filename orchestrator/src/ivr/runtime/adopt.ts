import type { Logger } from 'pino';
import type { EslClient } from '../../esl/client.ts';
import type { ChannelRow } from '../../esl/channels.ts';
import { UUID_RE, uuidBreak, uuidKill } from '../../esl/commands.ts';
import { channelVariable } from '../../calls/resync.ts';
import type { IvrRuntime } from './ivr-runtime.ts';


/**
 * After the orchestrator (re)connects, with the channels the resync just listed:
 * callers parked in an IVR flow whose run this process does not know (it
 * restarted) start their flow again from the beginning, on the version published
 * now. A caller who was past the agent (waiting for the after-call survey) is released.
 */
export async function adoptParkedIvrCallers(esl: EslClient, channels: readonly ChannelRow[], ivr: IvrRuntime, logger: Logger): Promise<number> {
  const get = async (uuid: string, name: string) => (await channelVariable(esl, uuid, name)) ?? '';
  let adopted = 0;
  for (const ch of channels) {
    if (ch.direction !== 'inbound' || ch.application !== 'park' || ivr.isRunning(ch.uuid)) continue;
    if ((await get(ch.uuid, 'cc_ivr')) !== 'true' || (await get(ch.uuid, 'cc_entered')) === 'true') continue;
    if ((await get(ch.uuid, 'cc_after_call')) === 'true') {
      await esl.api(uuidKill(ch.uuid, 'NORMAL_CLEARING'));
      continue;
    }
    const flowId = await get(ch.uuid, 'cc_ivr_flow_id');
    if (!UUID_RE.test(flowId)) continue;
    // What the previous process started (a prompt, a key collection) would swallow the caller's keys.
    await esl.api(uuidBreak(ch.uuid));
    ivr.handle({ kind: 'ivr_entered', uuid: ch.uuid, flowId: flowId.toLowerCase(), dialedNumber: (await get(ch.uuid, 'cc_did')) || ch.destination, callerNumber: ch.callerNumber, callerName: '', at: Date.now() });
    adopted++;
  }
  if (adopted > 0) logger.info({ adopted }, 'callers parked in IVR flows restarted their flow');
  return adopted;
}
