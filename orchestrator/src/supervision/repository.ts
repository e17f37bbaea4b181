import type { Sql } from '../db/client.ts';
import { newSipPassword, NotFoundError } from '../acd/repository.ts';
import { generateSessionToken, sessionIdOf } from '../auth/sessions.ts';
import type { SupervisorView, WallboardTokenView } from './protocol.ts';

/** Supervisors' extensions are taken from this range (the first one free of agents and supervisors). */
export const SUPERVISOR_EXTENSIONS = { first: 89000, last: 89999 } as const;

/** Wallboard tokens: "wb_" + 32 base32 characters; only their SHA-256 is stored. */
export const WALLBOARD_TOKEN_RE = /^wb_[a-z2-7]{32}$/;

export interface SupervisorSipAccount {
  extension: string;
  password: string;
  sipDomain: string;
}

/** Postgres storage of supervision: supervisors' SIP accounts and queues, wallboard tokens. */
export class SupervisionRepository {
  constructor(private readonly sql: Sql) {}

  /** The user's softphone account, created on first use with a free extension of SUPERVISOR_EXTENSIONS. */
  async ensureSipAccount(userId: string, organizationId: string): Promise<SupervisorSipAccount> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const [existing] = await this.sql<{ extension: string; sip_password: string; sip_domain: string }[]>`
        select s.extension, s.sip_password, o.sip_domain from supervisor_sip_accounts s join organizations o on o.id = s.organization_id
        where s.user_id = ${userId}`;
      if (existing) return { extension: existing.extension, password: existing.sip_password, sipDomain: existing.sip_domain };
      try {
        await this.sql`
          insert into supervisor_sip_accounts (user_id, organization_id, extension, sip_password)
          select ${userId}, ${organizationId}, n::text, ${newSipPassword()}
          from generate_series(${SUPERVISOR_EXTENSIONS.first}::int, ${SUPERVISOR_EXTENSIONS.last}::int) n
          where not exists (select 1 from agents a where a.organization_id = ${organizationId} and a.extension = n::text)
            and not exists (select 1 from supervisor_sip_accounts s where s.organization_id = ${organizationId} and s.extension = n::text)
          order by n limit 1
          on conflict (user_id) do nothing`;
      } catch (err) {
        // Two supervisors took the same free extension at once: try the next one.
        if ((err as { code?: string }).code !== '23505') throw err;
      }
    }
    throw new Error('no free supervisor extension');
  }

  /** For the FreeSWITCH directory: a supervisor's account by SIP domain and extension. */
  async sipAccount(sipDomain: string, extension: string): Promise<{ extension: string; password: string; displayName: string } | null> {
    const [row] = await this.sql<{ extension: string; sip_password: string; display_name: string }[]>`
      select s.extension, s.sip_password, u.display_name
      from supervisor_sip_accounts s join users u on u.id = s.user_id join organizations o on o.id = s.organization_id
      where o.sip_domain = ${sipDomain} and s.extension = ${extension} and not u.disabled and u.role in ('supervisor', 'admin')`;
    return row ? { extension: row.extension, password: row.sip_password, displayName: row.display_name } : null;
  }

  /** An agent's organization and queues (null for an unknown agent). */
  async agentMembership(agentId: string): Promise<{ organizationId: string; queueIds: string[] } | null> {
    const [row] = await this.sql<{ organization_id: string; queue_ids: string[] }[]>`
      select a.organization_id, coalesce(array_agg(m.queue_id) filter (where m.queue_id is not null), '{}') as queue_ids
      from agents a left join queue_members m on m.agent_id = a.id where a.id = ${agentId} group by a.id`;
    return row ? { organizationId: row.organization_id, queueIds: row.queue_ids } : null;
  }

  async supervisedQueueIds(userId: string): Promise<string[]> {
    const rows = await this.sql<{ queue_id: string }[]>`select queue_id from supervisor_queues where user_id = ${userId} order by queue_id`;
    return rows.map((r) => r.queue_id);
  }

  async listSupervisors(organizationId: string): Promise<SupervisorView[]> {
    const rows = await this.sql<{ id: string; login: string; display_name: string; role: 'supervisor' | 'admin'; queue_ids: string[] }[]>`
      select u.id, u.login, u.display_name, u.role,
             coalesce(array_agg(q.queue_id order by q.queue_id) filter (where q.queue_id is not null), '{}') as queue_ids
      from users u left join supervisor_queues q on q.user_id = u.id
      where u.organization_id = ${organizationId} and u.role in ('supervisor', 'admin') and not u.disabled
      group by u.id order by u.role desc, u.login`;
    return rows.map((r) => ({ userId: r.id, login: r.login, displayName: r.display_name, role: r.role, queueIds: r.queue_ids }));
  }

  /** Replaces the queues a supervisor is responsible for; the user and every queue must belong to the organization. */
  async setSupervisedQueues(organizationId: string, userId: string, queueIds: readonly string[]): Promise<void> {
    await this.sql.begin(async (tx) => {
      const [user] = await tx`select id from users where id = ${userId} and organization_id = ${organizationId} and role = 'supervisor' for update`;
      if (!user) throw new NotFoundError('supervisor not found');
      const ids = [...new Set(queueIds)];
      const found = await tx<{ id: string }[]>`select id from queues where organization_id = ${organizationId} and id = any(${tx.array(ids)}::uuid[])`;
      if (found.length !== ids.length) throw new NotFoundError('unknown queue');
      await tx`delete from supervisor_queues where user_id = ${userId}`;
      for (const q of ids) await tx`insert into supervisor_queues (user_id, queue_id) values (${userId}, ${q})`;
    });
  }

  // ---- wallboard tokens ----

  async createWallboardToken(organizationId: string, name: string, createdBy: string): Promise<{ token: string; view: WallboardTokenView }> {
    const token = `wb_${generateSessionToken()}`;
    const [row] = await this.sql<TokenRow[]>`
      insert into wallboard_tokens (token_hash, organization_id, name, created_by)
      values (${sessionIdOf(token)}, ${organizationId}, ${name}, ${createdBy})
      returning id, name, created_at, revoked_at, last_used_at, (select login from users where id = ${createdBy}) as created_by_login`;
    return { token, view: tokenView(row!) };
  }

  async listWallboardTokens(organizationId: string): Promise<WallboardTokenView[]> {
    const rows = await this.sql<TokenRow[]>`
      select t.id, t.name, t.created_at, t.revoked_at, t.last_used_at, u.login as created_by_login
      from wallboard_tokens t left join users u on u.id = t.created_by
      where t.organization_id = ${organizationId} order by t.created_at desc`;
    return rows.map(tokenView);
  }

  async revokeWallboardToken(organizationId: string, id: string): Promise<void> {
    const rows = await this.sql`
      update wallboard_tokens set revoked_at = coalesce(revoked_at, now())
      where id = ${id} and organization_id = ${organizationId} returning id`;
    if (rows.length === 0) throw new NotFoundError('wallboard token not found');
  }

  /** The organization a live (not revoked) wallboard token reads, or null. */
  async validateWallboardToken(token: string): Promise<{ tokenId: string; organizationId: string } | null> {
    if (!WALLBOARD_TOKEN_RE.test(token)) return null;
    const [row] = await this.sql<{ id: string; organization_id: string; last_used_at: Date | null }[]>`
      select id, organization_id, last_used_at from wallboard_tokens where token_hash = ${sessionIdOf(token)} and revoked_at is null`;
    if (!row) return null;
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
      await this.sql`update wallboard_tokens set last_used_at = now() where id = ${row.id}`;
    }
    return { tokenId: row.id, organizationId: row.organization_id };
  }

  /** Whether a wallboard token is still live (checked again while a wallboard socket stays open). */
  async wallboardTokenLive(tokenId: string): Promise<boolean> {
    const [row] = await this.sql`select 1 from wallboard_tokens where id = ${tokenId} and revoked_at is null`;
    return row !== undefined;
  }
}

interface TokenRow {
  id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_by_login: string | null;
}

function tokenView(r: TokenRow): WallboardTokenView {
  return {
    id: r.id,
    name: r.name,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by_login,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  };
}
