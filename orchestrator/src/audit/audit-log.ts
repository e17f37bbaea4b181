import type { Sql } from '../db/client.ts';

export interface AuditEntry {
  organizationId: string;
  actorUserId: string | null;
  action: string;
  target: string | null;
  details?: object;
}

export async function audit(sql: Sql, e: AuditEntry): Promise<void> {
  await sql`insert into audit_log (organization_id, actor_user_id, action, target, details)
            values (${e.organizationId}, ${e.actorUserId}, ${e.action}, ${e.target}, ${sql.json((e.details ?? {}) as never)})`;
}
