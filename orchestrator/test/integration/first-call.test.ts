import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, startCenter, WsSession } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The walking skeleton, through the orchestrator with real PostgreSQL and the
 * ESL test peer: admin set-up over HTTP, an agent goes Ready over the WebSocket,
 * a caller dials in, the agent's screen pops, the call is bridged, hung up, and
 * exactly one CDR row tells the story.
 */
describe('first call: inbound caller reaches a browser agent', () => {
  let fs: FakeFreeswitch;
  let center: ContactCenter;
  let admin: ApiClient;
  let queueId: string;
  const agents: Record<string, { id: string; client: ApiClient; ws: WsSession }> = {};

  async function cdr(callId: string) {
    await center.cdr.flush();
    const rows = await center.sql`select * from cdrs where id = ${callId}`;
    return rows;
  }

  beforeAll(async () => {
    fs = new FakeFreeswitch();
    const eslPort = await fs.listen();
    center = await startCenter({ databaseUrl: await createTestDatabase(), eslPort });
    await waitFor(() => center.esl.isConnected, 5000, 'ESL connection');
    admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
    const q = await admin.request('POST', '/api/queues', { name: '售后服务', inboundNumber: '4000', ringTimeoutSec: 10 });
    expect(q.status).toBe(201);
    queueId = q.body.id;
    for (const [login, ext] of [['li.lei', '1001'], ['han.meimei', '1002']] as const) {
      const a = await admin.request('POST', '/api/agents', { login, displayName: login, extension: ext, password: 'agent-pass-1' });
      expect(a.status).toBe(201);
      const client = new ApiClient(center.url);
      await client.login(login, 'agent-pass-1');
      agents[ext] = { id: a.body.id, client, ws: undefined as unknown as WsSession };
    }
    const members = await admin.request('PUT', `/api/queues/${queueId}/agents`, { agentIds: [agents['1001']!.id, agents['1002']!.id] });
    expect(members.body.agentIds).toHaveLength(2);
    const customer = await admin.request('POST', '/api/customers', { name: '王小明', phone: '+86 138-0013-8000', company: '星光科技' });
    expect(customer.status).toBe(201);
    for (const a of Object.values(agents)) a.ws = await WsSession.open(center.url, a.client.cookie);
  });

  afterAll(async () => {
    for (const a of Object.values(agents)) a.ws?.close();
    await center?.stop();
    await fs?.close();
  });

  it('logs the agent in as not ready when the softphone connects, and Ready on request', async () => {
    const { ws, id } = agents['1001']!;
    expect((await ws.next('hello')).user.agentId).toBe(id);
    await ws.next('agent.state', (m) => m.status === 'not_ready');
    ws.send({ type: 'agent.set_state', status: 'ready' });
    await ws.next('agent.state', (m) => m.status === 'ready');
  });

  it('routes a caller to the ready agent with a screen pop, bridges, and writes one CDR', async () => {
    const { ws } = agents['1001']!;
    fs.setAgentBehaviour('1001', { kind: 'manual' });
    const callId = fs.placeInboundCall({ callerNumber: '13800138000', callerName: 'Wang', did: '4000' });
    const offered = await ws.next('call.offered', (m) => m.callId === callId);
    expect(offered.queue.name).toBe('售后服务');
    expect(offered.callerNumber).toBe('13800138000');
    expect(offered.screenPop.customer?.name).toBe('王小明');
    await ws.next('agent.state', (m) => m.status === 'reserved');
    const originate = await waitFor(() => fs.commands.find((c) => c.startsWith('originate')));
    expect(originate).toContain('user/1001@cc.local');
    expect(originate).toContain(`sip_h_X-CC-Call-Id=${callId}`);
    expect((await cdr(callId))[0]).toMatchObject({ outcome: 'live', caller_number: '13800138000', called_number: '4000', queue_id: queueId });

    await new Promise((r) => setTimeout(r, 300));
    const agentLeg = fs.answerOffer('1001');
    await ws.next('call.connected', (m) => m.callId === callId);
    await ws.next('agent.state', (m) => m.status === 'on_call');
    expect(fs.commands).toContain(`uuid_bridge ${callId} ${agentLeg}`);
    expect(fs.channels.get(callId)?.bridgedTo).toBe(agentLeg);

    await new Promise((r) => setTimeout(r, 200));
    fs.hangup(callId, 'NORMAL_CLEARING');
    await ws.next('call.ended', (m) => m.callId === callId);
    await ws.next('agent.state', (m) => m.status === 'ready' && ws.messages.indexOf(m) > ws.messages.findIndex((x) => x.type === 'call.ended'));
    expect(fs.channels.has(agentLeg)).toBe(false);

    const rows = await waitFor(async () => {
      const r = await cdr(callId);
      return r[0]?.outcome === 'answered' ? r : null;
    });
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ agent_id: agents['1001']!.id, agent_leg_uuid: agentLeg, caller_uuid: callId, hangup_cause: 'NORMAL_CLEARING' });
    expect(Number(row.wait_seconds)).toBeGreaterThanOrEqual(0.25);
    expect(Number(row.talk_seconds)).toBeGreaterThanOrEqual(0.15);
    expect(row.answered_at.getTime()).toBeGreaterThanOrEqual(row.enqueued_at.getTime());
    expect(row.ended_at.getTime()).toBeGreaterThan(row.answered_at.getTime());
  });

  it('shows the previous contact in the next screen pop of the same customer', async () => {
    const { ws } = agents['1001']!;
    fs.setAgentBehaviour('1001', { kind: 'manual' });
    const callId = fs.placeInboundCall({ callerNumber: '13800138000', did: '4000' });
    const offered = await ws.next('call.offered', (m) => m.callId === callId);
    expect(offered.screenPop.lastContacts[0]).toMatchObject({ outcome: 'answered', queueName: '售后服务', agentName: 'li.lei' });
    fs.hangup(callId, 'ORIGINATOR_CANCEL');
    await ws.next('call.offer_ended', (m) => m.callId === callId);
    const [row] = await waitFor(async () => ((await cdr(callId))[0]?.outcome === 'abandoned' ? cdr(callId) : null));
    expect(row).toMatchObject({ outcome: 'abandoned', agent_id: null, talk_seconds: '0.000' });
    // The ringing agent leg was cancelled and the agent is free again.
    await ws.next('agent.state', (m) => m.status === 'ready' && ws.messages.indexOf(m) > ws.messages.findIndex((x) => x.type === 'call.offer_ended' && x.callId === callId));
    await waitFor(() => fs.ringingOffers().length === 0);
  });

  it('moves a call on to the next agent when one does not answer, putting that one not ready', async () => {
    const first = agents['1001']!;
    const second = agents['1002']!;
    await second.ws.next('agent.state', (m) => m.status === 'not_ready');
    second.ws.send({ type: 'agent.set_state', status: 'ready' });
    await second.ws.next('agent.state', (m) => m.status === 'ready');
    // 1001 has been idle longer (since its last call ended) than 1002 just became ready? No: 1002 became ready last, so 1001 is picked.
    fs.setAgentBehaviour('1001', { kind: 'no_answer', afterMs: 100 });
    fs.setAgentBehaviour('1002', { kind: 'answer', afterMs: 50 });
    const callId = fs.placeInboundCall({ callerNumber: '01065529988', did: '4000' });
    await first.ws.next('call.offered', (m) => m.callId === callId);
    await first.ws.next('agent.state', (m) => m.status === 'not_ready' && m.reason === 'no_answer');
    await second.ws.next('call.offered', (m) => m.callId === callId);
    expect((await second.ws.next('call.offered', (m) => m.callId === callId)).screenPop.customer).toBeNull();
    await second.ws.next('call.connected', (m) => m.callId === callId);
    fs.hangup(callId);
    const [row] = await waitFor(async () => ((await cdr(callId))[0]?.outcome === 'answered' ? cdr(callId) : null));
    expect(row!.agent_id).toBe(second.id);
  });

  it('when the agent hangs up, the caller is released too', async () => {
    const second = agents['1002']!;
    await second.ws.next('agent.state', (m) => m.status === 'ready');
    fs.setAgentBehaviour('1002', { kind: 'answer', afterMs: 20 });
    const callId = fs.placeInboundCall({ callerNumber: '02088886666', did: '4000' });
    await second.ws.next('call.connected', (m) => m.callId === callId);
    const agentLeg = fs.channels.get(callId)!.bridgedTo!;
    fs.hangup(agentLeg, 'NORMAL_CLEARING');
    await waitFor(() => !fs.channels.has(callId), 3000, 'caller released');
    const [row] = await waitFor(async () => ((await cdr(callId))[0]?.outcome === 'answered' ? cdr(callId) : null));
    expect(row!.ended_at).not.toBeNull();
  });

  it('sends callers of an unknown number to the not-in-service announcement, with a CDR', async () => {
    const callId = fs.placeInboundCall({ callerNumber: '13900000000', did: '4999' });
    await waitFor(() => fs.commands.includes(`uuid_transfer ${callId} cc_not_in_service XML cc_diversions`));
    const [row] = await waitFor(async () => ((await cdr(callId))[0]?.outcome === 'no_route' ? cdr(callId) : null));
    expect(row).toMatchObject({ queue_id: null, hangup_cause: 'UNALLOCATED_NUMBER' });
  });
});
