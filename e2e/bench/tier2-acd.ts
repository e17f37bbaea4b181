/**
 * Tier-2 ACD benchmark, every part real: FreeSWITCH 1.10 launched by the
 * orchestrator, N baresip softphones registered as agents (auto-answer), and
 * sipp offering callers to one queue at a steady rate.
 *
 * Measured with an independent Event Socket connection: for each caller, the
 * FreeSWITCH timestamp of its CUSTOM cc::enqueue event and of the
 * CHANNEL_CREATE of the first agent leg originated for it
 * (variable_cc_role=agent, variable_cc_caller_uuid=<caller uuid>).
 *
 *   cd e2e && node --import tsx bench/tier2-acd.ts
 *
 * Knobs (environment): BENCH_AGENTS (10), BENCH_RATE (5 calls/s),
 * BENCH_DURATION_SEC (60), BENCH_HOLD_MS (1500).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import postgres from 'postgres';
import { ADMIN, api, freePort, freeswitchBin, loginCookie, startPlatform, stopPid, type Platform, type Spawned } from '../support/platform.ts';
import { connectEslTap, type EslTap } from './esl-tap.ts';
import { startBaresipAgent } from './baresip-agent.ts';

export interface Tier2AcdOptions {
  /** Number of baresip agents (default 10). */
  agents?: number;
  /** sipp call rate, calls per second (default 5). */
  ratePerSec?: number;
  /** How long sipp offers calls, seconds (default 60). */
  durationSec?: number;
  /** How long each sipp caller stays after FreeSWITCH answers it, ms (default 1500). */
  holdMs?: number;
  /** Queue strategy (default longest_idle). */
  strategy?: string;
  /** Callers entering in the first seconds of load are also reported apart (default 5). */
  warmupSec?: number;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Aborting stops the run early; everything started is still stopped. */
  signal?: AbortSignal;
}

export interface Tier2AcdResult {
  agents: number;
  ratePerSec: number;
  durationSec: number;
  holdMs: number;
  /** Calls sipp created / completed / failed. */
  offered: number;
  sippSuccessful: number;
  sippFailed: number;
  /** Callers seen entering the queue (cc::enqueue). */
  enqueued: number;
  /** Agent legs created (all offers, including retries). */
  agentLegs: number;
  /** Callers that got at least one agent leg. */
  routed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** The step FreeSWITCH's event clock moves in (20 ms unless switch.conf sets 1ms-timer), 1 when not quantised: the resolution of the figures above. */
  fsClockTickMs: number;
  /** The same figures for callers that entered after the first `warmupSec` seconds of load. */
  warmupSec: number;
  steadyCount: number;
  steadyP50Ms: number;
  steadyP99Ms: number;
  steadyMaxMs: number;
  /** FreeSWITCH-clock values (ms, as printed) -> callers. */
  histogram: Record<string, number>;
  /** The same interval from the times the tap read the two events off its socket (sub-ms clock; FreeSWITCH's ESL writer also works in ticks). */
  rxP50Ms: number;
  rxP99Ms: number;
  rxMaxMs: number;
  /** CDR outcomes of the queue. */
  outcomes: Record<string, number>;
  answered: number;
  /** Times an agent was put not ready by the ACD (missed or failed offers). */
  agentsPutNotReady: number;
}

const BENCH_NUMBER = '5300';
const AGENT_PASSWORD = 'bench-agent-password';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, what: string, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await sleep(250);
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The variables the orchestrator handed FreeSWITCH (agent SIP port, ESL password...). */
function runtimeVars(dataDir: string): Record<string, string> {
  const xml = fs.readFileSync(path.join(dataDir, 'freeswitch', 'conf', 'local', '50-runtime.xml'), 'utf8');
  const vars: Record<string, string> = {};
  for (const m of xml.matchAll(/data="([a-z0-9_]+)=([^"]*)"/g)) vars[m[1]!] = m[2]!;
  return vars;
}

/**
 * FreeSWITCH stamps events with its timer thread's clock, which only moves
 * once per tick (20 ms by default; 1 ms with switch.conf `1ms-timer`). Finds
 * the tick from the stamps: the largest of 20/10 ms whose lattice holds 95% of
 * them (within 2 ms, ticks are late, never early), else 1.
 */
