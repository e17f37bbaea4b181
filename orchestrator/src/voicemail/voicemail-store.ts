import type { Sql } from '../db/client.ts';

export interface Voicemail {
  id: string;
  mailbox: string;
  callUuid: string;
  callerNumber: string;
  durationMs: number | null;
  variables: Record<string, string>;
  status: 'new' | 'heard' | 'archived';
  createdAt: string;
  heardAt: string | null;
  notifiedAt: string | null;
  notifyError: string | null;
}

export interface VoicemailBox {
  mailbox: string;
  description: string;
  webhookUrl: string | null;
  email: string | null;
}

export interface NewVoicemail {
  organizationId: string;
  mailbox: string;
  callUuid: string;
  callerNumber: string;
  filePath: string;
  durationMs: number | null;
  variables: Record<string, string>;
}

interface Row {
  id: string;
  mailbox: string;
  call_uuid: string;
  caller_number: string;
  duration_ms: number | null;
  variables: Record<string, string>;
  status: Voicemail['status'];
  created_at: Date;
  heard_at: Date | null;
  notified_at: Date | null;
  notify_error: string | null;
}

const toVoicemail = (r: Row): Voicemail => ({
  id: r.id,
  mailbox: r.mailbox,
  callUuid: r.call_uuid,
  callerNumber: r.caller_number,
  durationMs: r.duration_ms,
  variables: r.variables,
  status: r.status,
  createdAt: r.created_at.toISOString(),
  heardAt: r.heard_at?.toISOString() ?? null,
  notifiedAt: r.notified_at?.toISOString() ?? null,
  notifyError: r.notify_error,
});

interface BoxRow {
  mailbox: string;
  description: string;
  webhook_url: string | null;
  email: string | null;
}

const toBox = (r: BoxRow): VoicemailBox => ({ mailbox: r.mailbox, description: r.description, webhookUrl: r.webhook_url, email: r.email });

/** Voicemail messages and boxes in Postgres (the audio stays where FreeSWITCH recorded it). */
export class VoicemailStore {
  constructor(private readonly sql: Sql) {}

  /** Stores a message once per call; returns it, or null when this call's message is already stored. */
  async add(m: NewVoicemail): Promise<Voicemail | null> {
    const [row] = await this.sql<Row[]>`
      insert into voicemails (organization_id, mailbox, call_uuid, caller_number, file_path, duration_ms, variables)
      values (${m.organizationId}, ${m.mailbox}, ${m.callUuid}, ${m.callerNumber}, ${m.filePath}, ${m.durationMs}, ${this.sql.json(m.variables)})
      on conflict (call_uuid) do nothing
      returning *`;
    return row ? toVoicemail(row) : null;
  }

  async list(organizationId: string, f: { mailbox?: string | undefined; status?: Voicemail['status'] | undefined; limit: number }): Promise<Voicemail[]> {
    const rows = await this.sql<Row[]>`
      select * from voicemails where organization_id = ${organizationId}
        ${f.mailbox ? this.sql`and mailbox = ${f.mailbox}` : this.sql``}
        ${f.status ? this.sql`and status = ${f.status}` : this.sql``}
      order by created_at desc limit ${f.limit}`;
    return rows.map(toVoicemail);
  }

  async file(organizationId: string, id: string): Promise<{ path: string; mailbox: string } | null> {
    const [row] = await this.sql<{ file_path: string; mailbox: string }[]>`select file_path, mailbox from voicemails where id = ${id} and organization_id = ${organizationId}`;
    return row ? { path: row.file_path, mailbox: row.mailbox } : null;
  }

  async setStatus(organizationId: string, id: string, status: Voicemail['status'], userId: string): Promise<boolean> {
    const rows = await this.sql`update voicemails set status = ${status},
        heard_by = case when ${status} = 'heard' then ${userId}::uuid else heard_by end,
        heard_at = case when ${status} = 'heard' then now() else heard_at end
      where id = ${id} and organization_id = ${organizationId} returning id`;
    return rows.length > 0;
  }

  async notified(id: string, error: string | null): Promise<void> {
    await this.sql`update voicemails set notified_at = ${error ? null : new Date()}, notify_error = ${error} where id = ${id}`;
  }

  async box(organizationId: string, mailbox: string): Promise<VoicemailBox | null> {
    const [row] = await this.sql<BoxRow[]>`
      select mailbox, description, webhook_url, email from voicemail_boxes where organization_id = ${organizationId} and mailbox = ${mailbox}`;
    return row ? toBox(row) : null;
  }

  async boxes(organizationId: string): Promise<VoicemailBox[]> {
    const rows = await this.sql<BoxRow[]>`
      select mailbox, description, webhook_url, email from voicemail_boxes where organization_id = ${organizationId} order by mailbox`;
    return rows.map(toBox);
  }

  async saveBox(organizationId: string, b: VoicemailBox): Promise<VoicemailBox | null> {
    const before = await this.box(organizationId, b.mailbox);
    await this.sql`insert into voicemail_boxes (organization_id, mailbox, description, webhook_url, email)
                   values (${organizationId}, ${b.mailbox}, ${b.description}, ${b.webhookUrl}, ${b.email})
                   on conflict (organization_id, mailbox) do update set description = excluded.description, webhook_url = excluded.webhook_url, email = excluded.email`;
    return before;
  }

  async deleteBox(organizationId: string, mailbox: string): Promise<VoicemailBox | null> {
    const before = await this.box(organizationId, mailbox);
    await this.sql`delete from voicemail_boxes where organization_id = ${organizationId} and mailbox = ${mailbox}`;
    return before;
  }
}
