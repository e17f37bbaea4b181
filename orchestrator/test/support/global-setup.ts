import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/platform/embedded-postgres.ts';
import { freePort } from './ports.ts';

let pg: EmbeddedPostgresHandle | undefined;
let dir: string | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/** One real PostgreSQL server for the whole run; each test file gets its own database. */
export async function setup(project: TestProject): Promise<void> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-test-pg-'));
  fs.chmodSync(dir, 0o755); // the server runs as the unprivileged postgres user when we are root
  pg = await startEmbeddedPostgres(path.join(dir, 'data'), await freePort(), pino({ level: 'silent' }));
  project.provide('pgAdminUrl', pg.url('postgres'));
}

export async function teardown(): Promise<void> {
  await pg?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
