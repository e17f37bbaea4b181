import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import postgres from 'postgres';

/** Creates a fresh, empty database on the test server and returns its URL. */
export async function createTestDatabase(prefix = 'cc'): Promise<string> {
  const adminUrl = inject('pgAdminUrl');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}
