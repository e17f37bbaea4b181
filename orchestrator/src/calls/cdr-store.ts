import type { Sql } from '../db/client.ts';
import type { CdrRow } from './cdr.ts';
import type { CdrStore } from './cdr-writer.ts';
import type { CallRecord } from './cdr.ts';

export class PostgresCdrStore implements CdrStore {
  constructor(private readonly sql: Sql) {}

  async save(r: CdrRow): Promise<void> {
    await this.sql`
      insert into cdrs (id, organization_id, caller_uuid, agent_leg_uuid, caller_number, called_number, queue_id, agent_id,
                        enqueued_at, answered_at, ended_at, wait_seconds, talk_seconds, hangup_cause, priority, outcome)
      values (${r.callId}, ${r.organizationId}, ${r.callerUuid}, ${r.agentLegUuid}, ${r.callerNumber}, ${r.calledNumber},
              ${r.queueId}, ${r.agentId}, ${r.enqueuedAt}, ${r.answeredAt}, ${r.endedAt}, ${r.waitSeconds}, ${r.talkSeconds},
              ${r.hangupCause}, ${r.priority}, ${r.outcome})
      on conflict (id) do update set
        agent_leg_uuid = excluded.agent_leg_uuid, agent_id = excluded.agent_id, answered_at = excluded.answered_at,
        ended_at = excluded.ended_at, wait_seconds = excluded.wait_seconds, talk_seconds = excluded.talk_seconds,
        hangup_cause = excluded.hangup_cause, outcome = excluded.outcome, queue_id = excluded.queue_id, priority = excluded.priority
      where cdrs.outcome = 'live'`;
  }

  /** Calls whose CDR is still live: they were in progress when the orchestrator last stopped. */
  async liveCalls(): Promise<CallRecord[]> {
    const rows = await this.sql<
      {
        id: string;
        organization_id: string;
        caller_uuid: string;
        agent_leg_uuid: string | null;
        caller_number: string;
        called_number: string;
        queue_id: string | null;
        agent_id: string | null;
        enqueued_at: Date;
        answered_at: Date | null;
        priority: number;
      }[]
    >`select * from cdrs where outcome = 'live'`;
    return rows.map((r) => ({
      callId: r.id,
      organizationId: r.organization_id,
      callerUuid: r.caller_uuid,
      callerNumber: r.caller_number,
      callerName: '',
      calledNumber: r.called_number,
      queueId: r.queue_id,
      agentId: r.agent_id,
      agentLegUuid: r.agent_leg_uuid,
      enqueuedAt: r.enqueued_at.getTime(),
      priority: r.priority,
      requiredSkills: [],
      language: null,
      ivrData: {},
      afterCall: false,
      answeredAt: r.answered_at?.getTime() ?? null,
      agentLeftAt: null,
      endedAt: null,
      hangupCause: null,
      disposal: null,
    }));
  }
}
