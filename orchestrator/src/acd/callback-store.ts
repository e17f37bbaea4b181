import type { Logger } from 'pino';
import type { Sql } from '../db/client.ts';
import type { QueuedCallInfo } from './acd.ts';

/** Callbacks in queue, kept in Postgres so that a restart does not lose a customer's place. */
export class CallbackStore {
  constructor(
    private readonly sql: Sql,
    private readonly logger: Logger,
  ) {}

  async add(organizationId: string, originCallId: string, c: QueuedCallInfo): Promise<void> {
    await this.sql`insert into callbacks (id, organization_id, queue_id, origin_call_id, number, priority, enqueued_at)
                   values (${c.callId}, ${organizationId}, ${c.queueId}, ${originCallId}, ${c.callbackNumber!}, ${c.priority}, ${new Date(c.enqueuedAt)})`;
  }

  /** dialing: an agent answered and the customer is being called; done/failed: the callback call ended. */
  mark(id: string, status: 'dialing' | 'done' | 'failed', agentId: string | null = null): void {
    this.sql`update callbacks set status = ${status}, agent_id = coalesce(${agentId}, agent_id), updated_at = now() where id = ${id}`.catch((err: unknown) =>
      this.logger.error({ err, id, status }, 'callback status not saved'),
    );
  }

  async waiting(): Promise<QueuedCallInfo[]> {
    const rows = await this.sql<{ id: string; queue_id: string; number: string; priority: number; enqueued_at: Date }[]>`
      select * from callbacks where status = 'waiting' order by enqueued_at`;
    return rows.map((r) => ({
      callId: r.id, callerUuid: '', queueId: r.queue_id, callerNumber: r.number, callerName: '', enqueuedAt: r.enqueued_at.getTime(),
      priority: r.priority, requiredSkills: [], preferredAgentId: null, callbackNumber: r.number,
    }));
  }
}
