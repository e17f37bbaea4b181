import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { UserRepository } from '../../src/auth/users.ts';
import { signRecordingUrl } from '../../src/recording/signed-url.ts';
import { parseWavHeader } from '../../src/media/wav.ts';
import { LocalRecordingStorage, recordingKey } from '../../src/recording/storage.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, startCenter, WsSession } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Call recording through the orchestrator with real PostgreSQL, the local
 * store on disk and the ESL test peer (which answers uuid_record like
 * FreeSWITCH 1.10 and writes a stereo WAV: a 400 Hz caller tone left, a 1 kHz
 * agent tone right, silence while masked).
 */
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Mean absolute sample value of one channel of a 16-bit stereo WAV between two offsets (ms). */
function level(file: string, channel: 0 | 1, fromMs: number, toMs: number): number {
  const buf = fs.readFileSync(file);
  const info = parseWavHeader(buf, buf.length);
  const frame = info.blockAlign;
  const first = Math.floor((fromMs * info.sampleRate) / 1000);
  const last = Math.min(Math.floor((toMs * info.sampleRate) / 1000), info.dataBytes / frame);
  let sum = 0;
  for (let i = first; i < last; i++) sum += Math.abs(buf.readInt16LE(info.dataOffset + i * frame + channel * 2));
  return last > first ? sum / (last - first) : 0;
}

