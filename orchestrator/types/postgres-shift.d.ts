declare module 'postgres-shift' {
  import type { Sql } from 'postgres';
  export default function shift(options: {
    sql: Sql;
    path?: string;
    before?: ((m: { migration_id: number; name: string }) => void) | null;
    after?: ((m: { migration_id: number; name: string }) => void) | null;
  }): Promise<void>;
}
