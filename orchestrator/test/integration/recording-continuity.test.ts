import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, startCenter, WsSession } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

/**
 * One recording per call when the call changes hands before or after the
 * agent answers (real PostgreSQL, local store, ESL test peer):
 * - the caller overflows from queue A (max wait) to queue B and B's agent
 *   answers: one `uuid_record … start`, one stored row, credited to queue B;
 * - with queue A recording from the system's answer, the recording starts
 *   while the caller waits in A (no IVR, no test hook: the cc::enqueue path)
 *   and the move to B and B's agent answering do not start a second one;
 * - a supervisor intercepts (代接) a recorded call: the agent's leg is replaced
 *   by the supervisor's, the capture on the caller's channel goes on, one file.
 */
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('recording continuity across queue moves and leg replacement', () => {
  let fsw: FakeFreeswitch;
  let center: ContactCenter;
  let dataDir: string;
  let recordingsDir: string;
  let admin: ApiClient;
  let supervisor: ApiClient;
  const queues = { a: '', b: '', c: '', d: '' };
  const agents: Record<string, { id: string; ws: WsSession }> = {};

  const starts = (callId: string) => fsw.commands.filter((c) => c.startsWith(`uuid_record ${callId} start `));
  const rowsOf = (callId: string) => center.sql`select * from recordings where call_id = ${callId} order by started_at`;

  async function ready(ext: string) {
    const a = agents[ext]!;
    const status = () => center.acd.agentState(a.id)?.status;
    await waitFor(() => ['ready', 'not_ready'].includes(status() ?? ''), 5000, `agent ${ext} idle`);
    if (status() === 'not_ready') a.ws.send({ type: 'agent.set_state', status: 'ready' });
    await waitFor(() => status() === 'ready', 5000, `agent ${ext} ready`);
  }

  async function endAndStore(callId: string) {
    fsw.hangup(callId, 'NORMAL_CLEARING');
    await waitFor(async () => {
      await center.cdr.flush();
      return (await center.sql`select outcome from cdrs where id = ${callId}`)[0]?.outcome === 'answered';
    }, 5000, 'CDR answered');
    return waitFor(async () => {
      const rows = await rowsOf(callId);
      return rows.length > 0 && rows.every((r) => r.status === 'stored') ? rows : null;
    }, 5000, `stored recordings of ${callId}`);
  }

  beforeAll(async () => {
    fsw = new FakeFreeswitch();
    const eslPort = await fsw.listen();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-rec-cont-'));
    recordingsDir = path.join(dataDir, 'recordings');
    center = await startCenter({ databaseUrl: await createTestDatabase(), eslPort, env: { CC_DATA_DIR: dataDir } });
    await waitFor(() => center.esl.isConnected, 5000, 'ESL connection');
    admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
    const mk = async (body: Record<string, unknown>) => {
      const r = await admin.request('POST', '/api/queues', { ringTimeoutSec: 10, ...body });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    queues.b = await mk({ name: '二线 B', inboundNumber: '4520' });
    // A: nobody serves it; after 1 s of waiting the caller moves to B.
    queues.a = await mk({ name: '一线 A', inboundNumber: '4510', maxWaitSec: 1, overflowAction: 'queue', overflowTarget: queues.b });
    queues.c = await mk({ name: '代接 C', inboundNumber: '4530' });
    queues.d = await mk({ name: '回呼 D', inboundNumber: '4540', callbackEnabled: true, callbackDigit: '1' });
    for (const [login, ext] of [['cont.a', '1101'], ['cont.b', '1102']] as const) {
      const a = await admin.request('POST', '/api/agents', { login, displayName: login, extension: ext, password: 'agent-pass-1' });
      expect(a.status).toBe(201);
      const client = new ApiClient(center.url);
      await client.login(login, 'agent-pass-1');
      agents[ext] = { id: a.body.id, ws: await WsSession.open(center.url, client.cookie) };
    }
    // Queue A has a member who stays not ready (so the caller waits in A, not overflowing for lack of agents).
    expect((await admin.request('PUT', `/api/queues/${queues.a}/agents`, { agentIds: [agents['1101']!.id] })).status).toBe(200);
    expect((await admin.request('PUT', `/api/queues/${queues.b}/agents`, { agentIds: [agents['1102']!.id] })).status).toBe(200);
    expect((await admin.request('PUT', `/api/queues/${queues.c}/agents`, { agentIds: [agents['1102']!.id] })).status).toBe(200);
    expect((await admin.request('PUT', `/api/queues/${queues.d}/agents`, { agentIds: [agents['1102']!.id] })).status).toBe(200);
    expect((await admin.request('POST', '/api/users', { login: 'cont.super', displayName: '班长', password: 'super-pass-1', role: 'supervisor' })).status).toBe(201);
    supervisor = new ApiClient(center.url);
    await supervisor.login('cont.super', 'super-pass-1');
  });

  // A failed test must not leave its caller waiting for the next one's agent.
  afterEach(async () => {
    for (const uuid of [...fsw.channels.keys()]) fsw.hangup(uuid, 'NORMAL_CLEARING');
    await waitFor(() => center.tracker.liveCalls.length === 0, 3000, 'no live calls');
  });

  afterAll(async () => {
    for (const a of Object.values(agents)) a.ws?.close();
    await center?.stop();
    await fsw?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("policy 'all' from agent answer on A and B: the caller moves from A to B, B's agent answers: one start, one stored row for queue B", async () => {
    for (const q of [queues.a, queues.b]) {
      expect((await admin.request('PUT', `/api/recording-policies/queue/${q}`, { mode: 'all', startAt: 'agent_answer' })).status).toBe(200);
    }
    await ready('1102');
    const callId = fsw.placeInboundCall({ callerNumber: '13800000001', did: '4510' });
    await waitFor(() => center.acd.waitingCalls().some((c) => c.callId === callId), 3000, 'waiting in A');
    expect(center.tracker.call(callId)?.queueId).toBe(queues.a);
    // The call is connected once FreeSWITCH confirmed the bridge (the command alone may still be in flight).
    await waitFor(() => fsw.commands.some((c) => c.startsWith(`uuid_bridge ${callId} `)) && center.tracker.call(callId)?.agentId != null, 8000, 'bridged to B’s agent');
    const movedAfterMs = Date.now() - center.tracker.call(callId)!.enqueuedAt;
    expect(center.tracker.call(callId)).toMatchObject({ queueId: queues.b, agentId: agents['1102']!.id });
    await waitFor(() => starts(callId).length > 0, 3000, 'uuid_record start');
    await new Promise((r) => setTimeout(r, 400));
    const rows = await endAndStore(callId);

    const [cdr] = await center.sql`select queue_id, agent_id, outcome from cdrs where id = ${callId}`;
    console.log(`recording continuity (overflow A→B, agent_answer): answered ${movedAfterMs} ms after entry, ${starts(callId).length} uuid_record start, ${rows.length} row, duration ${rows[0]!.duration_ms} ms`);
    expect(starts(callId)).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ queue_id: queues.b, agent_id: agents['1102']!.id, start_reason: 'policy', channels: 2 });
    expect(cdr).toMatchObject({ queue_id: queues.b, agent_id: agents['1102']!.id, outcome: 'answered' });
    expect(sha256(path.join(recordingsDir, ...rows[0]!.storage_key.split('/')))).toBe(rows[0]!.sha256);
  });

  it("policy 'all' from system answer on A: recording starts while the caller waits in A, goes on through the move to B and B's answer: one file, credited to B", async () => {
    expect((await admin.request('PUT', `/api/recording-policies/queue/${queues.a}`, { mode: 'all', startAt: 'system_answer' })).status).toBe(200);
    expect((await admin.request('PUT', `/api/recording-policies/queue/${queues.b}`, { mode: 'all', startAt: 'agent_answer' })).status).toBe(200);
    await ready('1102');
    const callId = fsw.placeInboundCall({ callerNumber: '13800000002', did: '4510' });
    await waitFor(() => center.acd.waitingCalls().some((c) => c.callId === callId), 3000, 'waiting in A');
    // The platform answered (cc_inbound answers and plays music): the capture starts before any agent.
    await waitFor(() => starts(callId).length === 1, 3000, 'uuid_record start at system answer');
    expect(fsw.commands.some((c) => c.startsWith(`uuid_bridge ${callId} `))).toBe(false);
    expect(center.tracker.call(callId)?.queueId).toBe(queues.a);
    const [early] = await rowsOf(callId);
    expect(early).toMatchObject({ status: 'recording', queue_id: queues.a, agent_id: null });

    await waitFor(() => fsw.commands.some((c) => c.startsWith(`uuid_bridge ${callId} `)), 8000, 'bridged to B’s agent');
    expect(center.tracker.call(callId)?.queueId).toBe(queues.b);
    await new Promise((r) => setTimeout(r, 400));
    const rows = await endAndStore(callId);
    console.log(`recording continuity (overflow A→B, system_answer on A): ${starts(callId).length} uuid_record start, ${rows.length} row, duration ${rows[0]!.duration_ms} ms (queue time included)`);
    expect(starts(callId)).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ queue_id: queues.b, agent_id: agents['1102']!.id, agent_ids: [agents['1102']!.id] });
    // Queue time (≥ 1 s in A) is in the file.
    expect(rows[0]!.duration_ms).toBeGreaterThan(1000);
  });

  it('a supervisor intercepts a recorded call: the agent leg is replaced, the capture goes on, one file', async () => {
    expect((await admin.request('PUT', `/api/recording-policies/queue/${queues.c}`, { mode: 'all', startAt: 'agent_answer' })).status).toBe(200);
    await ready('1102');
    const callId = fsw.placeInboundCall({ callerNumber: '13800000003', did: '4530' });
    await agents['1102']!.ws.next('call.connected', (m) => m.callId === callId, 5000);
    const agentLeg = center.tracker.call(callId)!.agentLegUuid!;
    await waitFor(() => starts(callId).length === 1, 3000, 'uuid_record start');
    const capture = starts(callId)[0]!.split(' ')[3]!;

    const r = await supervisor.request('POST', `/api/supervision/calls/${callId}/intercept`, { answerToken: 'intercept-token-1' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const leg = /origination_uuid=([0-9a-f-]{36})/.exec(fsw.commands.filter((c) => c.startsWith('originate')).at(-1)!)![1]!;
    await waitFor(() => !fsw.channels.has(agentLeg), 2000, 'agent leg gone');
    expect(fsw.channels.get(callId)?.bridgedTo).toBe(leg);
    expect(center.tracker.call(callId)).toMatchObject({ agentLegUuid: leg, endedAt: null });
    // The agent is free; the capture on the caller's channel is still the only one and still running.
    await waitFor(() => center.acd.agentState(agents['1102']!.id)?.status === 'ready', 2000, 'agent released');
    expect(center.recording.recorder.status(callId)).toMatchObject({ state: 'recording' });
    expect(fsw.commands.filter((c) => c.startsWith(`uuid_record ${callId} stop`))).toEqual([]);
    await new Promise((r) => setTimeout(r, 400));

    const rows = await endAndStore(callId);
    console.log(`recording continuity (intercept): ${starts(callId).length} uuid_record start, ${rows.length} row, duration ${rows[0]!.duration_ms} ms`);
    expect(starts(callId)).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ capture_path: capture, queue_id: queues.c, agent_id: agents['1102']!.id });
    const [cdr] = await center.sql`select outcome from cdrs where id = ${callId}`;
    expect(cdr?.outcome).toBe('answered');
  });

  it('a callback is recorded on the agent leg with the channels swapped (customer still left): one stored row for the callback', async () => {
    expect((await admin.request('PUT', `/api/recording-policies/queue/${queues.d}`, { mode: 'all', startAt: 'agent_answer' })).status).toBe(200);
    // Nobody is ready: the caller asks for a callback (key 1) and hangs up.
    agents['1102']!.ws.send({ type: 'agent.set_state', status: 'not_ready', reason: 'break' });
    await waitFor(() => center.acd.agentState(agents['1102']!.id)?.status === 'not_ready', 3000, 'agent not ready');
    const origin = fsw.placeInboundCall({ callerNumber: '13800000004', did: '4540' });
    await waitFor(() => center.acd.waitingCalls().some((c) => c.callId === origin), 3000, 'waiting in D');
    fsw.sendDtmf(origin, '1');
    await waitFor(() => !fsw.channels.has(origin), 3000, 'caller hung up after the confirmation');
    const callbackId = await waitFor(() => center.acd.waitingCalls().find((c) => c.callbackNumber === '13800000004')?.callId, 3000, 'callback queued');

    fsw.setAgentBehaviour('1102', { kind: 'answer', afterMs: 10 });
    // Ready: the waiting callback is offered at once (the agent goes straight to reserved).
    agents['1102']!.ws.send({ type: 'agent.set_state', status: 'ready' });
    await agents['1102']!.ws.next('call.connected', (m) => m.callId === callbackId, 5000);
    const agentLeg = center.tracker.call(callbackId)!.callerUuid;
    await waitFor(() => starts(agentLeg).length === 1, 3000, 'uuid_record start on the agent leg');
    expect(fsw.commands).toContain(`uuid_setvar_multi ${agentLeg} RECORD_STEREO=true;RECORD_MIN_SEC=0;RECORD_STEREO_SWAP=true`);
    await new Promise((r) => setTimeout(r, 300));
    fsw.hangup(agentLeg, 'NORMAL_CLEARING');
    const rows = await waitFor(async () => {
      const r = await rowsOf(callbackId);
      return r.length > 0 && r.every((x) => x.status === 'stored') ? r : null;
    }, 5000, 'stored callback recording');
    console.log(`recording continuity (callback): ${starts(agentLeg).length} uuid_record start on the agent leg, ${rows.length} row, duration ${rows[0]!.duration_ms} ms`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ queue_id: queues.d, agent_id: agents['1102']!.id, caller_number: '13800000004', channels: 2 });
    expect(await rowsOf(origin)).toHaveLength(0);
  });
});
