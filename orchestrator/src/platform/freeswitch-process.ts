import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { REPO_ROOT } from '../config/config.ts';

export interface FreeswitchLaunchOptions {
  bin: string;
  /** Runtime folder (config copy, logs, db, certs, recordings); created when missing. */
  runDir: string;
  /** Values for freeswitch/conf/vars.xml (cc_esl_port, cc_fsxml_url, ...). */
  vars: Record<string, string | number>;
  logger: Logger;
  startTimeoutMs?: number;
}

export interface FreeswitchProcess {
  pid: number;
  runDir: string;
  stop(): Promise<void>;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

export class FreeswitchStartError extends Error {
  override readonly name = 'FreeswitchStartError';
}

export function freeswitchBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  const bin = env.FREESWITCH_BIN || '/usr/local/freeswitch/bin/freeswitch';
  try {
    fs.accessSync(bin, fs.constants.X_OK);
    return bin;
  } catch {
    return null;
  }
}

const VAR_NAME = /^[a-z_][a-z0-9_]*$/;

/** The local/50-runtime.xml that overrides freeswitch/conf/vars.xml. */
export function runtimeVarsXml(vars: Record<string, string | number>): string {
  const lines = Object.entries(vars).map(([k, v]) => {
    if (!VAR_NAME.test(k)) throw new FreeswitchStartError(`bad FreeSWITCH variable name ${k}`);
    const value = String(v);
    if (/[\r\n"<>]/.test(value)) throw new FreeswitchStartError(`bad value for FreeSWITCH variable ${k}`);
    return `  <X-PRE-PROCESS cmd="set" data="${k}=${value}"/>`;
  });
  return `<include>\n${lines.join('\n')}\n</include>\n`;
}

/** Copies the project's FreeSWITCH config and dialplans into runDir/conf and writes the runtime variables. */
export function prepareConfig(runDir: string, vars: Record<string, string | number>): string {
  const conf = path.join(runDir, 'conf');
  fs.rmSync(conf, { recursive: true, force: true });
  fs.cpSync(path.join(REPO_ROOT, 'freeswitch', 'conf'), conf, { recursive: true });
  fs.cpSync(path.join(REPO_ROOT, 'dialplans'), path.join(conf, 'dialplans'), { recursive: true });
  fs.writeFileSync(path.join(conf, 'local', '50-runtime.xml'), runtimeVarsXml(vars));
  for (const dir of ['log', 'db', 'run', 'certs', 'recordings', 'storage', 'cache', 'temp', 'sounds']) {
    fs.mkdirSync(path.join(runDir, dir), { recursive: true });
  }
  const wss = path.join(runDir, 'certs', 'wss.pem');
  if (!fs.existsSync(wss)) {
    // A self-signed certificate for the WSS binding; production mounts a real one.
    const key = path.join(runDir, 'certs', 'key.pem');
    const crt = path.join(runDir, 'certs', 'crt.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=localhost', '-keyout', key, '-out', crt], { stdio: 'ignore' });
    fs.writeFileSync(wss, fs.readFileSync(crt, 'utf8') + fs.readFileSync(key, 'utf8'));
  }
  return conf;
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts FreeSWITCH in the foreground (-nf -nc) with the project's config; resolves once its Event Socket listens. */
export async function launchFreeswitch(o: FreeswitchLaunchOptions): Promise<FreeswitchProcess> {
  const conf = prepareConfig(o.runDir, o.vars);
  const d = (name: string) => path.join(o.runDir, name);
  const args = [
    '-nf', '-nc', '-nonat',
    '-conf', conf, '-log', d('log'), '-db', d('db'), '-run', d('run'), '-certs', d('certs'),
    '-recordings', d('recordings'), '-storage', d('storage'), '-cache', d('cache'), '-temp', d('temp'), '-sounds', d('sounds'),
  ];
  const out = fs.openSync(path.join(o.runDir, 'log', 'stdout.log'), 'a');
  const child: ChildProcess = spawn(o.bin, args, { stdio: ['ignore', out, out], detached: false });
  fs.closeSync(out);
  if (!child.pid) throw new FreeswitchStartError(`could not start ${o.bin}`);
  const pid = child.pid;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const host = String(o.vars.cc_esl_ip ?? '127.0.0.1');
  const port = Number(o.vars.cc_esl_port ?? 8021);
  const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
  while (!(await portOpen(host, port))) {
    if (hasExited) throw new FreeswitchStartError(`FreeSWITCH exited during start-up; see ${d('log')}/freeswitch.log`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new FreeswitchStartError(`FreeSWITCH's Event Socket did not open on ${host}:${port}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  o.logger.info({ pid, runDir: o.runDir }, 'FreeSWITCH started');
  return {
    pid,
    runDir: o.runDir,
    exited,
    async stop() {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