describe('call recording', () => {
  let fsw: FakeFreeswitch;
  let center: ContactCenter;
  let dataDir: string;
  let recordingsDir: string;
  let admin: ApiClient;
  let supervisor: ApiClient;
  let queueAll: string;
  let queueOnDemand: string;
  let queueNone: string;
  const agents: Record<string, { id: string; userId: string; client: ApiClient; ws: WsSession }> = {};
  const other: { orgId: string; admin: ApiClient; agent: ApiClient; recordingId: string } = {} as never;

  const statusOf = (agentId: string) => center.acd.allAgentStates().find((s) => s.agentId === agentId)?.status;

  /** Makes the agent Ready (after a call they come back to Ready on their own). */
  async function ready(ext: string) {
    const a = agents[ext]!;
    await waitFor(() => ['ready', 'not_ready'].includes(statusOf(a.id) ?? ''), 5000, `agent ${ext} idle`);
    if (statusOf(a.id) === 'not_ready') a.ws.send({ type: 'agent.set_state', status: 'ready' });
    await waitFor(() => statusOf(a.id) === 'ready', 5000, `agent ${ext} ready`);
  }

  /** A caller dials `did`; the agent's softphone answers (test peer default: 30 ms); resolves when bridged. */
  async function connectedCall(did: string, callerNumber = '13800138000'): Promise<string> {
    const callId = fsw.placeInboundCall({ callerNumber, did });
    await waitFor(() => fsw.commands.some((c) => c.startsWith(`uuid_bridge ${callId} `)), 5000, 'bridge');
    return callId;
  }

  async function recordingsOf(callId: string) {
    return center.sql`select * from recordings where call_id = ${callId} order by started_at`;
  }

  async function storedRecording(callId: string, timeoutMs = 5000) {
    let last = 'no row';
    return waitFor(async () => {
      const [r] = await recordingsOf(callId);
      last = r ? `${r.status} (${r.last_error ?? 'no error'})` : 'no row';
      return r && r.status === 'stored' ? r : null;
    }, timeoutMs, `stored recording of ${callId}`).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${last}`);
    });
  }

  async function endCall(callId: string) {
    fsw.hangup(callId, 'NORMAL_CLEARING');
    await waitFor(async () => {
      await center.cdr.flush();
      return (await center.sql`select outcome from cdrs where id = ${callId}`)[0]?.outcome === 'answered';
    }, 5000, 'CDR answered');
  }

  beforeAll(async () => {
    fsw = new FakeFreeswitch();
    const eslPort = await fsw.listen();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-rec-test-'));
    recordingsDir = path.join(dataDir, 'recordings');
    center = await startCenter({ databaseUrl: await createTestDatabase(), eslPort, env: { CC_DATA_DIR: dataDir } });
    await waitFor(() => center.esl.isConnected, 5000, 'ESL connection');
    admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
    const mkQueue = async (name: string, did: string) => (await admin.request('POST', '/api/queues', { name, inboundNumber: did, ringTimeoutSec: 10 })).body.id as string;
    queueAll = await mkQueue('录音全部', '4100');
    queueOnDemand = await mkQueue('按需录音', '4200');
    queueNone = await mkQueue('不录音', '4300');
    for (const [login, ext] of [['rec.agent1', '1001'], ['rec.agent2', '1002']] as const) {
      const a = await admin.request('POST', '/api/agents', { login, displayName: login, extension: ext, password: 'agent-pass-1' });
      expect(a.status).toBe(201);
      const client = new ApiClient(center.url);
      await client.login(login, 'agent-pass-1');
      const ws = await WsSession.open(center.url, client.cookie);
      agents[ext] = { id: a.body.id, userId: (await ws.next('hello')).user.id, client, ws };
    }
    for (const q of [queueAll, queueOnDemand, queueNone]) {
      expect((await admin.request('PUT', `/api/queues/${q}/agents`, { agentIds: [agents['1001']!.id] })).status).toBe(200);
    }
    expect((await admin.request('POST', '/api/users', { login: 'rec.super', displayName: '主管', password: 'super-pass-1', role: 'supervisor' })).status).toBe(201);
    supervisor = new ApiClient(center.url);
    await supervisor.login('rec.super', 'super-pass-1');

    // Another tenant, with an admin, an agent and a stored recording of its own.
    const [org] = await center.sql`insert into organizations (name, sip_domain) values ('Other tenant', 'other.local') returning id`;
    other.orgId = org!.id;
    const users = new UserRepository(center.sql);
    await users.createUser({ organizationId: other.orgId, login: 'other.admin', displayName: 'Other admin', role: 'admin', password: 'other-pass-1' });
    const otherAgentUser = await users.createUser({ organizationId: other.orgId, login: 'other.agent', displayName: 'Other agent', role: 'agent', password: 'other-pass-1' });
    const [otherAgent] = await center.sql`insert into agents (organization_id, user_id, extension, sip_password) values (${other.orgId}, ${otherAgentUser}, '1001', 'x') returning id`;
    other.admin = new ApiClient(center.url);
    await other.admin.login('other.admin', 'other-pass-1');
    other.agent = new ApiClient(center.url);
    await other.agent.login('other.agent', 'other-pass-1');
    other.recordingId = await storedFixture({ organizationId: other.orgId, agentId: otherAgent!.id });
  });

  afterAll(async () => {
    for (const a of Object.values(agents)) a.ws?.close();
    await center?.stop();
    await fsw?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A stored recording written straight into the local store (for access and retention cases). */
  async function storedFixture(o: { organizationId?: string; agentId: string | null; queueId?: string | null; startedAt?: Date; legalHold?: boolean }): Promise<string> {
    const [row] = await center.sql`select gen_random_uuid() as id`;
    const id = row!.id as string;
    const startedAt = o.startedAt ?? new Date();
    const key = recordingKey(id, startedAt);
    const store = new LocalRecordingStorage(recordingsDir);
    fs.mkdirSync(path.dirname(store.pathOf(key)), { recursive: true });
    const bytes = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE'), Buffer.alloc(200, 7)]);
    fs.writeFileSync(store.pathOf(key), bytes);
    await center.sql`
      insert into recordings (id, organization_id, call_id, agent_id, agent_ids, queue_id, started_at, ended_at, duration_ms, channels, size_bytes, sha256,
                              storage, storage_key, capture_path, status, legal_hold, stored_at)
      values (${id}, ${o.organizationId ?? '00000000-0000-4000-8000-000000000001'}, gen_random_uuid(), ${o.agentId},
              ${o.agentId ? center.sql`array[${o.agentId}::uuid]` : center.sql`'{}'::uuid[]`}, ${o.queueId ?? null},
              ${startedAt}, ${new Date(startedAt.getTime() + 1000)}, 1000, 2, ${bytes.length}, ${createHash('sha256').update(bytes).digest('hex')},
              'local', ${key}, ${path.join(recordingsDir, 'capture', `${id}.wav`)}, 'stored', ${o.legalHold ?? false}, now())`;
    return id;
  }

  it('records by queue policy from agent answer: stereo uuid_record on the caller channel, one stored file whose duration matches the CDR', async () => {
    const put = await admin.request('PUT', `/api/recording-policies/queue/${queueAll}`, { mode: 'all', startAt: 'agent_answer' });
    expect(put.status).toBe(200);
    await ready('1001');
    const callId = await connectedCall('4100');
    const start = await waitFor(() => fsw.commands.find((c) => c.startsWith(`uuid_record ${callId} start `)), 5000, 'uuid_record start');
    const i = fsw.commands.indexOf(start);
    expect(fsw.commands.slice(0, i)).toContain(`uuid_setvar_multi ${callId} RECORD_STEREO=true;RECORD_MIN_SEC=0`);
    expect(fsw.channels.get(callId)!.vars.get('RECORD_STEREO')).toBe('true');
    const capture = start.split(' ')[3]!;
    expect(capture.startsWith(path.join(recordingsDir, 'capture') + '/')).toBe(true);
    expect(fsw.commands.indexOf(`uuid_bridge ${callId} ${fsw.channels.get(callId)!.bridgedTo}`)).toBeLessThan(i);

    // While live, the agent sees the recording on their call.
    const live = await agents['1001']!.client.request('GET', `/api/calls/${callId}/recording`);
    expect(live.body).toMatchObject({ callId, mode: 'all', state: 'recording' });

    await new Promise((r) => setTimeout(r, 700));
    await endCall(callId);
    const row = await storedRecording(callId);
    const [cdr] = await center.sql`select * from cdrs where id = ${callId}`;
    const stored = path.join(recordingsDir, ...row.storage_key.split('/'));
    console.log(`recording: duration ${row.duration_ms} ms, CDR talk ${cdr!.talk_seconds} s, ${row.channels} channels, ${row.size_bytes} bytes, sha256 ${row.sha256.slice(0, 12)}…`);
    expect(row.storage_key).toBe(recordingKey(row.id, row.started_at));
    expect(fs.existsSync(capture)).toBe(false);
    expect(sha256(stored)).toBe(row.sha256);
    expect(row).toMatchObject({ channels: 2, sample_rate: 8000, storage: 'local', agent_id: agents['1001']!.id, queue_id: queueAll, start_reason: 'policy', started_by: null, caller_number: '13800138000', attempts: 1 });
    expect(Math.abs(row.duration_ms - Number(cdr!.talk_seconds) * 1000)).toBeLessThan(1000); // the requirement: within 1 s
    expect(level(stored, 0, 0, row.duration_ms)).toBeGreaterThan(1000);
    expect(fsw.commands.filter((c) => c.startsWith(`uuid_record ${callId} start`))).toHaveLength(1);
  });

  it('does not record a call whose policies do not ask for it', async () => {
    await ready('1001');
    const callId = await connectedCall('4300');
    await new Promise((r) => setTimeout(r, 300));
    await endCall(callId);
    await new Promise((r) => setTimeout(r, 200));
    expect(fsw.commands.some((c) => c.startsWith(`uuid_record ${callId}`))).toBe(false);
    expect(await recordingsOf(callId)).toHaveLength(0);
    const live = await agents['1001']!.client.request('GET', `/api/calls/${callId}/recording`);
    expect(live.status).toBe(404);
  });

  it('starts at system answer when the policy says so (the IVR hook), without a second file when the agent answers', async () => {
    await admin.request('PUT', `/api/recording-policies/queue/${queueAll}`, { mode: 'all', startAt: 'system_answer' });
    fsw.setAgentBehaviour('1001', { kind: 'manual' });
    await ready('1001');
    const callId = fsw.placeInboundCall({ callerNumber: '13900001111', did: '4100' });
    await center.recording.recorder.callAnswered({ callId, callerUuid: callId, organizationId: '00000000-0000-4000-8000-000000000001', queueId: queueAll, callerNumber: '13900001111' });
    expect(fsw.commands.filter((c) => c.startsWith(`uuid_record ${callId} start`))).toHaveLength(1);
    await waitFor(() => fsw.ringingOffers().length > 0, 5000, 'agent rung');
    fsw.answerOffer('1001');
    await waitFor(() => fsw.commands.some((c) => c.startsWith(`uuid_bridge ${callId} `)), 5000, 'bridge');
    await new Promise((r) => setTimeout(r, 300));
    await endCall(callId);
    const row = await storedRecording(callId);
    expect(fsw.commands.filter((c) => c.startsWith(`uuid_record ${callId} start`))).toHaveLength(1);
    expect(await recordingsOf(callId)).toHaveLength(1);
    expect(row.agent_ids).toEqual([agents['1001']!.id]);
    fsw.setAgentBehaviour('1001', { kind: 'answer', afterMs: 30 });
    await admin.request('PUT', `/api/recording-policies/queue/${queueAll}`, { mode: 'all', startAt: 'agent_answer' });
  });

  it('pauses and resumes from the API: mask/unmask, the span is silent in the file and marked in the metadata; a mandatory recording cannot be stopped', async () => {
    await ready('1001');
    const callId = await connectedCall('4100');
    const agent = agents['1001']!.client;
    await waitFor(() => fsw.commands.find((c) => c.startsWith(`uuid_record ${callId} start `)));
    await new Promise((r) => setTimeout(r, 300));
    const paused = await agent.request('POST', `/api/calls/${callId}/recording`, { action: 'pause' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ state: 'paused' });
    expect(paused.body.pausedSince).toEqual(expect.any(String));
    const again = await agent.request('POST', `/api/calls/${callId}/recording`, { action: 'pause' });
    expect(again.body.state).toBe('paused'); // a double click changes nothing
    expect(fsw.commands.filter((c) => c.startsWith(`uuid_record ${callId} mask `))).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect((await agent.request('POST', `/api/calls/${callId}/recording`, { action: 'resume' })).body.state).toBe('recording');
    expect(fsw.commands.filter((c) => c.startsWith(`uuid_record ${callId} unmask `))).toHaveLength(1);
    const stop = await agent.request('POST', `/api/calls/${callId}/recording`, { action: 'stop' });
    expect(stop.status).toBe(409);
    expect(stop.body.error.code).toBe('recording_mandatory');
    await new Promise((r) => setTimeout(r, 300));
    await endCall(callId);
    const row = await storedRecording(callId);
    expect(row.pauses).toHaveLength(1);
    const span = row.pauses[0] as { fromMs: number; toMs: number };
    console.log(`recording pause: span ${span.fromMs}-${span.toMs} ms of ${row.duration_ms} ms, paused_ms ${row.paused_ms}`);
    expect(span.toMs - span.fromMs).toBeGreaterThan(400);
    expect(span.toMs - span.fromMs).toBeLessThan(2000);
    expect(row.pause_events.map((e: { kind: string; by: string }) => [e.kind, e.by])).toEqual([['pause', expect.any(String)], ['resume', expect.any(String)]]);
    const stored = path.join(recordingsDir, ...row.storage_key.split('/'));
    // Inside the span (with a margin for timing) both channels are silent; outside they carry their tone.
    expect(level(stored, 0, span.fromMs + 100, span.toMs - 100)).toBe(0);
    expect(level(stored, 1, span.fromMs + 100, span.toMs - 100)).toBe(0);
    expect(level(stored, 0, 0, Math.max(50, span.fromMs - 100))).toBeGreaterThan(1000);
    expect(level(stored, 1, span.toMs + 100, row.duration_ms)).toBeGreaterThan(1000);
    const audited = await center.sql`select action from audit_log where target = ${callId} order by id`;
    expect(audited.map((a) => a.action)).toEqual(['recording.pause', 'recording.pause', 'recording.resume']);
  });

  it('records on demand: nothing until the agent starts it, stop and start again make two files; the supervisor may control it, another tenant may not', async () => {
    await admin.request('PUT', `/api/recording-policies/queue/${queueOnDemand}`, { mode: 'on_demand' });
    await ready('1001');
    const callId = await connectedCall('4200');
    await new Promise((r) => setTimeout(r, 200));
    expect(fsw.commands.some((c) => c.startsWith(`uuid_record ${callId}`))).toBe(false);
    const agent = agents['1001']!.client;
    expect((await agent.request('GET', `/api/calls/${callId}/recording`)).body).toMatchObject({ mode: 'on_demand', state: 'idle' });
    expect((await agent.request('POST', `/api/calls/${callId}/recording`, { action: 'pause' })).status).toBe(409);
    expect((await agent.request('POST', `/api/calls/${callId}/recording`, { action: 'start' })).body.state).toBe('recording');
    await new Promise((r) => setTimeout(r, 300));
    expect((await supervisor.request('POST', `/api/calls/${callId}/recording`, { action: 'stop' })).body.state).toBe('stopped');
    const first = await storedRecording(callId);
    expect(first).toMatchObject({ start_reason: 'on_demand', started_by: agents['1001']!.userId });
    expect(first.stopped_by).not.toBeNull();
    expect(first.stopped_by).not.toBe(agents['1001']!.userId); // the supervisor stopped it
    expect((await other.admin.request('POST', `/api/calls/${callId}/recording`, { action: 'start' })).status).toBe(404);
    expect((await agents['1002']!.client.request('POST', `/api/calls/${callId}/recording`, { action: 'start' })).status).toBe(403);
    expect((await agent.request('POST', `/api/calls/${callId}/recording`, { action: 'start' })).body.state).toBe('recording');
    await new Promise((r) => setTimeout(r, 200));
    await endCall(callId);
    await waitFor(async () => (await recordingsOf(callId)).filter((r) => r.status === 'stored').length === 2, 5000, 'two stored recordings');
    const rows = await recordingsOf(callId);
    expect(new Set(rows.map((r) => r.sha256)).size).toBe(2);
  });

  it('reports and retries a recording whose file is missing or cannot be stored, never dropping it', async () => {
    await ready('1001');
    fsw.failRecordingWrites = true;
    const callId = await connectedCall('4100');
    await waitFor(() => fsw.commands.find((c) => c.startsWith(`uuid_record ${callId} start `)));
    await new Promise((r) => setTimeout(r, 200));
    await endCall(callId);
    fsw.failRecordingWrites = false;
    const failed = await waitFor(async () => {
      const [r] = await recordingsOf(callId);
      return r?.status === 'failed' ? r : null;
    }, 5000, 'failed recording');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toContain('no file');
    expect(failed.next_attempt_at.getTime()).toBeGreaterThan(Date.now());
    const listed = await supervisor.request('GET', '/api/recordings/failures');
    expect(listed.body.items.map((r: { id: string }) => r.id)).toContain(failed.id);

    // A store that fails (the day folder cannot be created), then works again: retried and stored.
    const callId2 = await connectedCall('4100');
    await waitFor(() => fsw.commands.find((c) => c.startsWith(`uuid_record ${callId2} start `)));
    const [live] = await recordingsOf(callId2);
    // Something already occupies the recording's place in the store: the move fails.
    const target = path.join(recordingsDir, ...recordingKey(live!.id, live!.started_at).split('/'));
    fs.mkdirSync(path.join(target, 'in-the-way'), { recursive: true });
    await new Promise((r) => setTimeout(r, 200));
    await endCall(callId2);
    const blocked = await waitFor(async () => {
      const [r] = await recordingsOf(callId2);
      return r?.status === 'failed' ? r : null;
    }, 5000, 'failed store');
    console.log(`recording store failure reported: attempts ${blocked.attempts}, error "${blocked.last_error}", next attempt in ${blocked.next_attempt_at.getTime() - Date.now()} ms`);
    expect(blocked.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.existsSync(blocked.capture_path)).toBe(true);
    fs.rmSync(target, { recursive: true });
    const retried = await admin.request('POST', `/api/recordings/${blocked.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'stored', attempts: 2, lastError: null });
    expect(sha256(path.join(recordingsDir, ...recordingKey(blocked.id, blocked.started_at).split('/')))).toBe(blocked.sha256);
    const audit = await center.sql`select details from audit_log where action = 'recording.retry' and target = ${blocked.id}`;
    expect(audit[0]!.details).toMatchObject({ ok: true });
  });

  it('applies the access rules to every recording route for every role, including another tenant’s recording by id', async () => {
    const own = (await center.sql`select id from recordings where status = 'stored' and agent_id = ${agents['1001']!.id} limit 1`)[0]!.id as string;
    const others = await storedFixture({ agentId: agents['1002']!.id });
    const anonymous = new ApiClient(center.url);
    const a1 = agents['1001']!.client;
    type Expect = Record<string, number>;
    const routes = (id: string): Record<string, (c: ApiClient) => Promise<number>> => ({
      metadata: async (c) => (await c.request('GET', `/api/recordings/${id}`)).status,
      playback: async (c) => (await c.request('POST', `/api/recordings/${id}/playback`)).status,
      download: async (c) => (await c.request('POST', `/api/recordings/${id}/download`)).status,
      legalHold: async (c) => (await c.request('PUT', `/api/recordings/${id}/legal-hold`, { legalHold: false })).status,
    });
    const matrix: [string, ApiClient, string, Expect][] = [
      ['agent, own call', a1, own, { metadata: 200, playback: 200, download: 403, legalHold: 403 }],
      ['agent, another agent’s call', a1, others, { metadata: 403, playback: 403, download: 403, legalHold: 403 }],
      ['supervisor (leads the organization’s agents)', supervisor, others, { metadata: 200, playback: 200, download: 200, legalHold: 403 }],
      ['admin', admin, others, { metadata: 200, playback: 200, download: 200, legalHold: 200 }],
      ['admin of another tenant', other.admin, own, { metadata: 404, playback: 404, download: 404, legalHold: 404 }],
      ['agent of another tenant', other.agent, own, { metadata: 404, playback: 404, download: 404, legalHold: 404 }],
      ['our admin, another tenant’s recording', admin, other.recordingId, { metadata: 404, playback: 404, download: 404, legalHold: 404 }],
      ['not logged in', anonymous, own, { metadata: 401, playback: 401, download: 401, legalHold: 401 }],
    ];
    for (const [who, client, id, expected] of matrix) {
      const got: Expect = {};
      for (const [route, call] of Object.entries(routes(id))) got[route] = await call(client);
      expect({ who, ...got }).toEqual({ who, ...expected });
    }
    // A supervisor responsible for some queues (supervisor_queues) leads the agents of those queues only:
    // another team's recording by id is out of reach, their own team's is not.
    const superId = (await center.sql`select id from users where login = 'rec.super'`)[0]!.id;
    await center.sql`insert into supervisor_queues (user_id, queue_id) values (${superId}, ${queueAll})`;
    expect((await supervisor.request('GET', `/api/recordings/${others}`)).status).toBe(403);
    expect((await supervisor.request('POST', `/api/recordings/${others}/playback`)).status).toBe(403);
    expect((await supervisor.request('GET', `/api/recordings/${own}`)).status).toBe(200);
    const teamList = ((await supervisor.request('GET', '/api/recordings?limit=200')).body.items as { id: string }[]).map((r) => r.id);
    expect(teamList).toContain(own);
    expect(teamList).not.toContain(others);
    await center.sql`delete from supervisor_queues where user_id = ${superId}`;

    // Deletion: agents and supervisors never; admins yes, unless on legal hold; another tenant: not found.
    const doomed = await storedFixture({ agentId: agents['1001']!.id });
    expect((await a1.request('DELETE', `/api/recordings/${doomed}`)).status).toBe(403);
    expect((await supervisor.request('DELETE', `/api/recordings/${doomed}`)).status).toBe(403);
    expect((await other.admin.request('DELETE', `/api/recordings/${doomed}`)).status).toBe(404);
    expect((await admin.request('PUT', `/api/recordings/${doomed}/legal-hold`, { legalHold: true })).body.legalHold).toBe(true);
    expect((await admin.request('DELETE', `/api/recordings/${doomed}`)).status).toBe(409);
    await admin.request('PUT', `/api/recordings/${doomed}/legal-hold`, { legalHold: false });
    expect((await admin.request('DELETE', `/api/recordings/${doomed}`)).status).toBe(204);
    expect((await center.sql`select status from recordings where id = ${doomed}`)[0]!.status).toBe('purged');

    // Lists: each sees their reach only.
    const ids = async (c: ApiClient) => ((await c.request('GET', '/api/recordings?limit=200')).body.items as { id: string }[]).map((r) => r.id);
    expect(await ids(a1)).toContain(own);
    expect(await ids(a1)).not.toContain(others);
    expect(await ids(supervisor)).toEqual(expect.arrayContaining([own, others]));
    expect(await ids(other.admin)).toEqual([other.recordingId]);
    expect(await ids(other.agent)).toEqual([other.recordingId]); // their own call, in their tenant
    expect((await anonymous.request('GET', '/api/recordings')).status).toBe(401);

    // Every playback and download attempt, allowed or denied, is in the audit log.
    const audit = await center.sql`select action, actor_user_id, details->>'outcome' as outcome from audit_log where action in ('recording.play', 'recording.download') and target in (${own}, ${others}, ${other.recordingId})`;
    const plays = audit.filter((a) => a.action === 'recording.play');
    console.log(`recording access: ${matrix.length} role/route cases × 4 routes; ${plays.length} playback attempts audited (${plays.filter((a) => a.outcome === 'allowed').length} allowed)`);
    // 4 allowed (agent own, supervisor, admin... ) + denied: agent-other, other admin, other agent, our admin on theirs.
    expect(plays.filter((a) => a.outcome === 'allowed')).toHaveLength(3);
    expect(plays.filter((a) => a.outcome === 'denied')).toHaveLength(5); // + the supervisor, out of their team
    expect(audit.filter((a) => a.action === 'recording.download')).toHaveLength(7);
  });

  it('serves the audio only through a valid, unexpired signed URL, with Range for seeking', async () => {
    const [row] = await center.sql`select * from recordings where status = 'stored' and agent_id = ${agents['1001']!.id} and channels = 2 order by started_at limit 1`;
    const file = path.join(recordingsDir, ...row!.storage_key.split('/'));
    const a1 = agents['1001']!.client;
    const t0 = Date.now();
    const pb = await a1.request('POST', `/api/recordings/${row!.id}/playback`);
    expect(pb.status).toBe(200);
    expect(Object.keys(pb.body).sort()).toEqual(['expiresAt', 'url']);
    const ttl = Date.parse(pb.body.expiresAt) - t0;
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 1000);
    // The URL works without the session cookie (an <audio> element), and returns the exact file.
    const whole = await fetch(center.url + pb.body.url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(createHash('sha256').update(Buffer.from(await whole.arrayBuffer())).digest('hex')).toBe(row!.sha256);
    const part = await fetch(center.url + pb.body.url, { headers: { range: 'bytes=44-143' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 44-143/${fs.statSync(file).size}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(fs.readFileSync(file).subarray(44, 144))).toBe(true);
    expect((await fetch(center.url + pb.body.url, { headers: { range: `bytes=${fs.statSync(file).size + 10}-` } })).status).toBe(416);
    // Tampered: another recording id in the path, a changed expiry, a changed signature.
    const u = new URL(center.url + pb.body.url);
    const other2 = (await center.sql`select id from recordings where status = 'stored' and id <> ${row!.id} limit 1`)[0]!.id;
    expect((await fetch(`${center.url}/api/recordings/${other2}/audio${u.search}`)).status).toBe(403);
    const later = new URL(u);
    later.searchParams.set('exp', String(Number(u.searchParams.get('exp')) + 60_000));
    expect((await fetch(later)).status).toBe(403);
    // With another user's session, someone else's URL is refused.
    expect((await fetch(u, { headers: { cookie: supervisor.cookie } })).status).toBe(403);
    // Expired: a genuine URL signed with the server's secret, 300 ms of life.
    const { query } = signRecordingUrl({ recordingId: row!.id, action: 'play', userId: 'u', expiresAt: Date.now() + 300 }, center.recording.urlSecret, Date.now());
    expect((await fetch(`${center.url}/api/recordings/${row!.id}/audio?${query}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    const expired = await fetch(`${center.url}/api/recordings/${row!.id}/audio?${query}`);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('url_expired');
    // A download URL sends the file as an attachment.
    const dl = await supervisor.request('POST', `/api/recordings/${row!.id}/download`);
    const dlRes = await fetch(center.url + dl.body.url, { headers: { cookie: supervisor.cookie } });
    expect(dlRes.headers.get('content-disposition')).toContain('attachment');
    // A recording that is not stored has no URL.
    const [failed] = await center.sql`select id from recordings where status = 'failed' limit 1`;
    expect((await admin.request('POST', `/api/recordings/${failed!.id}/playback`)).status).toBe(409);
  });

  it('searches by date, agent, queue, caller number, duration and disposition', async () => {
    const q = async (qs: string) => (await admin.request('GET', `/api/recordings?${qs}`)).body;
    const all = await q('limit=200');
    expect(all.qaScoreFilter).toBe('available'); // migration 00009 (qa_evaluations) is present
    const byQueue = await q(`queueId=${queueAll}&limit=200`);
    expect(byQueue.items.length).toBeGreaterThan(0);
    expect(byQueue.items.every((r: { queueId: string }) => r.queueId === queueAll)).toBe(true);
    expect(byQueue.items[0]).toMatchObject({ queueName: '录音全部', disposition: 'answered' });
    const byCaller = await q('callerNumber=139000');
    expect(byCaller.items.map((r: { callerNumber: string }) => r.callerNumber)).toEqual(['13900001111']);
    const byAgent = await q(`agentId=${agents['1002']!.id}`);
    expect(byAgent.items.every((r: { agentIds: string[] }) => r.agentIds.includes(agents['1002']!.id))).toBe(true);
    const long = await q('minDurationSec=0.5&status=stored');
    expect(long.items.every((r: { durationMs: number }) => r.durationMs >= 500)).toBe(true);
    expect((await q('disposition=abandoned')).total).toBe(0);
    expect((await q(`from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`)).total).toBe(0);
    const bad = await admin.request('GET', '/api/recordings?minDurationSec=10&maxDurationSec=5');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('maxDurationSec');
  });

  it('purges recordings past their queue retention, audited, and keeps those on legal hold', async () => {
    expect((await admin.request('PUT', `/api/recording-policies/retention/${queueNone}`, { retentionDays: 1 })).status).toBe(200);
    const old = new Date(Date.now() - 2 * 86_400_000);
    const expired = await storedFixture({ agentId: agents['1001']!.id, queueId: queueNone, startedAt: old });
    const held = await storedFixture({ agentId: agents['1001']!.id, queueId: queueNone, startedAt: old, legalHold: true });
    const young = await storedFixture({ agentId: agents['1001']!.id, queueId: queueNone, startedAt: new Date(Date.now() - 3600_000) });
    const oldDefault = await storedFixture({ agentId: agents['1001']!.id, queueId: queueAll, startedAt: old }); // default 180 days
    const fileOf = async (id: string) => path.join(recordingsDir, ...((await center.sql`select storage_key from recordings where id = ${id}`)[0]!.storage_key as string).split('/'));
    const expiredFile = await fileOf(expired);
    expect((await supervisor.request('POST', '/api/recordings/purge')).status).toBe(403);
    const res = await admin.request('POST', '/api/recordings/purge');
    expect(res.status).toBe(200);
    console.log(`recording purge: ${res.body.purged.length} purged, ${res.body.heldBack.length} held back by legal hold`);
    expect(res.body.purged.map((p: { recordingId: string }) => p.recordingId)).toEqual([expired]);
    expect(res.body.heldBack.map((p: { recordingId: string }) => p.recordingId)).toEqual([held]);
    expect(fs.existsSync(expiredFile)).toBe(false);
    expect(fs.existsSync(await fileOf(held))).toBe(true);
    const statuses = await center.sql`select id, status from recordings where id in (${expired}, ${held}, ${young}, ${oldDefault})`;
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({ [expired]: 'purged', [held]: 'stored', [young]: 'stored', [oldDefault]: 'stored' });
    const [entry] = await center.sql`select * from audit_log where action = 'recording.purge' and target = ${expired}`;
    expect(entry!.actor_user_id).toBeNull();
    expect(entry!.details).toMatchObject({ reason: 'retention_expired', retentionDays: 1, retentionSource: 'queue', storageKey: expect.any(String) });
    expect((await admin.request('POST', '/api/recordings/purge')).body.purged).toHaveLength(0);
  });

  it('lists answered calls that should have a recording and have none (nightly check, on demand)', async () => {
    const [missing] = await center.sql`
      insert into cdrs (id, organization_id, caller_uuid, caller_number, called_number, queue_id, agent_id, enqueued_at, answered_at, ended_at, wait_seconds, talk_seconds, hangup_cause, outcome)
      values (gen_random_uuid(), '00000000-0000-4000-8000-000000000001', gen_random_uuid(), '13700000000', '4100', ${queueAll}, ${agents['1001']!.id},
              now() - interval '10 minutes', now() - interval '9 minutes', now() - interval '8 minutes', 60, 60, 'NORMAL_CLEARING', 'answered')
      returning id`;
    const [optedOut] = await center.sql`
      insert into cdrs (id, organization_id, caller_uuid, caller_number, called_number, queue_id, agent_id, enqueued_at, answered_at, ended_at, wait_seconds, talk_seconds, hangup_cause, outcome, do_not_record)
      values (gen_random_uuid(), '00000000-0000-4000-8000-000000000001', gen_random_uuid(), '13700000001', '4100', ${queueAll}, ${agents['1001']!.id},
              now() - interval '10 minutes', now() - interval '9 minutes', now() - interval '8 minutes', 60, 60, 'NORMAL_CLEARING', 'answered', true)
      returning id`;
    const res = await admin.request('POST', '/api/recordings/checks/missing', {});
    expect(res.status).toBe(200);
    const ids = res.body.missing.map((m: { callId: string }) => m.callId);
    console.log(`recording completeness check: ${res.body.checkedCalls} answered calls checked, ${ids.length} missing a recording`);
    expect(ids).toContain(missing!.id);
    expect(ids).not.toContain(optedOut!.id);
    // Calls with a stored recording (or one still being retried) are not listed.
    const recorded = await center.sql`select distinct call_id from recordings where status = 'stored' and queue_id = ${queueAll}`;
    for (const r of recorded) expect(ids).not.toContain(r.call_id);
    const [check] = await center.sql`select details from audit_log where action = 'recording.missing_check' order by id desc limit 1`;
    expect(check!.details.callIds).toContain(missing!.id);
  });

  it('administers recording policies: validated, audited, admins only, within the organization', async () => {
    const bad = await admin.request('PUT', `/api/recording-policies/queue/${queueOnDemand}`, { mode: 'sometimes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('mode');
    expect((await supervisor.request('PUT', `/api/recording-policies/agent/${agents['1002']!.id}`, { mode: 'all' })).status).toBe(403);
    const [otherQueue] = await center.sql`insert into queues (organization_id, name) values (${other.orgId}, 'theirs') returning id`;
    expect((await admin.request('PUT', `/api/recording-policies/queue/${otherQueue!.id}`, { mode: 'all' })).status).toBe(404);
    expect((await admin.request('PUT', `/api/recording-policies/agent/${agents['1002']!.id}`, { mode: 'all', startAt: 'agent_answer' })).status).toBe(200);
    const settings = await admin.request('PUT', '/api/recording-policies/settings', { defaultMode: 'on_demand', defaultStartAt: 'agent_answer', defaultRetentionDays: 90 });
    expect(settings.body).toEqual({ defaultMode: 'on_demand', defaultStartAt: 'agent_answer', defaultRetentionDays: 90 });
    expect((await admin.request('PUT', '/api/recording-policies/settings', { defaultMode: 'all', defaultStartAt: 'agent_answer', defaultRetentionDays: 0 })).status).toBe(400);
    const view = await supervisor.request('GET', '/api/recording-policies');
    expect(view.body.policies).toEqual(expect.arrayContaining([{ scope: 'agent', targetId: agents['1002']!.id, mode: 'all', startAt: 'agent_answer' }]));
    expect(view.body.queues.find((q: { queueId: string }) => q.queueId === queueNone).retentionDays).toBe(1);
    expect((await admin.request('DELETE', `/api/recording-policies/agent/${agents['1002']!.id}`)).status).toBe(204);
    expect((await admin.request('DELETE', `/api/recording-policies/agent/${agents['1002']!.id}`)).status).toBe(404);
    const audit = await center.sql`select action from audit_log where action in ('recording.policy', 'recording.settings', 'recording.policy_delete', 'recording.retention')`;
    expect(new Set(audit.map((a) => a.action))).toEqual(new Set(['recording.policy', 'recording.settings', 'recording.policy_delete', 'recording.retention']));
  });

  it('keeps a recording that was running when the orchestrator restarted: finalised from RECORD_STOP by the new process', async () => {
    await admin.request('PUT', `/api/recording-policies/queue/${queueAll}`, { mode: 'all', startAt: 'agent_answer' });
    await ready('1001');
    const callId = await connectedCall('4100');
    await waitFor(() => fsw.commands.find((c) => c.startsWith(`uuid_record ${callId} start `)), 5000, 'uuid_record start');
    for (const a of Object.values(agents)) a.ws.close();
    const databaseUrl = (center.sql.options as unknown as { host: string[]; port: number[]; database: string; user: string; pass: string | null });
    const url = `postgres://${databaseUrl.user}${databaseUrl.pass ? `:${databaseUrl.pass}` : ''}@${databaseUrl.host[0]}:${databaseUrl.port[0]}/${databaseUrl.database}`;
    await center.stop();
    center = await startCenter({ databaseUrl: url, eslPort: (fsw as unknown as { server: { address(): { port: number } } }).server.address().port, env: { CC_DATA_DIR: dataDir } });
    await waitFor(() => center.esl.isConnected, 5000, 'ESL connection after restart');
    await new Promise((r) => setTimeout(r, 300));
    fsw.hangup(callId, 'NORMAL_CLEARING');
    const row = await storedRecording(callId, 15_000);
    expect(row.ended_at).not.toBeNull();
    expect(row.duration_ms).toBeGreaterThan(200);
    expect(fs.existsSync(path.join(recordingsDir, ...row.storage_key.split('/')))).toBe(true);
    for (const [ext, a] of Object.entries(agents)) {
      a.ws = await WsSession.open(center.url, a.client.cookie);
      await a.ws.next('hello');
      void ext;
    }
  });
});
