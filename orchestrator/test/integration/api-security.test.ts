import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, postFsXml, startCenter, WsSession } from '../support/harness.ts';

describe('HTTP, WebSocket and FreeSWITCH XML endpoints: roles and input validation', () => {
  let fs: FakeFreeswitch;
  let center: ContactCenter;
  let admin: ApiClient;
  let agent: ApiClient;
  let agentId: string;
  const fsxml = (body: Record<string, string>, password?: string) => postFsXml(center.url, body, password);

  beforeAll(async () => {
    fs = new FakeFreeswitch();
    center = await startCenter({ databaseUrl: await createTestDatabase(), eslPort: await fs.listen() });
    admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
    const a = await admin.request('POST', '/api/agents', { login: 'sun', displayName: '孙八', extension: '3001', password: 'agent-pass-1' });
    agentId = a.body.id;
    agent = new ApiClient(center.url);
    await agent.login('sun', 'agent-pass-1');
  });
  afterAll(async () => {
    await center?.stop();
    await fs?.close();
  });

  it('rejects bad logins without saying which part was wrong', async () => {
    const c = new ApiClient(center.url);
    const wrongPw = await c.request('POST', '/api/auth/login', { login: 'sun', password: 'nope-nope' });
    const noUser = await c.request('POST', '/api/auth/login', { login: 'nobody', password: 'nope-nope' });
    expect(wrongPw).toEqual({ status: 401, body: { error: { code: 'invalid_credentials', message: 'wrong login or password' } } });
    expect(noUser).toEqual(wrongPw);
    expect((await c.request('POST', '/api/auth/login', { login: 'sun' })).status).toBe(400);
  });

  it('enforces roles on every admin route', async () => {
    const anon = new ApiClient(center.url);
    for (const [method, path, body] of [
      ['GET', '/api/agents'], ['POST', '/api/agents', { login: 'x1', displayName: 'x', extension: '9001', password: 'password-1' }],
      ['GET', '/api/queues'], ['POST', '/api/queues', { name: 'q' }], ['POST', '/api/customers', { name: 'c', phone: '123456' }],
      ['DELETE', `/api/agents/${agentId}`],
    ] as const) {
      expect((await anon.request(method, path, body)).status, `${method} ${path} anonymous`).toBe(401);
      expect((await agent.request(method, path, body)).status, `${method} ${path} as agent`).toBe(403);
    }
    expect((await admin.request('GET', '/api/agent/sip')).status).toBe(404);
  });

  it('validates payloads and names each bad field', async () => {
    const r = await admin.request('POST', '/api/queues', { name: '', inboundNumber: 'abc', ringTimeoutSec: 1, noAgentsAction: 'dance' });
    expect(r.status).toBe(400);
    expect(r.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['inboundNumber', 'name', 'noAgentsAction', 'ringTimeoutSec']);
    expect((await admin.request('PATCH', '/api/queues/not-a-uuid', { name: 'x' })).status).toBe(400);
    expect((await admin.request('PATCH', '/api/queues/00000000-0000-4000-8000-00000000dead', { name: 'x' })).status).toBe(404);
    const dup = await admin.request('POST', '/api/agents', { login: 'sun', displayName: 'dup', extension: '3009', password: 'agent-pass-1' });
    expect(dup.status).toBe(409);
    const members = await admin.request('POST', '/api/queues', { name: 'Members' });
    const bad = await admin.request('PUT', `/api/queues/${members.body.id}/agents`, { agentIds: ['00000000-0000-4000-8000-00000000beef'] });
    expect(bad.status).toBe(404);
  });

  it('issues the agent their own SIP account; FreeSWITCH gets it through the authenticated directory', async () => {
    const sip = await agent.request('GET', '/api/agent/sip');
    expect(sip.body).toMatchObject({ uri: 'sip:3001@cc.local', authorizationUser: '3001', wsServers: ['ws://127.0.0.1:5066'] });
    expect(sip.body.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const xml = await (await fsxml({ section: 'directory', user: '3001', domain: 'cc.local', action: 'sip_auth' })).text();
    expect(xml).toContain('<user id="3001">');
    expect(xml).toContain(`<param name="password" value="${sip.body.password}"/>`);
    expect(await (await fsxml({ section: 'directory', user: '3999', domain: 'cc.local' })).text()).toContain('status="not found"');
    expect((await fsxml({ section: 'directory', user: '3001', domain: 'cc.local' }, 'wrong')).status).toBe(401);
    expect(await (await fsxml({ section: 'directory', user: '3001; drop', domain: 'cc.local' })).text()).toContain('status="not found"');
  });

  it('routes configured inbound numbers in the dialplan section and falls back otherwise', async () => {
    const q = await admin.request('POST', '/api/queues', { name: 'Billing', inboundNumber: '6000', holdMusic: 'tone_stream://%(1000,4000,440)' });
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    expect((await admin.request('PATCH', `/api/queues/${q.body.id}`, { holdMusic: '/etc/../passwd.wav' })).status).toBe(400);
    const xml = await (await fsxml({ section: 'dialplan', 'Hunt-Context': 'public', 'Caller-Destination-Number': '6000' })).text();
    expect(xml).toContain(`cc_queue_id=${q.body.id}`);
    expect(xml).toContain('cc_queue_music=tone_stream://%(1000,4000,440)');
    expect(xml).toContain('6000 XML cc_inbound');
    expect(await (await fsxml({ section: 'dialplan', 'Hunt-Context': 'default', 'Caller-Destination-Number': '6000' })).text()).toContain('not found');
  });

  it('admins manage supervisors and not-ready reasons; supervisors move agents between queues but cannot create them', async () => {
    const sup = await admin.request('POST', '/api/users', { login: 'banzhang', displayName: '班长', password: 'supervisor-pass-1', role: 'supervisor' });
    expect(sup.status).toBe(201);
    expect((await agent.request('POST', '/api/users', { login: 'x2', displayName: 'x', password: 'password-12', role: 'admin' })).status).toBe(403);
    const supervisor = new ApiClient(center.url);
    await supervisor.login('banzhang', 'supervisor-pass-1');
    const q = await admin.request('POST', '/api/queues', { name: 'Moves' });
    expect((await supervisor.request('PUT', `/api/queues/${q.body.id}/agents`, { agentIds: [agentId] })).body.agentIds).toEqual([agentId]);
    expect((await supervisor.request('PUT', `/api/agents/${agentId}/skills`, { skills: [{ skill: 'cantonese', level: 7 }] })).body.skills).toEqual([{ skill: 'cantonese', level: 7 }]);
    expect((await supervisor.request('POST', '/api/agents', { login: 'x3', displayName: 'x', extension: '9003', password: 'password-12' })).status).toBe(403);
    const reasons = await admin.request('PUT', '/api/not-ready-reasons', { code: 'coaching', labelZh: '辅导', labelEn: 'Coaching' });
    expect(reasons.body.map((r: { code: string }) => r.code)).toContain('coaching');
    expect((await admin.request('PUT', '/api/not-ready-reasons', { code: 'Bad Code', labelZh: 'x', labelEn: 'x' })).status).toBe(400);
    expect((await supervisor.request('PUT', '/api/not-ready-reasons', { code: 'nap', labelZh: '午睡', labelEn: 'Nap' })).status).toBe(403);
    expect((await admin.request('DELETE', '/api/not-ready-reasons/coaching')).status).toBe(204);
    expect((await admin.request('DELETE', '/api/not-ready-reasons/coaching')).status).toBe(404);
  });

  it('supervisors force an agent not ready, ready or out, with an audited reason; agents cannot', async () => {
    const ws = await WsSession.open(center.url, agent.cookie);
    await ws.next('agent.state', (m) => m.status === 'not_ready');
    const supervisor = new ApiClient(center.url);
    await supervisor.login('banzhang', 'supervisor-pass-1');
    expect((await agent.request('POST', `/api/agents/${agentId}/state`, { status: 'ready', reason: 'x' })).status).toBe(403);
    expect((await supervisor.request('POST', `/api/agents/${agentId}/state`, { status: 'ready' })).status).toBe(400);
    const forced = await supervisor.request('POST', `/api/agents/${agentId}/state`, { status: 'ready', reason: '排队积压，请置闲' });
    expect(forced.body).toMatchObject({ status: 'ready' });
    await ws.next('agent.state', (m) => m.status === 'ready');
    expect((await supervisor.request('POST', `/api/agents/${agentId}/state`, { status: 'logged_out', reason: '下班未签出' })).body.status).toBe('logged_out');
    const log = await center.sql`select action, details from audit_log where action = 'agent.force_state' order by id`;
    expect(log.map((r) => r.details)).toEqual([
      { from: 'not_ready', to: 'ready', reason: '排队积压，请置闲' },
      { from: 'ready', to: 'logged_out', reason: '下班未签出' },
    ]);
    ws.close();
  });

  it('refuses WebSockets without a session and answers bad messages with an error', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = new WebSocket(center.url.replace('http', 'ws') + '/ws');
      s.on('close', (code) => resolve(code));
    });
    expect(closed).toBe(4401);
    const ws = await WsSession.open(center.url, agent.cookie);
    ws.socket.send('not json');
    ws.send({ type: 'agent.set_state', status: 'on_call' });
    ws.send({ type: 'agent.set_state', status: 'ready' });
    const errors = async () => ws.messages.filter((m) => m.type === 'error');
    await ws.next('agent.state', (m) => m.status === 'ready');
    const errs = await errors();
    expect(errs.map((e) => (e as { code: string }).code)).toEqual(['invalid_message', 'invalid_message']);
    const adminWs = await WsSession.open(center.url, admin.cookie);
    adminWs.send({ type: 'agent.set_state', status: 'ready' });
    const err = await adminWs.next('error');
    expect(err.message).toMatch(/no softphone extension/);
    ws.close();
    adminWs.close();
  });
});
