import pino from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/config.ts';
import { startContactCenter, type ContactCenter } from '../../src/platform/contact-center.ts';
import type { ServerMessage } from '../../src/api/protocol.ts';
import { freePort } from './ports.ts';
import { waitFor } from './wait.ts';

export const ADMIN = { login: 'admin', password: 'admin-password-1' };
const FSXML_PASSWORD = 'test-fsxml-password';

export async function startCenter(o: { databaseUrl: string; eslPort: number; env?: Record<string, string> }): Promise<ContactCenter> {
  const config = loadConfig({
    CC_HTTP_PORT: String(await freePort()),
    CC_ESL_PORT: String(o.eslPort),
    CC_ADMIN_PASSWORD: ADMIN.password,
    CC_FSXML_PASSWORD: FSXML_PASSWORD,
    ...o.env,
  });
  return startContactCenter(config, o.databaseUrl, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
}

/** What FreeSWITCH's mod_xml_curl posts to the orchestrator (form-encoded, basic auth as configured by startCenter). */
export function postFsXml(baseUrl: string, body: Record<string, string>, password = FSXML_PASSWORD): Promise<Response> {
  return fetch(`${baseUrl}/fsxml`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`freeswitch:${password}`).toString('base64')}` },
    body: new URLSearchParams(body).toString(),
  });
}

/** A tiny cookie-keeping JSON client for the orchestrator's HTTP API. */
export class ApiClient {
  cookie = '';
  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async login(login: string, password: string): Promise<any> {
    const r = await this.request('POST', '/api/auth/login', { login, password });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.user;
  }
}

/** A browser-like WebSocket session that records every server message. */
export class WsSession {
  readonly messages: ServerMessage[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (d) => this.messages.push(JSON.parse(d.toString()) as ServerMessage));
  }

  static async open(baseUrl: string, cookie: string): Promise<WsSession> {
    const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/ws', { headers: { cookie } });
    const s = new WsSession(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return s;
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  async next<T extends ServerMessage['type']>(type: T, predicate: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<ServerMessage, { type: T }>> {
    return waitFor(
      () => this.messages.find((m): m is Extract<ServerMessage, { type: T }> => m.type === type && predicate(m as Extract<ServerMessage, { type: T }>)),
      timeoutMs,
      `ws message ${type}`,
    );
  }

  close(): void {
    this.socket.close();
  }
}