function fsClockTick(stampsUs: number[]): number {
  if (stampsUs.length < 20) return NaN;
  for (const tickMs of [20, 10]) {
    const t = tickMs * 1000;
    const bins = new Array<number>(tickMs).fill(0);
    const residues = stampsUs.map((s) => ((s % t) + t) % t);
    for (const r of residues) bins[Math.floor(r / 1000)]!++;
    const peak = bins.indexOf(Math.max(...bins)) * 1000;
    const near = residues.filter((r) => {
      const d = (((r - peak) % t) + t) % t;
      return d < 3000 || t - d < 1000;
    }).length;
    if (near >= 0.95 * residues.length) return tickMs;
  }
  return 1;
}

/** Reads the last line of sipp's -trace_stat CSV (';'-separated, header on the first line). */
function sippStats(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  if (lines.length < 2) return {};
  const head = lines[0]!.split(';');
  const last = lines.at(-1)!.split(';');
  return Object.fromEntries(head.map((h, i) => [h.trim(), (last[i] ?? '').trim()]));
}

function agentSocket(baseUrl: string, cookie: string, onStatus: (status: string, reason: string | null) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, { headers: { cookie } });
    ws.on('message', (data) => {
      try {
        const m = JSON.parse(data.toString()) as { type: string; status?: string; reason?: string | null };
        if (m.type === 'agent.state' && m.status) onStatus(m.status, m.reason ?? null);
      } catch {
        /* not ours */
      }
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export async function runTier2AcdBenchmark(opts: Tier2AcdOptions = {}): Promise<Tier2AcdResult> {
  const nAgents = opts.agents ?? 10;
  const rate = opts.ratePerSec ?? 5;
  const durationSec = opts.durationSec ?? 60;
  const holdMs = opts.holdMs ?? 1500;
  const warmupSec = opts.warmupSec ?? 5;
  const totalCalls = Math.round(rate * durationSec);
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (!freeswitchBin()) throw new Error('FreeSWITCH not found (FREESWITCH_BIN or /usr/local/freeswitch/bin/freeswitch)');

  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  let platform: Platform | null = null;
  const phones: (Spawned & { dir: string })[] = [];
  const signal = opts.signal;
  const sockets: WebSocket[] = [];
  let sipp: ChildProcess | null = null;
  let tap: EslTap | null = null;
  let sql: postgres.Sql | null = null;
  try {
    log(`[${since()}] starting the platform (orchestrator, PostgreSQL, FreeSWITCH)`);
    platform = await startPlatform({ freeswitch: 'real' });
    signal?.throwIfAborted();
    const p = platform;
    const benchDir = path.join(p.dataDir, 'bench');
    fs.mkdirSync(benchDir, { recursive: true });
    const vars = runtimeVars(p.dataDir);
    const agentSipPort = Number(vars.cc_agent_sip_port);
    if (!agentSipPort) throw new Error('cc_agent_sip_port not found in 50-runtime.xml');
    log(`[${since()}] platform up at ${p.baseUrl}; agent SIP port ${agentSipPort}, trunk ${p.ports.trunkSip}, ESL ${p.ports.esl} (data ${p.dataDir})`);

    sql = postgres(p.pgUrl, { max: 2, onnotice: () => {} });
    tap = await connectEslTap({ port: p.ports.esl, password: vars.cc_esl_password || 'ClueCon' });

    // ---- agents and the queue ----
    const admin = await loginCookie(p.baseUrl, ADMIN.login, ADMIN.password);
    const agentIds: string[] = [];
    const logins: string[] = [];
    for (let i = 0; i < nAgents; i++) {
      const login = `bench${i + 1}`;
      const a = await api(p.baseUrl, admin, 'POST', '/api/agents', { login, displayName: `Bench ${i + 1}`, extension: String(1101 + i), password: AGENT_PASSWORD });
      agentIds.push(a.id as string);
      logins.push(login);
    }
    const queue = await api(p.baseUrl, admin, 'POST', '/api/queues', {
      name: 'Bench', inboundNumber: BENCH_NUMBER, strategy: opts.strategy ?? 'longest_idle', ringTimeoutSec: 10, wrapUpSec: 0, maxWaitSec: 120,
    });
    await api(p.baseUrl, admin, 'PUT', `/api/queues/${queue.id}/agents`, { agentIds });

    // ---- baresip softphones ----
    const cookies: string[] = [];
    const rtpBase = 40000 + 2 * Math.floor(Math.random() * 2000);
    for (let i = 0; i < nAgents; i++) {
      const cookie = await loginCookie(p.baseUrl, logins[i]!, AGENT_PASSWORD);
      cookies.push(cookie);
      const sip = (await api(p.baseUrl, cookie, 'GET', '/api/agent/sip')) as { uri: string; authorizationUser: string; password: string };
      const m = /^sip:([^@]+)@(.+)$/.exec(sip.uri);
      if (!m) throw new Error(`unexpected SIP URI ${sip.uri}`);
      phones.push(
        await startBaresipAgent({
          account: { extension: m[1]!, domain: m[2]!, authorizationUser: sip.authorizationUser, password: sip.password },
          agentSipPort,
          dir: path.join(benchDir, `baresip-${m[1]}`),
          rtpPorts: [rtpBase + i * 20, rtpBase + i * 20 + 19],
        }),
      );
    }
    const registered = async () => {
      const out = await tap!.api('sofia status profile agents reg');
      return Number(/Total items returned:\s*(\d+)/.exec(out)?.[1] ?? 0);
    };
    try {
      await until(async () => {
        for (const ph of phones) if (ph.child.exitCode !== null) throw new Error(`baresip exited (${ph.child.exitCode}): see ${ph.dir}/baresip.log`);
        return (await registered()) >= nAgents;
      }, 30_000, `${nAgents} baresip registrations`, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      const first = phones[0] ? fs.readFileSync(path.join(phones[0].dir, 'baresip.log'), 'utf8').slice(-2000) : '';
      throw new Error(`${(err as Error).message} (registered: ${await registered().catch(() => '?')})\n${first}`);
    }
    log(`[${since()}] ${nAgents} baresip agents registered`);

    // ---- agents log in (WebSocket) and go ready ----
    const status = new Map<string, string>();
    let putNotReady = 0;
    for (let i = 0; i < nAgents; i++) {
      const id = agentIds[i]!;
      let wasReadyOnce = false;
      const ws = await agentSocket(p.baseUrl, cookies[i]!, (s, reason) => {
        status.set(id, s);
        if (s === 'ready') wasReadyOnce = true;
        if (s === 'not_ready' && wasReadyOnce) {
          putNotReady++;
          log(`[${since()}] agent bench${i + 1} put not ready by the ACD (${reason})`);
        }
      });
      sockets.push(ws);
      ws.send(JSON.stringify({ type: 'agent.set_state', status: 'ready' }));
    }
    await until(() => agentIds.every((id) => status.get(id) === 'ready'), 15_000, 'agents ready', signal);
    log(`[${since()}] ${nAgents} agents logged in and ready`);

    // ---- measurement: independent ESL connection ----
    // caller uuid -> FreeSWITCH Event-Date-Timestamp (µs) and local receive time (ms) of its cc::enqueue,
    // and of the CHANNEL_CREATE of the first agent leg originated for it.
    const enqueuedAt = new Map<string, { fs: number; rx: number }>();
    const firstLegAt = new Map<string, { fs: number; rx: number }>();
    const fsStamps: number[] = [];
    let agentLegs = 0;
    tap.onEvent((e, rx) => {
      const fs = Number(e['Event-Date-Timestamp']);
      if (e['Event-Name'] === 'CUSTOM' && e['Event-Subclass'] === 'cc::enqueue') {
        const did = e['cc_did'] ?? e['variable_cc_did'] ?? e['Caller-Destination-Number'];
        const uuid = e['Unique-ID'];
        if (did === BENCH_NUMBER && uuid && !enqueuedAt.has(uuid)) {
          enqueuedAt.set(uuid, { fs, rx });
          fsStamps.push(fs);
        }
      } else if (e['Event-Name'] === 'CHANNEL_CREATE' && e['variable_cc_role'] === 'agent') {
        const caller = e['variable_cc_caller_uuid'];
        if (!caller) return;
        agentLegs++;
        fsStamps.push(fs);
        const prev = firstLegAt.get(caller);
        if (prev === undefined || fs < prev.fs) firstLegAt.set(caller, { fs, rx });
      }
    });
    await tap.subscribe('CHANNEL_CREATE CUSTOM cc::enqueue');

    // ---- load: sipp ----
    const statFile = path.join(benchDir, 'sipp-stats.csv');
    const sippArgs = [
      `127.0.0.1:${p.ports.trunkSip}`, '-sn', 'uac', '-s', BENCH_NUMBER,
      '-r', String(rate), '-m', String(totalCalls), '-l', String(Math.max(20, Math.ceil(rate * (holdMs / 1000) * 3))),
      '-d', String(holdMs), '-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(30000 + 2 * Math.floor(Math.random() * 4000)),
      '-nostdin', '-timeout', `${durationSec + 90}s`, '-trace_stat', '-stf', statFile, '-fd', '1',
      '-trace_err', '-error_file', path.join(benchDir, 'sipp-errors.log'),
    ];
    log(`[${since()}] sipp: ${rate} calls/s, ${totalCalls} calls, hold ${holdMs} ms`);
    const sippOut = fs.openSync(path.join(benchDir, 'sipp.log'), 'w');
    sipp = spawn('sipp', sippArgs, { cwd: benchDir, stdio: ['ignore', sippOut, sippOut] });
    fs.closeSync(sippOut);
    const sippExit = new Promise<number | null>((resolve) => sipp!.once('exit', (code) => resolve(code)));
    const sippDeadline = (durationSec + 60) * 1000;
    let deadlineTimer: NodeJS.Timeout | undefined;
    let onAbort = () => {};
    const code = await Promise.race([
      sippExit,
      new Promise<'timeout'>((r) => (deadlineTimer = setTimeout(() => r('timeout'), sippDeadline))),
      new Promise<'aborted'>((r) => {
        onAbort = () => r('aborted');
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    clearTimeout(deadlineTimer);
    signal?.removeEventListener('abort', onAbort);
    signal?.throwIfAborted();
    if (code === 'timeout') {
      log(`[${since()}] sipp still running after ${sippDeadline / 1000} s; stopping it`);
      await stopPid(sipp.pid, 3000);
    }
    log(`[${since()}] sipp finished (exit ${code})`);

    // Let the last calls end and their CDRs be written.
    await until(async () => Number((await sql!`select count(*)::int as n from cdrs where queue_id = ${queue.id} and outcome = 'live'`)[0]!.n) === 0, 20_000, 'live calls to end', signal).catch((err: Error) =>
      log(`[${since()}] ${err.message}`),
    );
    const outcomes: Record<string, number> = {};
    for (const r of await sql`select outcome, count(*)::int as n from cdrs where queue_id = ${queue.id} group by outcome`) outcomes[r.outcome as string] = r.n as number;

    const fsMs: number[] = [];
    const rxMs: number[] = [];
    const steadyMs: number[] = [];
    const order = [...enqueuedAt].sort((a, b) => a[1].fs - b[1].fs);
    const slowest: { n: number; fsMs: number; rxMs: number }[] = [];
    order.forEach(([caller, at], i) => {
      const leg = firstLegAt.get(caller);
      if (!leg) return;
      const f = (leg.fs - at.fs) / 1000;
      const r = leg.rx - at.rx;
      fsMs.push(f);
      rxMs.push(r);
      if (at.fs - order[0]![1].fs >= warmupSec * 1e6) steadyMs.push(f);
      slowest.push({ n: i + 1, fsMs: f, rxMs: r });
    });
    if (process.env.BENCH_DEBUG) {
      // Delivery lag of each event: when the tap read it minus FreeSWITCH's stamp (same host clock).
      const lag = (x: { fs: number; rx: number }) => (performance.timeOrigin + x.rx - x.fs / 1000).toFixed(1);
      order.slice(0, 12).forEach(([caller, at], i) => {
        const leg = firstLegAt.get(caller);
        log(`caller #${i + 1}: enqueue lag ${lag(at)} ms, leg at +${leg ? ((leg.fs - at.fs) / 1000).toFixed(1) : '-'} ms lag ${leg ? lag(leg) : '-'} ms`);
      });
    }
    slowest.sort((a, b) => b.fsMs - a.fsMs);
    for (const x of slowest.slice(0, 5)) log(`[${since()}] slow caller #${x.n}: ${x.fsMs.toFixed(1)} ms (FreeSWITCH clock), ${x.rxMs.toFixed(1)} ms (ESL receive)`);
    fsMs.sort((a, b) => a - b);
    rxMs.sort((a, b) => a - b);
    steadyMs.sort((a, b) => a - b);
    const histogram: Record<string, number> = {};
    for (const x of fsMs) histogram[x.toFixed(0)] = (histogram[x.toFixed(0)] ?? 0) + 1;
    const tick = fsClockTick(fsStamps);
    const stats = sippStats(statFile);
    const num = (k: string) => Number(stats[k] ?? NaN);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    return {
      agents: nAgents, ratePerSec: rate, durationSec, holdMs,
      offered: num('TotalCallCreated'),
      sippSuccessful: num('SuccessfulCall(C)'),
      sippFailed: num('FailedCall(C)'),
      enqueued: enqueuedAt.size,
      agentLegs,
      routed: fsMs.length,
      p50Ms: percentile(fsMs, 50),
      p99Ms: percentile(fsMs, 99),
      maxMs: fsMs.at(-1) ?? NaN,
      meanMs: mean(fsMs),
      fsClockTickMs: tick,
      histogram,
      warmupSec,
      steadyCount: steadyMs.length,
      steadyP50Ms: percentile(steadyMs, 50),
      steadyP99Ms: percentile(steadyMs, 99),
      steadyMaxMs: steadyMs.at(-1) ?? NaN,
      rxP50Ms: percentile(rxMs, 50),
      rxP99Ms: percentile(rxMs, 99),
      rxMaxMs: rxMs.at(-1) ?? NaN,
      outcomes,
      answered: outcomes.answered ?? 0,
      agentsPutNotReady: putNotReady,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    tap?.close();
    if (sipp) await stopPid(sipp.pid, 3000);
    for (const ph of phones) await stopPid(ph.child.pid, 3000);
    await sql?.end({ timeout: 2 }).catch(() => {});
    await platform?.stop();
    log(`[${since()}] everything stopped`);
  }
}

export function formatTier2AcdResult(r: Tier2AcdResult): string[] {
  const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  return [
    `tier2 machine ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    `tier2 load sipp ${r.ratePerSec} calls/s for ${r.durationSec} s, hold ${r.holdMs} ms, ${r.agents} baresip agents`,
    `tier2 calls offered by sipp ${r.offered}`,
    `tier2 sipp calls successful ${r.sippSuccessful}, failed ${r.sippFailed}`,
    `tier2 callers enqueued ${r.enqueued}`,
    `tier2 agent legs originated ${r.agentLegs}`,
    `tier2 enqueue→originate p50 ${ms(r.p50Ms)} ms`,
    `tier2 enqueue→originate p99 ${ms(r.p99Ms)} ms`,
    `tier2 enqueue→originate max ${ms(r.maxMs)} ms`,
    `tier2 enqueue→originate mean ${ms(r.meanMs)} ms`,
    `tier2 enqueue→originate count ${r.routed}`,
    `tier2 enqueue→originate after the first ${r.warmupSec} s p50 ${ms(r.steadyP50Ms)} ms`,
    `tier2 enqueue→originate after the first ${r.warmupSec} s p99 ${ms(r.steadyP99Ms)} ms`,
    `tier2 enqueue→originate after the first ${r.warmupSec} s max ${ms(r.steadyMaxMs)} ms`,
    `tier2 enqueue→originate after the first ${r.warmupSec} s count ${r.steadyCount}`,
    `tier2 enqueue→originate histogram ${Object.entries(r.histogram).sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, v]) => `${k}ms=${v}`).join(' ')}`,
    `tier2 FreeSWITCH event clock tick ${r.fsClockTickMs} ms`,
    `tier2 enqueue→originate (ESL receive times) p50 ${ms(r.rxP50Ms)} ms`,
    `tier2 enqueue→originate (ESL receive times) p99 ${ms(r.rxP99Ms)} ms`,
    `tier2 enqueue→originate (ESL receive times) max ${ms(r.rxMaxMs)} ms`,
    `tier2 calls answered ${r.answered}`,
    `tier2 cdr outcomes ${Object.entries(r.outcomes).map(([k, v]) => `${k}=${v}`).join(' ') || 'none'}`,
    `tier2 agents put not ready by the ACD ${r.agentsPutNotReady}`,
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const env = (k: string) => (process.env[k] ? Number(process.env[k]) : undefined);
  // Ctrl-C / SIGTERM abort the run; the runner still stops every process it started.
  const abort = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (abort.signal.aborted) process.exit(130);
      process.stderr.write(`${sig}: stopping (again to exit at once)\n`);
      abort.abort(new Error(`interrupted by ${sig}`));
    });
  }
  if (!freeswitchBin()) {
    console.log('tier 2 benchmark skipped: FreeSWITCH not found');
    process.exit(0);
  }
  runTier2AcdBenchmark({
    signal: abort.signal,
    agents: env('BENCH_AGENTS'),
    ratePerSec: env('BENCH_RATE'),
    durationSec: env('BENCH_DURATION_SEC'),
    holdMs: env('BENCH_HOLD_MS'),
  }).then(
    (r) => {
      for (const line of formatTier2AcdResult(r)) console.log(line);
    },
    (err: unknown) => {
      console.error(`tier2 benchmark failed: ${err instanceof Error ? err.stack : String(err)}`);
      process.exitCode = 1;
    },
  );
}
