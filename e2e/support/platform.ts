import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ADMIN = { login: 'admin', password: 'e2e-admin-password' };

export function freeswitchBin(): string | null {
  const bin = process.env.FREESWITCH_BIN || '/usr/local/freeswitch/bin/freeswitch';
  try {
    fs.accessSync(bin, fs.constants.X_OK);
    return bin;
  } catch {
    return null;
  }
}

import { freePort } from '../../orchestrator/test/support/ports.ts';

export { freePort };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a process by PID: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopPid(pid: number | null | undefined, graceMs = 15_000): Promise<void> {
  if (!pid || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

function readPid(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    return n > 0 ? n : null;
  } catch {
    return null;
  }
}

export interface Spawned {
  child: ChildProcess;
  output(): string;
}

export function start(cmd: string, args: string[], env: Record<string, string>, logFile: string): Spawned {
  const out = fs.createWriteStream(logFile);
  let text = '';
  const child = spawn(cmd, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
    out.write(d);
  });
  child.stderr!.on('data', (d: Buffer) => out.write(d));
  return { child, output: () => text };
}

async function until<T>(fn: () => Promise<T | null | undefined> | T | null | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Platform {
  baseUrl: string;
  /** Kills the orchestrator with SIGKILL (FreeSWITCH and PostgreSQL keep running) and starts a new one on the same data. */
  crashAndRestartOrchestrator(): Promise<void>;
  dataDir: string;
  pgUrl: string;
  ports: { trunkSip: number; agentWs: number; esl: number };
  /** Control API of the ESL test peer (tier 1 only). */
  peerUrl: string | null;
  stop(): Promise<void>;
}

/**
 * Starts the platform the way `npm start` does (orchestrator + embedded
 * PostgreSQL, and FreeSWITCH when `freeswitch` is 'real'), on free loopback
 * ports in a temporary data folder. With `freeswitch: 'peer'` the orchestrator
 * talks to the ESL test peer instead. Every process is stopped by PID.
 */
export async function startPlatform(o: { freeswitch: 'real' | 'peer'; env?: Record<string, string> }): Promise<Platform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-'));
  fs.chmodSync(dataDir, 0o755);
  const ports = {
    http: await freePort(), pg: await freePort(), esl: await freePort(), agentSip: await freePort(),
    trunkSip: await freePort(), agentWs: await freePort(), control: await freePort(),
  };
  const rtpStart = 20000 + 2 * Math.floor(Math.random() * 4000);
  let peer: Spawned | null = null;
  if (o.freeswitch === 'peer') {
    peer = start(process.execPath, ['--import', 'tsx', 'orchestrator/test/esl-peer/control-server.ts'], { ESL_PEER_PORT: String(ports.esl), CONTROL_PORT: String(ports.control) }, path.join(dataDir, 'esl-peer.log'));
    await until(() => peer!.output().includes('ready'), 20_000, 'ESL test peer');
  }
  const env: Record<string, string> = {
    CC_DATA_DIR: dataDir,
    CC_HTTP_PORT: String(ports.http),
    CC_EMBEDDED_PG_PORT: String(ports.pg),
    CC_ESL_PORT: String(ports.esl),
    CC_ADMIN_PASSWORD: ADMIN.password,
    CC_FSXML_PASSWORD: 'e2e-fsxml-password',
    CC_FREESWITCH: o.freeswitch === 'real' ? 'launch' : 'external',
    CC_SIP_PORT: String(ports.agentSip),
    CC_SIP_TRUNK_PORT: String(ports.trunkSip),
    CC_SIP_WS_PORT: String(ports.agentWs),
    CC_SIP_WS_URLS: `ws://127.0.0.1:${ports.agentWs}`,
    CC_RTP_START: String(rtpStart),
    CC_RTP_END: String(rtpStart + 400),
    CC_LOG_LEVEL: 'info',
    ...o.env,
  };
  let orchestrator = start(process.execPath, ['--import', 'tsx', 'orchestrator/src/main.ts'], env, path.join(dataDir, 'orchestrator.log'));
  const baseUrl = `http://127.0.0.1:${ports.http}`;
  const stop = async () => {
    await stopPid(orchestrator.child.pid);
    // Belt and braces: the orchestrator stops its children; make sure by PID.
    await stopPid(readPid(path.join(dataDir, 'freeswitch', 'run', 'freeswitch.pid')), 5000);
    await stopPid(readPid(path.join(dataDir, 'postgres', 'postmaster.pid')), 5000);
    await stopPid(peer?.child.pid);
    if (!process.env.CC_E2E_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const ready = async () => {
    try {
      await until(async () => {
        if (orchestrator.child.exitCode !== null) throw new Error('exited');
        const h = (await (await fetch(`${baseUrl}/api/health`)).json()) as { freeswitch: string; database: string };
        return h.database === 'ok' && h.freeswitch === 'connected';
      }, 90_000, `platform (log: ${dataDir}/orchestrator.log)`);
    } catch (err) {
      const log = fs.existsSync(path.join(dataDir, 'orchestrator.log')) ? fs.readFileSync(path.join(dataDir, 'orchestrator.log'), 'utf8').slice(-3000) : '';
      await stop();
      throw new Error(`${(err as Error).message}\n${log}`);
    }
  };
  await ready();
  const crashAndRestartOrchestrator = async () => {
    const pid = orchestrator.child.pid!;
    process.kill(pid, 'SIGKILL');
    await until(() => orchestrator.child.exitCode !== null || orchestrator.child.signalCode !== null, 10_000, 'orchestrator killed');
    // FreeSWITCH (and the callers in it) keep running; the new orchestrator attaches to it.
    orchestrator = start(process.execPath, ['--import', 'tsx', 'orchestrator/src/main.ts'], { ...env, CC_FREESWITCH: 'external' }, path.join(dataDir, 'orchestrator-2.log'));
    await ready();
  };
  return {
    baseUrl, dataDir, crashAndRestartOrchestrator,
    pgUrl: `postgres://postgres:postgres@127.0.0.1:${ports.pg}/callcenter`,
    ports: { trunkSip: ports.trunkSip, agentWs: ports.agentWs, esl: ports.esl },
    peerUrl: peer ? `http://127.0.0.1:${ports.control}` : null,
    stop,
  };
}

/** JSON helper for the orchestrator's API with a session cookie. */
export async function api(baseUrl: string, cookie: string, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(baseUrl + p, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function loginCookie(baseUrl: string, login: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  if (!res.ok) throw new Error(`login ${login}: ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}
