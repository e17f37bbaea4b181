import { afterEach, describe, expect, it } from 'vitest';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, startCenter, WsSession } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function world(queue: Record<string, unknown> = {}) {
  const fs = new FakeFreeswitch();
  const eslPort = await fs.listen();
  const databaseUrl = await createTestDatabase();
  let center = await startCenter({ databaseUrl, eslPort });
  cleanups.push(() => fs.close());
  let stopped = false;
  cleanups.push(() => (stopped ? undefined : center.stop()));
  await waitFor(() => center.esl.isConnected);
  let admin = new ApiClient(center.url);
  await admin.login(ADMIN.login, ADMIN.password);
  const q = await admin.request('POST', '/api/queues', { name: 'Support', inboundNumber: '5000', ...queue });
  expect(q.status).toBe(201);
  const cdr = async (id: string) => {
    await center.cdr.flush();
    return (await center.sql`select * from cdrs where id = ${id}`)[0]!;
  };
  return {
    fs, queueId: q.body.id as string, databaseUrl, eslPort, cdr,
    get center() { return center; },
    get admin() { return admin; },
    async restart() {
      await center.stop();
      center = await startCenter({ databaseUrl, eslPort });
      stopped = false;
      cleanups.push(() => center.stop());
      await waitFor(() => center.esl.isConnected);
      admin = new ApiClient(center.url);
      await admin.login(ADMIN.login, ADMIN.password);
    },
  };
}

describe('a queue with nobody to answer', () => {
  it('keeps the caller waiting with music when the queue says wait', async () => {
    const w = await world({ noAgentsAction: 'wait' });
    const callId = w.fs.placeInboundCall({ callerNumber: '100', did: '5000' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.fs.channels.get(callId)?.application).toBe('endless_playback');
    expect(w.center.acd.waitingCalls(w.queueId).map((c) => c.callId)).toEqual([callId]);
    expect((await w.cdr(callId)).outcome).toBe('live');
    w.fs.hangup(callId);
    await waitFor(async () => (await w.cdr(callId)).outcome === 'abandoned');
  });

  it('overflows to the announcement and hangs up when the queue says so, counting the call as overflowed', async () => {
    const w = await world({ noAgentsAction: 'overflow' });
    const callId = w.fs.placeInboundCall({ callerNumber: '101', did: '5000' });
    await waitFor(() => w.fs.commands.includes(`uuid_transfer ${callId} cc_queue_overflow XML cc_diversions`), 4000);
    await waitFor(async () => (await w.cdr(callId)).outcome === 'overflowed');
    expect(w.fs.channels.has(callId)).toBe(false);
  });

  it('overflows a caller who waited past the queue maximum', async () => {
    const w = await world({ noAgentsAction: 'wait', maxWaitSec: 1 });
    const callId = w.fs.placeInboundCall({ callerNumber: '102', did: '5000' });
    await waitFor(async () => (await w.cdr(callId))?.outcome === 'overflowed', 5000);
    expect(Number((await w.cdr(callId)).wait_seconds)).toBeGreaterThanOrEqual(1);
  });
});

describe('FreeSWITCH and orchestrator outages', () => {
  it('after an ESL reconnect, ends calls that vanished and adopts callers that arrived meanwhile', async () => {
    const w = await world();
    const vanishing = w.fs.placeInboundCall({ callerNumber: '200', did: '5000' });
    const staying = w.fs.placeInboundCall({ callerNumber: '201', did: '5000' });
    await waitFor(() => w.center.acd.waitingCalls().length === 2);
    // The link drops; while we are away one caller hangs up and a new one enters.
    w.fs.dropConnections();
    w.fs.hangup(vanishing);
    const newcomer = w.fs.placeInboundCall({ callerNumber: '202', did: '5000', queueId: w.queueId });
    await waitFor(() => w.fs.connectedClients === 1 && w.center.esl.isConnected, 5000, 'reconnect');
    await waitFor(async () => (await w.cdr(vanishing)).outcome === 'lost', 5000, 'resync');
    await waitFor(() => w.center.acd.waitingCalls().length === 2, 5000, 'adoption');
    expect(w.center.acd.waitingCalls().map((c) => c.callId).sort()).toEqual([staying, newcomer].sort());
    expect(w.fs.commands).toContain('show channels as json');
    expect(await w.cdr(vanishing)).toMatchObject({ outcome: 'lost' });
    expect(await w.cdr(newcomer)).toMatchObject({ outcome: 'live', caller_number: '202', queue_id: w.queueId });
  });

  it('a caller waiting through an orchestrator restart keeps the original entry time and is routed afterwards', async () => {
    const w = await world();
    const callId = w.fs.placeInboundCall({ callerNumber: '300', did: '5000' });
    await waitFor(() => w.center.acd.waitingCalls().length === 1);
    const enqueuedAt = (await w.cdr(callId)).enqueued_at.getTime();
    await w.restart();
    expect(w.center.acd.waitingCalls().map((c) => [c.callId, c.enqueuedAt])).toEqual([[callId, enqueuedAt]]);
    // An agent logs in after the restart and gets the call.
    const agent = await w.admin.request('POST', '/api/agents', { login: 'zhao', displayName: '赵六', extension: '2001', password: 'agent-pass-1' });
    await w.admin.request('PUT', `/api/queues/${w.queueId}/agents`, { agentIds: [agent.body.id] });
    const client = new ApiClient(w.center.url);
    await client.login('zhao', 'agent-pass-1');
    const ws = await WsSession.open(w.center.url, client.cookie);
    cleanups.push(() => ws.close());
    await ws.next('agent.state', (m) => m.status === 'not_ready');
    expect((await client.request('POST', '/api/agent/state', { status: 'ready' })).body).toMatchObject({ status: 'ready', reason: null });
    await ws.next('call.connected', (m) => m.callId === callId);
    w.fs.hangup(callId);
    await waitFor(async () => (await w.cdr(callId)).outcome === 'answered');
    const rows = await w.center.sql`select count(*)::int as n from cdrs where caller_uuid = ${callId}`;
    expect(rows[0]!.n).toBe(1);
  });

  it('while FreeSWITCH is down nothing is offered, and the health endpoint says so', async () => {
    const w = await world();
    const agent = await w.admin.request('POST', '/api/agents', { login: 'qian', displayName: '钱七', extension: '2002', password: 'agent-pass-1' });
    await w.admin.request('PUT', `/api/queues/${w.queueId}/agents`, { agentIds: [agent.body.id] });
    const client = new ApiClient(w.center.url);
    await client.login('qian', 'agent-pass-1');
    const ws = await WsSession.open(w.center.url, client.cookie);
    cleanups.push(() => ws.close());
    await ws.next('agent.state', (m) => m.status === 'not_ready');
    await w.fs.close();
    await ws.next('system', (m) => m.freeswitch === 'disconnected');
    const health = await fetch(`${w.center.url}/api/health`).then((r) => r.json());
    expect(health).toEqual({ status: 'degraded', freeswitch: 'disconnected', database: 'ok' });
    ws.send({ type: 'agent.set_state', status: 'ready' });
    await ws.next('agent.state', (m) => m.status === 'ready');
    await new Promise((r) => setTimeout(r, 300));
    expect(ws.messages.some((m) => m.type === 'call.offered')).toBe(false);
  });
});
