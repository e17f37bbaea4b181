import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Sql } from '../db/client.ts';
import type { SessionUser } from '../api/protocol.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** Only the SHA-256 of a token is stored, so a database leak does not leak live sessions. */
export function sessionIdOf(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export interface SessionStoreOptions {
  lifetimeDays: number;
}

/** Sessions owned by the application, as recommended after Lucia v3's deprecation. */
export class SessionStore {
  constructor(
    private readonly sql: Sql,
    private readonly options: SessionStoreOptions,
  ) {}

  async create(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = generateSessionToken();
    const expiresAt = new Date(Date.now() + this.options.lifetimeDays * DAY_MS);
    await this.sql`insert into sessions (id, user_id, expires_at) values (${sessionIdOf(token)}, ${userId}, ${expiresAt})`;
    return { token, expiresAt };
  }

  /** The session's user, or null; sessions past half their lifetime are extended. */
  async validate(token: string): Promise<{ user: SessionUser; expiresAt: Date; renewed: boolean } | null> {
    if (!/^[a-z2-7]{32}$/.test(token)) return null;
    const id = sessionIdOf(token);
    const rows = await this.sql<
      {
        expires_at: Date;
        user_id: string;
        login: string;
        display_name: string;
        role: SessionUser['role'];
        locale: SessionUser['locale'];
        organization_id: string;
        agent_id: string | null;
      }[]
    >`
      select s.expires_at, u.id as user_id, u.login, u.display_name, u.role, u.locale, u.organization_id, a.id as agent_id
      from sessions s join users u on u.id = s.user_id left join agents a on a.user_id = u.id
      where s.id = ${id} and not u.disabled`;
    const row = rows[0];
    if (!row) return null;
    const now = Date.now();
    if (row.expires_at.getTime() <= now) {
      await this.sql`delete from sessions where id = ${id}`;
      return null;
    }
    let expiresAt = row.expires_at;
    let renewed = false;
    const lifetime = this.options.lifetimeDays * DAY_MS;
    if (expiresAt.getTime() - now < lifetime / 2) {
      expiresAt = new Date(now + lifetime);
      renewed = true;
      await this.sql`update sessions set expires_at = ${expiresAt} where id = ${id}`;
    }
    return {
      user: {
        id: row.user_id,
        login: row.login,
        displayName: row.display_name,
        role: row.role,
        locale: row.locale,
        organizationId: row.organization_id,
        agentId: row.agent_id,
      },
      expiresAt,
      renewed,
    };
  }

  async invalidate(token: string): Promise<void> {
    await this.sql`delete from sessions where id = ${sessionIdOf(token)}`;
  }

  async invalidateUser(userId: string): Promise<void> {
    await this.sql`delete from sessions where user_id = ${userId}`;
  }
}
