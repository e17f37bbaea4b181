import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, startCenter, WsSession } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

/** Opening hours, queue length limits, overflow to an outside number, and a browser tab closed mid-call. */
describe('queue policies', () => {
  let fs: FakeFreeswitch;
  let center: ContactCenter;
  let admin: ApiClient;
  const cdr = async (id: string) => {
    await center.cdr.flush();
    return (await center.sql`select * from cdrs where id = ${id}`)[0];
  };

  beforeAll(async () => {
    fs = new FakeFreeswitch();
    center = await startCenter({ databaseUrl: await createTestDatabase(), eslPort: await fs.listen(), env: { CC_AGENT_OFFLINE_GRACE_MS: '300' } });
    await waitFor(() => center.esl.isConnected);
    admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
  });
  afterAll(async () => {
    await center?.stop();
    await fs?.close();
  });

  it('outside opening hours a caller hears the closed announcement (or goes to voicemail)', async () => {
    const closedAllWeek = { name: '从不营业', timezone: 'Asia/Shanghai', weekly: {}, exceptions: [] };
    const cal = await admin.request('POST', '/api/calendars', closedAllWeek);
    expect(cal.status).toBe(201);
    const bad = await admin.request('POST', '/api/calendars', { ...closedAllWeek, name: 'x', timezone: 'Nowhere/Town' });
    expect(bad.status).toBe(400);
    await admin.request('POST', '/api/queues', { name: 'Closed', inboundNumber: '6200', calendarId: cal.body.id });
    await admin.request('POST', '/api/queues', { name: 'Closed VM', inboundNumber: '6201', calendarId: cal.body.id, closedAction: 'voicemail', closedTarget: 'after_hours' });
    const a = fs.placeInboundCall({ callerNumber: '500', did: '6200' });
    const b = fs.placeInboundCall({ callerNumber: '501', did: '6201' });
    await waitFor(() => fs.commands.includes(`uuid_transfer ${a} cc_queue_closed XML cc_diversions`));
    await waitFor(() => fs.commands.includes(`uuid_transfer ${b} cc_voicemail XML cc_diversions`));
    expect(fs.commands).toContain(`uuid_setvar ${b} cc_voicemail_box after_hours`);
    await waitFor(async () => (await cdr(a))?.outcome === 'closed');
    await waitFor(async () => (await cdr(b))?.outcome === 'closed');
  });

  it('a full queue overflows the extra caller to an outside number', async () => {
    await admin.request('POST', '/api/queues', { name: 'Small', inboundNumber: '6300', maxLength: 1, overflowAction: 'external', overflowTarget: '02112345678' });
    const first = fs.placeInboundCall({ callerNumber: '600', did: '6300' });
    await waitFor(() => center.acd.waitingCalls().some((c) => c.callId === first));
    const second = fs.placeInboundCall({ callerNumber: '601', did: '6300' });
    await waitFor(() => fs.commands.includes(`uuid_transfer ${second} cc_external XML cc_diversions`));
    expect(fs.commands).toContain(`uuid_setvar ${second} cc_external_number 02112345678`);
    expect(center.acd.waitingCalls().map((c) => c.callId)).toContain(first);
    fs.hangup(second);
    await waitFor(async () => (await cdr(second))?.outcome === 'overflowed');
    fs.hangup(first);
  });

  it('closing the browser tab mid-call keeps the call; the agent is logged out when it ends', async () => {
    const q = await admin.request('POST', '/api/queues', { name: 'Tab', inboundNumber: '6400' });
    const ag = await admin.request('POST', '/api/agents', { login: 'wu', displayName: '吴十', extension: '3201', password: 'agent-pass-1' });
    await admin.request('PUT', `/api/queues/${q.body.id}/agents`, { agentIds: [ag.body.id] });
    const client = new ApiClient(center.url);
    await client.login('wu', 'agent-pass-1');
    const ws = await WsSession.open(center.url, client.cookie);
    await ws.next('agent.state', (m) => m.status === 'not_ready');
    fs.setAgentBehaviour('3201', { kind: 'answer', afterMs: 10 });
    ws.send({ type: 'agent.set_state', status: 'ready' });
    const callId = fs.placeInboundCall({ callerNumber: '700', did: '6400' });
    await ws.next('call.connected', (m) => m.callId === callId);
    ws.close();
    await new Promise((r) => setTimeout(r, 800)); // past the offline grace
    expect(fs.channels.has(callId)).toBe(true);
    expect(center.acd.agentState(ag.body.id)?.status).toBe('on_call');
    fs.hangup(callId);
    await waitFor(() => center.acd.agentState(ag.body.id)?.status === 'logged_out', 3000, 'logged out after the call');
    expect((await cdr(callId))?.outcome).toBe('answered');
  });
});
