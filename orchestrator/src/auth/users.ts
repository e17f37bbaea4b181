import type { Sql } from '../db/client.ts';
import type { Locale, Role } from '../api/protocol.ts';
import { hashPassword, verifyPassword } from './password.ts';

export interface UserRow {
  id: string;
  organization_id: string;
  login: string;
  display_name: string;
  role: Role;
  locale: Locale;
  password_hash: string;
}

// A real hash to verify against when the login is unknown, so timing does not reveal which logins exist.
let dummyHash: Promise<string> | undefined;

export class UserRepository {
  constructor(private readonly sql: Sql) {}

  /** The user id when login and password match an enabled user, else null. */
  async authenticate(login: string, password: string): Promise<string | null> {
    const [row] = await this.sql<UserRow[]>`select * from users where login = ${login} and not disabled`;
    if (!row) {
      dummyHash ??= hashPassword('not-a-real-password');
      await verifyPassword(await dummyHash, password);
      return null;
    }
    return (await verifyPassword(row.password_hash, password)) ? row.id : null;
  }

  async setLocale(userId: string, locale: Locale): Promise<void> {
    await this.sql`update users set locale = ${locale} where id = ${userId}`;
  }

  async countAdmins(): Promise<number> {
    const [row] = await this.sql<{ n: number }[]>`select count(*)::int as n from users where role = 'admin'`;
    return row?.n ?? 0;
  }

  async createUser(u: { organizationId: string; login: string; displayName: string; role: Role; password: string }): Promise<string> {
    const passwordHash = await hashPassword(u.password);
    const [row] = await this.sql<{ id: string }[]>`
      insert into users (organization_id, login, display_name, role, password_hash)
      values (${u.organizationId}, ${u.login}, ${u.displayName}, ${u.role}, ${passwordHash}) returning id`;
    if (!row) throw new Error('insert returned no row');
    return row.id;
  }
}
