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

describe('callback in queue', () => {
  it('a caller presses 1, hangs up keeping their place, and is called back by the next free agent, also across a restart', async () => {
    const fs = new FakeFreeswitch();
    const eslPort = await fs.listen();
    const databaseUrl = await createTestDatabase();
    let center: ContactCenter = await startCenter({ databaseUrl, eslPort });
    cleanups.push(() => fs.close());
    cleanups.push(() => center.stop());
    await waitFor(() => center.esl.isConnected);
    let admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
    const q = await admin.request('POST', '/api/queues', { name: 'Callback', inboundNumber: '6100', callbackEnabled: true, callbackDigit: '1' });
    const a = await admin.request('POST', '/api/agents', { login: 'zhou', displayName: '周九', extension: '3101', password: 'agent-pass-1' });
    await admin.request('PUT', `/api/queues/${q.body.id}/agents`, { agentIds: [a.body.id] });

    // Two callers wait; the second asks for a callback with the wrong key first (ignored), then the right one.
    const first = fs.placeInboundCall({ callerNumber: '13600000001', did: '6100' });
    await new Promise((r) => setTimeout(r, 10));
    const second = fs.placeInboundCall({ callerNumber: '13600000002', did: '6100' });
    await waitFor(() => center.acd.waitingCalls().length === 2);
    fs.sendDtmf(second, '9');
    await new Promise((r) => setTimeout(r, 100));
    expect(fs.commands.some((c) => c.includes('cc_callback_accepted'))).toBe(false);
    fs.sendDtmf(second, '1');
    await waitFor(() => fs.commands.includes(`uuid_transfer ${second} cc_callback_accepted XML cc_diversions`));
    await waitFor(() => !fs.channels.has(second), 3000, 'caller hung up after the confirmation');
    await waitFor(async () => (await center.sql`select outcome from cdrs where id = ${second}`)[0]?.outcome === 'callback');
    const [row] = await center.sql`select * from callbacks`;
    expect(row).toMatchObject({ number: '13600000002', status: 'waiting', origin_call_id: second });
    const callbackId = row!.id as string;
    expect(center.acd.waitingCalls().map((c) => c.callId)).toEqual([first, callbackId]);

    // The orchestrator restarts: the callback keeps its place.
    await center.stop();
    cleanups.pop();
    center = await startCenter({ databaseUrl, eslPort });
    cleanups.push(() => center.stop());
    await waitFor(() => center.esl.isConnected && center.acd.waitingCalls().length === 2);
    expect(center.acd.waitingCall(callbackId)?.enqueuedAt).toBe(row!.enqueued_at.getTime());

    // The agent serves the first caller, then the callback: the agent leg dials the customer.
    admin = new ApiClient(center.url);
    const agent = new ApiClient(center.url);
    await agent.login('zhou', 'agent-pass-1');
    const ws = await WsSession.open(center.url, agent.cookie);
    cleanups.push(() => ws.close());
    fs.setAgentBehaviour('3101', { kind: 'answer', afterMs: 10 });
    await ws.next('agent.state', (m) => m.status === 'not_ready');
    ws.send({ type: 'agent.set_state', status: 'ready' });
    await ws.next('call.connected', (m) => m.callId === first);
    fs.hangup(first);
    const offered = await ws.next('call.offered', (m) => m.callId === callbackId);
    expect(offered).toMatchObject({ callerNumber: '13600000002', calledNumber: 'callback' });
    await ws.next('call.connected', (m) => m.callId === callbackId);
    const agentLeg = await waitFor(() => fs.commands.find((c) => c.startsWith('uuid_transfer') && c.includes('cc_callback XML'))?.split(' ')[1]);
    expect(fs.commands).toContain(`uuid_setvar ${agentLeg} cc_external_number 13600000002`);
    await waitFor(async () => (await center.sql`select status from callbacks where id = ${callbackId}`)[0]?.status === 'dialing');
    fs.hangup(agentLeg, 'NORMAL_CLEARING');
    await ws.next('call.ended', (m) => m.callId === callbackId);
    await waitFor(async () => (await center.sql`select status from callbacks where id = ${callbackId}`)[0]?.status === 'done');
    const [cdr] = await center.sql`select * from cdrs where id = ${callbackId}`;
    expect(cdr).toMatchObject({ outcome: 'answered', called_number: 'callback', caller_number: '13600000002', agent_id: a.body.id, caller_uuid: agentLeg });
    const metrics = (await (async () => { await admin.login(ADMIN.login, ADMIN.password); return admin.request('GET', '/api/metrics'); })()).body;
    expect(metrics.queues[0]).toMatchObject({ leftQueue: 0, answered: 1 });
  });
});
