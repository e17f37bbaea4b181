import postgres from 'postgres';
import shift from 'postgres-shift';
import path from 'node:path';
import { REPO_ROOT } from '../config/config.ts';

export type Sql = postgres.Sql;

export function connect(url: string, max = 10): Sql {
  return postgres(url, { max, onnotice: () => {}, transform: { undefined: null } });
}

export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'db', 'migrations');

/** Applies the SQL migrations in db/migrations that this database has not seen yet. */
export async function migrate(sql: Sql): Promise<void> {
  await shift({ sql, path: MIGRATIONS_DIR });
}
