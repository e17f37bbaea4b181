import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { UserRepository } from '../../src/auth/users.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, postFsXml, startCenter, WsSession } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/trunks');
const recorded = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'freeswitch-gateway-events.json'), 'utf8')) as {
  gatewayState: Record<string, string>[];
  channels: Record<string, string>[];
};
const TOKEN = 'answer-token-1234';

/**
 * The supervisor's seat through the orchestrator (real PostgreSQL, ESL test peer):
 * the FreeSWITCH commands behind listen / whisper / barge / hangup / intercept,
 * mode switches on the same leg, rights (queues, roles, other tenants), audit
 * rows, supervisors' SIP accounts, trunk state, and what a wallboard token can do.
 */
describe('supervision through the orchestrator', () => {
  let peer: FakeFreeswitch;
  let center: ContactCenter;
  let admin: ApiClient;
  const sup: Record<'all' | 'q2' | 'other', ApiClient> = {} as never;
  let supWs: WsSession;
  const agents: Record<string, { id: string; client: ApiClient; ws: WsSession }> = {};
  const queues: Record<'q1' | 'q2', string> = {} as never;
  const userIds: Record<string, string> = {};

  const auditRows = (action: string) =>
    center.sql<{ actor_user_id: string; target: string; details: Record<string, unknown>; organization_id: string }[]>`
      select actor_user_id, target, details, organization_id from audit_log where action = ${action} order by id`;
  const originates = () => peer.commands.filter((c) => c.startsWith('originate'));

  async function connectedCall(ext: string, did: string): Promise<{ callId: string; agentLeg: string }> {
    const { ws } = agents[ext]!;
    ws.send({ type: 'agent.set_state', status: 'ready' });
    await waitFor(() => center.acd.agentState(agents[ext]!.id)?.status === 'ready', 5000, `${ext} ready`);
    const callId = peer.placeInboundCall({ callerNumber: '13900001111', did });
    await ws.next('call.connected', (m) => m.callId === callId, 5000);
    const agentLeg = center.tracker.call(callId)!.agentLegUuid!;
    return { callId, agentLeg };
  }

  beforeAll(async () => {
    peer = new FakeFreeswitch();
    peer.gatewayStatusXml = fs.readFileSync(path.join(FIXTURES, 'sofia-xmlstatus-gateway.xml'), 'utf8');
    center = await startCenter({ databaseUrl: await createTestDatabase(), eslPort: await peer.listen() });
    await waitFor(() => center.esl.isConnected, 5000, 'ESL connection');
    admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
    queues.q1 = (await admin.request('POST', '/api/queues', { name: '售后', inboundNumber: '4000', ringTimeoutSec: 10 })).body.id;
    queues.q2 = (await admin.request('POST', '/api/queues', { name: 'Sales', inboundNumber: '4100', ringTimeoutSec: 10 })).body.id;
    for (const [login, ext, q] of [['li.lei', '1001', queues.q1], ['han.mei', '1002', queues.q2]] as const) {
      const a = await admin.request('POST', '/api/agents', { login, displayName: login, extension: ext, password: 'agent-pass-1' });
      const client = new ApiClient(center.url);
      await client.login(login, 'agent-pass-1');
      agents[ext] = { id: a.body.id, client, ws: await WsSession.open(center.url, client.cookie) };
      await admin.request('PUT', `/api/queues/${q}/agents`, { agentIds: [a.body.id] });
    }
    for (const [key, login] of [['all', 'sup.all'], ['q2', 'sup.q2']] as const) {
      const u = await admin.request('POST', '/api/users', { login, displayName: `班长 ${key}`, password: 'supervisor-pass-1', role: 'supervisor' });
      userIds[key] = u.body.id;
      sup[key] = new ApiClient(center.url);
      await sup[key].login(login, 'supervisor-pass-1');
    }
    const assigned = await admin.request('PUT', `/api/supervision/supervisors/${userIds.q2}/queues`, { queueIds: [queues.q2] });
    expect(assigned.body).toMatchObject({ login: 'sup.q2', queueIds: [queues.q2] });
    // A supervisor of another tenant.
    const [org] = await center.sql<{ id: string }[]>`insert into organizations (name, sip_domain) values ('Other tenant', 'other.local') returning id`;
    userIds.other = await new UserRepository(center.sql).createUser({ organizationId: org!.id, login: 'sup.other', displayName: 'Other', role: 'supervisor', password: 'supervisor-pass-1' });
    sup.other = new ApiClient(center.url);
    await sup.other.login('sup.other', 'supervisor-pass-1');
    supWs = await WsSession.open(center.url, sup.all.cookie);
  });

  afterAll(async () => {
    supWs?.close();
    for (const a of Object.values(agents)) a.ws.close();
    await center?.stop();
    await peer?.close();
  });

  it("gives supervisors their own SIP account, served to FreeSWITCH's directory, never an agent's extension", async () => {
    const sip = await sup.all.request('GET', '/api/supervision/sip');
    expect(sip.status).toBe(200);
    expect(sip.body).toMatchObject({ uri: 'sip:89000@cc.local', authorizationUser: '89000', wsServers: ['ws://127.0.0.1:5066'] });
    expect((await sup.all.request('GET', '/api/supervision/sip')).body.password).toBe(sip.body.password);
    expect((await sup.q2.request('GET', '/api/supervision/sip')).body.authorizationUser).toBe('89001');
    const xml = await (await postFsXml(center.url, { section: 'directory', user: '89000', domain: 'cc.local', action: 'sip_auth' })).text();
    expect(xml).toContain('<user id="89000">');
    expect(xml).toContain(`<param name="password" value="${sip.body.password}"/>`);
    expect((await agents['1001']!.client.request('GET', '/api/supervision/sip')).status).toBe(403);
    const clash = await admin.request('POST', '/api/agents', { login: 'clash', displayName: 'clash', extension: '89000', password: 'agent-pass-1' });
    expect(clash.status).toBe(409);
  });

  it('listens, whispers, barges and listens again on one leg: one originate, then eavesdrop keys; every step audited', async () => {
    const { callId, agentLeg } = await connectedCall('1001', '4000');
    const listed = await sup.all.request('GET', '/api/supervision/calls');
    expect(listed.body.calls).toEqual([expect.objectContaining({ callId, agentId: agents['1001']!.id, queueId: queues.q1, monitors: [] })]);

    const before = originates().length;
    const listen = await sup.all.request('POST', `/api/supervision/calls/${callId}/listen`, { answerToken: TOKEN });
    expect(listen.status, JSON.stringify(listen.body)).toBe(200);
    const leg = listen.body.session.legUuid as string;
    expect(listen.body.session).toMatchObject({ callId, agentId: agents['1001']!.id, mode: 'listen' });
    const originate = originates()[before]!;
    expect(originate).toMatch(new RegExp(`user/89000@cc\\.local &eavesdrop\\(${agentLeg}\\)$`));
    expect(originate).toContain(`origination_uuid=${leg}`);
    expect(originate).toContain(`sip_h_X-CC-Supervision=${TOKEN}`);
    expect(originate).not.toMatch(/eavesdrop_whisper/);
    expect(peer.eavesdropTarget(leg)).toBe(agentLeg);
    await supWs.next('supervision.session', (m) => m.session?.mode === 'listen');
    await supWs.next('supervision.calls', (m) => m.calls.some((c) => c.callId === callId && c.monitors[0]?.mode === 'listen'));

    for (const [mode, digit] of [['whisper', '2'], ['barge', '3'], ['listen', '0']] as const) {
      const r = await sup.all.request('POST', `/api/supervision/calls/${callId}/${mode}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.session).toMatchObject({ mode, legUuid: leg });
      expect(peer.receivedDtmf.at(-1)).toEqual({ uuid: leg, digits: digit });
    }
    const again = await sup.all.request('POST', `/api/supervision/calls/${callId}/listen`);
    expect(again.body.session.mode).toBe('listen');
    expect(peer.receivedDtmf).toHaveLength(3);
    expect(originates()).toHaveLength(before + 1);

    const rows = [...(await auditRows('supervision.listen')), ...(await auditRows('supervision.whisper')), ...(await auditRows('supervision.barge'))];
    expect(rows.map((r) => [r.details.outcome, r.details.mode ?? null, r.target, r.actor_user_id])).toEqual([
      ['done', 'listen', callId, userIds.all], ['done', 'listen', callId, userIds.all], ['unchanged', 'listen', callId, userIds.all],
      ['done', 'whisper', callId, userIds.all], ['done', 'barge', callId, userIds.all],
    ]);
    expect(rows.every((r) => r.details.agentId === agents['1001']!.id)).toBe(true);

    // Force hangup (强拆): the customer's channel is killed; the CDR keeps the cause; the monitoring ends with the call.
    const hangup = await sup.all.request('POST', `/api/supervision/calls/${callId}/hangup`);
    expect(hangup.status).toBe(200);
    expect(peer.commands).toContain(`uuid_kill ${callId} MANAGER_REQUEST`);
    await agents['1001']!.ws.next('call.ended', (m) => m.callId === callId);
    await supWs.next('supervision.session', (m) => m.session === null && m.ended?.callId === callId);
    await waitFor(() => !peer.channels.has(leg), 2000, 'supervisor leg hung up');
    await center.cdr.flush();
    const [cdr] = await center.sql`select outcome, hangup_cause from cdrs where id = ${callId}`;
    expect(cdr).toMatchObject({ outcome: 'answered', hangup_cause: 'MANAGER_REQUEST' });
    expect((await auditRows('supervision.hangup')).map((r) => [r.target, r.details.outcome, r.details.cause])).toEqual([[callId, 'done', 'MANAGER_REQUEST']]);
  });

  it('refuses what is out of reach: another queue (403), another tenant (404), agents, bad input, ended calls — and audits denials', async () => {
    const { callId } = await connectedCall('1001', '4000');
    const mark = peer.commands.length;
    const q2 = await sup.q2.request('POST', `/api/supervision/calls/${callId}/listen`, { answerToken: TOKEN });
    expect(q2).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const other = await sup.other.request('POST', `/api/supervision/calls/${callId}/hangup`);
    expect(other).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'call not found' } } });
    expect((await agents['1002']!.client.request('POST', `/api/supervision/calls/${callId}/listen`, { answerToken: TOKEN })).status).toBe(403);
    expect((await new ApiClient(center.url).request('POST', `/api/supervision/calls/${callId}/listen`, { answerToken: TOKEN })).status).toBe(401);
    expect((await sup.all.request('POST', `/api/supervision/calls/${callId}/mute`, {})).status).toBe(400);
    expect((await sup.all.request('POST', `/api/supervision/calls/${callId}/listen`, {})).status).toBe(400);
    expect((await sup.all.request('POST', `/api/supervision/calls/${callId}/listen`, { answerToken: 'a,b}' })).status).toBe(400);
    expect((await sup.all.request('POST', '/api/supervision/calls/00000000-0000-4000-8000-00000000dead/listen', { answerToken: TOKEN })).status).toBe(404);
    // Nothing reached the switch for these, the other tenant's list is empty, and the call still runs.
    expect(peer.commands.slice(mark).filter((c) => c.includes('&eavesdrop(') || c.startsWith('uuid_kill ' + callId))).toEqual([]);
    expect((await sup.other.request('GET', '/api/supervision/calls')).body.calls).toEqual([]);
    expect((await sup.q2.request('GET', '/api/supervision/calls')).body.calls.map((c: { callId: string }) => c.callId)).toContain(callId);
    const denials = (await auditRows('supervision.listen')).filter((r) => r.details.outcome === 'denied');
    expect(denials.map((r) => [r.actor_user_id, r.details.reason])).toEqual([[userIds.q2, 'out_of_scope']]);
    const otherDenial = (await auditRows('supervision.hangup')).filter((r) => r.details.outcome === 'denied');
    expect(otherDenial.map((r) => [r.actor_user_id, r.details.reason])).toEqual([[userIds.other, 'other_organization']]);
    expect(otherDenial[0]!.organization_id).not.toBe('00000000-0000-4000-8000-000000000001');
    // A supervisor whose softphone is not registered: the switch refuses, the answer says so, and it is audited.
    peer.setAgentBehaviour('89000', { kind: 'not_registered' });
    const offline = await sup.all.request('POST', `/api/supervision/calls/${callId}/listen`, { answerToken: TOKEN });
    expect(offline).toMatchObject({ status: 409, body: { error: { code: 'switch_refused' } } });
    expect(offline.body.error.message).toMatch(/not registered/);
    expect((await auditRows('supervision.listen')).at(-1)!.details).toMatchObject({ outcome: 'failed', cause: 'USER_NOT_REGISTERED' });
    peer.setAgentBehaviour('89000', { kind: 'answer', afterMs: 20 });
    peer.hangup(callId);
    await agents['1001']!.ws.next('call.ended', (m) => m.callId === callId);
    expect((await sup.all.request('POST', `/api/supervision/calls/${callId}/listen`, { answerToken: TOKEN })).status).toBe(404);
  });

  it('intercepts (代接) from a monitoring leg: the customer is bridged to the supervisor, the agent released, the call goes on', async () => {
    const { callId, agentLeg } = await connectedCall('1001', '4000');
    const listen = await sup.all.request('POST', `/api/supervision/calls/${callId}/whisper`, { answerToken: TOKEN });
    const leg = listen.body.session.legUuid as string;
    expect(originates().at(-1)).toContain('eavesdrop_whisper_bleg=true');
    const intercept = await sup.all.request('POST', `/api/supervision/calls/${callId}/intercept`);
    expect(intercept.status, JSON.stringify(intercept.body)).toBe(200);
    expect(intercept.body.session).toBeNull();
    expect(peer.commands).toContain(`uuid_bridge ${callId} ${leg}`);
    expect(peer.commands).toContain(`uuid_kill ${agentLeg} NORMAL_CLEARING`);
    await waitFor(() => !peer.channels.has(agentLeg), 2000, 'agent leg gone');
    await waitFor(() => center.acd.agentState(agents['1001']!.id)?.status === 'ready', 2000, 'agent released');
    expect(peer.channels.get(callId)?.bridgedTo).toBe(leg);
    expect(center.tracker.call(callId)).toMatchObject({ agentLegUuid: leg, endedAt: null });
    const listed = (await sup.all.request('GET', '/api/supervision/calls')).body.calls.find((c: { callId: string }) => c.callId === callId);
    expect(listed.takenOverBy).toBe(userIds.all);
    expect((await sup.all.request('POST', `/api/supervision/calls/${callId}/barge`, { answerToken: TOKEN })).body.error.code).toBe('call_taken_over');
    expect((await auditRows('supervision.intercept')).at(-1)!.details).toMatchObject({ outcome: 'done', legUuid: leg, agentLegUuid: agentLeg, reusedMonitoringLeg: true });
    // The supervisor hangs up: the customer is released and the call ends.
    peer.hangup(leg);
    await waitFor(() => !peer.channels.has(callId), 2000, 'customer released');
    await waitFor(() => center.tracker.call(callId) === undefined, 2000, 'call ended');
  });

  it('intercepts without monitoring first: a new leg is dialled and parked, then bridged', async () => {
    const { callId, agentLeg } = await connectedCall('1001', '4000');
    const before = originates().length;
    const r = await sup.all.request('POST', `/api/supervision/calls/${callId}/intercept`, { answerToken: TOKEN });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const originate = originates()[before]!;
    expect(originate).toMatch(/cc_role=supervisor_takeover,.*user\/89000@cc\.local &park\(\)$/);
    const leg = /origination_uuid=([0-9a-f-]{36})/.exec(originate)![1]!;
    expect(peer.commands).toContain(`uuid_bridge ${callId} ${leg}`);
    await waitFor(() => !peer.channels.has(agentLeg), 2000, 'agent leg gone');
    peer.hangup(callId);
    await waitFor(() => !peer.channels.has(leg), 2000, 'supervisor leg released with the customer');
  });

  it("limits forced agent states to the supervisor's queues", async () => {
    const denied = await sup.q2.request('POST', `/api/agents/${agents['1001']!.id}/state`, { status: 'not_ready', reason: '培训' });
    expect(denied.status).toBe(403);
    const ok = await sup.q2.request('POST', `/api/agents/${agents['1002']!.id}/state`, { status: 'not_ready', reason: '培训' });
    expect(ok.status).toBe(200);
    expect((await sup.other.request('POST', `/api/agents/${agents['1002']!.id}/state`, { status: 'ready', reason: 'x' })).status).toBe(404);
    expect((await sup.q2.request('PUT', `/api/supervision/supervisors/${userIds.q2}/queues`, { queueIds: [] })).status).toBe(403);
    expect((await admin.request('PUT', `/api/supervision/supervisors/${userIds.q2}/queues`, { queueIds: ['00000000-0000-4000-8000-00000000beef'] })).status).toBe(404);
    expect((await admin.request('PUT', `/api/supervision/supervisors/${userIds.other}/queues`, { queueIds: [] })).status).toBe(404);
    expect((await auditRows('supervisor.queues')).map((r) => r.target)).toEqual([userIds.q2]);
  });

  it('shows trunks from FreeSWITCH: the gateway list, state events and calls in use, pushed to supervisors', async () => {
    const trunks = await waitFor(async () => {
      const r = await sup.all.request('GET', '/api/trunks');
      return r.body.length === 2 ? r.body : null;
    }, 5000, 'trunk list');
    expect(trunks).toMatchObject([
      { name: 'carrier', registration: 'FAILED', status: 'down', callsInUse: 0 },
      { name: 'loop', registration: 'NOREG', ping: 'up', status: 'up', callsOutTotal: 1 },
    ]);
    expect((await agents['1001']!.client.request('GET', '/api/trunks')).status).toBe(403);
    peer.emitRawEvent({ ...recorded.gatewayState[0]!, State: 'REGED', 'Ping-Status': 'UP' });
    await supWs.next('trunks', (m) => m.trunks.some((t) => t.name === 'carrier' && t.status === 'up'));
    peer.emitRawEvent(recorded.channels[0]!);
    await supWs.next('trunks', (m) => m.trunks.some((t) => t.name === 'loop' && t.callsInUse === 1));
    peer.emitRawEvent(recorded.channels[2]!);
    await waitFor(async () => (await sup.all.request('GET', '/api/trunks')).body.find((t: { name: string }) => t.name === 'loop').callsInUse === 0, 2000, 'call ended on the gateway');
  });

  it('wallboard tokens read the wallboard figures and nothing else; revoking closes the screen', async () => {
    expect((await agents['1001']!.client.request('POST', '/api/wallboard/tokens', { name: 'x' })).status).toBe(403);
    const created = await sup.all.request('POST', '/api/wallboard/tokens', { name: '大厅屏幕' });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^wb_[a-z2-7]{32}$/);
    expect(created.body.url).toBe(`/wallboard?token=${token}`);
    const [stored] = await center.sql`select token_hash from wallboard_tokens where id = ${created.body.id}`;
    expect(stored!.token_hash).not.toContain(token.slice(3));

    const data = await fetch(`${center.url}/api/wallboard/data?token=${token}`);
    expect(data.status).toBe(200);
    const view = await data.json() as Record<string, any>;
    expect(view.queues.map((q: { name: string }) => q.name).sort()).toEqual(['Sales', '售后']);
    expect(Object.values(view.agentsByState as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(2);
    const metrics = (await sup.all.request('GET', '/api/metrics')).body as { queues: { answered: number }[] };
    expect(view.totals.answered).toBe(metrics.queues.reduce((n, q) => n + q.answered, 0));
    expect(view.totals.answered).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(view)).not.toMatch(/li\.lei|han\.mei|1001|1002/);
    expect((await fetch(`${center.url}/api/wallboard/data`, { headers: { 'x-wallboard-token': token } })).status).toBe(200);

    // The token is no session and opens nothing else.
    const asCookie = { cookie: `cc_session=${token}` };
    for (const p of ['/api/metrics', '/api/agents', '/api/me', '/api/supervision/calls', '/api/trunks', '/api/wallboard/tokens', `/api/metrics?token=${token}`]) {
      expect((await fetch(center.url + p, { headers: asCookie })).status, p).toBe(401);
      expect((await fetch(center.url + p, { headers: { 'x-wallboard-token': token } })).status, p).toBe(401);
    }
    expect((await fetch(`${center.url}/api/wallboard/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wallboard-token': token }, body: '{"name":"x"}' })).status).toBe(401);
    expect((await fetch(`${center.url}/api/wallboard/data?token=wb_${'a'.repeat(32)}`)).status).toBe(401);
    expect((await fetch(`${center.url}/api/wallboard/data`, { headers: { cookie: sup.all.cookie } })).status).toBe(401);
    const closedCode = await new Promise<number>((resolve) => {
      const s = new WebSocket(`${center.url.replace(/^http/, 'ws')}/ws?token=${token}`, { headers: asCookie });
      s.on('close', (code) => resolve(code));
      s.on('error', () => undefined);
    });
    expect(closedCode).toBe(4401);

    const wall = new WebSocket(`${center.url.replace(/^http/, 'ws')}/ws/wallboard?token=${token}`);
    const messages: any[] = [];
    wall.on('message', (d) => messages.push(JSON.parse(d.toString())));
    const wallClosed = new Promise<number>((resolve) => wall.on('close', (code) => resolve(code)));
    await waitFor(() => messages.find((m) => m.type === 'wallboard'), 5000, 'wallboard push');
    expect(messages[0]).toMatchObject({ type: 'wallboard', totals: { waiting: 0 } });
    expect(Object.keys(messages[0]).sort()).toEqual(['agentsByState', 'at', 'queues', 'totals', 'type']);

    const list = await sup.all.request('GET', '/api/wallboard/tokens');
    expect(list.body).toEqual([expect.objectContaining({ id: created.body.id, name: '大厅屏幕', createdBy: 'sup.all', revokedAt: null })]);
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect((await sup.other.request('DELETE', `/api/wallboard/tokens/${created.body.id}`)).status).toBe(404);
    expect((await sup.all.request('DELETE', `/api/wallboard/tokens/${created.body.id}`)).status).toBe(204);
    expect(await wallClosed).toBe(4401);
    expect((await fetch(`${center.url}/api/wallboard/data?token=${token}`)).status).toBe(401);
    expect((await sup.all.request('GET', '/api/wallboard/tokens')).body[0].revokedAt).not.toBeNull();
    expect((await auditRows('wallboard_token.create')).map((r) => r.target)).toEqual([created.body.id]);
    expect((await auditRows('wallboard_token.revoke')).map((r) => [r.target, r.actor_user_id])).toEqual([[created.body.id, userIds.all]]);
  });
});
