import type { Sql } from '../db/client.ts';
import type { SessionUser } from '../api/protocol.ts';
import type { RecordingActor } from './actor.ts';

/**
 * The session user as the recording rules see them (actor.ts). A supervisor's
 * team is the agents of the queues they are responsible for (supervisor_queues,
 * the same reach as the supervisor seat: supervision/rights.ts); a supervisor
 * with no queue assigned leads every agent of the organization.
 */
export async function loadRecordingActor(sql: Sql, user: SessionUser): Promise<RecordingActor> {
  const base = { userId: user.id, role: user.role, organizationId: user.organizationId, agentId: user.agentId };
  if (user.role !== 'supervisor') return { ...base, teamAgentIds: [] };
  const rows = await sql<{ id: string }[]>`
    select a.id from agents a
    where a.organization_id = ${user.organizationId}
      and (not exists (select 1 from supervisor_queues sq where sq.user_id = ${user.id})
           or exists (select 1 from queue_members m join supervisor_queues sq on sq.queue_id = m.queue_id
                      where sq.user_id = ${user.id} and m.agent_id = a.id))`;
  return { ...base, teamAgentIds: rows.map((r) => r.id).filter((id) => id !== user.agentId) };
}
