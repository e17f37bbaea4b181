import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pino from 'pino';
import { loadConfig, REPO_ROOT } from '../src/config/config.ts';
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.ts';
import { startContactCenter } from '../src/platform/contact-center.ts';
import { AcdRepository } from '../src/acd/repository.ts';
import { QUEUE_DEFAULTS } from '../src/acd/config.ts';
import { freePort } from '../test/support/ports.ts';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/**
 * Orchestrator throughput through the ESL test peer (a separate process, so the
 * orchestrator's core is its own): `agents` agents are ready, calls arrive at
 * `ratePerSec`, agents answer at once, callers hang up `talkMs` after the bridge.
 * Every call goes the whole way: enqueue event, CRM lookup, routing decision,
 * bgapi originate, BACKGROUND_JOB, uuid_bridge, hangup, CDR rows in PostgreSQL.
 */
export async function runThroughputBenchmark(o: { calls: number; ratePerSec: number; agents: number; talkMs: number }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-'));
  fs.chmodSync(dir, 0o755);
  const logger = pino({ level: 'silent' });
  const pg = await startEmbeddedPostgres(path.join(dir, 'pg'), await freePort(), logger);
  const eslPort = await freePort();
  const controlPort = await freePort();
  const peer = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'orchestrator/test/esl-peer/control-server.ts')], {
    env: { ...process.env, ESL_PEER_PORT: String(eslPort), CONTROL_PORT: String(controlPort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve) => peer.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    await pg.createDatabase('bench');
    const config = loadConfig({ CC_HTTP_PORT: String(await freePort()), CC_ESL_PORT: String(eslPort), CC_ADMIN_PASSWORD: 'bench-password' });
    const center = await startContactCenter(config, pg.url('bench'), logger);
    const repo = new AcdRepository(center.sql);
    const org = '00000000-0000-4000-8000-000000000001';
    const agentIds: string[] = [];
    for (let i = 0; i < o.agents; i++) {
      agentIds.push(await repo.createAgent(org, { login: `bench${i}`, displayName: `Bench ${i}`, extension: String(10000 + i), password: 'bench-password' }));
    }
    const queueId = await repo.createQueue(org, { ...QUEUE_DEFAULTS, name: 'Bench', inboundNumber: '8000', maxWaitSec: 0 });
    await repo.setQueueMembers(org, queueId, agentIds.map((agentId, position) => ({ agentId, tier: 1, position })));
    // Reload the ACD the way the admin API does, then log everybody in.
    await center.reloadAcd();
    for (const id of agentIds) {
      center.acd.command(id, { kind: 'login' });
      center.acd.command(id, { kind: 'ready' });
    }
    while (!center.esl.isConnected) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));

    const waits: number[] = [];
    const entered = new Map<string, number>();
    center.tracker.on('entered', (c) => entered.set(c.callId, performance.now()));
    center.acd.on('offering', (offer) => {
      const t = entered.get(offer.callId);
      if (t !== undefined) waits.push(performance.now() - t);
    });
    let answered = 0;
    let finished = 0;
    const done = new Promise<void>((resolve) =>
      center.tracker.on('ended', (c) => {
        if (c.answeredAt !== null) answered++;
        if (++finished === o.calls) resolve();
      }),
    );
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    await fetch(`http://127.0.0.1:${controlPort}/load`, { method: 'POST', body: JSON.stringify({ calls: o.calls, ratePerSec: o.ratePerSec, did: '8000', talkMs: o.talkMs, answerMs: 0 }) });
    await done;
    await center.cdr.flush();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const [cdrs] = await center.sql<{ n: number }[]>`select count(*)::int as n from cdrs where outcome = 'answered'`;
    await center.stop();
    waits.sort((a, b) => a - b);
    return {
      calls: o.calls,
      answered,
      cdrsAnswered: cdrs?.n ?? 0,
      seconds: Math.round(seconds * 100) / 100,
      callsPerSecond: Math.round(o.calls / seconds),
      orchestratorCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
      enqueueToOfferP50Ms: Math.round(percentile(waits, 0.5) * 100) / 100,
      enqueueToOfferP99Ms: Math.round(percentile(waits, 0.99) * 100) / 100,
    };
  } finally {
    peer.kill('SIGTERM');
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
