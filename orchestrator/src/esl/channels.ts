import { z } from 'zod';

/** One row of `show channels as json`, reduced to what the orchestrator uses. */
export interface ChannelRow {
  uuid: string;
  direction: string;
  createdEpoch: number;
  callerNumber: string;
  destination: string;
  application: string;
  callState: string;
}

const rowSchema = z
  .object({
    uuid: z.string(),
    direction: z.string().default(''),
    created_epoch: z.string().default('0'),
    cid_num: z.string().default(''),
    dest: z.string().default(''),
    application: z.string().default(''),
    callstate: z.string().default(''),
  })
  .passthrough();

const listSchema = z.object({ row_count: z.number(), rows: z.array(rowSchema).optional() });

export class ChannelListParseError extends Error {
  override readonly name = 'ChannelListParseError';
}

/**
 * Parses the reply to `show channels as json`. FreeSWITCH answers
 * `{"row_count":0}` when there are no channels and omits `rows`.
 */
export function parseChannelList(body: string): ChannelRow[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ChannelListParseError(`not JSON: ${body.slice(0, 80)}`);
  }
  const parsed = listSchema.safeParse(json);
  if (!parsed.success) throw new ChannelListParseError(parsed.error.issues.map((i) => i.message).join('; '));
  return (parsed.data.rows ?? []).map((r) => ({
    uuid: r.uuid,
    direction: r.direction,
    createdEpoch: Number(r.created_epoch) || 0,
    callerNumber: r.cid_num,
    destination: r.dest,
    application: r.application,
    callState: r.callstate,
  }));
}
