import type { Sql } from '../../db/client.ts';

/** The admin's IVR switches as run variables: name → 'true' | 'false' (e.g. an outage notice's enabledVar). */
export async function ivrSwitchVariables(sql: Sql, organizationId: string): Promise<Record<string, string>> {
  const rows = await sql<{ name: string; enabled: boolean }[]>`select name, enabled from ivr_switches where organization_id = ${organizationId}`;
  return Object.fromEntries(rows.map((r) => [r.name, r.enabled ? 'true' : 'false']));
}
